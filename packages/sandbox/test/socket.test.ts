/** Over a real socket: start()/stop(), dropped connections, hangs and throttling as a client sees them. */
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { event, headers, sandbox } from './helpers.js';

let running: Sandbox | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function started(options: Parameters<typeof sandbox>[0] = {}) {
  running = sandbox(options);
  const { url, port } = await running.start();
  return { sb: running, url, port };
}

const send = (url: string, body: unknown, extra: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${url}/rest/conversionEvents`, {
    method: 'POST',
    headers: headers(extra),
    body: JSON.stringify(body),
    signal,
  });

describe('real socket', () => {
  it('serves on a free port and stops cleanly', async () => {
    const { sb, url, port } = await started();
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const res = await send(url, event());
    expect(res.status).toBe(201);
    expect(res.headers.get('x-li-uuid')).toBeTruthy();
    expect(res.headers.get('x-restli-id')).toBeTruthy();
    await expect(sb.start()).rejects.toThrow(/already listening/);
    await sb.stop();
    running = undefined;
    await expect(send(url, event())).rejects.toThrow();
  });

  it('accepts a 5,000-event batch', async () => {
    const { sb, url } = await started({ recordBodies: 'none' });
    const elements = Array.from({ length: 5000 }, (_, i) => event({ eventId: `e-${i}` }));
    const res = await send(url, { elements }, { 'X-RestLi-Method': 'BATCH_CREATE' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { elements: unknown[] }).elements).toHaveLength(5000);
    expect(sb.state.events.total).toBe(5000);
  });

  it('a timeout fault holds the request, then destroys the socket with no answer', async () => {
    const { sb, url } = await started({ faults: { timeout: { afterMs: 150, mode: 'destroy' } } });
    const t0 = performance.now();
    const err = await send(url, event()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError); // undici: "fetch failed" (socket closed)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(sb.events()).toHaveLength(0);
    sb.setFaults({});
    expect((await send(url, event())).status).toBe(201);
  });

  it("a hanging request never answers within the client's timeout, and stop() still returns", async () => {
    const { sb, url } = await started({ faults: { timeout: { mode: 'hang' } } });
    const err = await send(url, event(), {}, AbortSignal.timeout(100)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const second = send(url, event()).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await sb.stop();
    running = undefined;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await second).toBeInstanceOf(TypeError);
  });

  it('throttles over HTTP: 429 without Retry-After once the minute budget is spent', async () => {
    const { url } = await started({ limits: { perMinute: 2 } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await send(url, event());
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429, 429]);
    expect(last?.headers.get('retry-after')).toBeNull();
    expect(await last?.json()).toEqual({
      message: 'Resource level throttle limit for calls to this resource is reached.',
      serviceErrorCode: 101,
      status: 429,
    });
  });

  it('stop() without start() is harmless', async () => {
    await sandbox().stop();
  });
});
