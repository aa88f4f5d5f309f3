/**
 * The shape of the dedup key index (key-levels.ts), as pure decisions: how large each level may
 * grow and which piece of merge work comes next. No I/O here, so every rule is tested alone.
 *
 * Level 0 is the keys of the events stored since the last flush, held in memory; levels 1, 2, …
 * are ranges of the `event_keys` table, each LEVEL_GROWTH times larger than the one above. A flush
 * writes level 0 into level 1 in key order; a level over its size moves into the next one, also in
 * key order. Writing keys in key order, many at a time, is what makes random event ids cheap: a
 * commit of a few hundred scattered keys dirties about one B-tree page per key, a merge of many
 * thousands dirties each page of the level it lands in about once.
 */
export interface KeyLevelTuning {
  /** Level 0's size: events since the last flush whose keys are only in memory. */
  recentKeys: number;
  /** Each level on disk may hold this many times the one above it. */
  growth: number;
  /** Keys written per merge step: one step is one short transaction. */
  sliceKeys: number;
}

/**
 * 65,536 recent keys take about 8 MiB on the store thread; growth 16 keeps the levels to two for
 * up to 16 M keys (90 days at ~190,000 events a day) and three up to 268 M. A 4,096-key slice
 * dirties at most about 4,096 pages (16 MiB), so no step holds the writer for long.
 */
export const DEFAULT_KEY_LEVELS: KeyLevelTuning = { recentKeys: 65_536, growth: 16, sliceKeys: 4_096 };

/** More levels than any store reaches with the default tuning (65,536 × 16^6 = 1.1 × 10^12 keys). */
export const MAX_KEY_LEVEL = 6;

/** How many keys level `level` (1, 2, …) may hold before it moves into the next one. */
export function levelCapacity(level: number, tuning: KeyLevelTuning): number {
  return tuning.recentKeys * tuning.growth ** level;
}

/**
 * The level that `count` keys already stored fit in, so they need no move at start: the shallowest
 * whose capacity holds them, else the last. As SQL, because the migration that moves the keys of
 * stored events into `event_keys` is SQL alone (`count` is an SQL expression).
 */
export function levelForSql(count: string, tuning: KeyLevelTuning): string {
  const whens: string[] = [];
  for (let level = 1; level < MAX_KEY_LEVEL; level += 1) {
    whens.push(`WHEN ${count} <= ${levelCapacity(level, tuning)} THEN ${level}`);
  }
  return `CASE ${whens.join(' ')} ELSE ${MAX_KEY_LEVEL} END`;
}

/** Whether level 0 is full, so a flush should start (when none is under way). */
export function shouldFlush(recent: number, tuning: KeyLevelTuning): boolean {
  return recent >= tuning.recentKeys;
}

/**
 * The level to move into the next one (when no move is under way): the shallowest over its size.
 * The last level never moves. A flush and a move may run side by side: keys a flush adds to the
 * level being moved are moved too or stay there, and every probe reads every level.
 *
 * Level 1 moves only while flushes land among its keys (`level1Scattered`). A level's size only
 * costs what a flush rewrites of it, and keys that arrive in order land past its end whatever its
 * size: moving them down would write every key again for nothing. Deeper levels fill only by moves,
 * so they move whenever they are over their size.
 */
export function levelToMove(
  levels: ReadonlyMap<number, number>,
  tuning: KeyLevelTuning,
  level1Scattered: boolean,
): number | null {
  for (let level = 1; level < MAX_KEY_LEVEL; level += 1) {
    if (level === 1 && !level1Scattered) continue;
    if ((levels.get(level) ?? 0) >= levelCapacity(level, tuning)) return level;
  }
  return null;
}

/**
 * Whether a flush landed among level 1's keys: more of them lie between its smallest and largest
 * key than it brings itself. Keys in order land past the end (none between); scattered keys span
 * the level (as many as there are, counted up to one more than the flush's size).
 */
export function flushScattered(keysBetween: number, flushKeys: number): boolean {
  return keysBetween > flushKeys;
}
