import type Database from 'better-sqlite3';

/**
 * Where the events seen before a time end, found by seq instead of by an index on `seen_at`.
 *
 * Why: an index on `seen_at` cost every new event one more B-tree insert, and its only reader was
 * expireDedup's count of forgotten keys. The writer keeps `seen_at` non-decreasing in `seq` (it
 * never stamps a new event earlier than the last one, even when the clock steps back), so the events
 * seen before `t` are exactly those before the first seq whose `seen_at` is at least `t`, and that
 * seq is found by bisecting the table's own key in O(log n) probes.
 *
 * `firstAtOrAfter(seq)` answers the first row whose seq is at least `seq` (the next row after a gap
 * left by purge or a rolled-back batch), or undefined past the end.
 */
export interface SeenRow {
  seq: number;
  seenAt: number;
}

export function firstSeqSeenFrom(
  t: number,
  bounds: { minSeq: number; maxSeq: number },
  firstAtOrAfter: (seq: number) => SeenRow | undefined,
): number {
  let lo = bounds.minSeq;
  let hi = bounds.maxSeq + 1;
  // Invariant: every row with seq < lo was seen before t; no row at or after hi is, or hi is the end.
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const row = firstAtOrAfter(mid);
    if (row === undefined || row.seq >= hi || row.seenAt >= t) hi = mid;
    else lo = row.seq + 1;
  }
  return lo;
}

/** The statements countSeenBetween reads with (statements.ts). */
export interface SeenStatements {
  seqBounds: Database.Statement;
  firstSeenAtOrAfter: Database.Statement;
  countSeqBetween: Database.Statement;
}

/** How many stored events were seen in [from, to): expireDedup's count of forgotten keys. */
export function countSeenBetween(s: SeenStatements, from: number, to: number): number {
  if (to <= from) return 0;
  const [minSeq, maxSeq] = s.seqBounds.get() as [number | null, number | null];
  if (minSeq === null || maxSeq === null) return 0;
  const bounds = { minSeq, maxSeq };
  const firstAtOrAfter = (seq: number): SeenRow | undefined => {
    const row = s.firstSeenAtOrAfter.get(seq) as [number, number] | undefined;
    return row && { seq: row[0], seenAt: row[1] };
  };
  const start = firstSeqSeenFrom(from, bounds, firstAtOrAfter);
  const end = firstSeqSeenFrom(to, bounds, firstAtOrAfter);
  return end > start ? (s.countSeqBetween.get(start, end) as number) : 0;
}
