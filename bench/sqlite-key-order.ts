/**
 * What scattered event ids cost the SQLite outbox, and what the obvious remedies buy: the insert
 * path alone, on the store's own schema (its migrations and pragmas) and its own multi-row insert
 * statements, without HTTP, threads or delivery in the way.
 *
 *   npx tsx bench/sqlite-key-order.ts                          # every variant, 1,000,000 events each
 *   CAPI_BENCH_EVENTS=2000000 CAPI_BENCH_KEY_VARIANTS=store,sidecar-hash npx tsx bench/sqlite-key-order.ts
 *
 * Each variant writes CAPI_BENCH_EVENTS events twice into a fresh file, once with event ids in index
 * order and once with random UUIDs, in commits of 500 events (a batch request), and reports events/s
 * and the CPU time and the wait of this process (user, system, and the rest of the wall time, which is
 * time spent waiting for the disk). The variants (docs/benchmarks.md, "Scattered event ids"):
 * - `store`: the store as it is (4 KiB pages, 32 MiB cache, a checkpoint every 1,000 WAL pages, the
 *   dedup keys in the key index of `store/sqlite/key-levels.ts`);
 * - `events-key`: the store before schema version 4, the keys in an index of the events table
 *   (`events_key`), where each new key lands where it sorts;
 * - `page-1k`: 1 KiB pages, so a dirtied index page costs a quarter of the bytes;
 * - `checkpoint-10k`: a checkpoint every 10,000 WAL pages;
 * - `no-checkpoint`: none at all during the run (an upper bound for moving checkpoints elsewhere);
 * - `checkpoint-thread`: checkpoints on a thread of their own, as the store thread runs them with
 *   `store.sqliteCheckpointThread` (`store/sqlite-thread/checkpointer.ts`);
 * - `sidecar-text` (this and the next two replace `events_key`, as the key index does): the dedup index moved out of the events table into a second file without a
 *   journal (so not crash-safe: it would have to be rebuilt from the events after a crash);
 * - `sidecar-hash`: the same with a 64-bit hash of the event id as the key;
 * - `merged-hash`: the keys of new events held in memory (as they could be rebuilt from the events
 *   after the last merge) and merged, MERGE_KEYS at a time and in key order, into a table of hashed
 *   keys in the same WAL file, so a merge rewrites each page of that table about once.
 *
 * Every variant probes for the keys of each chunk before inserting it, as ingest does.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { NewOutboxEvent } from '../packages/gateway/src/ports.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { toIngestRows } from '../packages/gateway/src/store/sqlite/ingest-rows.js';
import { CHUNK_ROWS, prepareChunkStatements } from '../packages/gateway/src/store/sqlite/insert-chunks.js';
import { createKeyIndex } from '../packages/gateway/src/store/sqlite/key-levels.js';
import { DEFAULT_KEY_LEVELS } from '../packages/gateway/src/store/sqlite/key-plan.js';
import { migrateSqlite } from '../packages/gateway/src/store/sqlite/migrate.js';
import {
  applyPragmas,
  setWalAutoCheckpoint,
  walCheckpoint,
} from '../packages/gateway/src/store/sqlite/pragmas.js';
import { startCheckpointer } from '../packages/gateway/src/store/sqlite-thread/checkpointer.js';
import { intFromEnv, runIfMain } from './_gateway.js';

const EVENTS = intFromEnv('CAPI_BENCH_EVENTS', 1_000_000);
const PER_COMMIT = 500;
const RULE_ID = '22285180';
/** `checkpoint-thread`: rows between two checkpoints on the thread (the store's default when unset). */
const CHECKPOINT_ROWS = process.env.CAPI_BENCH_CHECKPOINT_ROWS
  ? intFromEnv('CAPI_BENCH_CHECKPOINT_ROWS', 0)
  : undefined;
const MERGE_KEYS = intFromEnv('CAPI_BENCH_MERGE_KEYS', 100_000);
const VARIANTS = [
  'store',
  'events-key',
  'page-1k',
  'checkpoint-10k',
  'no-checkpoint',
  'checkpoint-thread',
  'sidecar-text',
  'sidecar-hash',
  'merged-hash',
] as const;
type Variant = (typeof VARIANTS)[number];
type Order = 'sequential' | 'scattered';

function selectedVariants(): Variant[] {
  const wanted = process.env.CAPI_BENCH_KEY_VARIANTS;
  if (!wanted) return [...VARIANTS];
  const names = wanted.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(VARIANTS as readonly string[]).includes(n)) {
      throw new Error(`CAPI_BENCH_KEY_VARIANTS: unknown variant "${n}" (one of ${VARIANTS.join(', ')})`);
    }
  }
  return names as Variant[];
}

/** A batch of events as ingest makes them, with a ~650-byte payload (payload text does not matter here). */
function commitEvents(first: number, order: Order, now: number): NewOutboxEvent[] {
  const payload = JSON.stringify({
    conversion: 'urn:lla:llaPartnerConversion:22285180',
    pad: 'p'.repeat(560),
  });
  return Array.from({ length: PER_COMMIT }, (_, i) => ({
    id: newOutboxId(now),
    account: '508000123',
    ruleId: RULE_ID,
    eventId: order === 'sequential' ? `order-${String(first + i).padStart(10, '0')}` : randomUUID(),
    source: 'web',
    payload,
    happenedAt: now - 60_000,
    receivedAt: now,
    state: 'queued',
    identifierTypes: ['SHA256_EMAIL'],
    consent: null,
    context: null,
  }));
}

/** Where a variant keeps its dedup keys when they are not in `events_key`. */
interface KeyStore {
  /** Seqs of stored events whose key may be one of these ids (a hash may name others too). */
  probe(eventIds: readonly string[]): number;
  add(events: readonly NewOutboxEvent[], firstSeq: number): void;
  close(): void;
}

/** `?, ?, …` for a statement that takes `n` values in one list. */
function marks(n: number): string {
  return new Array(n).fill('?').join(', ');
}

function keyHash(eventId: string): bigint {
  return createHash('sha256').update(eventId).digest().readBigInt64BE(0);
}

/** The dedup keys in a file of their own, unjournaled: what moving them off the WAL would save. */
function openSidecar(path: string, hashed: boolean): KeyStore {
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -65536');
  db.exec(
    hashed
      ? 'CREATE TABLE keys (h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (h, seq)) STRICT, WITHOUT ROWID'
      : `CREATE TABLE keys (event_id TEXT NOT NULL, rule_id TEXT NOT NULL, seq INTEGER NOT NULL,
          PRIMARY KEY (event_id, rule_id, seq)) STRICT, WITHOUT ROWID`,
  );
  const width = hashed ? 2 : 3;
  const insert = db.prepare(
    `INSERT INTO keys VALUES ${new Array(CHUNK_ROWS).fill(`(${marks(width)})`).join(', ')}`,
  );
  const probe = db
    .prepare(`SELECT count(*) FROM keys WHERE ${hashed ? 'h' : 'event_id'} IN (${marks(CHUNK_ROWS)})`)
    .pluck();
  const write = db.transaction((params: unknown[]) => {
    for (let at = 0; at < params.length; at += CHUNK_ROWS * width)
      insert.run(params.slice(at, at + CHUNK_ROWS * width));
  });
  return {
    add(events, firstSeq) {
      const params: unknown[] = [];
      events.forEach((e, i) => {
        if (hashed) params.push(keyHash(e.eventId), firstSeq + i);
        else params.push(e.eventId, e.ruleId, firstSeq + i);
      });
      write(params);
    },
    probe: (ids) => probe.get(hashed ? ids.map(keyHash) : ids) as number,
    close: () => db.close(),
  };
}

/** The store's key index (store/sqlite/key-levels.ts), its merges run between commits as on the store thread. */
function openKeyLevels(db: Database.Database): KeyStore {
  const index = createKeyIndex(db, DEFAULT_KEY_LEVELS);
  index.load();
  return {
    probe(ids) {
      let hits = index.onDisk(ids, 0).length;
      for (const id of ids) if (index.inMemory(id, RULE_ID, 0)) hits += 1;
      return hits;
    },
    add(events, firstSeq) {
      events.forEach((e, i) => {
        index.stage(e.eventId, e.ruleId, firstSeq + i, e.receivedAt);
      });
      index.commitStaged();
      index.schedule();
    },
    close: () => index.stop(),
  };
}

/** The index the events table had before schema version 4: each new key lands where it sorts. */
function openEventsKey(db: Database.Database): KeyStore {
  db.exec('CREATE INDEX events_key ON events (event_id, rule_id, seen_at)');
  const probes = new Map<number, Database.Statement>();
  return {
    probe(ids) {
      let statement = probes.get(ids.length);
      if (!statement) {
        statement = db
          .prepare(
            `SELECT event_id, rule_id FROM events WHERE event_id IN (${marks(ids.length)}) AND seen_at > ?`,
          )
          .raw(true);
        probes.set(ids.length, statement);
      }
      return statement.all(...ids, 0).length;
    },
    add() {},
    close() {},
  };
}

/** Recent keys in memory, merged into `hashed_keys` in key order every MERGE_KEYS keys. */
function openMergedKeys(db: Database.Database): KeyStore {
  db.exec(
    'CREATE TABLE hashed_keys (h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (h, seq)) STRICT, WITHOUT ROWID',
  );
  const recent = new Map<bigint, number>();
  const probe = db.prepare(`SELECT count(*) FROM hashed_keys WHERE h IN (${marks(CHUNK_ROWS)})`).pluck();
  const insert = db.prepare('INSERT INTO hashed_keys (h, seq) VALUES (?, ?)');
  const merge = db.transaction((pairs: Array<[bigint, number]>) => {
    for (const [h, seq] of pairs) insert.run(h, seq);
  });
  return {
    probe(ids) {
      const hashes = ids.map(keyHash);
      let hits = 0;
      for (const h of hashes) if (recent.has(h)) hits += 1;
      return hits + (probe.get(hashes) as number);
    },
    add(events, firstSeq) {
      events.forEach((e, i) => {
        recent.set(keyHash(e.eventId), firstSeq + i);
      });
      if (recent.size < MERGE_KEYS) return;
      merge([...recent].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
      recent.clear();
    },
    close() {},
  };
}

async function measure(variant: Variant, order: Order) {
  const dir = mkdtempSync(join(tmpdir(), 'capi-keys-'));
  try {
    const db = new Database(join(dir, 'outbox.db'));
    if (variant === 'page-1k') db.pragma('page_size = 1024');
    applyPragmas(db, 'normal');
    migrateSqlite(db);
    if (variant === 'checkpoint-10k') setWalAutoCheckpoint(db, 10_000);
    if (variant === 'no-checkpoint') setWalAutoCheckpoint(db, 0);
    const checkpointer =
      variant === 'checkpoint-thread'
        ? startCheckpointer({
            path: join(dir, 'outbox.db'),
            durability: 'normal',
            ...(CHECKPOINT_ROWS !== undefined ? { rowsPerCycle: CHECKPOINT_ROWS } : {}),
            writer: {
              checkpoint: () => walCheckpoint(db),
              setAutoCheckpoint: (pages) => setWalAutoCheckpoint(db, pages),
            },
          })
        : null;
    const keys: KeyStore =
      variant === 'sidecar-text' || variant === 'sidecar-hash'
        ? openSidecar(join(dir, 'keys.db'), variant === 'sidecar-hash')
        : variant === 'merged-hash'
          ? openMergedKeys(db)
          : variant === 'events-key'
            ? openEventsKey(db)
            : openKeyLevels(db);
    const chunks = prepareChunkStatements(db);
    const indices = Array.from({ length: CHUNK_ROWS }, (_, i) => i);
    // One lane per rule, numbered as the store numbers its queues.
    const lanes = new Map<string, number>();
    const laneOf = (e: NewOutboxEvent): number => {
      let lane = lanes.get(e.ruleId);
      if (lane === undefined) {
        lane = lanes.size + 1;
        lanes.set(e.ruleId, lane);
      }
      return lane;
    };
    let probeHits = 0;
    const commit = db.transaction((events: NewOutboxEvent[], firstSeq: number, now: number) => {
      for (let at = 0; at < events.length; at += CHUNK_ROWS) {
        const chunk = events.slice(at, at + CHUNK_ROWS);
        const ids = chunk.map((e) => e.eventId);
        probeHits += keys.probe(ids);
        chunks.insert(toIngestRows(chunk), indices, chunk.map(laneOf), now, firstSeq + at);
      }
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    let now = Date.now();
    for (let seq = 1; seq <= EVENTS; seq += PER_COMMIT) {
      now += 1;
      const events = commitEvents(seq, order, now);
      commit(events, seq, now);
      keys.add(events, seq);
      checkpointer?.noteWrites(PER_COMMIT);
      // Every variant yields once per commit, as the store thread does between turns, so the
      // checkpoint thread's answers are read.
      await nextTurn();
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    keys.close();
    const checkpoints = checkpointer?.stats();
    await checkpointer?.close();
    db.close();
    const user = used.user / 1e6;
    const system = used.system / 1e6;
    return {
      eventsPerSecond: Math.round(EVENTS / seconds),
      seconds: round(seconds),
      userSeconds: round(user),
      systemSeconds: round(system),
      waitSeconds: round(Math.max(0, seconds - user - system)),
      // Every id is new, so a probe that finds one is a hash collision (expected: none).
      probeHits,
      ...(checkpoints ? { checkpoints } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const variant of selectedVariants()) {
    results[variant] = {
      sequential: await measure(variant, 'sequential'),
      scattered: await measure(variant, 'scattered'),
    };
    process.stderr.write(`  ${variant}: ${JSON.stringify(results[variant])}\n`);
  }
  return {
    name: 'sqlite-key-order',
    events: EVENTS,
    eventsPerCommit: PER_COMMIT,
    durability: 'normal',
    results,
  };
}

runIfMain(import.meta.url, run);
