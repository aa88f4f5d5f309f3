import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKey, createAuthFailureLimiter, WINDOW_MS } from '../src/domain/auth-failures.js';

describe('wrong credentials per client address', () => {
  it('blocks a client exactly while its window holds the limit of failures (model)', () => {
    const step = fc.record({
      client: fc.constantFrom('a', 'b', 'c'),
      advance: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 90_000 }),
      ),
      fail: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 80 }), (limit, steps) => {
        const limiter = createAuthFailureLimiter(limit);
        const model = new Map<string, { startedAt: number; failures: number }>();
        let now = 1_000_000;
        for (const { client, advance, fail } of steps) {
          now += advance;
          let w = model.get(client);
          if (w && now - w.startedAt >= WINDOW_MS) {
            model.delete(client);
            w = undefined;
          }
          const blocked = w !== undefined && w.failures >= limit;
          expect(limiter.blockedUntil(client, now)).toBe(blocked ? w!.startedAt + WINDOW_MS : null);
          // As the HTTP layer does: a blocked client's credentials are not looked at.
          if (fail && !blocked) {
            if (!w) {
              w = { startedAt: now, failures: 0 };
              model.set(client, w);
            }
            w.failures += 1;
            expect(limiter.recordFailure(client, now)).toBe(w.failures === limit);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('blocks after the limit, says until when, and lets the client try again a minute on', () => {
    const limiter = createAuthFailureLimiter(3);
    const t0 = 5_000;
    expect(limiter.recordFailure('10.0.0.1', t0)).toBe(false);
    expect(limiter.recordFailure('10.0.0.1', t0 + 10)).toBe(false);
    expect(limiter.blockedUntil('10.0.0.1', t0 + 20)).toBeNull();
    expect(limiter.recordFailure('10.0.0.1', t0 + 20)).toBe(true);
    expect(limiter.blockedUntil('10.0.0.1', t0 + 30)).toBe(t0 + WINDOW_MS);
    expect(limiter.blockedUntil('10.0.0.2', t0 + 30)).toBeNull();
    expect(limiter.blockedUntil('10.0.0.1', t0 + WINDOW_MS)).toBeNull();
  });

  it('does nothing with a limit of 0, and refuses a limit that is not a whole number', () => {
    const off = createAuthFailureLimiter(0);
    for (let i = 0; i < 1_000; i++) off.recordFailure('x', i);
    expect(off.blockedUntil('x', 1_000)).toBeNull();
    expect(off.size()).toBe(0);
    expect(() => createAuthFailureLimiter(-1)).toThrow(RangeError);
    expect(() => createAuthFailureLimiter(1.5)).toThrow(RangeError);
  });

  it('keeps at most maxClients addresses, dropping ended windows first, then the oldest', () => {
    const limiter = createAuthFailureLimiter(1, 3);
    limiter.recordFailure('old', 0);
    limiter.recordFailure('a', WINDOW_MS - 3);
    limiter.recordFailure('b', WINDOW_MS - 2);
    // 'old' has ended: it goes, and every open window stays.
    limiter.recordFailure('c', WINDOW_MS);
    expect(limiter.size()).toBe(3);
    expect(limiter.blockedUntil('a', WINDOW_MS)).not.toBeNull();
    // All open now: the oldest ('a') makes room.
    limiter.recordFailure('d', WINDOW_MS + 1);
    expect(limiter.size()).toBe(3);
    expect(limiter.blockedUntil('a', WINDOW_MS + 1)).toBeNull();
    expect(limiter.blockedUntil('d', WINDOW_MS + 1)).not.toBeNull();
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`flood-${i}`, WINDOW_MS + 2);
    expect(limiter.size()).toBe(3);
  });

  it('keys IPv4 by address and IPv6 by its /64 network', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:1:2::9%eth0')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    // Two hosts of one /64 share a key; another /64 does not.
    expect(clientKey('2001:db8:1:2::a')).toBe(clientKey('2001:db8:1:2:ffff::b'));
    expect(clientKey('2001:db8:1:3::a')).not.toBe(clientKey('2001:db8:1:2::a'));
  });
});
