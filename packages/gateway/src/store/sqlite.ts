import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import Database from 'better-sqlite3';
import {
  type BudgetDecision,
  type ClaimedBatch,
  type Clock,
  type EnqueueStatus,
  type NewOutboxEvent,
  type OutboxState,
  type OutboxStats,
  type OutboxStore,
  systemClock,
} from '../ports.js';
import { decideBudget } from './budget.js';
import { StoreError } from './errors.js';
import { createGroupCommit, type GroupCommitStats } from './group-commit.js';
import {
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_DEAD_LIST_LIMIT,
  DEFAULT_DEDUP_WINDOW_MS,
  DELETE_CHUNK_ROWS,
} from './policy.js';
import { acquireStoreLock } from './sqlite/lock.js';
import { migrateSqlite } from './sqlite/migrate.js';
import { applyPragmas, type Durability, readDurability } from './sqlite/pragmas.js';
import {
  auditFromRow,
  auditParams,
  consentValue,
  eventFromRow,
  identifierTypesText,
  type RawAuditRow,
  type RawEventRow,
} from './sqlite/rows.js';
import {
  deadLetterWhere,
  listDeadSql,
  prepareStatements,
  redriveSql,
  type SqliteStatements,
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
}

export interface SqliteStore extends OutboxStore {
  readonly path: string;
  /** The settings the connection runs with, as SQLite reports them (for `capi doctor` and tests). */
  durabilitySettings(): { journalMode: string; synchronous: number };
  /** Group commit counters since open. */
  writeStats(): GroupCommitStats;
}

/** Row count at which a pending group is written without waiting for the next tick. */
const DEFAULT_GROUP_COMMIT_ROWS = 20_000;

/**
 * The single-process store: one better-sqlite3 connection, WAL, all writes funnelled through it.
 * better-sqlite3 is synchronous, so every method below runs to completion without interleaving;
 * transactions are still used so each method is one commit (one fsync in strict mode).
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
    applyPragmas(db, durability);
  } catch (err) {
    lock.release();
    throw err;
  }

  let statements: SqliteStatements | null = null;
  /** Known (account, rule) queues, mirrored from the `queues` table; claims look only through these. */
  const queues = new Map<string, [string, string]>();
  const dynamic = new Map<string, Database.Statement>();
  let closed = false;

  // SQLite is single-process and locked to us, so the schema can be brought up to date on first use.
  const ready = (): SqliteStatements => {
    if (closed) throw new StoreError('STORE_CLOSED', `The SQLite store ${path} is closed.`);
    if (statements) return statements;
    migrateSqlite(db);
    statements = prepareStatements(db);
    for (const [account, ruleId] of statements.queues.all() as Array<[string, string]>) {
      queues.set(queueKey(account, ruleId), [account, ruleId]);
    }
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

  /** One caller's batch, inside its own savepoint so a failure rolls back only this batch. */
  const saveBatch = db.transaction(
    (s: SqliteStatements, batch: NewOutboxEvent[], now: number, fresh: Map<string, [string, string]>) => {
      const cutoff = now - dedupWindowMs;
      const statuses: EnqueueStatus[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i += 1) {
        const e = batch[i]!;
        if (s.dedup.run(e.ruleId, e.eventId, now, cutoff).changes === 0) {
          statuses[i] = 'duplicate';
          continue;
        }
        s.insertEvent.run(
          e.id,
          e.account,
          e.ruleId,
          e.eventId,
          e.source,
          e.payload,
          e.happenedAt,
          e.receivedAt,
          e.state,
          e.receivedAt,
          identifierTypesText(e.identifierTypes),
          consentValue(e.consent),
          e.context,
        );
        statuses[i] = 'inserted';
        const key = queueKey(e.account, e.ruleId);
        if (!queues.has(key) && !fresh.has(key)) {
          s.insertQueue.run(e.account, e.ruleId);
          fresh.set(key, [e.account, e.ruleId]);
        }
      }
      return statuses;
    },
  );

  const writer = createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: options.groupCommitRows ?? DEFAULT_GROUP_COMMIT_ROWS,
    maxInFlight: 1,
    write: (batches) => {
      const s = ready();
      const now = clock.now();
      const added = new Map<string, [string, string]>();
      const flush = db.transaction(() =>
        batches.map((batch) => {
          const fresh = new Map<string, [string, string]>();
          try {
            const statuses = saveBatch(s, batch, now, fresh);
            for (const [key, queue] of fresh) added.set(key, queue);
            return statuses;
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      );
      const results = flush.immediate();
      // Only after the commit: a rolled-back batch must not leave a queue the table does not have.
      for (const [key, queue] of added) queues.set(key, queue);
      return results;
    },
  });

  const claimTx = db.transaction((s: SqliteStatements, request: Parameters<OutboxStore['claim']>[0]) => {
    const { now, limit } = request;
    s.reclaimExpired.run(now);
    if (limit <= 0) return null;
    const excluded = new Set(request.excludeAccounts ?? []);
    const candidates: Array<[string, string]> = [];
    for (const queue of queues.values()) {
      if (excluded.has(queue[0]) || (request.account !== undefined && queue[0] !== request.account)) continue;
      candidates.push(queue);
    }
    if (candidates.length === 0) return null;
    const head = s.pickQueue.raw(true).get(JSON.stringify(candidates), now) as [string, string] | undefined;
    if (!head) return null;
    const [account, ruleId] = head;
    const rows = s.dueInQueue.all(account, ruleId, now, limit) as RawEventRow[];
    const leaseUntil = now + request.leaseMs;
    s.lease.run(leaseUntil, JSON.stringify(rows.map((r) => r[18])));
    const events = rows.map((r) => {
      const event = eventFromRow(r);
      event.state = 'sending';
      event.leaseUntil = leaseUntil;
      return event;
    });
    return { account, ruleId, events } satisfies ClaimedBatch;
  });

  const budgetTx = db.transaction(
    (s: SqliteStatements, account: string, limits: { perMinute: number; perDay: number }, now: number) => {
      const row = s.budgetRow.get(account) as [number, number, string, number] | undefined;
      const state = row
        ? { dayStart: row[0], dayCount: row[1], recent: JSON.parse(row[2]) as number[], pausedUntil: row[3] }
        : { dayStart: 0, dayCount: 0, recent: [], pausedUntil: 0 };
      const outcome = decideBudget(state, limits, now);
      if (outcome.decision.ok) {
        const next = outcome.state;
        s.saveBudget.run(account, next.dayStart, next.dayCount, JSON.stringify(next.recent));
      }
      return outcome.decision as BudgetDecision;
    },
  );

  /** Runs a chunked delete until a chunk comes back short, yielding to the event loop in between. */
  const deleteInChunks = async (step: () => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const removed = db.transaction(step).immediate();
      total += removed;
      if (removed < DELETE_CHUNK_ROWS) return total;
      await nextTick();
    }
  };

  return {
    path,
    capabilities: { multiInstance: false, skipLocked: false },

    durabilitySettings: () => readDurability(db),
    writeStats: () => writer.stats(),

    async migrate() {
      ready();
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
      const s = ready();
      return claimTx.immediate(s, request);
    },

    async complete(ids, now) {
      if (ids.length > 0) ready().complete.run(now, JSON.stringify(ids));
    },

    async retryLater(ids, at, reason) {
      if (ids.length > 0) ready().retryLater.run(at, reason, JSON.stringify(ids));
    },

    async kill(ids, reason, response, now) {
      if (ids.length > 0) ready().kill.run(reason, response, now, JSON.stringify(ids));
    },

    async release(ids, now) {
      if (ids.length > 0) ready().release.run(now, JSON.stringify(ids));
    },

    async redrive(filter, now) {
      ready();
      const where = deadLetterWhere(filter);
      return prepared(redriveSql(where.sql)).run(now, ...where.params, filter.limit ?? -1).changes;
    },

    async listDead(filter) {
      ready();
      const where = deadLetterWhere(filter);
      const rows = prepared(listDeadSql(where.sql))
        .raw(true)
        .all(...where.params, filter.limit ?? DEFAULT_DEAD_LIST_LIMIT) as RawEventRow[];
      return rows.map(eventFromRow);
    },

    async findByEventId(eventId) {
      return (ready().byEventId.all(eventId) as RawEventRow[]).map(eventFromRow);
    },

    async appendAudit(entry) {
      const s = ready();
      db.transaction(() => {
        const seq = s.insertAudit.run(...auditParams(entry)).lastInsertRowid;
        s.linkAudit.run(seq, JSON.stringify(entry.eventIds));
      }).immediate();
    },

    async auditForEvent(id, limit = DEFAULT_AUDIT_LIMIT) {
      return (ready().auditForEvent.all(id, limit) as RawAuditRow[]).map(auditFromRow);
    },

    async stats(): Promise<OutboxStats> {
      const s = ready();
      return db.transaction(() => {
        const byState: Record<OutboxState, number> = {
          queued: 0,
          sending: 0,
          retrying: 0,
          delivered: 0,
          dead: 0,
          suppressed: 0,
        };
        for (const [state, count] of s.countByState.all() as Array<[OutboxState, number]>)
          byState[state] = count;
        const deadByReason: Record<string, number> = {};
        for (const [reason, count] of s.deadByReason.all() as Array<[string, number]>)
          deadByReason[reason] = count;
        const oldestQueuedAt = (s.oldestDue.get() as number | null) ?? null;
        return { byState, oldestQueuedAt, deadByReason };
      })();
    },

    async purge(before) {
      const s = ready();
      const events = await deleteInChunks(() => s.purgeEvents.run(before, DELETE_CHUNK_ROWS).changes);
      const audit = await deleteInChunks(() => {
        const seqs = JSON.stringify(s.oldAudit.all(before, DELETE_CHUNK_ROWS));
        s.unlinkAudit.run(seqs);
        return s.deleteAudit.run(seqs).changes;
      });
      return { events, audit };
    },

    async expireDedup(before) {
      const s = ready();
      return deleteInChunks(() => s.expireDedup.run(before, DELETE_CHUNK_ROWS).changes);
    },

    async takeBudget(account, limits, now) {
      return budgetTx.immediate(ready(), account, limits, now);
    },

    async pauseAccount(account, until, reason) {
      ready().pause.run(account, until, reason);
    },

    async pausedAccounts(now) {
      const rows = ready().paused.all(now) as Array<[string, number, string]>;
      return rows.map(([account, until, reason]) => ({ account, until, reason }));
    },

    async close() {
      if (closed) return;
      await writer.drain();
      closed = true;
      dynamic.clear();
      db.close();
      lock.release();
    },
  };
}

function queueKey(account: string, ruleId: string): string {
  return `${account}\u0000${ruleId}`;
}
