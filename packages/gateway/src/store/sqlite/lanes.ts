import type Database from 'better-sqlite3';
import type { ClaimedBatch, OutboxEvent, OutboxState } from '../../ports.js';
import { LEASE_EXPIRED_REASON } from '../policy.js';
import type { StateDeltas } from './counters.js';
import { EVENT_COLUMNS, eventFromRow, type RawEventRow } from './rows.js';

/**
 * Lanes: the SQLite outbox's fast path (schema version 3, see migrations/sqlite.ts).
 *
 * A deliverable event is stored as 'fresh' and its row is never rewritten while it is delivered.
 * Each (account, rule) queue has a cursor; a claim leases the fresh events after it as one
 * `batches` row and moves the cursor past them, and what happens to the batch as a whole (delivered,
 * retried, released, its lease lapsing) is one update of that row. An event gets a state of its own
 * (its row's columns, the per-row path of schema 1) only when it leaves its batch alone: a rejected
 * index, a partial complete or release, an expiry. The worker settles whole batches in the common
 * case, so delivering 5,000 events writes two small rows instead of 5,000 row rewrites and ~35,000
 * index changes.
 *
 * A fresh row's state is its batch's, when a batch of its lane covers its seq, and 'queued'
 * otherwise; `events_resolved` is the SQL form of that rule and every read goes through it.
 */
export const FRESH = 'fresh';

/** Position of `seq` in a row read with `${EVENT_COLUMNS}, seq`. */
const SEQ = 18;
/** Position of `received_at` in the same row. */
const RECEIVED_AT = 7;

/** What the lane code reads of a batches row. */
interface BatchRow {
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
type RawBatchRow = [
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

function batchFromRow(r: RawBatchRow): BatchRow {
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

/** How a settling call ends an event (complete, retryLater, release, kill of the port). */
export type Settlement =
  | { kind: 'complete'; now: number }
  | { kind: 'retry'; at: number; reason: string }
  | { kind: 'release'; now: number }
  | { kind: 'kill'; reason: string; response: string | null; now: number };

/** A candidate source for the next claim, ordered by (due time, seq) like the per-row heads. */
export type LaneHead =
  | { kind: 'fresh'; account: string; ruleId: string; at: number; seq: number }
  | { kind: 'batch'; account: string; ruleId: string; at: number; seq: number; batch: number };

const NO_CAP = Number.MAX_SAFE_INTEGER;

export function prepareLaneStatements(db: Database.Database) {
  const freshColumns = `${EVENT_COLUMNS}, seq`;
  return {
    cursorOf: db.prepare('SELECT cursor FROM queues WHERE account = ? AND rule_id = ?').pluck(),
    setCursor: db.prepare('UPDATE queues SET cursor = ? WHERE account = ? AND rule_id = ?'),
    freshHead: db
      .prepare(`SELECT seq, received_at FROM events WHERE account = ? AND rule_id = ? AND state = '${FRESH}'
        AND seq > ? ORDER BY seq LIMIT 1`)
      .raw(true),
    freshAfter: db
      .prepare(`SELECT ${freshColumns} FROM events WHERE account = ? AND rule_id = ? AND state = '${FRESH}'
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
      .prepare(`SELECT ${freshColumns} FROM events WHERE account = ? AND rule_id = ? AND state = '${FRESH}'
        AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?`)
      .raw(true),
    memberSeqs: db
      .prepare(`SELECT seq FROM events WHERE account = ? AND rule_id = ? AND state = '${FRESH}'
        AND seq BETWEEN ? AND ?`)
      .pluck(),
    firstMemberReceivedAt: db
      .prepare(`SELECT received_at FROM events WHERE account = ? AND rule_id = ? AND state = '${FRESH}'
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
        WHERE state = 'sending' AND lease_until <= ? RETURNING live`)
      .pluck(),
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
      WHERE e.account = batches.account AND e.rule_id = batches.rule_id AND e.state = '${FRESH}'
        AND e.seq BETWEEN batches.first_seq AND batches.last_seq ORDER BY e.seq LIMIT 1), received_at)
      WHERE seq = ?`),
    deleteBatch: db.prepare('DELETE FROM batches WHERE seq = ?'),
    /** Gives fresh rows a state of their own, taken from their batch and the settlement. */
    detach: db.prepare(`UPDATE events SET state = ?, attempts = ?,
      next_attempt_at = min(coalesce(?, next_attempt_at), ?), lease_until = NULL, delivered_at = ?, dead_at = ?,
      last_reason = ?, last_response = ? WHERE seq IN (SELECT value FROM json_each(?))`),
    oldestFresh: db
      .prepare(`SELECT min((SELECT e.received_at FROM events e WHERE e.account = q.account AND e.rule_id = q.rule_id
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
  for (const live of l.reclaimBatches.all(now) as number[]) moved += live;
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
): ClaimedBatch | null {
  const { account, ruleId } = head;
  const rows = l.freshAfter.all(account, ruleId, head.seq - 1, limit) as RawEventRow[];
  let end = rows.length;
  for (let i = 0; i < rows.length; i += 1) {
    if ((rows[i]![RECEIVED_AT] as number) > now) {
      end = i;
      break;
    }
  }
  if (end === 0) return null;
  const members = end === rows.length ? rows : rows.slice(0, end);
  const firstSeq = members[0]![SEQ] as number;
  const lastSeq = members[members.length - 1]![SEQ] as number;
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of members) oldest = Math.min(oldest, r[RECEIVED_AT] as number);
  l.insertBatch.run(
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
  const events = members.map((r) => {
    const event = eventFromRow(r);
    event.state = 'sending';
    event.leaseUntil = leaseUntil;
    return event;
  });
  return { account, ruleId, events };
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
): ClaimedBatch | null {
  const raw = l.batchBySeq.get(head.batch) as RawBatchRow | undefined;
  if (!raw) return null;
  const b = batchFromRow(raw);
  const rows = l.members.all(b.account, b.ruleId, b.firstSeq, b.lastSeq, limit) as RawEventRow[];
  if (rows.length === 0) {
    // Nothing left to send (cannot happen while `live` is kept right); the row has no purpose.
    l.deleteBatch.run(b.seq);
    return null;
  }
  const lastSeq = rows[rows.length - 1]![SEQ] as number;
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
  const events = rows.map((r): OutboxEvent => {
    const event = eventFromRow(r);
    event.state = 'sending';
    event.leaseUntil = leaseUntil;
    event.attempts = b.attempts;
    event.nextAttemptAt = b.nextAttemptAt ?? event.nextAttemptAt;
    event.lastReason = b.lastReason;
    return event;
  });
  return { account: b.account, ruleId: b.ruleId, events };
}

/**
 * Applies a settlement to the fresh events among `ids` and returns the ids it did not handle (events
 * with a state of their own), for the per-row statements. Only events of a leased batch are settled,
 * except by kill, which also takes queued and retrying ones, as on the per-row path.
 */
export function settleFresh(
  l: LaneStatements,
  ids: string[],
  settlement: Settlement,
  deltas: StateDeltas,
): string[] {
  const rows = l.resolveIds.all(JSON.stringify(ids)) as Array<[number, string, string, string, string]>;
  const perRow: string[] = [];
  const lanes = new Map<string, { account: string; ruleId: string; seqs: number[] }>();
  for (const [seq, account, ruleId, state, id] of rows) {
    if (state !== FRESH) {
      perRow.push(id);
      continue;
    }
    const key = `${account}\u0000${ruleId}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = { account, ruleId, seqs: [] };
      lanes.set(key, lane);
    }
    lane.seqs.push(seq);
  }
  for (const { account, ruleId, seqs } of lanes.values()) {
    seqs.sort((a, b) => a - b);
    const batches = coveringBatches(l, account, ruleId, seqs[0]!, seqs[seqs.length - 1]!);
    const unbatched: number[] = [];
    let i = 0;
    let group: number[] = [];
    for (const seq of seqs) {
      while (i < batches.length && batches[i]!.lastSeq < seq) {
        if (group.length > 0) settleBatch(l, batches[i]!, group, settlement, deltas);
        group = [];
        i += 1;
      }
      if (i < batches.length && batches[i]!.firstSeq <= seq) group.push(seq);
      else unbatched.push(seq);
    }
    if (group.length > 0) settleBatch(l, batches[i]!, group, settlement, deltas);
    if (unbatched.length > 0 && settlement.kind === 'kill') {
      // Queued and never leased: dead without an attempt.
      detach(
        l,
        unbatched,
        'dead',
        0,
        null,
        NO_CAP,
        null,
        settlement.now,
        settlement.reason,
        settlement.response,
      );
      deltas.move('queued', 'dead', unbatched.length);
    }
  }
  return perRow;
}

/**
 * The lane's batches that overlap [from, to], in seq order. A lane's batches cover disjoint ranges,
 * so the walk stops at the first one starting past `to`: the batches claimed after these (possibly
 * many, after a long outage) are never read.
 */
function coveringBatches(l: LaneStatements, account: string, ruleId: string, from: number, to: number) {
  const batches: BatchRow[] = [];
  for (const raw of l.covering.iterate(account, ruleId, from) as IterableIterator<RawBatchRow>) {
    const batch = batchFromRow(raw);
    if (batch.firstSeq > to) break;
    batches.push(batch);
  }
  return batches;
}

function settleBatch(
  l: LaneStatements,
  b: BatchRow,
  seqs: number[],
  settlement: Settlement,
  deltas: StateDeltas,
): void {
  const leased = b.state === 'sending';
  if (settlement.kind === 'kill' ? !['queued', 'retrying', 'sending'].includes(b.state) : !leased) return;
  const released: OutboxState = b.attempts > 0 ? 'retrying' : 'queued';
  if (seqs.length === b.live && settlement.kind !== 'kill') {
    // The whole batch: one row. (Kill always detaches: dead letters are listed and redriven per event.)
    switch (settlement.kind) {
      case 'complete':
        l.completeBatch.run(settlement.now, b.seq);
        deltas.move(b.state, 'delivered', b.live);
        return;
      case 'retry':
        l.retryBatch.run(settlement.at, settlement.reason, b.seq);
        deltas.move(b.state, 'retrying', b.live);
        return;
      case 'release':
        l.releaseBatch.run(settlement.now, b.seq);
        deltas.move(b.state, released, b.live);
        return;
    }
  }
  const next = b.nextAttemptAt;
  switch (settlement.kind) {
    case 'complete':
      detach(l, seqs, 'delivered', b.attempts + 1, next, NO_CAP, settlement.now, null, b.lastReason, null);
      deltas.move(b.state, 'delivered', seqs.length);
      break;
    case 'retry':
      detach(l, seqs, 'retrying', b.attempts + 1, settlement.at, NO_CAP, null, null, settlement.reason, null);
      deltas.move(b.state, 'retrying', seqs.length);
      break;
    case 'release':
      detach(l, seqs, released, b.attempts, next, settlement.now, null, null, b.lastReason, null);
      deltas.move(b.state, released, seqs.length);
      break;
    case 'kill':
      detach(
        l,
        seqs,
        'dead',
        b.attempts + (leased ? 1 : 0),
        next,
        NO_CAP,
        null,
        settlement.now,
        settlement.reason,
        settlement.response,
      );
      deltas.move(b.state, 'dead', seqs.length);
      break;
  }
  const live = b.live - seqs.length;
  if (live > 0) l.setLive.run(live, b.seq);
  else l.deleteBatch.run(b.seq);
}

function detach(
  l: LaneStatements,
  seqs: number[],
  state: OutboxState,
  attempts: number,
  nextAttemptAt: number | null,
  nextAttemptCap: number,
  deliveredAt: number | null,
  deadAt: number | null,
  lastReason: string | null,
  lastResponse: string | null,
): void {
  l.detach.run(
    state,
    attempts,
    nextAttemptAt,
    nextAttemptCap,
    deliveredAt,
    deadAt,
    lastReason,
    lastResponse,
    JSON.stringify(seqs),
  );
}

/** The oldest receivedAt among due events on the lane path (unclaimed fresh heads, due batches). */
export function oldestDueOnLanes(l: LaneStatements): number | null {
  const fresh = l.oldestFresh.get() as number | null;
  const batched = l.oldestDueBatch.get() as number | null;
  if (fresh === null) return batched;
  if (batched === null) return fresh;
  return Math.min(fresh, batched);
}

/**
 * Deletes one delivered batch finished before `before` and its events; returns their seqs (for the
 * caller to archive dedup keys and delete payloads) or null when none is left.
 */
export function nextDeliveredBatch(
  l: LaneStatements,
  before: number,
): { batch: number; seqs: number[] } | null {
  const row = l.deliveredBefore.get(before) as [number, string, string, number, number] | undefined;
  if (!row) return null;
  const [batch, account, ruleId, firstSeq, lastSeq] = row;
  return { batch, seqs: l.memberSeqs.all(account, ruleId, firstSeq, lastSeq) as number[] };
}
