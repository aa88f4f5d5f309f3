import type { Clock, EnqueueStatus, NewOutboxEvent } from '../../ports.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import { inTransaction, type Pool, type Queryable, runStatement, sqlState } from './pool.js';
import * as sql from './statements.js';

/**
 * The PostgreSQL ingest path: group commit over the pool. A group of up to 5,000 rows is one
 * statement (its own transaction, one round trip); bigger groups are chunked inside one transaction.
 * Within a group the first copy of a key wins before the database is asked, because one statement
 * may not upsert the same key twice.
 */
export interface PostgresWriterOptions {
  pool: Pool;
  clock: Clock;
  dedupWindowMs: number;
  poolSize: number;
}

/** Rows per enqueue statement: big enough to amortise the round trip, small enough to bound memory. */
const ENQUEUE_CHUNK_ROWS = 5_000;
const DEADLOCK = '40P01';

export function createPostgresWriter(
  options: PostgresWriterOptions,
): GroupCommit<NewOutboxEvent, EnqueueStatus> {
  const { pool, clock, dedupWindowMs } = options;
  /** Queues this instance has registered; queues are never deleted, so the cache cannot go stale. */
  const knownQueues = new Set<string>();

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
      const { rows } = await runStatement<{ id: string }>(db, sql.enqueue, [
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

  return createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: ENQUEUE_CHUNK_ROWS,
    maxInFlight: Math.max(1, Math.min(4, options.poolSize - 2)),
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
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
