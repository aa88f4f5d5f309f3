/**
 * Wrong credentials throttled per client address, over a real socket (the address comes from it).
 */
import { describe, expect, it } from 'vitest';
import {
  basic,
  type Harness,
  harness,
  KEYS,
  linkedInEvent,
  NOW,
  nativeEvent,
  served as serveHarness,
} from './http-harness.js';

interface Served {
  h: Harness;
  url: string;
}

/** A harness served as `capi start` serves it, so the throttle sees the socket's address. */
async function served(env: Record<string, string>): Promise<Served> {
  const h = harness({ env });
  return { h, url: (await serveHarness(h)).url };
}

function send(s: Served, path: string, authorization: string | null, body: unknown = nativeEvent()) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const method = path.startsWith('/v1/dead-letters') || path.startsWith('/v1/events/') ? 'GET' : 'POST';
  return fetch(`${s.url}${path}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(5_000),
  });
}

const WRONG = 'wrong-key-that-is-long-enough-0000';

async function metric(s: Served, result: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const m = new RegExp(`^capigw_auth_failures_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('wrong keys and tokens, throttled per client address (server.authFailuresPerMinute)', () => {
  it('refuses an address after the limit, on every authenticated route, until the minute ends', async () => {
    const s = await served({ CAPI_SERVER_AUTH_FAILURES_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await send(s, '/v1/events', `Bearer ${WRONG}`)).status).toBe(401);

    // Now even the right key is refused, before it is looked at, and nothing is stored.
    const refused = await send(
      s,
      '/v1/events',
      `Bearer ${KEYS.website}`,
      nativeEvent({ eventId: 'blocked-1' }),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(60);
    const body = (await refused.json()) as { error: { code: string; message: string; fix: string } };
    expect(body.error).toMatchObject({ code: 'AUTH_THROTTLED' });
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.fix).toMatch(/authFailuresPerMinute/);
    expect(await s.h.store.findByEventId('blocked-1')).toEqual([]);

    expect((await send(s, '/v1/track', basic(KEYS.website))).status).toBe(429);
    const restli = await send(s, '/rest/conversionEvents', `Bearer ${KEYS.website}`, linkedInEvent());
    expect(restli.status).toBe(429);
    expect(restli.headers.get('retry-after')).not.toBeNull();
    expect((await send(s, '/v1/dead-letters', `Bearer ${KEYS.admin}`)).status).toBe(429);
    // Routes without credentials are not affected.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    expect(await metric(s, 'rejected')).toBe(3);
    expect(await metric(s, 'throttled')).toBe(4);
    const warnings = s.h.logs.filter((l) => l.includes('too many wrong keys'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('127.0.0.1');
    expect(s.h.logs.join('\n')).not.toContain(WRONG);

    // Half a minute on, the Retry-After says the rest; a minute on, the right key works again.
    s.h.clock.set(NOW + 30_000);
    expect((await send(s, '/v1/events', `Bearer ${KEYS.website}`)).headers.get('retry-after')).toBe('30');
    s.h.clock.set(NOW + 60_000);
    expect((await send(s, '/v1/events', `Bearer ${KEYS.website}`)).status).toBe(200);
    expect((await send(s, '/v1/dead-letters', `Bearer ${KEYS.admin}`)).status).toBe(200);
  });

  it('counts wrong admin tokens too, and never a request that sent no credentials or another scheme', async () => {
    const s = await served({ CAPI_SERVER_AUTH_FAILURES_PER_MINUTE: '2' });
    for (let i = 0; i < 10; i++) expect((await send(s, '/v1/events', null)).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await send(s, '/v1/events', basic(WRONG))).status).toBe(401);
    for (let i = 0; i < 10; i++) expect((await send(s, '/v1/dead-letters', basic(WRONG))).status).toBe(401);
    expect((await send(s, '/v1/events', `Bearer ${KEYS.website}`)).status).toBe(200);
    expect((await send(s, '/v1/dead-letters', `Bearer ${WRONG}`)).status).toBe(401);
    expect((await send(s, '/v1/dead-letters', `Bearer ${WRONG}`)).status).toBe(401);
    expect((await send(s, '/v1/events', `Bearer ${KEYS.website}`)).status).toBe(429);
  });

  it('never throttles with a limit of 0', async () => {
    const s = await served({ CAPI_SERVER_AUTH_FAILURES_PER_MINUTE: '0' });
    for (let i = 0; i < 100; i++) expect((await send(s, '/v1/events', `Bearer ${WRONG}`)).status).toBe(401);
    expect((await send(s, '/v1/events', `Bearer ${KEYS.website}`)).status).toBe(200);
    expect(await metric(s, 'rejected')).toBe(100);
    expect(await metric(s, 'throttled')).toBe(0);
  });

  it('defaults to 60 a minute, and names the key of a bad setting', async () => {
    const s = await served({});
    for (let i = 0; i < 60; i++) expect((await send(s, '/v1/events', `Bearer ${WRONG}`)).status).toBe(401);
    expect((await send(s, '/v1/events', `Bearer ${WRONG}`)).status).toBe(429);
    expect(() => harness({ env: { CAPI_SERVER_AUTH_FAILURES_PER_MINUTE: '-1' } })).toThrow(
      /server\.authFailuresPerMinute/,
    );
  });
});
