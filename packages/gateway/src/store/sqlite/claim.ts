import type Database from 'better-sqlite3';
import type { ClaimRequest, OutboxState } from '../../ports.js';
import { StateDeltas } from './counters.js';
import {
  dueBatchHead,
  dueFreshHead,
  type LaneHead,
  type LaneStatements,
  leaseBatch,
  leaseFresh,
  reclaimLapsedBatches,
} from './lanes.js';
import type { Leased } from './leased.js';
import { leasedEventFromRow, type RawEventRow } from './rows.js';
import type { SqliteStatements } from './statements.js';

/**
 * A claim in one IMMEDIATE transaction: reclaim lapsed leases (per event and per batch), then look
 * at every source of due events among the allowed queues (not excluded, account not paused at
 * `now`) and lease from the one whose head comes first by (due time, seq): a lane's fresh events
 * (see lanes.ts), a due batch, or the per-row queue (events with a state of their own). One probe
 * per known queue and source.
 */
export function createClaim(
  db: Database.Database,
  lanes: () => LaneStatements,
  queues: () => Iterable<[string, string]>,
) {
  return db.transaction((s: SqliteStatements, request: ClaimRequest): Leased | null => {
    const { now, limit } = request;
    const l = lanes();
    const deltas = new StateDeltas();
    deltas.move('sending', 'retrying', s.reclaimExpired.run(now).changes);
    reclaimLapsedBatches(l, now, deltas);
    const batch = limit > 0 ? leaseOldest(s, l, request, queues(), deltas) : null;
    deltas.apply(s);
    return batch;
  });
}

type Head = LaneHead | { kind: 'row'; account: string; ruleId: string; at: number; seq: number };

function leaseOldest(
  s: SqliteStatements,
  l: LaneStatements,
  request: ClaimRequest,
  queues: Iterable<[string, string]>,
  deltas: StateDeltas,
): Leased | null {
  const { now, limit } = request;
  const leaseUntil = now + request.leaseMs;
  const excluded = new Set(request.excludeAccounts ?? []);
  // Paused accounts are read in the claim's own transaction: one store call per claim instead of
  // two, and no pause written between a separate read and the claim can be missed.
  for (const [account] of s.paused.all(now) as Array<[string]>) excluded.add(account);
  const candidates: Array<[string, string]> = [];
  for (const queue of queues) {
    if (excluded.has(queue[0]) || (request.account !== undefined && queue[0] !== request.account)) continue;
    candidates.push(queue);
  }
  if (candidates.length === 0) return null;
  const list = JSON.stringify(candidates);
  const heads: Head[] = [];
  const row = s.pickQueue.get(list, now) as [string, string, number, number] | undefined;
  if (row) heads.push({ kind: 'row', account: row[0], ruleId: row[1], at: row[2], seq: row[3] });
  for (const [account, ruleId] of candidates) {
    const fresh = dueFreshHead(l, account, ruleId, now);
    if (fresh) heads.push(fresh);
  }
  const batch = dueBatchHead(l, candidates, now);
  if (batch) heads.push(batch);
  let first: Head | undefined;
  for (const head of heads) {
    if (!first || head.at < first.at || (head.at === first.at && head.seq < first.seq)) first = head;
  }
  if (!first) return null;
  switch (first.kind) {
    case 'fresh':
      return leaseFresh(l, first, limit, now, leaseUntil, deltas);
    case 'batch':
      return leaseBatch(l, first, limit, leaseUntil, deltas);
    case 'row':
      return leaseRows(s, first.account, first.ruleId, request, leaseUntil, deltas);
  }
}

/** The per-row queue: events with a state of their own, in (nextAttemptAt, seq) order. */
function leaseRows(
  s: SqliteStatements,
  account: string,
  ruleId: string,
  request: ClaimRequest,
  leaseUntil: number,
  deltas: StateDeltas,
): Leased {
  const rows = s.dueInQueue.all(account, ruleId, request.now, request.limit) as RawEventRow[];
  s.lease.run(leaseUntil, JSON.stringify(rows.map((r) => r[18])));
  const events = rows.map((r) => {
    deltas.move(r[8] as OutboxState, 'sending', 1);
    return leasedEventFromRow(r, leaseUntil);
  });
  return { kind: 'events', batch: { account, ruleId, events } };
}
