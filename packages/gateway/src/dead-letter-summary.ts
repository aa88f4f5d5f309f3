/**
 * The dead-letter summary in pages: the matching dead letters are counted a page at a time, newest
 * first, each page one store call that starts after the last dead letter of the page before, and
 * the pages' groups are added up here.
 *
 * Why: as with a redrive (redrive.ts), on SQLite one call over every dead letter holds the store's
 * thread, and every ingest acknowledgement, for as long as the count takes (0.7–1.3 µs per dead
 * letter, docs/benchmarks.md); a page holds it for a few milliseconds. The pages are not one
 * snapshot: a dead letter that arrives meanwhile is newer than the cursor and is not counted, as it
 * would not have been a moment earlier.
 */
import { countDeadLetters, mergeDeadLetterGroups } from './domain/dead-letter-groups.js';
import type { DeadLetterFilter, DeadLetterGroup, OutboxStore } from './ports.js';

/** Dead letters per page: a few milliseconds of the store's thread. */
export const SUMMARY_PAGE = 5_000;

/** Every dead letter matching `filter`, counted by account, rule and reason, the largest first. */
export async function summarizeInPages(
  store: Pick<OutboxStore, 'summarizeDead'>,
  filter: DeadLetterFilter,
  options: { page?: number } = {},
): Promise<DeadLetterGroup[]> {
  const page = options.page ?? SUMMARY_PAGE;
  const groups: DeadLetterGroup[] = [];
  let after = filter.after;
  for (;;) {
    const summary = await store.summarizeDead({ ...filter, limit: page, ...(after ? { after } : {}) });
    groups.push(...summary.groups);
    const counted = countDeadLetters(summary.groups);
    if (summary.last === null || counted < page) return mergeDeadLetterGroups(groups);
    after = summary.last;
  }
}
