/**
 * Request ids over a real socket: the id is set at the node:http layer (http/request-id.ts), so only
 * a listening gateway shows it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { requestIdFrom } from '../src/http/request-id.js';
import { createLogger } from '../src/logger.js';
import type { LinkedInTransport, OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { KEYS, nativeEvent, testConfig } from './http-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const neverSends: LinkedInTransport = {
  sendBatch: () => Promise.reject(new Error('the worker does not run in these tests')),
};

let running: Gateway | null = null;

afterEach(async () => {
  await running?.stop();
  running = null;
});

async function listening(store: OutboxStore = createMemoryStore()) {
  const logs: string[] = [];
  const gateway = await createGateway(testConfig({ env: { CAPI_PORT: '0', CAPI_HOST: '127.0.0.1' } }), {
    store,
    transport: neverSends,
    noWorker: true,
    logger: createLogger('debug', { write: (line: string) => void logs.push(line) }),
  });
  running = gateway;
  const { url } = await gateway.listen();
  return { url, logs };
}

function send(
  url: string,
  path: string,
  init: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const key = init.key === undefined ? KEYS.website : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return fetch(`${url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

describe('request ids', () => {
  it('answers every request with a fresh X-Request-Id, successes and errors alike', async () => {
    const { url } = await listening();
    const answers = [
      await send(url, '/v1/events', { body: nativeEvent() }),
      await send(url, '/v1/events', { body: nativeEvent(), key: null }),
      await send(url, '/rest/conversionEvents', { body: {} }),
      await send(url, '/v1/nothing-here'),
      await send(url, '/v1/events'),
      await send(url, '/healthz'),
      await send(url, '/metrics'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 422, 404, 405, 200, 200]);
    const ids = answers.map((r) => r.headers.get('x-request-id') ?? '');
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    // The LinkedIn drop-in answers with LinkedIn's header too; the other routes do not.
    expect(answers[2]?.headers.get('x-li-uuid')).toBe(ids[2]);
    expect(answers.filter((r) => r.headers.has('x-li-uuid'))).toHaveLength(1);
  });

  it("keeps a caller's own id when it is a plain token, and replaces one that is not", async () => {
    const { url } = await listening();
    const kept = await send(url, '/v1/events', {
      body: nativeEvent(),
      headers: { 'x-request-id': 'lb-7f3a.92:01_x' },
    });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.92:01_x');
    const replaced = await send(url, '/v1/events', {
      body: nativeEvent(),
      headers: { 'x-request-id': 'jane.doe@example.com' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  });

  it('replaces anything but a plain token, so no free-form text (an email address, say) reaches the logs', () => {
    for (const bad of ['jane.doe@example.com', 'has space', 'x'.repeat(129), '', 'a\nb', 'é']) {
      expect(requestIdFrom(bad)).toMatch(UUID);
    }
    expect(requestIdFrom(undefined)).toMatch(UUID);
    expect(requestIdFrom(['a', 'b'])).toMatch(UUID);
    fc.assert(
      fc.property(fc.string(), (header) => {
        const id = requestIdFrom(header);
        expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        expect(id.includes('@')).toBe(false);
        if (id !== header) expect(id).toMatch(UUID);
      }),
    );
  });

  it('puts the id on the log line about a failed commit, on every ingest route', async () => {
    const store = createMemoryStore();
    store.enqueue = async () => {
      throw new Error('disk full');
    };
    const { url, logs } = await listening(store);
    const routes: Array<[string, unknown]> = [
      ['/v1/events', nativeEvent()],
      [
        '/v1/track',
        { type: 'track', event: 'lead', messageId: 'm-1', context: { traits: { email: 'a@b.co' } } },
      ],
      [
        '/rest/conversionEvents',
        {
          conversion: 'urn:lla:llaPartnerConversion:7345120',
          conversionHappenedAt: Date.now() - 60_000,
          eventId: 'li-1',
          user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }] },
        },
      ],
    ];
    for (const [i, [path, body]] of routes.entries()) {
      const res = await send(url, path, { body, headers: { 'x-request-id': `trace-${i}` } });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('x-request-id'), path).toBe(`trace-${i}`);
    }
    const ids = logs
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string })
      .filter((l) => l.msg.startsWith('outbox enqueue failed'))
      .map((l) => l.requestId);
    expect(ids).toEqual(['trace-0', 'trace-1', 'trace-2']);
  });
});
