import { describe, expect, it } from 'vitest';
import { DroppedConnection } from '../src/errors.js';
import { decideFault, resolveFaults } from '../src/faults.js';
import { event, json, postEvent, sandbox } from './helpers.js';

/** A deterministic random source cycling through `values`. */
const cycle = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('fault decisions', () => {
  it('uses one draw with cumulative bands: timeout, 429, 500, 503', () => {
    const f = resolveFaults({ errorRates: { '429': 0.1, '500': 0.1, '503': 0.1 }, timeout: { rate: 0.1 } });
    expect([0.05, 0.15, 0.25, 0.35, 0.45].map((d) => decideFault(f, d))).toEqual([
      'timeout',
      429,
      500,
      503,
      null,
    ]);
    expect(decideFault(resolveFaults({}), 0)).toBeNull();
  });
});

describe('injected errors', () => {
  it('answers 429, 500 and 503 with LinkedIn-like bodies, deterministically', async () => {
    const sb = sandbox({
      faults: { errorRates: { '429': 0.25, '500': 0.25, '503': 0.25 } },
      random: cycle(0.1, 0.3, 0.6, 0.9),
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postEvent(sb, event())).status);
    expect(statuses).toEqual([429, 500, 503, 201]);
    expect(sb.events()).toHaveLength(1);
  });

  it('injected errors come before version and token checks, and do not store events', async () => {
    const sb = sandbox({ faults: { errorRates: { '503': 1 } } });
    const res = await postEvent(sb, event(), { 'LinkedIn-Version': '', Authorization: '' });
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({ message: 'Service Unavailable', status: 503 });
  });

  it('faults can be set and cleared at run time, limited to a path prefix', async () => {
    const sb = sandbox();
    const put = await sb.app.request('/__sandbox/faults', {
      method: 'PUT',
      body: JSON.stringify({ errorRates: { '500': 1 }, pathPrefix: '/rest/conversionEvents' }),
    });
    expect(put.status).toBe(200);
    expect((await postEvent(sb, event())).status).toBe(500);
    expect(
      (
        await sb.app.request('/rest/adAccountUsers?q=authenticatedUser', {
          headers: { 'LinkedIn-Version': '202609', Authorization: 'Bearer sandbox-demo-token' },
        })
      ).status,
    ).toBe(200);
    await sb.app.request('/__sandbox/faults', { method: 'DELETE' });
    expect((await postEvent(sb, event())).status).toBe(201);
    const bad = await sb.app.request('/__sandbox/faults', {
      method: 'PUT',
      body: JSON.stringify({ errorRates: { '500': 2 } }),
    });
    expect(bad.status).toBe(400);
  });

  it('adds latency', async () => {
    const sb = sandbox({ faults: { latencyMs: 120 } });
    const started = performance.now();
    expect((await postEvent(sb, event())).status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('a timeout fault drops the request; in-process the call rejects', async () => {
    const sb = sandbox({ faults: { timeout: { afterMs: 30, mode: 'destroy' } } });
    await expect(postEvent(sb, event())).rejects.toBeInstanceOf(DroppedConnection);
    expect(sb.events()).toHaveLength(0);
    const [rec] = sb.requests();
    expect(rec).toMatchObject({ status: null, fault: 'timeout:destroy' });
    expect(sb.stats().dropped).toBe(1);
  });

  it('a hanging request is released when the caller aborts', async () => {
    const sb = sandbox({ faults: { timeout: { mode: 'hang' } } });
    const controller = new AbortController();
    const pending = sb.app.request('/rest/conversionEvents', {
      method: 'POST',
      headers: { 'LinkedIn-Version': '202609', Authorization: 'Bearer sandbox-demo-token' },
      body: JSON.stringify(event()),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(DroppedConnection);
  });
});

describe('scripted responses', () => {
  it('are consumed once each, in order, then normal processing resumes', async () => {
    const sb = sandbox();
    sb.script([
      { status: 503, body: { message: 'first', status: 503 } },
      { status: 429, body: 'plain text', headers: { 'x-custom': 'yes' } },
    ]);
    const a = await postEvent(sb, event());
    expect([a.status, await json(a)]).toEqual([503, { message: 'first', status: 503 }]);
    const b = await postEvent(sb, event());
    expect([b.status, b.headers.get('x-custom'), await b.text()]).toEqual([429, 'yes', 'plain text']);
    expect((await postEvent(sb, event())).status).toBe(201);
  });

  it('can match a path and method, leaving other requests alone', async () => {
    const sb = sandbox();
    const res = await sb.app.request('/__sandbox/script', {
      method: 'POST',
      body: JSON.stringify({
        responses: [{ status: 401, path: '/oauth/v2/accessToken', body: { error: 'x' } }],
      }),
    });
    expect(res.status).toBe(201);
    expect((await postEvent(sb, event())).status).toBe(201);
    const oauth = await sb.app.request('/oauth/v2/accessToken', { method: 'POST', body: '' });
    expect(oauth.status).toBe(401);
    expect(await json(oauth)).toEqual({ error: 'x' });
    expect((await json(await sb.app.request('/__sandbox/script'))).pending).toEqual([]);
  });
});
