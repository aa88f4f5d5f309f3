import { describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { HOUR, harness, KEYS, NOW, nativeEvent, post } from './http-harness.js';

type Results = { results: Array<{ status: string }> };
type ErrorReply = { error: { code: string; path?: string; fix: string } };

const withKey = (key: string) => ({ headers: { 'idempotency-key': key } });

async function answer(res: Response) {
  return { status: res.status, body: await res.text(), replayed: res.headers.get('idempotent-replayed') };
}

describe('Idempotency-Key on POST /v1/events', () => {
  it('answers the same request again with the first answer, byte for byte, and stores its events once', async () => {
    const h = harness();
    const body = {
      events: [nativeEvent({ eventId: 'idem-1' }), nativeEvent({ eventId: 'idem-2', conversion: 'nope' })],
    };
    const first = await answer(await post(h, '/v1/events', body, withKey('order-batch-7')));
    expect(first.status).toBe(207);
    expect(first.replayed).toBeNull();
    const again = await answer(await post(h, '/v1/events', body, withKey('order-batch-7')));
    expect(again).toEqual({ ...first, replayed: 'true' });
    // Without the key the same events come back as duplicates: the key is what keeps "accepted".
    expect(JSON.parse(again.body).results[0].status).toBe('accepted');
    const plain = (await (await post(h, '/v1/events', body)).json()) as Results;
    expect(plain.results[0]?.status).toBe('duplicate');
    expect(await h.store.findByEventId('idem-1')).toHaveLength(1);
  });

  it('refuses the key with another body, keeps keys per source, and forgets them after a day', async () => {
    const h = harness();
    const key = withKey('k-1');
    expect((await post(h, '/v1/events', nativeEvent({ eventId: 'a-1' }), key)).status).toBe(200);
    const other = await post(h, '/v1/events', nativeEvent({ eventId: 'a-2' }), key);
    expect(other.status).toBe(422);
    expect(((await other.json()) as ErrorReply).error).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      path: 'header:idempotency-key',
    });
    expect(await h.store.findByEventId('a-2')).toEqual([]);
    // Another source's k-1 is its own.
    const crm = await post(h, '/v1/events', nativeEvent({ eventId: 'a-2' }), { ...key, key: KEYS.crm });
    expect(crm.status).toBe(200);
    expect(crm.headers.get('idempotent-replayed')).toBeNull();
    // A day on, the key is free for a new request.
    h.clock.set(NOW + 24 * HOUR);
    expect((await post(h, '/v1/events', nativeEvent({ eventId: 'a-3', happenedAt: NOW }), key)).status).toBe(
      200,
    );
  });

  it('names the header when the key is unusable, and ignores keys on a dry run', async () => {
    const h = harness();
    for (const bad of ['x'.repeat(256), 'café', 'two words']) {
      const res = await post(h, '/v1/events', nativeEvent(), withKey(bad));
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as ErrorReply;
      expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', path: 'header:idempotency-key' });
      expect(error.fix.length).toBeGreaterThan(0);
    }
    expect((await post(h, '/v1/events', nativeEvent(), withKey('x'.repeat(255)))).status).toBe(200);
    const dry = await post(h, '/v1/events', nativeEvent({ eventId: 'dry' }), {
      ...withKey('dry-key'),
      query: 'validate_only=true',
    });
    expect(dry.status).toBe(200);
    const real = await post(h, '/v1/events', nativeEvent({ eventId: 'dry' }), withKey('dry-key'));
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect(await h.store.findByEventId('dry')).toHaveLength(1);
  });

  it('makes a retry sent while the first request runs wait for its answer (concurrent pairs)', async () => {
    // A store whose commits wait until the test lets them go, so every first request is mid-flight.
    const inner = createMemoryStore({ clock: { now: () => NOW } });
    const held: Array<() => void> = [];
    const store: OutboxStore = Object.assign(Object.create(inner) as OutboxStore, {
      enqueue: async (rows: Parameters<OutboxStore['enqueue']>[0]) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return inner.enqueue(rows);
      },
    });
    const h = harness({ store });
    const pairs = Array.from({ length: 20 }, (_, i) => {
      const body = nativeEvent({ eventId: `pair-${i}` });
      return [0, 1].map(() => post(h, '/v1/events', body, withKey(`pair-key-${i}`)).then(answer));
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(held).toHaveLength(20);
    for (const release of held.splice(0)) release();
    for (const [a, b] of await Promise.all(pairs.map((p) => Promise.all(p)))) {
      expect(a!.status).toBe(200);
      expect(b!.body).toBe(a!.body);
      expect(b!.status).toBe(a!.status);
      expect([a!.replayed, b!.replayed].sort()).toEqual([null, 'true'].sort());
    }
    expect((await store.stats()).byState.queued).toBe(20);
  });

  it('gives the key back when the request fails for the store, so the retry runs', async () => {
    const inner = createMemoryStore({ clock: { now: () => NOW } });
    let failing = true;
    const store: OutboxStore = Object.assign(Object.create(inner) as OutboxStore, {
      enqueue: async (rows: Parameters<OutboxStore['enqueue']>[0]) => {
        if (failing) throw new Error('disk on fire');
        return inner.enqueue(rows);
      },
    });
    const h = harness({ store });
    const body = nativeEvent({ eventId: 'retry-1' });
    expect((await post(h, '/v1/events', body, withKey('r-1'))).status).toBe(503);
    failing = false;
    const retry = await post(h, '/v1/events', body, withKey('r-1'));
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(((await retry.json()) as Results).results[0]?.status).toBe('accepted');
  });
});
