import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestIdFrom } from '../src/http/request-id.js';
import { createMemoryStore } from '../src/store/memory.js';
import { harness, nativeEvent, post } from './http-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('answers every request with a fresh X-Request-Id, successes and errors alike', async () => {
    const h = harness();
    const answers = [
      await post(h, '/v1/events', nativeEvent()),
      await post(h, '/v1/events', nativeEvent(), { key: null }),
      await post(h, '/rest/conversionEvents', {}),
      await h.app.request('http://gateway.test/v1/nothing-here'),
      await h.app.request('http://gateway.test/v1/events'),
      await h.app.request('http://gateway.test/healthz'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 422, 404, 405, 200]);
    const ids = answers.map((r) => r.headers.get('x-request-id') ?? '');
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps a caller's own id when it is a plain token", async () => {
    const h = harness();
    const res = await post(h, '/v1/events', nativeEvent(), {
      headers: { 'x-request-id': 'lb-7f3a.92:01_x' },
    });
    expect(res.headers.get('x-request-id')).toBe('lb-7f3a.92:01_x');
  });

  it('replaces anything else, so no free-form text (an email address, say) reaches the logs', () => {
    for (const bad of ['jane.doe@example.com', 'has space', 'x'.repeat(129), '', 'a\nb', 'é']) {
      expect(requestIdFrom(bad)).toMatch(UUID);
    }
    fc.assert(
      fc.property(fc.string(), (header) => {
        const id = requestIdFrom(header);
        expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        expect(id.includes('@')).toBe(false);
        if (id !== header) expect(id).toMatch(UUID);
      }),
    );
  });

  it('puts the id on the log line about a failed commit', async () => {
    const store = createMemoryStore();
    store.enqueue = async () => {
      throw new Error('disk full');
    };
    const h = harness({ store });
    const res = await post(h, '/v1/events', nativeEvent(), { headers: { 'x-request-id': 'trace-42' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    const line = h.logs
      .map((l) => JSON.parse(l) as { msg: string; requestId?: string })
      .find((l) => l.msg.startsWith('outbox enqueue failed'));
    expect(line?.requestId).toBe('trace-42');
  });
});
