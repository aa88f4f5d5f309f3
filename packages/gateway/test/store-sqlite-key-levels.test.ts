/**
 * The SQLite store's dedup key index (sqlite/key-levels.ts): its sizing rules alone, then the store
 * under random sends, repeats, purges, restarts and partial merges against a model of which keys
 * were accepted, then the migration that builds it from an older store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, newEvent, T0 } from '../src/store/conformance/fixtures.js';
import { sqliteMigrations } from '../src/store/migrations/sqlite.js';
import {
  DEFAULT_KEY_LEVELS,
  flushScattered,
  type KeyLevelTuning,
  levelCapacity,
  levelForSql,
  levelToMove,
  MAX_KEY_LEVEL,
  shouldFlush,
} from '../src/store/sqlite/key-plan.js';
import { migrateSqlite } from '../src/store/sqlite/migrate.js';
import { RecentKeys, type RecentKeysOptions } from '../src/store/sqlite/recent-keys.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite.js';

const dirs: string[] = [];
function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-keys-'));
  dirs.push(dir);
  return join(dir, 'outbox.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const TINY: KeyLevelTuning = { recentKeys: 3, growth: 2, sliceKeys: 2 };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('key index sizing (key-plan.ts)', () => {
  it('grows each level by the growth factor from level 0', () => {
    expect(levelCapacity(1, DEFAULT_KEY_LEVELS)).toBe(65_536 * 16);
    expect(levelCapacity(2, DEFAULT_KEY_LEVELS)).toBe(65_536 * 256);
    expect(levelCapacity(3, TINY)).toBe(24);
  });

  it('puts stored keys in the shallowest level they fit, never past the last', () => {
    const db = new Database(':memory:');
    const statement = db.prepare(`SELECT ${levelForSql('@keys', TINY)}`).pluck();
    const levelFor = (keys: number) => statement.get({ keys }) as number;
    try {
      expect(levelFor(0)).toBe(1);
      expect(levelFor(6)).toBe(1);
      expect(levelFor(7)).toBe(2);
      expect(levelFor(12)).toBe(2);
      expect(levelFor(13)).toBe(3);
      expect(levelFor(Number.MAX_SAFE_INTEGER)).toBe(MAX_KEY_LEVEL);
      fc.assert(
        fc.property(fc.nat(10_000), (keys) => {
          const level = levelFor(keys);
          expect(keys <= levelCapacity(level, TINY) || level === MAX_KEY_LEVEL).toBe(true);
          if (level > 1) expect(keys).toBeGreaterThan(levelCapacity(level - 1, TINY));
        }),
      );
    } finally {
      db.close();
    }
  });

  it('flushes level 0 once it is full', () => {
    expect(shouldFlush(2, TINY)).toBe(false);
    expect(shouldFlush(3, TINY)).toBe(true);
  });

  it('moves the shallowest level over its size, and never the last one', () => {
    const over = (entries: Array<[number, number]>) => levelToMove(new Map(entries), TINY, true);
    expect(over([])).toBeNull();
    expect(over([[1, 5]])).toBeNull();
    expect(over([[1, 6]])).toBe(1);
    expect(
      over([
        [1, 6],
        [2, 100],
      ]),
    ).toBe(1);
    expect(
      over([
        [1, 0],
        [2, 12],
      ]),
    ).toBe(2);
    expect(over([[MAX_KEY_LEVEL, 10 ** 12]])).toBeNull();
  });

  it('moves level 1 only while flushes land among its keys; deeper levels whenever full', () => {
    expect(levelToMove(new Map([[1, 1_000]]), TINY, false)).toBeNull();
    expect(levelToMove(new Map([[1, 1_000]]), TINY, true)).toBe(1);
    expect(
      levelToMove(
        new Map([
          [1, 1_000],
          [2, 12],
        ]),
        TINY,
        false,
      ),
    ).toBe(2);
  });

  it('calls a flush scattered when more of level 1 lies inside its range than it brings', () => {
    expect(flushScattered(0, 65_536)).toBe(false);
    expect(flushScattered(65_536, 65_536)).toBe(false);
    expect(flushScattered(65_537, 65_536)).toBe(true);
  });
});

describe('level 0 in memory (recent-keys.ts)', () => {
  type RecentOp =
    | { kind: 'stage'; id: number; rule: number; seenAt: number }
    | { kind: 'mark' }
    | { kind: 'rollback' }
    | { kind: 'commit' }
    | { kind: 'take' }
    | { kind: 'drop' };
  const recentOp: fc.Arbitrary<RecentOp> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('stage' as const),
        id: fc.nat(5),
        rule: fc.nat(2),
        seenAt: fc.integer({ min: 0, max: 9 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'mark' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'take' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  );

  it.each([
    ['its first table', {}],
    // A table of two slots doubles while keys are staged, mid-transaction too, and probes wrap around.
    ['a table that grows', { firstSlots: 2 }],
    // Every key with the same hash: each probe walks past the others and compares strings.
    ['keys whose hashes all collide', { firstSlots: 2, hash: () => 7 }],
    ['keys in two hash classes', { firstSlots: 4, hash: (e: string) => (e.endsWith('1') ? -1 : 1) }],
  ] as Array<[string, RecentKeysOptions]>)(
    'answers as a list of copies would, through rollbacks, commits and flushes with keys staged during them (%s)',
    (_name, options) => {
      fc.assert(
        fc.property(fc.array(recentOp, { maxLength: 60 }), (ops) => {
          const keys = new RecentKeys(options);
          // Model: every copy level 0 holds, as [eventId, ruleId, seq, seenAt]; staged ones since the
          // last commit are the tail from `base`.
          let copies: Array<[string, string, number, number]> = [];
          let base = 0;
          let mark = 0;
          let seq = 0;
          let logged = 0;
          /** The highest seq of the log a flush took and has not committed yet, or null. */
          let taken: number | null = null;
          for (const op of ops) {
            if (op.kind === 'stage') {
              if (keys.mark() === 0) base = copies.length;
              seq += 1;
              keys.stage(`e${op.id}`, `r${op.rule}`, seq, op.seenAt);
              copies.push([`e${op.id}`, `r${op.rule}`, seq, op.seenAt]);
              logged += 1;
            } else if (op.kind === 'mark') {
              mark = keys.mark();
            } else if (op.kind === 'rollback') {
              const staged = keys.mark();
              const at = Math.min(mark, staged);
              keys.rollbackTo(at);
              // Only what was staged since the last commit goes: committed keys stay.
              if (staged > at) {
                logged -= staged - at;
                copies = copies.slice(0, base + at);
              }
            } else if (op.kind === 'commit') {
              keys.commit();
              mark = 0;
            } else if (op.kind === 'take') {
              // A flush takes the log between transactions (commit first, as the store does), one
              // flush at a time; keys go on being staged (and rolled back) while it is written.
              if (taken !== null) continue;
              keys.commit();
              mark = 0;
              const log = keys.takeLog();
              expect(log.seqs.length).toBe(logged);
              expect(log.seqs).toEqual(copies.map((c) => c[2]));
              logged = 0;
              taken = log.seqs.length > 0 ? Math.max(...log.seqs) : 0;
              base = copies.length;
            } else {
              // The flush commits: the copies it took are on disk, no longer in level 0.
              if (taken === null) continue;
              keys.dropUpTo(taken);
              const upTo = taken;
              const kept = copies.filter((c) => c[2] > upTo);
              base -= copies.length - kept.length;
              copies = kept;
              taken = null;
            }
            expect(keys.size).toBe(logged);
            for (let id = 0; id <= 5; id += 1) {
              for (let rule = 0; rule <= 2; rule += 1) {
                for (const threshold of [-1, 4, 9]) {
                  // The newest copy of the key decides (a key is stored again only once the old one expired).
                  const newest = copies.filter((c) => c[0] === `e${id}` && c[1] === `r${rule}`).at(-1);
                  const expected = newest !== undefined && newest[3] > threshold;
                  expect(keys.has(`e${id}`, `r${rule}`, threshold)).toBe(expected);
                }
              }
            }
          }
        }),
        { numRuns: 300 },
      );
    },
  );
});

type Op =
  | { kind: 'send'; picks: Array<{ id: number; rule: number; suppressed: boolean; fresh: boolean }> }
  | { kind: 'turns'; n: number }
  | { kind: 'settle' }
  | { kind: 'restart' }
  | { kind: 'purge' };

const RULES = ['9001', '9002'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      picks: fc.array(
        fc.record({ id: fc.nat(14), rule: fc.nat(1), suppressed: fc.boolean(), fresh: fc.boolean() }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('turns' as const), n: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'purge' as const }) },
);

/** How a pick becomes an event id; `issued` counts the ids a rising scheme has handed out so far. */
type IdScheme = (pick: { id: number; fresh: boolean }, issued: { n: number }) => string;
const ID_SCHEMES: Array<[string, IdScheme]> = [
  // Fifteen ids, scattered in key order.
  ['scattered ids', (p) => `order-${(p.id * 7919) % 15}`],
  // Ids that rise, as order numbers do, and now and then one sent before: new ones miss every
  // level's range (key-ranges.ts), repeats must still be found on disk.
  [
    'rising ids and repeats',
    (p, issued) => {
      const n = p.fresh || issued.n === 0 ? issued.n++ : p.id % issued.n;
      return `ord-${String(n).padStart(4, '0')}`;
    },
  ],
  // Ids past U+FFFF and in U+E000–U+FFFF, which JavaScript and SQLite order differently.
  ['ids past U+FFFF', (p) => `o-${['\u{1F600}', '\uFFFD', '\uE000', 'é', 'z'][p.id % 5]}${p.id % 3}`],
];

describe('SQLite dedup key index under random operations', () => {
  it.each(ID_SCHEMES)(
    'answers every repeat as a duplicate and finds every stored event, mid-merge and across restarts (%s)',
    async (_name, idOf) => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
          const issued = { n: 0 };
          const path = tempDbPath();
          const clock = fakeClock(T0);
          const open = () => createSqliteStore({ path, clock, keyLevels: TINY });
          let store: SqliteStore = open();
          // Model: keys accepted so far (all inside the window), and the events still stored per eventId.
          const accepted = new Set<string>();
          const stored = new Map<string, Array<{ id: string; suppressed: boolean }>>();
          try {
            for (const op of ops) {
              if (op.kind === 'send') {
                const events = op.picks.map((p) =>
                  newEvent({
                    eventId: idOf(p, issued),
                    ruleId: RULES[p.rule]!,
                    state: p.suppressed ? 'suppressed' : 'queued',
                  }),
                );
                const expected = events.map((e) => {
                  const key = `${e.ruleId}/${e.eventId}`;
                  if (accepted.has(key)) return 'duplicate';
                  accepted.add(key);
                  const list = stored.get(e.eventId) ?? [];
                  list.push({ id: e.id, suppressed: e.state === 'suppressed' });
                  stored.set(e.eventId, list);
                  return 'inserted';
                });
                expect(await store.enqueue(events)).toEqual(expected);
              } else if (op.kind === 'turns') {
                for (let i = 0; i < op.n; i += 1) await turn();
              } else if (op.kind === 'settle') {
                store.settleKeyIndex();
                const stats = store.keyIndexStats();
                expect(stats.flushing).toBe(false);
                expect(stats.moving).toBeNull();
                expect(stats.recent).toBeLessThan(TINY.recentKeys);
              } else if (op.kind === 'restart') {
                await store.close();
                store = open();
              } else {
                // Suppressed events are final at once: purge takes them, and their keys stay in force.
                await store.purge(clock.now() + 1);
                for (const [eventId, list] of stored)
                  stored.set(
                    eventId,
                    list.filter((e) => !e.suppressed),
                  );
              }
              for (const [eventId, list] of stored) {
                const found = await store.findByEventId(eventId);
                expect(found.map((e) => e.id).sort(), eventId).toEqual(list.map((e) => e.id).sort());
              }
            }
            // Whatever was under way, settled it leaves every stored key on disk exactly once.
            store.settleKeyIndex();
            const stats = store.keyIndexStats();
            const onDisk = Object.values(stats.levels).reduce((a, b) => a + b, 0);
            const storedCount = [...stored.values()].reduce((a, l) => a + l.length, 0);
            expect(onDisk + stats.recent).toBeGreaterThanOrEqual(storedCount);
            const again = [...accepted].map((key) => {
              const [ruleId, eventId] = key.split('/') as [string, string];
              return newEvent({ ruleId, eventId });
            });
            if (again.length > 0) expect(new Set(await store.enqueue(again))).toEqual(new Set(['duplicate']));
          } finally {
            await store.close();
          }
        }),
        { numRuns: 150 },
      );
    },
    120_000,
  );

  it('moves keys down the levels as they fill, in key order, each key on disk once', async () => {
    const path = tempDbPath();
    const store = createSqliteStore({ path, clock: fakeClock(T0), keyLevels: TINY });
    try {
      // Scattered ids, as UUIDs arrive.
      const events = Array.from({ length: 60 }, (_, i) =>
        newEvent({ eventId: `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i}` }),
      );
      for (let i = 0; i < events.length; i += 4) await store.enqueue(events.slice(i, i + 4));
      store.settleKeyIndex();
      const stats = store.keyIndexStats();
      expect(stats.recent).toBeLessThan(TINY.recentKeys);
      // 60 keys with level 1 at most 6 and level 2 at most 12: some have reached level 3 or beyond.
      expect(
        Object.keys(stats.levels)
          .map(Number)
          .some((level) => level >= 3),
      ).toBe(true);
      const onDisk = Object.values(stats.levels).reduce((a, b) => a + b, 0);
      expect(onDisk + stats.recent).toBe(60);
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT level, count(*) AS n FROM event_keys GROUP BY level').all() as Array<{
        level: number;
        n: number;
      }>;
      const distinct = db.prepare('SELECT count(DISTINCT seq) FROM event_keys').pluck().get();
      db.close();
      expect(Object.fromEntries(rows.map((r) => [r.level, r.n]))).toEqual(
        Object.fromEntries(Object.entries(stats.levels).filter(([, n]) => n > 0)),
      );
      expect(distinct).toBe(onDisk);
      expect(new Set(await store.enqueue(events.map((e) => newEvent({ eventId: e.eventId }))))).toEqual(
        new Set(['duplicate']),
      );
    } finally {
      await store.close();
    }
  });

  it('keeps level 0 bounded when writes come faster than the background steps run', async () => {
    const store = createSqliteStore({ path: tempDbPath(), clock: fakeClock(T0), keyLevels: TINY });
    try {
      for (let round = 0; round < 5; round += 1) {
        // 40 batches in one turn: group commit writes them as one transaction of 400 keys.
        const batches = Array.from({ length: 40 }, () => Array.from({ length: 10 }, () => newEvent()));
        const statuses = await Promise.all(batches.map((b) => store.enqueue(b)));
        expect(new Set(statuses.flat())).toEqual(new Set(['inserted']));
        const stats = store.keyIndexStats();
        // Without the catch-up, level 0 would hold every key of every round here.
        expect(stats.recent).toBeLessThanOrEqual(2 * TINY.recentKeys);
        expect(stats.lastError).toBeNull();
      }
    } finally {
      await store.close();
    }
  });

  it('leaves keys that arrive in order in level 1, where each flush only appends', async () => {
    const store = createSqliteStore({ path: tempDbPath(), clock: fakeClock(T0), keyLevels: TINY });
    try {
      const events = Array.from({ length: 60 }, (_, i) =>
        newEvent({ eventId: `order-${String(i).padStart(6, '0')}` }),
      );
      for (let i = 0; i < events.length; i += 4) await store.enqueue(events.slice(i, i + 4));
      store.settleKeyIndex();
      const stats = store.keyIndexStats();
      // Far over level 1's size (6), and never moved: nothing was written twice.
      expect(stats.level1Scattered).toBe(false);
      expect(Object.keys(stats.levels)).toEqual(['1']);
      expect(stats.levels[1]! + stats.recent).toBe(60);
      expect(new Set(await store.enqueue(events.map((e) => newEvent({ eventId: e.eventId }))))).toEqual(
        new Set(['duplicate']),
      );
    } finally {
      await store.close();
    }
  });

  it('writes a flush slice whose transaction failed again, so no key goes missing from disk', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    let store = createSqliteStore({ path, clock, keyLevels: TINY });
    await store.migrate();
    // Another connection makes every write into event_keys fail while a flag row exists.
    const other = new Database(path);
    other.exec(`CREATE TABLE fail_keys (x INTEGER);
      INSERT INTO fail_keys VALUES (1);
      CREATE TRIGGER fail_keys_insert BEFORE INSERT ON event_keys WHEN (SELECT count(*) FROM fail_keys) > 0
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    const events = Array.from({ length: 7 }, (_, i) => newEvent({ eventId: `slice-${i}` }));
    try {
      expect(await store.enqueue(events)).toEqual(events.map(() => 'inserted'));
      expect(() => store.settleKeyIndex()).toThrow(/injected failure/);
      expect(() => store.settleKeyIndex()).toThrow(/injected failure/);
      other.exec('DELETE FROM fail_keys');
      store.settleKeyIndex();
      const stats = store.keyIndexStats();
      expect(stats.flushing).toBe(false);
      expect((stats.levels[1] ?? 0) + stats.recent).toBe(events.length);
      // After a restart level 0 holds only the keys after the flush: the flushed ones must be on disk.
      await store.close();
      store = createSqliteStore({ path, clock, keyLevels: TINY });
      const again = events.map((e) => newEvent({ eventId: e.eventId }));
      expect(await store.enqueue(again)).toEqual(events.map(() => 'duplicate'));
    } finally {
      other.close();
      await store.close();
    }
  });

  it('keeps level 0 only in memory and rebuilds it from the events at start', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    let store = createSqliteStore({ path, clock });
    const first = newEvent();
    await store.enqueue([first]);
    expect(store.keyIndexStats()).toMatchObject({ recent: 1, mergedSeq: 0, levels: {} });
    await store.close();
    store = createSqliteStore({ path, clock });
    try {
      expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['duplicate']);
      expect(store.keyIndexStats().recent).toBe(1);
      expect((await store.findByEventId(first.eventId)).map((e) => e.id)).toEqual([first.id]);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite migration to the key index (version 4)', () => {
  it('moves the keys of stored events into one level, in key order, and drops the old index', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    migrateSqlite(
      db,
      sqliteMigrations.filter((m) => m.version < 4),
    );
    const insert = db.prepare(`INSERT INTO events (seq, id, account, rule_id, event_id, source, happened_at,
      received_at, seen_at, state, next_attempt_at, identifier_types) VALUES (?, ?, '500100', ?, ?, 'web', ?, ?, ?, 'fresh', ?, '[]')`);
    for (let seq = 1; seq <= 5; seq += 1) {
      insert.run(seq, `id-${seq}`, '9001', `legacy-${6 - seq}`, T0, T0, T0, T0);
      db.prepare('INSERT INTO payloads (seq, payload) VALUES (?, ?)').run(seq, '{}');
    }
    db.prepare("INSERT OR IGNORE INTO queues (account, rule_id) VALUES ('500100', '9001')").run();
    migrateSqlite(db);
    const keys = db.prepare('SELECT level, event_id, seq FROM event_keys').raw(true).all();
    expect(keys).toEqual([
      [1, 'legacy-1', 5],
      [1, 'legacy-2', 4],
      [1, 'legacy-3', 3],
      [1, 'legacy-4', 2],
      [1, 'legacy-5', 1],
    ]);
    expect(db.prepare('SELECT level, n FROM key_levels').raw(true).all()).toEqual([[1, 5]]);
    expect(db.prepare("SELECT value FROM store_meta WHERE key = 'keys_merged_seq'").pluck().get()).toBe(5);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events_key'").pluck().get()).toBe(0);
    db.close();

    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    try {
      expect(
        await store.enqueue([newEvent({ eventId: 'legacy-3' }), newEvent({ eventId: 'new-1' })]),
      ).toEqual(['duplicate', 'inserted']);
      expect((await store.findByEventId('legacy-3')).map((e) => e.id)).toEqual(['id-3']);
      expect(store.keyIndexStats()).toMatchObject({ recent: 1, mergedSeq: 5, levels: { 1: 5 } });
    } finally {
      await store.close();
    }
  });

  it('leaves an empty store with no level at all', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    expect(db.prepare('SELECT count(*) FROM key_levels').pluck().get()).toBe(0);
    expect(db.prepare("SELECT value FROM store_meta WHERE key = 'keys_merged_seq'").pluck().get()).toBe(0);
    db.close();
  });
});
