import type { LaneStatements } from './statements.js';

/**
 * The oldest receivedAt among due events: the per-row path's (`perRow`, or null) and the lanes'
 * (unclaimed fresh heads, due batches). Null when nothing is due.
 */
export function oldestDueAt(l: LaneStatements, perRow: number | null): number | null {
  const known = [
    perRow,
    l.oldestFresh.get() as number | null,
    l.oldestDueBatch.get() as number | null,
  ].filter((at): at is number => at !== null);
  return known.length > 0 ? Math.min(...known) : null;
}

/**
 * The oldest delivered batch finished before `before`, with the seqs of its events, or null when
 * none is left. The caller deletes both.
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
