import type Database from 'better-sqlite3';
import type { OutboxState } from '../../../ports.js';
import { LEASE_EXPIRED_REASON } from '../../policy.js';
import { FRESH_EVENT_COLUMNS } from '../rows.js';
import { LeaseBook } from './lease-book.js';

/** The state a deliverable event is stored in while it is on its lane (see ../lanes.ts). */
export const FRESH = 'fresh';

/** What the lane code reads of a batches row. */
export interface BatchRow {
  seq: number;
  account: string;
  ruleId: string;
  firstSeq: number;
  lastSeq: number;
  live: number;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number | null;
  lastReason: string | null;
  receivedAt: number;
}

const BATCH_COLUMNS =
  'seq, account, rule_id, first_seq, last_seq, live, state, attempts, next_attempt_at, last_reason, received_at';
export type RawBatchRow = [
  number,
  string,
  string,
  number,
  number,
  number,
  string,
  number,
  number | null,
  string | null,
  number,
];

export function batchFromRow(r: RawBatchRow): BatchRow {
  return {
    seq: r[0],
    account: r[1],
    ruleId: r[2],
    firstSeq: r[3],
    lastSeq: r[4],
    live: r[5],
    state: r[6] as OutboxState,
    attempts: r[7],
    nextAttemptAt: r[8],
    lastReason: r[9],
    receivedAt: r[10],
  };
}

/**
 * A lane's events, found through `events_fresh` (lane, seq) by the queue's number: the statements
 * keep taking (account, rule) and look the number up, once per statement.
 */
const LANE = 'lane = (SELECT lane FROM queues WHERE account = ? AND rule_id = ?)';

/** Every statement of the lanes, prepared once per connection, and the connection's lease book. */
export function prepareLaneStatements(db: Database.Database) {
  return {
    book: new LeaseBook(),
    cursorOf: db.prepare('SELECT cursor FROM queues WHERE account = ? AND rule_id = ?').pluck(),
    setCursor: db.prepare('UPDATE queues SET cursor = ? WHERE account = ? AND rule_id = ?'),
    freshHead: db
      .prepare(`SELECT seq, received_at FROM events WHERE ${LANE} AND state = '${FRESH}'
        AND seq > ? ORDER BY seq LIMIT 1`)
      .raw(true),
    freshAfter: db
      .prepare(`SELECT ${FRESH_EVENT_COLUMNS} FROM events WHERE ${LANE} AND state = '${FRESH}'
        AND seq > ? ORDER BY seq LIMIT ?`)
      .raw(true),
    /** A fresh head that is not due yet leaves the lane for the per-row queue, due at its receivedAt. */
    detachNotDue: db.prepare(`UPDATE events SET state = 'queued' WHERE seq = ?`),
    insertBatch:
      db.prepare(`INSERT INTO batches (account, rule_id, first_seq, last_seq, live, state, attempts,
      next_attempt_at, lease_until, last_reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    dueBatch: db
      .prepare(`SELECT seq, account, rule_id, coalesce(next_attempt_at, received_at), first_seq FROM batches
        WHERE state IN ('queued', 'retrying') AND coalesce(next_attempt_at, received_at) <= ?
          AND EXISTS (SELECT 1 FROM json_each(?) q WHERE q.value ->> 0 = account AND q.value ->> 1 = rule_id)
        ORDER BY coalesce(next_attempt_at, received_at), first_seq LIMIT 1`)
      .raw(true),
    batchBySeq: db.prepare(`SELECT ${BATCH_COLUMNS} FROM batches WHERE seq = ?`).raw(true),
    members: db
      .prepare(`SELECT ${FRESH_EVENT_COLUMNS} FROM events WHERE ${LANE} AND state = '${FRESH}'
        AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?`)
      .raw(true),
    memberSeqs: db
      .prepare(`SELECT seq FROM events WHERE ${LANE} AND state = '${FRESH}'
        AND seq BETWEEN ? AND ?`)
      .pluck(),
    firstMemberReceivedAt: db
      .prepare(`SELECT received_at FROM events WHERE ${LANE} AND state = '${FRESH}'
        AND seq BETWEEN ? AND ? ORDER BY seq LIMIT 1`)
      .pluck(),
    leaseBatch: db.prepare(
      "UPDATE batches SET state = 'sending', lease_until = ?, last_seq = ?, live = ? WHERE seq = ?",
    ),
    splitBatch: db.prepare(`INSERT INTO batches (account, rule_id, first_seq, last_seq, live, state, attempts,
      next_attempt_at, lease_until, last_reason, received_at)
      SELECT account, rule_id, ?, last_seq, live - ?, state, attempts, next_attempt_at, NULL, last_reason, ?
      FROM batches WHERE seq = ?`),
    reclaimBatches: db
      .prepare(`UPDATE batches SET state = 'retrying', attempts = attempts + 1, lease_until = NULL,
        last_reason = '${LEASE_EXPIRED_REASON}'
        WHERE state = 'sending' AND lease_until <= ? RETURNING seq, live`)
      .raw(true),
    resolveIds: db
      .prepare(
        'SELECT seq, account, rule_id, state, id FROM events WHERE id IN (SELECT value FROM json_each(?))',
      )
      .raw(true),
    // Read in last_seq order until a batch starts past the range (see `coveringBatches`).
    covering: db
      .prepare(`SELECT ${BATCH_COLUMNS} FROM batches WHERE account = ? AND rule_id = ? AND last_seq >= ?
        ORDER BY last_seq`)
      .raw(true),
    completeBatch: db.prepare(`UPDATE batches SET state = 'delivered', delivered_at = ?, lease_until = NULL,
      attempts = attempts + 1 WHERE seq = ?`),
    retryBatch: db.prepare(`UPDATE batches SET state = 'retrying', next_attempt_at = ?, last_reason = ?,
      lease_until = NULL, attempts = attempts + 1 WHERE seq = ?`),
    releaseBatch:
      db.prepare(`UPDATE batches SET state = CASE WHEN attempts > 0 THEN 'retrying' ELSE 'queued' END,
      lease_until = NULL, next_attempt_at = min(next_attempt_at, ?) WHERE seq = ?`),
    /** After events left a batch: how many are left, and the oldest of them (for the lag figure). */
    setLive:
      db.prepare(`UPDATE batches SET live = ?, received_at = coalesce((SELECT e.received_at FROM events e
      WHERE e.lane = (SELECT q.lane FROM queues q WHERE q.account = batches.account AND q.rule_id = batches.rule_id)
        AND e.state = '${FRESH}'
        AND e.seq BETWEEN batches.first_seq AND batches.last_seq ORDER BY e.seq LIMIT 1), received_at)
      WHERE seq = ?`),
    deleteBatch: db.prepare('DELETE FROM batches WHERE seq = ?'),
    /** Gives fresh rows a state of their own, taken from their batch and the settlement. */
    detach: db.prepare(`UPDATE events SET state = ?, attempts = ?,
      next_attempt_at = min(coalesce(?, next_attempt_at), ?), lease_until = NULL, delivered_at = ?, dead_at = ?,
      last_reason = ?, last_response = ? WHERE seq IN (SELECT value FROM json_each(?))`),
    oldestFresh: db
      .prepare(`SELECT min((SELECT e.received_at FROM events e WHERE e.lane = q.lane
        AND e.state = '${FRESH}' AND e.seq > q.cursor ORDER BY e.seq LIMIT 1)) FROM queues q`)
      .pluck(),
    oldestDueBatch: db
      .prepare("SELECT min(received_at) FROM batches WHERE state IN ('queued', 'retrying')")
      .pluck(),
    deliveredBefore: db
      .prepare(`SELECT seq, account, rule_id, first_seq, last_seq FROM batches
        WHERE state = 'delivered' AND delivered_at < ? ORDER BY delivered_at LIMIT 1`)
      .raw(true),
  };
}

export type LaneStatements = ReturnType<typeof prepareLaneStatements>;
