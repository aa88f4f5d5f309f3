import type Database from 'better-sqlite3';
import type { ClaimedBatch, ClaimRequest, OutboxState } from '../../ports.js';
import { StateDeltas } from './counters.js';
import { eventFromRow, type RawEventRow } from './rows.js';
import type { SqliteStatements } from './statements.js';

/**
 * A claim in one IMMEDIATE transaction: reclaim lapsed leases, find the queue whose due head is
 * oldest (one index probe per known queue), lease up to `limit` of its due events in order.
 */
export function createClaim(db: Database.Database, queues: () => Iterable<[string, string]>) {
  return db.transaction((s: SqliteStatements, request: ClaimRequest): ClaimedBatch | null => {
    const { now, limit } = request;
    const deltas = new StateDeltas();
    deltas.move('sending', 'retrying', s.reclaimExpired.run(now).changes);
    const batch = limit > 0 ? leaseOldestQueue(s, request, queues(), deltas) : null;
    deltas.apply(s);
    return batch;
  });
}

function leaseOldestQueue(
  s: SqliteStatements,
  request: ClaimRequest,
  queues: Iterable<[string, string]>,
  deltas: StateDeltas,
): ClaimedBatch | null {
  const { now } = request;
  const excluded = new Set(request.excludeAccounts ?? []);
  const candidates: Array<[string, string]> = [];
  for (const queue of queues) {
    if (excluded.has(queue[0]) || (request.account !== undefined && queue[0] !== request.account)) continue;
    candidates.push(queue);
  }
  if (candidates.length === 0) return null;
  const head = s.pickQueue.get(JSON.stringify(candidates), now) as [string, string] | undefined;
  if (!head) return null;
  const [account, ruleId] = head;
  const rows = s.dueInQueue.all(account, ruleId, now, request.limit) as RawEventRow[];
  const leaseUntil = now + request.leaseMs;
  s.lease.run(leaseUntil, JSON.stringify(rows.map((r) => r[18])));
  const events = rows.map((r) => {
    deltas.move(r[8] as OutboxState, 'sending', 1);
    const event = eventFromRow(r);
    event.state = 'sending';
    event.leaseUntil = leaseUntil;
    return event;
  });
  return { account, ruleId, events };
}
