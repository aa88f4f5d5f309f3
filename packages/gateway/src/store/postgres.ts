import { groupOf, mergeDeadLetterGroups } from '../domain/dead-letter-groups.js';
import { decideIdempotency } from '../domain/idempotency.js';
import {
  type BudgetDecision,
  type ClaimedBatch,
  type Clock,
  type OutboxState,
  type OutboxStats,
  type OutboxStore,
  systemClock,
} from '../ports.js';
import { decideBudget } from './budget.js';
import { StoreError } from './errors.js';
import type { GroupCommitStats } from './group-commit.js';
import {
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_DEAD_LIST_LIMIT,
  DEFAULT_DEDUP_WINDOW_MS,
  DELETE_CHUNK_ROWS,
  emptyStateCounts,
} from './policy.js';
import { claimPostgres } from './postgres/claim.js';
import { createPostgresWriter } from './postgres/enqueue.js';
import { migratePostgres } from './postgres/migrate.js';
import { createPool, inTransaction, runStatement } from './postgres/pool.js';
import { type AuditRow, auditFromRow, auditParams, type EventRow, eventFromRow } from './postgres/rows.js';
import * as sql from './postgres/statements.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created by `migrate`); the server's default search_path when omitted. */
  schema?: string;
  poolSize?: number;
  /** Give up on opening a connection after this long (default 5 s; postgres/pool.ts says why). */
  connectTimeoutMs?: number;
  /** Give up on any one query after this long (default 15 s). */
  queryTimeoutMs?: number;
  dedupWindowMs?: number;
  clock?: Clock;
}

export interface PostgresStore extends OutboxStore {
  readonly schema: string | undefined;
  /** Group commit counters since open. */
  writeStats(): GroupCommitStats;
}

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
  let closed = false;

  const open = () => {
    if (closed) throw new StoreError('STORE_CLOSED', 'The PostgreSQL store is closed.');
  };
  const writer = createPostgresWriter({ pool, clock, dedupWindowMs, poolSize: options.poolSize ?? 10 });

  const deleteInChunks = async (statement: sql.Statement, before: number): Promise<number> => {
    let total = 0;
    for (;;) {
      const { rowCount } = await runStatement(pool, statement, [before, DELETE_CHUNK_ROWS]);
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < DELETE_CHUNK_ROWS) return total;
    }
  };

  return {
    schema: options.schema,
    writeStats: () => writer.stats(),
    capabilities: { multiInstance: true, skipLocked: true, releasesByLeaseToken: true },

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
      return claimPostgres(pool, request);
    },

    async complete(ids, now) {
      open();
      if (ids.length > 0) await runStatement(pool, sql.complete, [ids, now]);
    },

    async retryLater(ids, at, reason) {
      open();
      if (ids.length > 0) await runStatement(pool, sql.retryLater, [ids, at, reason]);
    },

    async kill(ids, reason, response, now) {
      open();
      if (ids.length > 0) await runStatement(pool, sql.kill, [ids, reason, response, now]);
    },

    async release(ids, now) {
      open();
      if (ids.length > 0) await runStatement(pool, sql.release, [ids, now]);
    },

    async releaseClaim(leaseToken, now) {
      open();
      const result = await runStatement(pool, sql.releaseClaim, [leaseToken, now]);
      return result.rowCount ?? 0;
    },

    async redrive(filter, now) {
      open();
      const where = sql.deadLetterWhere(filter, 3);
      const { rows } = await pool.query<{ n: string; dead_at: string | number; id: string }>(
        sql.redriveSql(where.sql),
        [filter.limit ?? null, now, ...where.params],
      );
      let tail: (typeof rows)[number] | undefined;
      for (const r of rows) if (tail === undefined || Number(r.n) > Number(tail.n)) tail = r;
      return { redriven: rows.length, last: tail ? { deadAt: Number(tail.dead_at), id: tail.id } : null };
    },

    async listDead(filter) {
      open();
      const where = sql.deadLetterWhere(filter, 2);
      const { rows } = await pool.query<EventRow & { dead_at: number }>(sql.listDeadSql(where.sql), [
        filter.limit ?? DEFAULT_DEAD_LIST_LIMIT,
        ...where.params,
      ]);
      return rows.map((r) => ({ ...eventFromRow(r), deadAt: r.dead_at }));
    },

    async summarizeDead(filter) {
      open();
      if (filter.limit !== undefined) {
        const page = sql.deadLetterWhere(filter, 2);
        const keys = await pool.query<{
          account: string;
          rule_id: string;
          last_reason: string | null;
          dead_at: string | number;
          id: string;
        }>(sql.deadLetterKeysSql(page.sql), [filter.limit, ...page.params]);
        const tail = keys.rows.at(-1);
        return {
          groups: mergeDeadLetterGroups(
            keys.rows.map((r) => groupOf(r.account, r.rule_id, r.last_reason, Number(r.dead_at))),
          ),
          last: tail ? { deadAt: Number(tail.dead_at), id: tail.id } : null,
        };
      }
      const where = sql.deadLetterWhere(filter, 1);
      const { rows } = await pool.query<{
        account: string;
        rule_id: string;
        last_reason: string | null;
        n: number;
        newest_at: number;
        oldest_at: number;
      }>(sql.summarizeDeadSql(where.sql), where.params);
      const groups = rows.map((r) => ({
        account: r.account,
        ruleId: r.rule_id,
        reason: r.last_reason,
        count: r.n,
        newestAt: Number(r.newest_at),
        oldestAt: Number(r.oldest_at),
      }));
      return { groups, last: null };
    },

    async findByEventId(eventId) {
      open();
      const { rows } = await runStatement<EventRow>(pool, sql.byEventId, [eventId]);
      return rows.map(eventFromRow);
    },

    async appendAudit(entry) {
      open();
      await runStatement(pool, sql.appendAudit, auditParams(entry));
    },

    async auditForEvent(id, limit = DEFAULT_AUDIT_LIMIT) {
      open();
      const { rows } = await runStatement<AuditRow>(pool, sql.auditForEvent, [id, limit]);
      return rows.map(auditFromRow);
    },

    async ping() {
      if (closed) throw new StoreError('STORE_CLOSED', 'The PostgreSQL store is closed.');
      await pool.query('SELECT 1');
    },

    async stats(): Promise<OutboxStats> {
      open();
      // One snapshot for all three reads, so the numbers agree with each other.
      return inTransaction(pool, async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const byState = emptyStateCounts();
        const counts = await runStatement<{ state: OutboxState; n: number }>(client, sql.countByState, []);
        for (const { state, n } of counts.rows) byState[state] = n;
        const oldest = await runStatement<{ oldest: number | null }>(client, sql.oldestDue, []);
        const dead = await runStatement<{ reason: string; n: number }>(client, sql.deadByReason, []);
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
        const { rows } = await runStatement<{
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
          await runStatement(client, sql.saveBudget, [account, next.dayStart, next.dayCount, next.recent]);
        }
        return outcome.decision;
      });
    },

    async pauseAccount(account, until, reason) {
      open();
      await runStatement(pool, sql.pause, [account, until, reason]);
    },

    async pausedAccounts(now) {
      open();
      const { rows } = await runStatement<{ account: string; until: number; reason: string }>(
        pool,
        sql.paused,
        [now],
      );
      return rows.map((r) => ({ account: r.account, until: r.until, reason: r.reason }));
    },

    async beginIdempotent(start) {
      open();
      const { source, key, fingerprint, now } = start;
      return inTransaction(pool, async (client) => {
        // The row exists, or this insert makes it; a row deleted (expired) between the two
        // statements is tried again, and a caller that keeps losing that race is told to retry.
        for (let round = 0; round < 3; round += 1) {
          const taken = await runStatement(client, sql.takeIdempotency, [source, key, fingerprint, now]);
          if (taken.rowCount === 1) return { kind: 'new' } as const;
          const { rows } = await runStatement<{
            fingerprint: string;
            created_at: number;
            status: number | null;
            body: string | null;
          }>(client, sql.lockIdempotency, [source, key]);
          const r = rows[0];
          if (!r) continue;
          const row = {
            fingerprint: r.fingerprint,
            createdAt: Number(r.created_at),
            status: r.status,
            body: r.body,
          };
          const { begin, claim } = decideIdempotency(row, start);
          if (claim) await runStatement(client, sql.claimIdempotency, [source, key, fingerprint, now]);
          return begin;
        }
        return { kind: 'pending' } as const;
      });
    },

    async finishIdempotent(source, key, answer) {
      open();
      if (answer === null) await runStatement(pool, sql.releaseIdempotency, [source, key]);
      else await runStatement(pool, sql.answerIdempotency, [source, key, answer.status, answer.body]);
    },

    async expireIdempotency(before) {
      open();
      return (await runStatement(pool, sql.expireIdempotency, [before])).rowCount ?? 0;
    },

    async close() {
      if (closed) return;
      await writer.drain();
      closed = true;
      await pool.end();
    },
  };
}
