import type { ClaimedBatch, ClaimRequest } from '../../ports.js';
import { type Pool, runStatement } from './pool.js';
import { type EventRow, eventFromRow } from './rows.js';
import * as sql from './statements.js';

/**
 * A claim across instances: reclaim lapsed leases, pick the queue with the oldest due head, lease
 * its due rows with FOR UPDATE SKIP LOCKED. Two instances may pick the same queue; the second skips
 * the rows the first holds and takes the next ones, or, if none are left, tries the next queue.
 */
const CLAIM_ATTEMPTS = 4;

export async function claimPostgres(pool: Pool, request: ClaimRequest): Promise<ClaimedBatch | null> {
  await runStatement(pool, sql.reclaimExpired, [request.now]);
  if (request.limit <= 0) return null;
  const skip: Array<[string, string]> = [];
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const { head, events } = await claimOnce(pool, request, skip);
    if (!head) return null;
    if (events.length > 0) return { account: head.account, ruleId: head.rule_id, events };
    skip.push([head.account, head.rule_id]);
  }
  return null;
}

async function claimOnce(pool: Pool, request: ClaimRequest, skip: Array<[string, string]>) {
  const { rows: heads } = await runStatement<{ account: string; rule_id: string }>(pool, sql.pickQueue, [
    request.now,
    request.excludeAccounts ?? [],
    request.account ?? null,
    skip.map((q) => q[0]),
    skip.map((q) => q[1]),
  ]);
  const head = heads[0];
  if (!head) return { head: null, events: [] };
  const { rows } = await runStatement<EventRow & { seq: number }>(pool, sql.claimQueue, [
    head.account,
    head.rule_id,
    request.now,
    request.limit,
    request.now + request.leaseMs,
    request.leaseToken ?? null,
  ]);
  rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq);
  return { head, events: rows.map(eventFromRow) };
}
