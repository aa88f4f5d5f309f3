import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { get, harness, KEYS, linkedInEvent, NOW, nativeEvent, post, served } from './http-harness.js';

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
    // Each small body weighs the 1 KiB minimum.
    const send = (i: number) => post(h, '/v1/events', nativeEvent({ eventId: `gate-${i}` }));
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
    const headers = {};
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

  it('a client that sends its body slowly holds a socket, not a permit (real socket)', async () => {
    // A small budget: if reading the body took a permit, the slow clients below would block every
    // other request until they finished or timed out.
    const h = harness({ env: { CAPI_SERVER_MAX_IN_FLIGHT_BYTES: '1024' } });
    // Served as `capi start` serves it: these requests take the direct lane.
    const { url, server } = await served(h);
    const port = Number(new URL(url).port);
    // Two slow clients: under a permit-before-read design each would hold half the budget.
    const slow = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    try {
      for (const socket of slow) {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(
          `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.website}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[',
        );
      }
      await new Promise((r) => setTimeout(r, 50));
      const answers = await Promise.all(
        [1, 2, 3].map((i) =>
          fetch(`http://127.0.0.1:${port}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEYS.website}`, 'content-type': 'application/json' },
            body: JSON.stringify(nativeEvent({ eventId: `fast-${i}` })),
            signal: AbortSignal.timeout(5_000),
          }).then((r) => r.status),
        ),
      );
      expect(answers).toEqual([200, 200, 200]);
    } finally {
      for (const socket of slow) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
