import type { LaneStatements } from './statements.js';

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
