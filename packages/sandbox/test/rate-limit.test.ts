import { describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/index.js';
import { RateLimiter } from '../src/rate-limit.js';
import { event, json, NOW, postEvent, sandbox } from './helpers.js';

const THROTTLED = {
  message: 'Resource level throttle limit for calls to this resource is reached.',
  serviceErrorCode: 101,
  status: 429,
};

describe('RateLimiter', () => {
  it('defaults to 600 per minute and 500,000 per day', () => {
    expect(new RateLimiter().limits).toEqual({ perMinute: 600, perDay: 500_000 });
  });

  it('counts per token in clock-minute windows', () => {
    const l = new RateLimiter({ perMinute: 2 });
    const t0 = Date.UTC(2026, 10, 22, 12, 0, 59);
    expect([l.hit('a', t0), l.hit('a', t0), l.hit('a', t0), l.hit('b', t0)]).toEqual([
      'ok',
      'ok',
      'minute',
      'ok',
    ]);
    expect(l.hit('a', t0 + 1000)).toBe('ok'); // 12:01:00 is a new minute
  });

  it('resets the day at 00:00 UTC and does not count refused requests', () => {
    const l = new RateLimiter({ perMinute: 100, perDay: 2 });
    const late = Date.UTC(2026, 10, 22, 23, 59, 0);
    l.hit('a', late);
    l.hit('a', late + 30_000);
    expect(l.hit('a', late + 50_000)).toBe('day');
    expect(l.usage(late + 50_000).a?.dayCount).toBe(2);
    expect(l.hit('a', Date.UTC(2026, 10, 23, 0, 0, 0))).toBe('ok');
  });
});

describe('throttling conversionEvents', () => {
  it("429 with LinkedIn's throttle body after perMinute requests, per token", async () => {
    const sb = sandbox({ limits: { perMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await postEvent(sb, event())).status).toBe(201);
    const res = await postEvent(sb, event());
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await json(res)).toEqual(THROTTLED);
    // Another token has its own budget.
    const other = await sb.app.request('/__sandbox/tokens', {
      method: 'POST',
      body: JSON.stringify({ value: 'second' }),
    });
    expect(other.status).toBe(201);
    expect((await postEvent(sb, event(), {}, 'second')).status).toBe(201);
    // The next minute opens a new window.
    sb.clock.setNow(NOW + 60_000);
    expect((await postEvent(sb, event({ conversionHappenedAt: NOW }))).status).toBe(201);
  });

  it('invalid requests count too; a batch is one request', async () => {
    const sb = sandbox({ limits: { perMinute: 2 } });
    expect((await postEvent(sb, { nope: 1 })).status).toBe(422);
    const batch = await postEvent(
      sb,
      { elements: [event(), event(), event()] },
      { 'X-RestLi-Method': 'BATCH_CREATE' },
    );
    expect(batch.status).toBe(200);
    expect((await postEvent(sb, event())).status).toBe(429);
  });

  it('the daily budget resets at midnight UTC', async () => {
    const late = Date.UTC(2026, 10, 22, 23, 59, 30);
    const sb = sandbox({ clock: () => late, limits: { perMinute: 100, perDay: 1 } });
    expect((await postEvent(sb, event({ conversionHappenedAt: late - 1000 }))).status).toBe(201);
    expect((await postEvent(sb, event({ conversionHappenedAt: late - 1000 }))).status).toBe(429);
    sb.clock.setOffset(31_000);
    expect((await postEvent(sb, event({ conversionHappenedAt: late }))).status).toBe(201);
  });

  it('limits can be changed at run time through the admin API', async () => {
    const sb = sandbox();
    const put = await sb.app.request('/__sandbox/limits', {
      method: 'PUT',
      body: JSON.stringify({ perMinute: 1 }),
    });
    expect(await json(put)).toEqual({ perMinute: 1, perDay: 500_000 });
    expect((await postEvent(sb, event())).status).toBe(201);
    expect((await postEvent(sb, event())).status).toBe(429);
    const bad = await sb.app.request('/__sandbox/limits', {
      method: 'PUT',
      body: JSON.stringify({ perMinute: -1 }),
    });
    expect(bad.status).toBe(400);
  });

  it('auth comes before throttling: a bad token never spends budget', async () => {
    const sb = sandbox({ limits: { perMinute: 1 } });
    expect((await postEvent(sb, event(), {}, DEMO_SEED.tokens.expired)).status).toBe(401);
    expect((await postEvent(sb, event(), {}, DEMO_SEED.tokens.expired)).status).toBe(401);
  });
});
