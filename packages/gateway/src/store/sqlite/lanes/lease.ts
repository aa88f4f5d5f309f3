import type { StateDeltas } from '../counters.js';
import type { Leased } from '../leased.js';
import { FRESH_ID, FRESH_RECEIVED_AT, FRESH_SEQ, type RawFreshRow } from '../rows.js';
import { batchFromRow, type LaneStatements, type RawBatchRow } from './statements.js';

/** A candidate source for the next claim, ordered by (due time, seq) like the per-row heads. */
export type LaneHead =
  | { kind: 'fresh'; account: string; ruleId: string; at: number; seq: number }
  | { kind: 'batch'; account: string; ruleId: string; at: number; seq: number; batch: number };

/**
 * The lane's first fresh event after its cursor, or null. A head that is not due yet (its
 * receivedAt is ahead of the claim's clock) moves to the per-row queue, so the events behind it are
 * not held up; with one clock this only happens to an event committed during the claim itself.
 */
export function dueFreshHead(
  l: LaneStatements,
  account: string,
  ruleId: string,
  now: number,
): LaneHead | null {
  const cursor = l.cursorOf.get(account, ruleId) as number | undefined;
  if (cursor === undefined) return null;
  for (;;) {
    const head = l.freshHead.get(account, ruleId, cursor) as [number, number] | undefined;
    if (!head) return null;
    const [seq, receivedAt] = head;
    if (receivedAt <= now) return { kind: 'fresh', account, ruleId, at: receivedAt, seq };
    l.detachNotDue.run(seq);
  }
}

/** The due batch (retried, released or lapsed) that comes first among these lanes, or null. */
export function dueBatchHead(
  l: LaneStatements,
  lanes: Array<[string, string]>,
  now: number,
): LaneHead | null {
  const row = l.dueBatch.get(now, JSON.stringify(lanes)) as
    | [number, string, string, number, number]
    | undefined;
  if (!row) return null;
  const [batch, account, ruleId, at, seq] = row;
  return { kind: 'batch', account, ruleId, at, seq, batch };
}

/** Lapsed leases of whole batches: back to retrying, the lapse counted as an attempt. */
export function reclaimLapsedBatches(l: LaneStatements, now: number, deltas: StateDeltas): void {
  let moved = 0;
  for (const [batch, live] of l.reclaimBatches.all(now) as Array<[number, number]>) {
    moved += live;
    l.book.forget(batch);
  }
  deltas.move('sending', 'retrying', moved);
}

/**
 * Leases up to `limit` fresh events of a lane, in arrival order, as a new batch. The scan stops at
 * the first event that is not due yet; the cursor moves past what was leased.
 */
export function leaseFresh(
  l: LaneStatements,
  head: Extract<LaneHead, { kind: 'fresh' }>,
  limit: number,
  now: number,
  leaseUntil: number,
  deltas: StateDeltas,
): Leased | null {
  const { account, ruleId } = head;
  const rows = l.freshAfter.all(account, ruleId, head.seq - 1, limit) as RawFreshRow[];
  const notDue = rows.findIndex((r) => r[FRESH_RECEIVED_AT] > now);
  if (notDue === 0 || rows.length === 0) return null;
  const members = notDue === -1 ? rows : rows.slice(0, notDue);
  const firstSeq = members[0]![FRESH_SEQ];
  const lastSeq = members[members.length - 1]![FRESH_SEQ];
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of members) oldest = Math.min(oldest, r[FRESH_RECEIVED_AT]);
  const batch = l.insertBatch.run(
    account,
    ruleId,
    firstSeq,
    lastSeq,
    members.length,
    'sending',
    0,
    null,
    leaseUntil,
    null,
    oldest,
  );
  l.setCursor.run(lastSeq, account, ruleId);
  deltas.move('queued', 'sending', members.length);
  l.book.leased(
    Number(batch.lastInsertRowid),
    members.map((r) => r[FRESH_ID]),
  );
  return { kind: 'rows', account, ruleId, leaseUntil, history: null, rows: members };
}

/**
 * Leases a due batch again (a retry, a release, a lapsed lease), or its first `limit` events: the
 * rest stays behind as a batch of its own with the same schedule.
 */
export function leaseBatch(
  l: LaneStatements,
  head: Extract<LaneHead, { kind: 'batch' }>,
  limit: number,
  leaseUntil: number,
  deltas: StateDeltas,
): Leased | null {
  const raw = l.batchBySeq.get(head.batch) as RawBatchRow | undefined;
  if (!raw) return null;
  const b = batchFromRow(raw);
  const rows = l.members.all(b.account, b.ruleId, b.firstSeq, b.lastSeq, limit) as RawFreshRow[];
  if (rows.length === 0) {
    // Nothing left to send (cannot happen while `live` is kept right); the row has no purpose.
    l.deleteBatch.run(b.seq);
    return null;
  }
  const lastSeq = rows[rows.length - 1]![FRESH_SEQ];
  if (rows.length < b.live) {
    const restFirst = lastSeq + 1;
    // Undefined only if `live` overstated the batch; the lease below then sets it right.
    const restReceivedAt = l.firstMemberReceivedAt.get(b.account, b.ruleId, restFirst, b.lastSeq) as
      | number
      | undefined;
    if (restReceivedAt !== undefined) l.splitBatch.run(restFirst, rows.length, restReceivedAt, b.seq);
  }
  l.leaseBatch.run(leaseUntil, lastSeq, rows.length, b.seq);
  deltas.move(b.state, 'sending', rows.length);
  l.book.leased(
    b.seq,
    rows.map((r) => r[FRESH_ID]),
  );
  // The batch's shared history goes over what each row says of itself.
  const history = { attempts: b.attempts, nextAttemptAt: b.nextAttemptAt, lastReason: b.lastReason };
  return { kind: 'rows', account: b.account, ruleId: b.ruleId, leaseUntil, history, rows };
}
