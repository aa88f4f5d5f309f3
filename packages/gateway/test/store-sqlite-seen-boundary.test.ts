import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, newEvent, T0 } from '../src/store/conformance.js';
import { sqliteMigrations } from '../src/store/migrations/sqlite.js';
import { migrateSqlite } from '../src/store/sqlite/migrate.js';
import { firstSeqSeenFrom, type SeenRow } from '../src/store/sqlite/seen-boundary.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { removeTempDirs, tempDbPath } from './worker-harness.js';

afterEach(removeTempDirs);

/** Rows with gaps in seq (purged, rolled back) and seen_at that never decreases along seq. */
const rowsArbitrary = fc
  .array(fc.record({ gap: fc.integer({ min: 1, max: 4 }), step: fc.integer({ min: 0, max: 3 }) }), {
    maxLength: 60,
  })
  .map((steps) => {
    const rows: SeenRow[] = [];
    let seq = 0;
    let seenAt = 1_000;
    for (const { gap, step } of steps) {
      seq += gap;
      seenAt += step;
      rows.push({ seq, seenAt });
    }
    return rows;
  });

describe('firstSeqSeenFrom', () => {
  it('finds the first seq seen at or after t, as a scan of every row would', () => {
    fc.assert(
      fc.property(rowsArbitrary, fc.integer({ min: 990, max: 1_200 }), (rows, t) => {
        const probes: number[] = [];
        const firstAtOrAfter = (seq: number) => {
          probes.push(seq);
          return rows.find((r) => r.seq >= seq);
        };
        const bounds =
          rows.length > 0 ? { minSeq: rows[0]!.seq, maxSeq: rows.at(-1)!.seq } : { minSeq: 1, maxSeq: 0 };
        const found = firstSeqSeenFrom(t, bounds, firstAtOrAfter);
        const before = rows.filter((r) => r.seenAt < t);
        const after = rows.filter((r) => r.seenAt >= t);
        // Every row before the boundary was seen before t, every row from it on at or after t.
        expect(before.every((r) => r.seq < found)).toBe(true);
        expect(after.every((r) => r.seq >= found)).toBe(true);
        // Bisected: a few probes, not one per row.
        expect(probes.length).toBeLessThanOrEqual(
          Math.ceil(Math.log2(bounds.maxSeq - bounds.minSeq + 2)) + 1,
        );
      }),
      { numRuns: 500 },
    );
  });
});

async function enqueueAt(
  store: ReturnType<typeof createSqliteStore>,
  clock: ReturnType<typeof fakeClock>,
  time: number,
  eventId: string,
) {
  clock.set(time);
  return (await store.enqueue([newEvent({ eventId })]))[0];
}

describe('seen_at without an index (schema version 8)', () => {
  it('never stamps a new event earlier than the last one, so expireDedup counts right when the clock steps back', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    const at = (time: number, eventId: string) => enqueueAt(store, clock, time, eventId);
    expect(await at(T0 + 100, 'a')).toBe('inserted');
    expect(await at(T0 + 200, 'b')).toBe('inserted');
    // The clock steps back 50 ms: the new event is stamped at the last one's time.
    expect(await at(T0 + 150, 'c')).toBe('inserted');
    expect(await at(T0 + 300, 'd')).toBe('inserted');
    await store.close();

    const reader = new Database(path, { readonly: true });
    const seen = reader.prepare('SELECT seen_at FROM events ORDER BY seq').pluck().all() as number[];
    reader.close();
    expect(seen).toEqual([T0 + 100, T0 + 200, T0 + 200, T0 + 300]);

    // After a reopen the writer picks up from the newest stored seen_at, not from its own clock.
    const reopened = createSqliteStore({ path, clock });
    expect(await enqueueAt(reopened, clock, T0 + 120, 'e')).toBe('inserted');
    // Seen before T0 + 180: only `a` (`c` counts as seen at T0 + 200).
    expect(await reopened.expireDedup(T0 + 180)).toBe(1);
    expect(await reopened.expireDedup(T0 + 250)).toBe(2);
    expect(await reopened.expireDedup(T0 + 250)).toBe(0);
    expect(await enqueueAt(reopened, clock, T0 + 400, 'c')).toBe('inserted');
    expect(await enqueueAt(reopened, clock, T0 + 400, 'd')).toBe('duplicate');
    // `d` and `e` (stamped T0 + 300); the second `c`, seen at T0 + 400, stays.
    expect(await reopened.expireDedup(T0 + 301)).toBe(2);
    await reopened.close();
  });

  it('counts nothing in an empty store and across purged gaps', async () => {
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path: tempDbPath(), clock });
    expect(await store.expireDedup(T0)).toBe(0);
    for (let i = 0; i < 20; i += 1) {
      clock.set(T0 + 1_000 + i);
      await store.enqueue([newEvent({ eventId: `g-${i}` })]);
    }
    expect(await store.expireDedup(T0 + 1_010)).toBe(10);
    expect(await store.expireDedup(T0 + 1_020)).toBe(10);
    await store.close();
  });

  it('upgrades a schema-7 store: seen_at raised where the clock once stepped back, the index gone, counts right', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    migrateSqlite(
      db,
      sqliteMigrations.filter((m) => m.version <= 7),
    );
    const insert = db.prepare(`INSERT INTO events (seq, id, account, rule_id, event_id, source, happened_at,
      received_at, seen_at, state, next_attempt_at, identifier_types, lane) VALUES (?, ?, 'a', '1', ?, 'web', ?, ?, ?,
      'delivered', ?, '[]', 0)`);
    const seenAt = [100, 300, 200, 250, 400];
    seenAt.forEach((t, i) => {
      insert.run(i + 1, `id-${i + 1}`, `old-${i + 1}`, T0, T0 + t, T0 + t, T0 + t);
      db.prepare("INSERT INTO payloads (seq, payload) VALUES (?, '{}')").run(i + 1);
    });
    migrateSqlite(db);
    expect(db.prepare('SELECT seen_at - ? FROM events ORDER BY seq').pluck().all(T0)).toEqual([
      100, 300, 300, 300, 400,
    ]);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events_seen'").pluck().get()).toBe(0);
    db.close();
    const store = createSqliteStore({ path, clock: fakeClock(T0 + 500) });
    expect(await store.expireDedup(T0 + 301)).toBe(4);
    await store.close();
  });
});
