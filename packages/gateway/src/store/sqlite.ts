import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { groupOf, mergeDeadLetterGroups } from '../domain/dead-letter-groups.js';
import { decideIdempotency } from '../domain/idempotency.js';
import {
  type BudgetLimits,
  type ClaimRequest,
  type Clock,
  type EnqueueStatus,
  type OutboxState,
  type OutboxStore,
  systemClock,
} from '../ports.js';
import { decideBudget } from './budget.js';
import { StoreError } from './errors.js';
import type { GroupCommitStats } from './group-commit.js';
import {
  AUDIT_DELETE_CHUNK_ROWS,
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_DEAD_LIST_LIMIT,
  DEFAULT_DEDUP_WINDOW_MS,
  DELETE_CHUNK_ROWS,
  emptyStateCounts,
} from './policy.js';
import { createClaim } from './sqlite/claim.js';
import { StateDeltas } from './sqlite/counters.js';
import { createSqliteWriter, dedupThreshold, type NewQueue } from './sqlite/enqueue.js';
import type { IngestRows } from './sqlite/ingest-rows.js';
import { type ChunkStatements, prepareChunkStatements } from './sqlite/insert-chunks.js';
import { createKeyIndex, type KeyIndex, type KeyIndexStats } from './sqlite/key-levels.js';
import { DEFAULT_KEY_LEVELS, type KeyLevelTuning } from './sqlite/key-plan.js';
import {
  type LaneStatements,
  nextDeliveredBatch,
  oldestDueAt,
  prepareLaneStatements,
  type Settlement,
  settleFresh,
} from './sqlite/lanes.js';
import { claimedBatchOf, type Leased } from './sqlite/leased.js';
import { acquireStoreLock } from './sqlite/lock.js';
import { migrateSqlite } from './sqlite/migrate.js';
import { createNewEventCounts } from './sqlite/new-event-counts.js';
import {
  applyPragmas,
  type Durability,
  readDurability,
  setWalAutoCheckpoint,
  type WalCheckpoint,
  walCheckpoint,
} from './sqlite/pragmas.js';
import {
  AUDIT_EVENT_IDS_PARAM,
  auditFromRow,
  auditParams,
  eventFromRow,
  type RawAuditRow,
  type RawEventRow,
} from './sqlite/rows.js';
import { countSeenBetween } from './sqlite/seen-boundary.js';
import {
  deadLetterKeysSql,
  deadLetterWhere,
  listDeadSql,
  prepareStatements,
  REDRIVE_SEQS_SQL,
  redrivePickSql,
  type SqliteStatements,
  summarizeDeadSql,
} from './sqlite/statements.js';

export type { Durability } from './sqlite/pragmas.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. A `<path>.lock` file sits beside it. */
  path: string;
  durability?: Durability;
  dedupWindowMs?: number;
  clock?: Clock;
  /** Pending enqueue rows that trigger an immediate flush instead of waiting for the next tick. */
  groupCommitRows?: number;
  /** The page cache's ceiling in MiB (default 16). */
  cacheMiB?: number;
  /** Sizes of the dedup key index's levels (sqlite/key-plan.ts); tests make them tiny. */
  keyLevels?: Partial<KeyLevelTuning>;
}

export interface SqliteStore extends OutboxStore {
  readonly path: string;
  /** The settings the connection runs with, as SQLite reports them (for `capi doctor` and tests). */
  durabilitySettings(): ReturnType<typeof readDurability>;
  /** Group commit counters since open. */
  writeStats(): GroupCommitStats;
  /** Writes batches that are already grouped, in one transaction, now (see SqliteWriter.writeRowsNow). */
  enqueueRowsNow(batches: IngestRows[]): Array<EnqueueStatus[] | Error>;
  /** `claim`, with fresh events still as rows (see leased.ts): what the store thread posts. */
  claimLeased(request: ClaimRequest): Promise<Leased | null>;
  /** A PASSIVE checkpoint on this connection, now (see sqlite-thread/checkpointer.ts). */
  checkpoint(): WalCheckpoint;
  /** The WAL size, in pages, at which a commit on this connection checkpoints by itself. */
  setAutoCheckpoint(pages: number): void;
  /** The dedup key index's levels (sqlite/key-levels.ts). */
  keyIndexStats(): KeyIndexStats;
  /** Runs the key index's pending merge work now, instead of between other work. */
  settleKeyIndex(): void;
}

/** Row count at which a pending group is written without waiting for the next tick. */
const DEFAULT_GROUP_COMMIT_ROWS = 20_000;

/**
 * The single-process store: one better-sqlite3 connection, WAL, every write through it. Calls are
 * synchronous, so no two methods interleave; each still runs in a transaction so it is one commit
 * (one fsync in strict mode) and keeps `state_counts` in step with the rows it moves.
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { path } = options;
  const durability = options.durability ?? 'normal';
  const clock = options.clock ?? systemClock;
  const dedupWindowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;

  mkdirSync(dirname(path), { recursive: true });
  const lock = acquireStoreLock(path);
  let db: Database.Database;
  try {
    db = new Database(path);
    applyPragmas(db, durability, options.cacheMiB);
  } catch (err) {
    lock.release();
    throw err;
  }

  let statements: SqliteStatements | null = null;
  let chunkStatements: ChunkStatements | null = null;
  let laneStatements: LaneStatements | null = null;
  let keyIndex: KeyIndex | null = null;
  const keyTuning: KeyLevelTuning = { ...DEFAULT_KEY_LEVELS, ...options.keyLevels };
  /**
   * Known (account, rule) queues and their lane numbers, account → rule → lane, mirrored from the
   * `queues` table: asked once per new event (so no key is built), and claims look only through these.
   */
  const laneNumbers = new Map<string, Map<string, number>>();
  function* knownQueues(): Iterable<[string, string]> {
    for (const [account, rules] of laneNumbers) for (const ruleId of rules.keys()) yield [account, ruleId];
  }
  const learnQueue = ([account, ruleId, lane]: NewQueue): void => {
    let rules = laneNumbers.get(account);
    if (!rules) {
      rules = new Map();
      laneNumbers.set(account, rules);
    }
    rules.set(ruleId, lane);
  };
  const dynamic = new Map<string, Database.Statement>();
  const newEvents = createNewEventCounts();
  /** Whether `dedup_keys` holds anything; re-read whenever purge or expireDedup changes it. */
  let archivedKeys = false;
  let closed = false;

  // SQLite is single-process and locked to us, so the schema can be brought up to date on first use.
  const ready = (): SqliteStatements => {
    if (closed) throw new StoreError('STORE_CLOSED', `The SQLite store ${path} is closed.`);
    if (statements) return statements;
    migrateSqlite(db);
    statements = prepareStatements(db);
    laneStatements = prepareLaneStatements(db);
    keyIndex = createKeyIndex(db, keyTuning);
    keyIndex.load();
    newEvents.load(statements, clock.now());
    archivedKeys = statements.anyArchivedKey.get() === 1;
    for (const queue of statements.queues.all() as NewQueue[]) learnQueue(queue);
    return statements;
  };
  const prepared = (sql: string): Database.Statement => {
    let statement = dynamic.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      dynamic.set(sql, statement);
    }
    return statement;
  };
  /** Runs `fn` as one IMMEDIATE transaction. */
  const write = <T>(fn: (s: SqliteStatements) => T): T => {
    const s = ready();
    return db.transaction(() => fn(s)).immediate();
  };

  const writer = createSqliteWriter({
    db,
    statements: ready,
    clock,
    dedupWindowMs,
    maxPendingRows: options.groupCommitRows ?? DEFAULT_GROUP_COMMIT_ROWS,
    knownLane: (account, ruleId) => laneNumbers.get(account)?.get(ruleId),
    archivedKeys: () => archivedKeys,
    chunks: () => {
      chunkStatements ??= prepareChunkStatements(db);
      return chunkStatements;
    },
    keys: () => {
      ready();
      return keyIndex!;
    },
    newEvents: () => newEvents,
    onQueues: (created) => {
      for (const queue of created) learnQueue(queue);
    },
  });
  const lanes = (): LaneStatements => {
    ready();
    return laneStatements!;
  };
  const claim = createClaim(db, lanes, knownQueues);

  /**
   * Settles the events of leased batches as a whole where it can (see lanes.ts) and hands the rest
   * (events with a state of their own) to `perRow`, in the same transaction.
   */
  const settle = (
    ids: string[],
    settlement: Settlement,
    perRow: (s: SqliteStatements, list: string, deltas: StateDeltas) => void,
  ): void => {
    if (ids.length === 0) return;
    write((s) => {
      const deltas = new StateDeltas();
      const rest = settleFresh(laneStatements!, ids, settlement, deltas);
      if (rest.length > 0) perRow(s, JSON.stringify(rest), deltas);
      deltas.apply(s);
    });
  };

  const takeBudget = (s: SqliteStatements, account: string, limits: BudgetLimits, now: number) => {
    const row = s.budgetRow.get(account) as [number, number, string, number] | undefined;
    const state = row
      ? { dayStart: row[0], dayCount: row[1], recent: JSON.parse(row[2]) as number[], pausedUntil: row[3] }
      : { dayStart: 0, dayCount: 0, recent: [], pausedUntil: 0 };
    const outcome = decideBudget(state, limits, now);
    if (outcome.decision.ok) {
      const next = outcome.state;
      s.saveBudget.run(account, next.dayStart, next.dayCount, JSON.stringify(next.recent));
    }
    return outcome.decision;
  };

  /**
   * Deletes these events and their payloads, keeping the dedup keys still inside their window
   * (purge never re-opens the door to a resend). Returns the deleted rows' stored states.
   */
  const deleteEvents = (s: SqliteStatements, seqs: number[]): OutboxState[] => {
    const list = JSON.stringify(seqs);
    const floor = s.dedupFloor.get() as number;
    if (s.archiveKeys.run(list, dedupThreshold(clock.now(), dedupWindowMs, floor)).changes > 0) {
      archivedKeys = true;
    }
    keyIndex!.forget(list);
    const states = s.deleteEvents.all(list) as OutboxState[];
    s.deletePayloads.run(list);
    return states;
  };

  /** Writes the counts of new events still in memory into `state_counts` (before rows are deleted). */
  const foldNewEvents = (): void => {
    write((s) => newEvents.writeFold(s, new StateDeltas(), 0));
    newEvents.folded(clock.now(), 0);
  };

  /** Chunked deletes, each chunk its own transaction, yielding to the event loop in between. */
  const inChunks = async (
    step: (s: SqliteStatements) => number,
    chunkRows = DELETE_CHUNK_ROWS,
  ): Promise<number> => {
    let total = 0;
    for (;;) {
      const removed = write(step);
      total += removed;
      if (removed < chunkRows) return total;
      await nextTick();
    }
  };

  return {
    path,
    capabilities: { multiInstance: false, skipLocked: false, releasesByLeaseToken: false },
    durabilitySettings: () => readDurability(db),
    writeStats: () => writer.stats(),
    checkpoint: () => walCheckpoint(db),
    setAutoCheckpoint: (pages) => setWalAutoCheckpoint(db, pages),
    keyIndexStats: () => {
      ready();
      return keyIndex!.stats();
    },
    settleKeyIndex: () => {
      ready();
      keyIndex!.settle();
    },

    async migrate() {
      ready();
    },

    enqueueRowsNow(batches) {
      ready();
      return writer.writeRowsNow(batches);
    },

    enqueue(events) {
      try {
        ready();
      } catch (err) {
        return Promise.reject(err);
      }
      return writer.submit(events);
    },

    async claim(request) {
      const leased = claim.immediate(ready(), request);
      return leased && claimedBatchOf(leased);
    },

    async claimLeased(request) {
      return claim.immediate(ready(), request);
    },

    async complete(ids, now) {
      settle(ids, { kind: 'complete', now }, (s, list, deltas) => {
        deltas.move('sending', 'delivered', s.complete.run(now, list).changes);
      });
    },

    async retryLater(ids, at, reason) {
      settle(ids, { kind: 'retry', at, reason }, (s, list, deltas) => {
        deltas.move('sending', 'retrying', s.retryLater.run(at, reason, list).changes);
      });
    },

    async kill(ids, reason, response, now) {
      settle(ids, { kind: 'kill', reason, response, now }, (s, list, deltas) => {
        for (const [state, n] of s.killableStates.all(list) as Array<[OutboxState, number]>) {
          deltas.move(state, 'dead', n);
        }
        s.kill.run(reason, response, now, list);
      });
    },

    async release(ids, now) {
      settle(ids, { kind: 'release', now }, (s, list, deltas) => {
        for (const state of s.release.all(now, list) as OutboxState[]) deltas.move('sending', state, 1);
      });
    },

    async releaseClaim() {
      // A claim runs on this connection and its answer comes back in this process: it cannot be
      // lost while the store lives (if the store thread fails, the process exits and leases lapse).
      ready();
      return 0;
    },

    async redrive(filter, now) {
      return write((s) => {
        const where = deadLetterWhere(filter);
        const picked = prepared(redrivePickSql(where.sql))
          .raw(true)
          .all(...where.params, filter.limit ?? -1) as Array<[number, number, string]>;
        const tail = picked.at(-1);
        if (tail === undefined) return { redriven: 0, last: null };
        const moved = prepared(REDRIVE_SEQS_SQL).run(now, JSON.stringify(picked.map((r) => r[0]))).changes;
        new StateDeltas().move('dead', 'queued', moved).apply(s);
        return { redriven: moved, last: { deadAt: tail[1], id: tail[2] } };
      });
    },

    async listDead(filter) {
      ready();
      const where = deadLetterWhere(filter);
      const rows = prepared(listDeadSql(where.sql))
        .raw(true)
        .all(...where.params, filter.limit ?? DEFAULT_DEAD_LIST_LIMIT) as RawEventRow[];
      return rows.map((r) => ({ ...eventFromRow(r), deadAt: r[18] as number }));
    },

    async summarizeDead(filter) {
      ready();
      const where = deadLetterWhere(filter);
      if (filter.limit !== undefined) {
        const keys = prepared(deadLetterKeysSql(where.sql))
          .raw(true)
          .all(...where.params, filter.limit) as Array<[string, string, string | null, number, string]>;
        const tail = keys.at(-1);
        return {
          groups: mergeDeadLetterGroups(keys.map(([a, rule, reason, at]) => groupOf(a, rule, reason, at))),
          last: tail ? { deadAt: tail[3], id: tail[4] } : null,
        };
      }
      const rows = prepared(summarizeDeadSql(where.sql))
        .raw(true)
        .all(...where.params) as Array<[string, string, string | null, number, number, number]>;
      const groups = rows.map(([account, ruleId, reason, count, newestAt, oldestAt]) => ({
        account,
        ruleId,
        reason,
        count,
        newestAt,
        oldestAt,
      }));
      return { groups, last: null };
    },

    async findByEventId(eventId) {
      // For the event, the levels on disk and the newest events (see the statement).
      return (ready().byEventId.all(eventId, eventId, eventId) as RawEventRow[]).map(eventFromRow);
    },

    async appendAudit(entry) {
      write((s) => {
        const params = auditParams(entry);
        const seq = s.insertAudit.run(params).lastInsertRowid;
        // The ids as the row stores them: 5,000 of them are not stringified twice.
        s.linkAudit.run(seq, params[AUDIT_EVENT_IDS_PARAM]);
      });
    },

    async auditForEvent(id, limit = DEFAULT_AUDIT_LIMIT) {
      return (ready().auditForEvent.all(id, limit) as RawAuditRow[]).map(auditFromRow);
    },

    async ping() {
      ready();
      db.prepare('SELECT 1').pluck().get();
    },

    async stats() {
      const s = ready();
      return db.transaction(() => {
        const byState = emptyStateCounts();
        for (const [state, n] of s.stateCounts.all() as Array<[OutboxState, number]>) byState[state] = n;
        for (const [state, n] of newEvents.pending()) byState[state] += n;
        const deadByReason: Record<string, number> = {};
        for (const [reason, n] of s.deadByReason.all() as Array<[string, number]>) deadByReason[reason] = n;
        const oldestQueuedAt = oldestDueAt(laneStatements!, s.oldestDue.get() as number | null);
        return { byState, oldestQueuedAt, deadByReason };
      })();
    },

    async purge(before) {
      // A deleted row cannot be counted again at open: its first state must be in the table first.
      foldNewEvents();
      const events = await inChunks((s) => {
        const deltas = new StateDeltas();
        const states = deleteEvents(s, s.purgeChunk.all(before, DELETE_CHUNK_ROWS) as number[]);
        for (const state of states) deltas.add(state, -1);
        deltas.apply(s);
        return states.length;
      });
      // Delivered batches, one per transaction: their events stayed fresh, so events_final has none.
      let batches = 0;
      for (;;) {
        const removed = write((s) => {
          const next = nextDeliveredBatch(laneStatements!, before);
          if (!next) return -1;
          // Their rows still say 'fresh'; all of them were delivered with the batch.
          const n = deleteEvents(s, next.seqs).length;
          laneStatements!.deleteBatch.run(next.batch);
          new StateDeltas().add('delivered', -n).apply(s);
          return n;
        });
        if (removed < 0) break;
        batches += removed;
        await nextTick();
      }
      const audit = await inChunks((s) => {
        const seqs = JSON.stringify(s.oldAudit.all(before, AUDIT_DELETE_CHUNK_ROWS));
        s.unlinkAudit.run(seqs);
        return s.deleteAudit.run(seqs).changes;
      }, AUDIT_DELETE_CHUNK_ROWS);
      return { events: events + batches, audit };
    },

    async expireDedup(before) {
      // Raising the floor forgets every key seen before it at once; the count is what crossed it.
      const forgotten = write((s) => {
        const floor = s.dedupFloor.get() as number;
        if (before <= floor) return 0;
        s.setDedupFloor.run(before);
        return countSeenBetween(s, floor, before) + s.expireArchivedKeys.run(before).changes;
      });
      // Only after the commit may the probe of `dedup_keys` be skipped again.
      archivedKeys = ready().anyArchivedKey.get() === 1;
      return forgotten;
    },

    async takeBudget(account, limits, now) {
      return write((s) => takeBudget(s, account, limits, now));
    },

    async pauseAccount(account, until, reason) {
      ready().pause.run(account, until, reason);
    },

    async pausedAccounts(now) {
      const rows = ready().paused.all(now) as Array<[string, number, string]>;
      return rows.map(([account, until, reason]) => ({ account, until, reason }));
    },

    async beginIdempotent(start) {
      return write((s) => {
        const raw = s.idempotencyRow.get(start.source, start.key) as
          | [string, number, number | null, string | null]
          | undefined;
        const row = raw ? { fingerprint: raw[0], createdAt: raw[1], status: raw[2], body: raw[3] } : null;
        const { begin, claim } = decideIdempotency(row, start);
        if (claim) s.claimIdempotency.run(start.source, start.key, start.fingerprint, start.now);
        return begin;
      });
    },

    async finishIdempotent(source, key, answer) {
      const s = ready();
      if (answer === null) s.releaseIdempotency.run(source, key);
      else s.answerIdempotency.run(answer.status, answer.body, source, key);
    },

    async expireIdempotency(before) {
      return ready().expireIdempotency.run(before).changes;
    },

    async close() {
      if (closed) return;
      await writer.drain();
      try {
        if (statements) foldNewEvents();
      } catch {
        // Counted again from the rows at the next open.
      }
      closed = true;
      keyIndex?.stop();
      dynamic.clear();
      db.close();
      lock.release();
    },
  };
}
