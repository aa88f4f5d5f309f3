import {
  type BudgetDecision,
  type ClaimedBatch,
  type ClaimRequest,
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
import { migratePostgres } from './postgres/migrate.js';
import { createPool, inTransaction, type Pool, type PoolClient, sqlState } from './postgres/pool.js';
import { type AuditRow, auditFromRow, auditParams, type EventRow, eventFromRow } from './postgres/rows.js';
import * as sql from './postgres/statements.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created by `migrate`); the server's default search_path when omitted. */
  schema?: string;
  poolSize?: number;
  dedupWindowMs?: number;
  clock?: Clock;
}

export interface PostgresStore extends OutboxStore {
  readonly schema: string | undefined;
  /** Group commit counters since open. */
  writeStats(): GroupCommitStats;
}

/** Rows per enqueue statement: big enough to amortise the round trip, small enough to bound memory. */
const ENQUEUE_CHUNK_ROWS = 5_000;
/** A claim whose queue was emptied by another instance meanwhile tries the next oldest queue. */
const CLAIM_ATTEMPTS = 4;
const DEADLOCK = '40P01';

type Queryable = Pool | PoolClient;

/**
 * The multi-instance store. Correctness across instances rests on PostgreSQL alone: dedup on a
 * unique key with ON CONFLICT, claims with FOR UPDATE SKIP LOCKED and leases, budgets and pauses
 * under row locks. Nothing is cached that another instance could change, except the set of queues
 * this instance has already registered (queues are never deleted).
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const clock = options.clock ?? systemClock;
  const dedupWindowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  const pool = await createPool(options);
  // An idle connection that drops (server restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  const knownQueues = new Set<string>();
  let closed = false;

  const open = () => {
    if (closed) throw new StoreError('STORE_CLOSED', 'The PostgreSQL store is closed.');
  };
  const run = <R extends object = Record<string, unknown>>(
    db: Queryable,
    statement: sql.Statement,
    values: unknown[],
  ) => db.query<R>({ name: statement.name, text: statement.text, values });

  /** Writes one group (every batch of a flush) in one transaction; first copy of a key wins. */
  const writeGroup = async (batches: NewOutboxEvent[][]): Promise<EnqueueStatus[][]> => {
    const now = clock.now();
    const statuses = batches.map((b) => new Array<EnqueueStatus>(b.length).fill('duplicate'));
    const firstOfKey = new Map<string, NewOutboxEvent>();
    for (const batch of batches) {
      for (const e of batch) {
        const key = `${e.ruleId}\u0000${e.eventId}`;
        if (!firstOfKey.has(key)) firstOfKey.set(key, e);
      }
    }
    const candidates = [...firstOfKey.values()];
    const newQueues = new Map<string, [string, string]>();
    for (const e of candidates) {
      const key = `${e.account}\u0000${e.ruleId}`;
      if (!knownQueues.has(key)) newQueues.set(key, [e.account, e.ruleId]);
    }
    const insertChunk = async (db: Queryable, chunk: NewOutboxEvent[], withQueues: boolean) => {
      const queues = withQueues ? [...newQueues.values()] : [];
      const { rows } = await run<{ id: string }>(db, sql.enqueue, [
        chunk.map((e) => e.id),
        chunk.map((e) => e.account),
        chunk.map((e) => e.ruleId),
        chunk.map((e) => e.eventId),
        chunk.map((e) => e.source),
        chunk.map((e) => e.payload),
        chunk.map((e) => e.happenedAt),
        chunk.map((e) => e.receivedAt),
        chunk.map((e) => e.state),
        chunk.map((e) => e.identifierTypes.join(',')),
        chunk.map((e) => e.consent),
        chunk.map((e) => e.context),
        now,
        now - dedupWindowMs,
        queues.map((q) => q[0]),
        queues.map((q) => q[1]),
      ]);
      return rows.map((r) => r.id);
    };
    let inserted: string[];
    if (candidates.length <= ENQUEUE_CHUNK_ROWS) {
      // One statement is its own transaction: no BEGIN/COMMIT round trips.
      inserted = await insertChunk(pool, candidates, true);
    } else {
      inserted = await inTransaction(pool, async (client) => {
        const ids: string[] = [];
        for (let i = 0; i < candidates.length; i += ENQUEUE_CHUNK_ROWS) {
          ids.push(...(await insertChunk(client, candidates.slice(i, i + ENQUEUE_CHUNK_ROWS), i === 0)));
        }
        return ids;
      });
    }
    for (const key of newQueues.keys()) knownQueues.add(key);
    const insertedIds = new Set(inserted);
    batches.forEach((batch, b) => {
      batch.forEach((e, i) => {
        if (insertedIds.has(e.id)) statuses[b]![i] = 'inserted';
      });
    });
    return statuses;
  };

  /** Overlapping keys from two instances can deadlock across chunks; PostgreSQL aborts one, we retry it. */
  const writeWithRetry = async (batches: NewOutboxEvent[][]): Promise<EnqueueStatus[][]> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await writeGroup(batches);
      } catch (err) {
        if (sqlState(err) !== DEADLOCK || attempt >= 3) throw err;
      }
    }
  };

  const writer = createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: ENQUEUE_CHUNK_ROWS,
    maxInFlight: Math.max(1, Math.min(4, (options.poolSize ?? 10) - 2)),
    write: async (batches) => {
      try {
        return await writeWithRetry(batches);
      } catch (err) {
        if (batches.length === 1) return [asError(err)];
        // Isolate the failing batch: write each alone so the others still commit.
        return Promise.all(
          batches.map((b) =>
            writeWithRetry([b]).then(
              (r) => r[0] ?? [],
              (e: unknown) => asError(e),
            ),
          ),
        );
      }
    },
  });

  const claimOnce = async (request: ClaimRequest, skip: Array<[string, string]>) => {
    const { rows: heads } = await run<{ account: string; rule_id: string }>(pool, sql.pickQueue, [
      request.now,
      request.excludeAccounts ?? [],
      request.account ?? null,
      skip.map((q) => q[0]),
      skip.map((q) => q[1]),
    ]);
    const head = heads[0];
    if (!head) return { head: null, events: [] };
    const { rows } = await run<EventRow & { seq: number }>(pool, sql.claimQueue, [
      head.account,
      head.rule_id,
      request.now,
      request.limit,
      request.now + request.leaseMs,
    ]);
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq);
    return { head, events: rows.map(eventFromRow) };
  };

  const deleteInChunks = async (statement: sql.Statement, before: number): Promise<number> => {
    let total = 0;
    for (;;) {
      const { rowCount } = await run(pool, statement, [before, DELETE_CHUNK_ROWS]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < DELETE_CHUNK_ROWS) return total;
    }
  };

  return {
    schema: options.schema,
    writeStats: () => writer.stats(),
    capabilities: { multiInstance: true, skipLocked: true },

    async migrate() {
      open();
      await migratePostgres(pool, options.schema);
    },

    enqueue(events) {
      if (closed) return Promise.reject(new StoreError('STORE_CLOSED', 'The PostgreSQL store is closed.'));
      return writer.submit(events);
    },

    async claim(request): Promise<ClaimedBatch | null> {
      open();
      await run(pool, sql.reclaimExpired, [request.now]);
      if (request.limit <= 0) return null;
      const skip: Array<[string, string]> = [];
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
        const { head, events } = await claimOnce(request, skip);
        if (!head) return null;
        if (events.length > 0) return { account: head.account, ruleId: head.rule_id, events };
        skip.push([head.account, head.rule_id]);
      }
      return null;
    },

    async complete(ids, now) {
      open();
      if (ids.length > 0) await run(pool, sql.complete, [ids, now]);
    },

    async retryLater(ids, at, reason) {
      open();
      if (ids.length > 0) await run(pool, sql.retryLater, [ids, at, reason]);
    },

    async kill(ids, reason, response, now) {
      open();
      if (ids.length > 0) await run(pool, sql.kill, [ids, reason, response, now]);
    },

    async release(ids, now) {
      open();
      if (ids.length > 0) await run(pool, sql.release, [ids, now]);
    },

    async redrive(filter, now) {
      open();
      const where = sql.deadLetterWhere(filter, 3);
      const result = await pool.query(sql.redriveSql(where.sql), [
        filter.limit ?? null,
        now,
        ...where.params,
      ]);
      return result.rowCount ?? 0;
    },

    async listDead(filter) {
      open();
      const where = sql.deadLetterWhere(filter, 2);
      const { rows } = await pool.query<EventRow>(sql.listDeadSql(where.sql), [
        filter.limit ?? DEFAULT_DEAD_LIST_LIMIT,
        ...where.params,
      ]);
      return rows.map(eventFromRow);
    },

    async findByEventId(eventId) {
      open();
      const { rows } = await run<EventRow>(pool, sql.byEventId, [eventId]);
      return rows.map(eventFromRow);
    },

    async appendAudit(entry) {
      open();
      await run(pool, sql.appendAudit, auditParams(entry));
    },

    async auditForEvent(id, limit = DEFAULT_AUDIT_LIMIT) {
      open();
      const { rows } = await run<AuditRow>(pool, sql.auditForEvent, [id, limit]);
      return rows.map(auditFromRow);
    },

    async stats(): Promise<OutboxStats> {
      open();
      // One snapshot for all three reads, so the numbers agree with each other.
      return inTransaction(pool, async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const byState: Record<OutboxState, number> = {
          queued: 0,
          sending: 0,
          retrying: 0,
          delivered: 0,
          dead: 0,
          suppressed: 0,
        };
        const counts = await run<{ state: OutboxState; n: number }>(client, sql.countByState, []);
        for (const { state, n } of counts.rows) byState[state] = n;
        const oldest = await run<{ oldest: number | null }>(client, sql.oldestDue, []);
        const dead = await run<{ reason: string; n: number }>(client, sql.deadByReason, []);
        const deadByReason: Record<string, number> = {};
        for (const { reason, n } of dead.rows) deadByReason[reason] = n;
        return { byState, oldestQueuedAt: oldest.rows[0]?.oldest ?? null, deadByReason };
      });
    },

    async purge(before) {
      open();
      const events = await deleteInChunks(sql.purgeEvents, before);
      const audit = await deleteInChunks(sql.purgeAudit, before);
      return { events, audit };
    },

    async expireDedup(before) {
      open();
      return deleteInChunks(sql.expireDedup, before);
    },

    async takeBudget(account, limits, now): Promise<BudgetDecision> {
      open();
      return inTransaction(pool, async (client) => {
        const { rows } = await run<{
          day_start: number;
          day_count: number;
          recent: number[];
          paused_until: number;
        }>(client, sql.lockBudget, [account]);
        const row = rows[0]!;
        const outcome = decideBudget(
          {
            dayStart: row.day_start,
            dayCount: row.day_count,
            recent: row.recent,
            pausedUntil: row.paused_until,
          },
          limits,
          now,
        );
        if (outcome.decision.ok) {
          const next = outcome.state;
          await run(client, sql.saveBudget, [account, next.dayStart, next.dayCount, next.recent]);
        }
        return outcome.decision;
      });
    },

    async pauseAccount(account, until, reason) {
      open();
      await run(pool, sql.pause, [account, until, reason]);
    },

    async pausedAccounts(now) {
      open();
      const { rows } = await run<{ account: string; until: number; reason: string }>(pool, sql.paused, [now]);
      return rows.map((r) => ({ account: r.account, until: r.until, reason: r.reason }));
    },

    async close() {
      if (closed) return;
      await writer.drain();
      closed = true;
      await pool.end();
    },
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
