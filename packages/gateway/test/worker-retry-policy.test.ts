import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  EXPIRY_MARGIN_MS,
  expiresAt,
  isExpired,
  MAX_EVENT_AGE_MS,
  MAX_RETRY_AFTER_MS,
  nextRetryAt,
  utcDayEnd,
} from '../src/domain/retry-policy.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const base = { now: NOW, baseMs: 1_000, maxMs: 300_000 };

describe('nextRetryAt', () => {
  it('grows exponentially and is capped at maxMs', () => {
    const top = (attempts: number) => nextRetryAt({ ...base, attempts, random: () => 0.999999 }) - NOW;
    expect(top(0)).toBe(1_000);
    expect(top(1)).toBeCloseTo(2_000, -1);
    expect(top(3)).toBeCloseTo(8_000, -1);
    expect(top(20)).toBeLessThanOrEqual(300_000);
    expect(top(20)).toBeGreaterThan(299_000);
    expect(top(10_000)).toBeLessThanOrEqual(300_000);
  });

  it('spreads retries uniformly between baseMs and the ceiling (full jitter)', () => {
    expect(nextRetryAt({ ...base, attempts: 4, random: () => 0 }) - NOW).toBe(1_000);
    expect(nextRetryAt({ ...base, attempts: 4, random: () => 0.5 }) - NOW).toBe(8_500);
  });

  it('treats Retry-After and the floor as minimums, and caps an absurd Retry-After', () => {
    const random = () => 0;
    expect(nextRetryAt({ ...base, attempts: 0, random, retryAfterMs: 90_000 }) - NOW).toBe(90_000);
    expect(nextRetryAt({ ...base, attempts: 0, random, floorMs: 10_000 }) - NOW).toBe(10_000);
    expect(nextRetryAt({ ...base, attempts: 0, random, retryAfterMs: 10 * DAY_MS }) - NOW).toBe(
      MAX_RETRY_AFTER_MS,
    );
  });

  it('always lands in [base, max(max, retryAfter, floor)] after now, for any input', () => {
    fc.assert(
      fc.property(
        fc.nat(1_000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.option(fc.nat(2 * DAY_MS)),
        (attempts, r, baseMs, maxMs, retryAfterMs) => {
          const at = nextRetryAt({ attempts, now: NOW, baseMs, maxMs, random: () => r, retryAfterMs });
          const delay = at - NOW;
          expect(Number.isInteger(at)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(baseMs);
          expect(delay).toBeLessThanOrEqual(
            Math.max(baseMs, maxMs, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)),
          );
        },
      ),
    );
  });
});

describe('expiry', () => {
  it('expires an event one safety margin before LinkedIn’s 90-day limit', () => {
    const happenedAt = NOW - MAX_EVENT_AGE_MS + EXPIRY_MARGIN_MS;
    expect(expiresAt(happenedAt)).toBe(NOW);
    expect(isExpired(happenedAt, NOW - 1)).toBe(false);
    expect(isExpired(happenedAt, NOW)).toBe(true);
    expect(isExpired(NOW - 89 * DAY_MS, NOW)).toBe(false);
  });
});

describe('utcDayEnd', () => {
  it('is the next 00:00 UTC', () => {
    expect(utcDayEnd(Date.UTC(2030, 0, 1, 23, 59, 59, 999))).toBe(Date.UTC(2030, 0, 2));
    expect(utcDayEnd(Date.UTC(2030, 0, 1))).toBe(Date.UTC(2030, 0, 2));
    expect(utcDayEnd(Date.UTC(2030, 11, 31, 12))).toBe(Date.UTC(2031, 0, 1));
  });
});
