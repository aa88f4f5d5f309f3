import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storedKeyOf } from '../src/http/idempotency.js';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { sqliteMigrations } from '../src/store/migrations/sqlite.js';
import { migrateSqlite } from '../src/store/sqlite/migrate.js';
import { createSqliteStore } from '../src/store/sqlite.js';
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

  it('keeps a digest of the key, never the key: a canary key is not in the SQLite file, and replays still work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capi-idem-'));
    try {
      const store = createSqliteStore({ path: join(dir, 'outbox.db'), clock: { now: () => NOW } });
      const h = harness({ store });
      const canary = `jane.canary.${Date.now().toString(36)}@example.com`;
      const body = nativeEvent({ eventId: 'canary-1' });
      const first = await answer(await post(h, '/v1/events', body, withKey(canary)));
      expect(first.status).toBe(200);
      const again = await answer(await post(h, '/v1/events', body, withKey(canary)));
      expect(again).toEqual({ ...first, replayed: 'true' });
      await store.close();
      const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
      expect(files.length).toBeGreaterThan(0);
      for (const bytes of files) {
        expect(bytes.includes(canary)).toBe(false);
        expect(bytes.includes('jane.canary')).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands the store a digest per source and key (the memory store knows the key by it alone)', async () => {
    const h = harness();
    const body = nativeEvent({ eventId: 'digest-1' });
    expect((await post(h, '/v1/events', body, withKey('order-42'))).status).toBe(200);
    const ask = (key: string) =>
      h.store.beginIdempotent({
        source: 'website',
        key,
        fingerprint: 'f'.repeat(64),
        now: NOW,
        windowMs: HOUR,
        staleMs: HOUR,
      });
    expect((await ask('order-42')).kind).toBe('new');
    expect((await ask(storedKeyOf('website', 'order-42'))).kind).toBe('mismatch');
    expect(storedKeyOf('website', 'order-42')).toMatch(/^[0-9a-f]{64}$/);
    expect(storedKeyOf('crm', 'order-42')).not.toBe(storedKeyOf('website', 'order-42'));
  });

  it('an upgraded SQLite store drops the keys it held as sent, their bytes too (schema version 10)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capi-idem-'));
    try {
      const path = join(dir, 'outbox.db');
      const db = new Database(path);
      migrateSqlite(
        db,
        sqliteMigrations.filter((m) => m.version <= 9),
      );
      db.prepare(
        "INSERT INTO idempotency_keys (source, key, fingerprint, created_at, status, body) VALUES ('website', 'jane@example.com', 'f', ?, 200, '{}')",
      ).run(NOW);
      db.close();
      const store = createSqliteStore({ path, clock: { now: () => NOW } });
      await store.migrate();
      await store.close();
      const reopened = new Database(path, { readonly: true });
      expect(reopened.prepare('SELECT count(*) AS n FROM idempotency_keys').get()).toEqual({ n: 0 });
      reopened.close();
      // A deleted row's bytes stay in its page unless SQLite overwrites them (secure_delete).
      for (const name of readdirSync(dir)) {
        expect(readFileSync(join(dir, name)).includes('jane@example.com'), name).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
