import type Database from 'better-sqlite3';
import type { Clock, EnqueueStatus, NewOutboxEvent } from '../../ports.js';
import { createGroupCommit, type GroupCommit } from '../group-commit.js';
import { StateDeltas } from './counters.js';
import {
  ACCOUNT,
  EVENT_ID,
  type IngestRows,
  RULE_ID,
  rowCount,
  STATE,
  text,
  toIngestRows,
} from './ingest-rows.js';
import { CHUNK_ROWS, type ChunkStatements } from './insert-chunks.js';
import { dedupKey, type KeyIndex } from './key-levels.js';
import type { NewEventCounts } from './new-event-counts.js';
import type { SqliteStatements } from './statements.js';

/**
 * The SQLite ingest path: group commit over one connection. A flush is one IMMEDIATE transaction;
 * each caller's batch runs in its own savepoint, so a bad batch rolls back alone and the rest commit.
 *
 * Per chunk of up to CHUNK_ROWS events: one probe for the dedup keys, one multi-row INSERT. A key is
 * live while a copy was seen after the threshold (the later of now − window and the expireDedup
 * floor), looked up in the key index (key-levels.ts) and in `dedup_keys` (keys whose events were
 * purged early). New keys are staged in the index and join it only once their transaction commits.
 */
export interface SqliteWriterOptions {
  db: Database.Database;
  statements: () => SqliteStatements;
  clock: Clock;
  dedupWindowMs: number;
  maxPendingRows: number;
  /** Called after commit with the (account, rule, lane) queues this flush created. */
  onQueues: (queues: Array<NewQueue>) => void;
  /** The lane number of a queue known to be committed, or undefined. */
  knownLane: (account: string, ruleId: string) => number | undefined;
  /** False while `dedup_keys` is empty (the usual case), which saves a probe per event. */
  archivedKeys: () => boolean;
  chunks: () => ChunkStatements;
  keys: () => KeyIndex;
  /** Where the counts of new events wait for their fold into `state_counts`. */
  newEvents: () => NewEventCounts;
}

/** The batches in order, consecutive ones under CHUNK_ROWS rows grouped into one run. */
function smallRuns(batches: readonly IngestRows[]): IngestRows[][] {
  const runs: IngestRows[][] = [];
  let small: IngestRows[] | null = null;
  for (const batch of batches) {
    if (rowCount(batch) >= CHUNK_ROWS) {
      small = null;
      runs.push([batch]);
    } else if (small) {
      small.push(batch);
    } else {
      small = [batch];
      runs.push(small);
    }
  }
  return runs;
}

/** The rows of several batches as one, in order. */
function concatRows(batches: readonly IngestRows[]): IngestRows {
  let length = 0;
  for (const batch of batches) length += batch.length;
  const rows: IngestRows = new Array(length);
  let at = 0;
  for (const batch of batches) for (const value of batch) rows[at++] = value;
  return rows;
}

/** Statuses of the batches written together, cut back into one list per batch. */
function splitStatuses(statuses: EnqueueStatus[], batches: readonly IngestRows[]): EnqueueStatus[][] {
  let at = 0;
  return batches.map((batch) => {
    const n = rowCount(batch);
    at += n;
    return statuses.slice(at - n, at);
  });
}

/** A queue made by a flush: account, rule, lane number. */
export type NewQueue = [string, string, number];

export function dedupThreshold(now: number, windowMs: number, floor: number): number {
  return Math.max(now - windowMs, floor - 1);
}

export interface SqliteWriter extends GroupCommit<NewOutboxEvent, EnqueueStatus> {
  /**
   * Writes these batches now, in one transaction, bypassing the wait for the end of the turn: for a
   * caller that has already grouped them and made them rows (the store thread receives whole groups
   * per message, as rows: see ingest-rows.ts).
   */
  writeRowsNow(batches: IngestRows[]): Array<EnqueueStatus[] | Error>;
}

export function createSqliteWriter(options: SqliteWriterOptions): SqliteWriter {
  const { db, clock, dedupWindowMs } = options;
  /**
   * The latest `seen_at` given so far: new events are never stamped earlier, even when the clock
   * steps back, so `seen_at` never decreases along `seq` (what seen-boundary.ts relies on).
   */
  let lastSeenAt: number | null = null;

  const saveBatch = db.transaction(
    (
      s: SqliteStatements,
      batch: IngestRows,
      seenAt: number,
      threshold: number,
      deltas: StateDeltas,
      created: Map<string, NewQueue>,
      seqs: { next: number },
    ) => {
      const archived = options.archivedKeys();
      const count = rowCount(batch);
      // Written in index order from empty, so the array stays packed: it crosses postMessage back
      // to the main thread, which copies a holey array index by index (see ingest-rows.ts).
      const statuses: EnqueueStatus[] = [];
      const chunks = options.chunks();
      const keys = options.keys();
      // Counted here and added once: a map update per event was ~2 % of the store thread's time.
      let queued = 0;
      for (let start = 0; start < count; start += CHUNK_ROWS) {
        const end = Math.min(count, start + CHUNK_ROWS);
        const ids: string[] = [];
        for (let i = start; i < end; i += 1) ids.push(text(batch, i, EVENT_ID));
        // Keys on disk (rare: a repeat of an older event); level 0 and this transaction's own keys,
        // a repeat inside this chunk included, are asked per event below.
        const hits = keys.onDisk(ids, threshold);
        const onDisk = hits.length === 0 ? null : new Set(hits.map(([e, r]) => dedupKey(r, e)));
        const fresh: number[] = [];
        const lanes: number[] = [];
        for (let i = start; i < end; i += 1) {
          const eventId = ids[i - start]!;
          const ruleId = text(batch, i, RULE_ID);
          if (
            onDisk?.has(dedupKey(ruleId, eventId)) ||
            keys.inMemory(eventId, ruleId, threshold) ||
            (archived && s.archivedKeySeen.get(eventId, ruleId, threshold) !== undefined)
          ) {
            statuses[i] = 'duplicate';
            continue;
          }
          keys.stage(eventId, ruleId, seqs.next + fresh.length, seenAt);
          fresh.push(i);
          statuses[i] = 'inserted';
          const state = text(batch, i, STATE) as NewOutboxEvent['state'];
          if (state === 'queued') queued += 1;
          else deltas.add(state, 1);
          const account = text(batch, i, ACCOUNT);
          let lane = options.knownLane(account, ruleId);
          if (lane === undefined) {
            // A queue new to this batch: made (or, made by an earlier batch of this flush, found) here.
            const queue = `${account}\u0000${ruleId}`;
            let made = created.get(queue);
            if (!made) {
              made = [account, ruleId, s.laneOf.get(account, ruleId) as number];
              created.set(queue, made);
            }
            lane = made[2];
          }
          lanes.push(lane);
        }
        if (fresh.length > 0) {
          chunks.insert(batch, fresh, lanes, seenAt, seqs.next);
          seqs.next += fresh.length;
        }
      }
      deltas.add('queued', queued);
      return statuses;
    },
  );

  const writeRowsNow = (batches: IngestRows[]): Array<EnqueueStatus[] | Error> => {
    const s = options.statements();
    const now = clock.now();
    const created: NewQueue[] = [];
    const keys = options.keys();
    const newEvents = options.newEvents();
    const committed = new StateDeltas();
    let fold = false;
    let upTo = 0;
    const flush = db.transaction(() => {
      const floor = s.dedupFloor.get() as number;
      const threshold = dedupThreshold(now, dedupWindowMs, floor);
      // Never below the floor: a key accepted after expireDedup(before) must not count as forgotten,
      // even when `before` lies ahead of this clock. Never below the last event's either (see above):
      // a clock stepped back keeps a new key a little longer, which dedup can afford.
      lastSeenAt ??= (s.lastSeenAt.get() as number | undefined) ?? 0;
      const seenAt = Math.max(now, floor, lastSeenAt);
      lastSeenAt = seenAt;
      // Seqs are given, not left to SQLite, so each payload row gets its event's seq in the same
      // statement pair; a batch rolled back by its savepoint only leaves a gap.
      const seqs = { next: Math.max((s.lastSeq.get() as number) + 1, keys.seqFloor()) };
      const save = (batch: IngestRows): EnqueueStatus[] | Error => {
        const deltas = new StateDeltas();
        const fresh = new Map<string, NewQueue>();
        const mark = keys.mark();
        try {
          const statuses = saveBatch(s, batch, seenAt, threshold, deltas, fresh, seqs);
          committed.merge(deltas);
          created.push(...fresh.values());
          return statuses;
        } catch (err) {
          // The savepoint rolled the batch back: so do its staged keys.
          keys.rollbackTo(mark);
          return err instanceof Error ? err : new Error(String(err));
        }
      };
      // Runs of small batches go in one savepoint, optimistically: single-event requests arrive as
      // many one-row batches, and one at a time each paid for a savepoint, a key probe and two
      // INSERTs of one row. Only if a run fails (it rolls back whole) does each of its batches go
      // alone, so a bad batch still fails by itself. Large batches already fill whole chunks.
      const results: Array<EnqueueStatus[] | Error> = [];
      for (const run of smallRuns(batches)) {
        const together = run.length > 1 ? save(concatRows(run)) : null;
        if (together === null || together instanceof Error)
          for (const batch of run) results.push(save(batch));
        else results.push(...splitStatuses(together, run));
      }
      // The new events' counts join `state_counts` about once a second, not on every commit.
      upTo = seqs.next - 1;
      fold = newEvents.foldDue(now, committed.total());
      if (fold) newEvents.writeFold(s, committed, upTo);
      return results;
    });
    let results: Array<EnqueueStatus[] | Error>;
    try {
      results = flush.immediate();
    } catch (err) {
      keys.rollbackTo(0);
      throw err;
    }
    // Only after the commit: a rolled-back batch must not leave a queue (or a key) the table does not have.
    if (fold) newEvents.folded(now, upTo);
    else newEvents.add(committed, upTo);
    keys.commitStaged();
    options.onQueues(created);
    keys.schedule();
    return results;
  };
  const group = createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: options.maxPendingRows,
    maxInFlight: 1,
    write: (batches) => writeRowsNow(batches.map(toIngestRows)),
  });
  return Object.assign(group, { writeRowsNow });
}
