import type Database from 'better-sqlite3';
import type { Clock, EnqueueStatus, NewOutboxEvent } from '../../ports.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import { StateDeltas } from './counters.js';
import { consentValue, identifierTypesText } from './rows.js';
import type { SqliteStatements } from './statements.js';

/**
 * The SQLite ingest path: group commit over one connection. A flush is one IMMEDIATE transaction;
 * each caller's batch runs in its own savepoint, so a bad batch rolls back alone and the rest commit.
 *
 * Per event: one indexed probe for the dedup key, one INSERT. A key is live while a copy was seen
 * after the threshold (the later of now − window and the expireDedup floor), looked up in the events
 * table itself and in `dedup_keys` (keys whose events were purged early).
 */
export interface SqliteWriterOptions {
  db: Database.Database;
  statements: () => SqliteStatements;
  clock: Clock;
  dedupWindowMs: number;
  maxPendingRows: number;
  /** Called after commit with the (account, rule) queues this flush created. */
  onQueues: (queues: Array<[string, string]>) => void;
  knownQueue: (account: string, ruleId: string) => boolean;
  /** False while `dedup_keys` is empty (the usual case), which saves a probe per event. */
  archivedKeys: () => boolean;
}

export function dedupThreshold(now: number, windowMs: number, floor: number): number {
  return Math.max(now - windowMs, floor - 1);
}

export function createSqliteWriter(options: SqliteWriterOptions): GroupCommit<NewOutboxEvent, EnqueueStatus> {
  const { db, clock, dedupWindowMs } = options;

  const saveBatch = db.transaction(
    (
      s: SqliteStatements,
      batch: NewOutboxEvent[],
      seenAt: number,
      threshold: number,
      deltas: StateDeltas,
      fresh: Map<string, [string, string]>,
    ) => {
      const archived = options.archivedKeys();
      const statuses: EnqueueStatus[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i += 1) {
        const e = batch[i]!;
        if (
          s.keySeen.get(e.eventId, e.ruleId, threshold) !== undefined ||
          (archived && s.archivedKeySeen.get(e.eventId, e.ruleId, threshold) !== undefined)
        ) {
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
          seenAt,
          e.state,
          e.receivedAt,
          identifierTypesText(e.identifierTypes),
          consentValue(e.consent),
          e.context,
        );
        statuses[i] = 'inserted';
        deltas.add(e.state, 1);
        if (!options.knownQueue(e.account, e.ruleId)) {
          const key = `${e.account}\u0000${e.ruleId}`;
          if (!fresh.has(key)) {
            s.insertQueue.run(e.account, e.ruleId);
            fresh.set(key, [e.account, e.ruleId]);
          }
        }
      }
      return statuses;
    },
  );

  return createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: options.maxPendingRows,
    maxInFlight: 1,
    write: (batches) => {
      const s = options.statements();
      const now = clock.now();
      const created: Array<[string, string]> = [];
      const flush = db.transaction(() => {
        const floor = s.dedupFloor.get() as number;
        const threshold = dedupThreshold(now, dedupWindowMs, floor);
        // Never below the floor: a key accepted after expireDedup(before) must not count as forgotten,
        // even when `before` lies ahead of this clock.
        const seenAt = Math.max(now, floor);
        const committed = new StateDeltas();
        const results = batches.map((batch) => {
          const deltas = new StateDeltas();
          const fresh = new Map<string, [string, string]>();
          try {
            const statuses = saveBatch(s, batch, seenAt, threshold, deltas, fresh);
            committed.merge(deltas);
            created.push(...fresh.values());
            return statuses;
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        });
        committed.apply(s);
        return results;
      });
      const results = flush.immediate();
      // Only after the commit: a rolled-back batch must not leave a queue the table does not have.
      options.onQueues(created);
      return results;
    },
  });
}
