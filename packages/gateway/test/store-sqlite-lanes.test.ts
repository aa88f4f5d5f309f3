/**
 * The SQLite outbox's lanes (schema 3): new events stay 'fresh' and are leased and settled as whole
 * batches. The conformance suite proves the port's behaviour is unchanged; these cases prove the
 * storage does what the design says (whole batches settled with one row, splits, detaches, upgrade
 * from schema 2, purge of delivered batches) by reading the database file itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, fakeClock, ids, MINUTE, newEvent, T0 } from '../src/store/conformance/fixtures.js';
import { sqliteMigrations } from '../src/store/migrations/sqlite.js';
import { prepareLaneStatements } from '../src/store/sqlite/lanes.js';
import { migrateSqlite } from '../src/store/sqlite/migrate.js';
import { prepareStatements } from '../src/store/sqlite/statements.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import { queryPlan } from './support/query-plan.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(): { store: SqliteStore; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'capi-lanes-'));
  dirs.push(dir);
  const path = join(dir, 'outbox.db');
  return { store: createSqliteStore({ path, clock: fakeClock(T0) }), path };
}

/** Reads the file with a second connection (WAL lets it see every commit). */
function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const lease = { leaseMs: MINUTE };

describe('SQLite lanes', () => {
  it('delivers a whole batch without rewriting its events: one batches row carries the outcome', async () => {
    const { store, path } = open();
    const events = Array.from({ length: 50 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(events);
    const batch = await store.claim({ limit: 100, ...lease, now: T0 + 100 });
    expect(ids(batch?.events ?? [])).toEqual(ids(events));
    await store.complete(ids(events), T0 + 200);

    expect(query(path, 'SELECT DISTINCT state FROM events')).toEqual([{ state: 'fresh' }]);
    expect(query(path, 'SELECT state, live, attempts, delivered_at FROM batches')).toEqual([
      { state: 'delivered', live: 50, attempts: 1, delivered_at: T0 + 200 },
    ]);
    expect((await store.findByEventId(events[7]!.eventId))[0]).toMatchObject({
      state: 'delivered',
      attempts: 1,
      deliveredAt: T0 + 200,
      leaseUntil: null,
    });
    expect((await store.stats()).byState).toMatchObject({ queued: 0, sending: 0, delivered: 50 });
    await store.close();
  });

  it('detaches only the events settled apart (a rejected index), and settles the rest as a batch', async () => {
    const { store, path } = open();
    const events = Array.from({ length: 5 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(events);
    await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    await store.kill([events[2]!.id], 'rejected', '{"status":422}', T0 + 11);
    await store.complete(ids([...events.slice(0, 2), ...events.slice(3)]), T0 + 12);

    const rows = query<{ event_id: string; state: string }>(
      path,
      'SELECT event_id, state FROM events ORDER BY seq',
    );
    expect(rows.map((r) => r.state)).toEqual(['fresh', 'fresh', 'dead', 'fresh', 'fresh']);
    expect(query(path, 'SELECT state, live FROM batches')).toEqual([{ state: 'delivered', live: 4 }]);
    expect((await store.listDead({}))[0]).toMatchObject({ id: events[2]!.id, attempts: 1, state: 'dead' });
    expect((await store.stats()).byState).toMatchObject({ delivered: 4, dead: 1, sending: 0 });
    await store.close();
  });

  it('splits a due batch larger than the claim; the rest keeps its schedule and reason', async () => {
    const { store, path } = open();
    const events = Array.from({ length: 5 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(events);
    await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    await store.retryLater(ids(events), T0 + MINUTE, 'http_503');

    const first = await store.claim({ limit: 2, ...lease, now: T0 + MINUTE });
    expect(ids(first?.events ?? [])).toEqual(ids(events.slice(0, 2)));
    expect(first?.events[0]).toMatchObject({ attempts: 1, lastReason: 'http_503', state: 'sending' });
    expect(await stored(store, events[4]!.eventId)).toMatchObject({
      state: 'retrying',
      attempts: 1,
      nextAttemptAt: T0 + MINUTE,
    });
    const rest = await store.claim({ limit: 10, ...lease, now: T0 + MINUTE });
    expect(ids(rest?.events ?? [])).toEqual(ids(events.slice(2)));
    expect(query(path, 'SELECT live, state FROM batches ORDER BY first_seq')).toEqual([
      { live: 2, state: 'sending' },
      { live: 3, state: 'sending' },
    ]);
    await store.complete(ids(events), T0 + MINUTE + 1);
    expect((await store.stats()).byState).toMatchObject({ delivered: 5, sending: 0, retrying: 0 });
    await store.close();
  });

  it('settles an old batch after many later ones, and only its own events', async () => {
    const { store } = open();
    const old = Array.from({ length: 3 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(old);
    await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    const later = Array.from({ length: 200 }, (_, i) => newEvent({ receivedAt: T0 + 20 + i }));
    await store.enqueue(later);
    for (let i = 0; i < 200; i += 1) {
      const batch = await store.claim({ limit: 1, ...lease, now: T0 + 300 });
      await store.complete(ids(batch?.events ?? []), T0 + 300);
    }
    await store.retryLater(ids(old), T0 + MINUTE, 'http_500');
    expect(await stored(store, old[1]!.eventId)).toMatchObject({ state: 'retrying', attempts: 1 });
    expect(await stored(store, later[0]!.eventId)).toMatchObject({ state: 'delivered', attempts: 1 });
    expect((await store.stats()).byState).toMatchObject({ retrying: 3, delivered: 200, sending: 0 });
    await store.close();
  });

  it('reports the oldest due event of a batch that some of its events have left', async () => {
    const { store } = open();
    const older = newEvent({ receivedAt: T0 });
    const newer = newEvent({ receivedAt: T0 + 500 });
    await store.enqueue([older]);
    await store.enqueue([newer]);
    await store.claim({ limit: 10, ...lease, now: T0 + 1_000 });
    await store.complete([older.id], T0 + 1_001);
    await store.retryLater([older.id, newer.id], T0 + MINUTE, 'http_500');
    expect(await stored(store, newer.eventId)).toMatchObject({ state: 'retrying', attempts: 1 });
    expect((await store.stats()).oldestQueuedAt).toBe(T0 + 500);
    await store.close();
  });

  it('claims only what arrived: the cursor moves past each claim, later events form the next batch', async () => {
    const { store, path } = open();
    const early = Array.from({ length: 3 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(early);
    await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    const late = Array.from({ length: 2 }, (_, i) => newEvent({ receivedAt: T0 + 20 + i }));
    await store.enqueue(late);
    const next = await store.claim({ limit: 10, ...lease, now: T0 + 30 });
    expect(ids(next?.events ?? [])).toEqual(ids(late));
    expect(query(path, 'SELECT cursor FROM queues')).toEqual([{ cursor: 5 }]);
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 30 })).toBeNull();
    await store.close();
  });

  it('purges a delivered batch with its events and payloads, and keeps the dedup keys of the window', async () => {
    const { store, path } = open();
    const events = Array.from({ length: 4 }, () => newEvent({ receivedAt: T0 - 3 * DAY }));
    await store.enqueue(events);
    await store.claim({ limit: 10, ...lease, now: T0 - 3 * DAY });
    await store.complete(ids(events), T0 - 2 * DAY);
    expect(await store.purge(T0 - 2 * DAY)).toEqual({ events: 0, audit: 0 });
    expect(await store.purge(T0 - DAY)).toEqual({ events: 4, audit: 0 });

    expect(
      query(path, 'SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM payloads) AS n'),
    ).toEqual([{ n: 0 }]);
    expect(query(path, 'SELECT count(*) AS n FROM batches')).toEqual([{ n: 0 }]);
    expect((await store.stats()).byState.delivered).toBe(0);
    expect(await store.enqueue([newEvent({ eventId: events[0]!.eventId })])).toEqual(['duplicate']);
    await store.close();
  });

  it('stores new events past every lane cursor, even after purge emptied the tables', async () => {
    const { store } = open();
    const first = Array.from({ length: 3 }, () => newEvent({ receivedAt: T0 - 3 * DAY }));
    await store.enqueue(first);
    await store.claim({ limit: 10, ...lease, now: T0 - 3 * DAY });
    await store.complete(ids(first), T0 - 3 * DAY);
    expect(await store.purge(T0)).toEqual({ events: 3, audit: 0 });
    const next = newEvent({ receivedAt: T0 });
    await store.enqueue([next]);
    const batch = await store.claim({ limit: 10, ...lease, now: T0 + 1 });
    expect(ids(batch?.events ?? [])).toEqual([next.id]);
    expect(await stored(store, next.eventId)).toMatchObject({ state: 'sending', attempts: 0 });
    await store.close();
  });

  it('upgrades a schema-2 store: its queued events are delivered by the per-row path, new ones by lanes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capi-lanes-'));
    dirs.push(dir);
    const path = join(dir, 'outbox.db');
    const db = new Database(path);
    migrateSqlite(db, sqliteMigrations.slice(0, 2));
    db.prepare(`INSERT INTO events (seq, id, account, rule_id, event_id, source, happened_at, received_at, seen_at,
      state, next_attempt_at, identifier_types) VALUES (1, '00000000-0000-7000-8000-000000000001', '1', '2',
      'old-1', 'web', ?, ?, ?, 'queued', ?, 'SHA256_EMAIL')`).run(T0, T0, T0, T0);
    db.prepare("INSERT INTO payloads (seq, payload) VALUES (1, '{}')").run();
    db.prepare("INSERT INTO queues (account, rule_id) VALUES ('1', '2')").run();
    db.prepare("UPDATE state_counts SET n = 1 WHERE state = 'queued'").run();
    db.close();

    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    const fresh = newEvent({ account: '1', ruleId: '2', receivedAt: T0 + 1 });
    await store.enqueue([fresh]);
    const old = await store.claim({ limit: 10, ...lease, now: T0 + 5 });
    expect(old?.events.map((e) => e.eventId)).toEqual(['old-1']);
    const next = await store.claim({ limit: 10, ...lease, now: T0 + 5 });
    expect(next?.events.map((e) => e.eventId)).toEqual([fresh.eventId]);
    await store.complete([...ids(old?.events ?? []), ...ids(next?.events ?? [])], T0 + 6);
    expect((await store.stats()).byState).toMatchObject({ queued: 0, sending: 0, delivered: 2 });
    expect(await stored(store, 'old-1')).toMatchObject({ state: 'delivered', attempts: 1 });
    await store.close();
  });

  it('upgrades a schema-4 store: each queue gets a lane number, its fresh events carry it, claims find them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capi-lanes-'));
    dirs.push(dir);
    const path = join(dir, 'outbox.db');
    const db = new Database(path);
    migrateSqlite(
      db,
      sqliteMigrations.filter((m) => m.version <= 4),
    );
    const insert = db.prepare(`INSERT INTO events (seq, id, account, rule_id, event_id, source, happened_at,
      received_at, seen_at, state, next_attempt_at, identifier_types) VALUES (?, ?, ?, ?, ?, 'web', ?, ?, ?, ?, ?, '[]')`);
    // Two lanes interleaved (queues inserted in the opposite order of their keys), one event of the
    // second delivered in a batch already, one event with a state of its own.
    const rows: Array<[number, string, string, string]> = [
      [1, 'b', '2', 'fresh'],
      [2, 'a', '1', 'fresh'],
      [3, 'b', '2', 'fresh'],
      [4, 'a', '1', 'queued'],
      [5, 'a', '1', 'fresh'],
    ];
    for (const [seq, account, ruleId, state] of rows) {
      insert.run(seq, `id-${seq}`, account, ruleId, `old-${seq}`, T0, T0 + seq, T0, state, T0 + seq);
      db.prepare("INSERT INTO payloads (seq, payload) VALUES (?, '{}')").run(seq);
    }
    db.prepare("INSERT INTO queues (account, rule_id, cursor) VALUES ('b', '2', 1), ('a', '1', 0)").run();
    db.prepare(`INSERT INTO batches (account, rule_id, first_seq, last_seq, live, state, attempts, delivered_at,
      received_at) VALUES ('b', '2', 1, 1, 1, 'delivered', 1, ?, ?)`).run(T0 + 10, T0 + 1);
    db.prepare("UPDATE state_counts SET n = 4 WHERE state = 'queued'").run();
    db.prepare("UPDATE state_counts SET n = 1 WHERE state = 'delivered'").run();
    migrateSqlite(db);
    expect(db.prepare('SELECT account, rule_id, lane FROM queues ORDER BY lane').raw(true).all()).toEqual([
      ['a', '1', 1],
      ['b', '2', 2],
    ]);
    expect(db.prepare('SELECT seq, lane FROM events ORDER BY seq').raw(true).all()).toEqual([
      [1, 2],
      [2, 1],
      [3, 2],
      [4, 0], // not on a lane: not in the index, no number needed
      [5, 1],
    ]);
    db.close();

    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    const newcomer = newEvent({ account: 'c', ruleId: '3', receivedAt: T0 + 20 });
    await store.enqueue([newcomer, newEvent({ account: 'a', ruleId: '1', eventId: 'old-2' })]);
    const eventIds = async () =>
      ((await store.claim({ limit: 10, ...lease, now: T0 + 30 }))?.events ?? []).map((e) => e.eventId);
    // Oldest head first, by (due time, seq), each lane's fresh events as one batch: lane a (the
    // repeat of old-2 was a duplicate), lane b after its cursor, the per-row event, the new queue.
    expect(await eventIds()).toEqual(['old-2', 'old-5']);
    expect(await eventIds()).toEqual(['old-3']);
    expect(await eventIds()).toEqual(['old-4']);
    expect(await eventIds()).toEqual([newcomer.eventId]);
    expect(await eventIds()).toEqual([]);
    expect(query(path, "SELECT lane FROM queues WHERE account = 'c'")).toEqual([{ lane: 3 }]);
    expect((await store.stats()).byState).toMatchObject({ queued: 0, sending: 5, delivered: 1 });
    // The delivered batch's event is still found by its lane when purge deletes it.
    expect(await store.purge(T0 + 11)).toEqual({ events: 1, audit: 0 });
    expect(query(path, 'SELECT seq FROM events WHERE seq = 1')).toEqual([]);
    await store.close();
  });

  it('a head received after the claim clock leaves the lane, so the events behind it are not held up', async () => {
    const { store, path } = open();
    const ahead = newEvent({ receivedAt: T0 + MINUTE });
    const due = newEvent({ receivedAt: T0 });
    await store.enqueue([ahead, due]);
    const batch = await store.claim({ limit: 10, ...lease, now: T0 + 1 });
    expect(ids(batch?.events ?? [])).toEqual([due.id]);
    expect(query(path, 'SELECT state FROM events ORDER BY seq')).toEqual([
      { state: 'queued' },
      { state: 'fresh' },
    ]);
    expect(ids((await store.claim({ limit: 10, ...lease, now: T0 + MINUTE }))?.events ?? [])).toEqual([
      ahead.id,
    ]);
    await store.close();
  });
});

describe('SQLite lanes: query plans', () => {
  it('answers every lane statement from an index, never a scan of events or batches', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const l = prepareLaneStatements(db);
    const plan = (statement: { source: string }) => queryPlan(db, statement);
    // A lane's events by its number (schema version 5), never by the account and rule text.
    const hot = {
      freshHead: 'events_fresh (lane=?',
      freshAfter: 'events_fresh (lane=?',
      members: 'events_fresh (lane=?',
      memberSeqs: 'events_fresh (lane=?',
      firstMemberReceivedAt: 'events_fresh (lane=?',
      setLive: 'events_fresh (lane=?',
      oldestFresh: 'events_fresh (lane=?',
      dueBatch: 'batches_due',
      reclaimBatches: 'batches_lease',
      covering: 'batches_lane',
      resolveIds: 'events_id',
      deliveredBefore: 'batches_delivered',
    } as const;
    for (const [name, index] of Object.entries(hot)) {
      const detail = plan(l[name as keyof typeof hot]);
      expect(detail, name).toContain(index);
      expect(detail, name).not.toMatch(/SCAN (events|batches)\b(?! USING)/);
      expect(detail, name).not.toContain('TEMP B-TREE');
    }
    // Reading an event's state: the dedup key index, then its batch by the lane index.
    const byEventId = plan(prepareStatements(db).byEventId);
    expect(byEventId).toContain('SEARCH event_keys USING PRIMARY KEY');
    expect(byEventId).toContain('batches_lane');
    db.close();
  });
});

async function stored(store: SqliteStore, eventId: string) {
  return (await store.findByEventId(eventId))[0];
}
