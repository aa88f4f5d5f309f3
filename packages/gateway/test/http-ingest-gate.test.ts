import { describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { get, harness, linkedInEvent, NOW, nativeEvent, post } from './http-harness.js';

/** A memory store whose enqueue waits until the test lets it go, counting calls that arrived. */
function heldStore(): { store: OutboxStore; arrived: () => number; releaseAll: () => void } {
  const inner = createMemoryStore({ clock: { now: () => NOW } });
  const held: Array<() => void> = [];
  let arrived = 0;
  const store: OutboxStore = Object.assign(Object.create(inner) as OutboxStore, {
    enqueue: async (rows: Parameters<OutboxStore['enqueue']>[0]) => {
      arrived += 1;
      await new Promise<void>((resolve) => held.push(resolve));
      return inner.enqueue(rows);
    },
  });
  return {
    store,
    arrived: () => arrived,
    releaseAll: () => {
      for (const release of held.splice(0)) release();
    },
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('ingest permits over HTTP (server.maxInFlightBytes)', () => {
  it('works on at most the budget at once; the rest wait unread and are all answered', async () => {
    const held = heldStore();
    // 2 KiB budget: two requests of at least 1 KiB each may be in flight.
    const h = harness({ store: held.store, env: { CAPI_SERVER_MAX_IN_FLIGHT_BYTES: '2048' } });
    const send = (i: number) =>
      post(h, '/v1/events', nativeEvent({ eventId: `gate-${i}` }), { headers: { 'content-length': '1024' } });
    const answers = [send(1), send(2), send(3), send(4)];
    await flush();
    expect(held.arrived()).toBe(2);
    // Operators see the back-pressure on /metrics.
    const metrics = await (await get(h, '/metrics', null)).text();
    expect(metrics).toMatch(/^capigw_ingest_waiting_requests 2$/m);
    expect(metrics).toMatch(/^capigw_ingest_in_flight_bytes 2048$/m);
    held.releaseAll();
    await flush();
    expect(held.arrived()).toBe(4);
    held.releaseAll();
    const statuses = await Promise.all(answers.map(async (a) => (await a).status));
    expect(statuses).toEqual([200, 200, 200, 200]);
    const after = await (await get(h, '/metrics', null)).text();
    expect(after).toMatch(/^capigw_ingest_waiting_requests 0$/m);
    expect(after).toMatch(/^capigw_ingest_in_flight_bytes 0$/m);
  });

  it('releases the permit when a request fails, so bad bodies cannot wedge intake', async () => {
    const h = harness({ env: { CAPI_SERVER_MAX_IN_FLIGHT_BYTES: '2048' } });
    const headers = { 'content-length': '2048' };
    for (let i = 0; i < 5; i++) {
      expect((await post(h, '/v1/events', null, { raw: '{not json', headers })).status).toBe(400);
      expect((await post(h, '/v1/track', null, { raw: '[]', headers })).status).toBe(400);
      const restli = await post(h, '/rest/conversionEvents', null, { raw: '{', headers });
      expect(restli.status).toBe(400);
    }
    expect((await post(h, '/v1/events', nativeEvent(), { headers })).status).toBe(200);
    expect((await post(h, '/rest/conversionEvents', linkedInEvent(), { headers })).status).toBe(201);
  });

  it('rejects a budget that is not a positive integer, naming the key', () => {
    expect(() => harness({ env: { CAPI_SERVER_MAX_IN_FLIGHT_BYTES: '0' } })).toThrow(
      /server\.maxInFlightBytes/,
    );
  });
});
