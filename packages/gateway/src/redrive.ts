/**
 * A redrive in pages: the matching dead letters move back to the queue a page at a time, newest
 * first, each page one store call that starts where the last one ended.
 *
 * Why not one call: on SQLite every store call runs on the store's one thread, ingest commits
 * included, so a redrive of a million dead letters in one UPDATE would hold every acknowledgement
 * for as long as it takes (a few µs per dead letter, docs/benchmarks.md). A page holds it for a
 * few milliseconds, and ingest commits go between pages. Each page starts after the last one's
 * last dead letter (the list's cursor), so the redrive reads each dead letter once however
 * selective the filter; and since the cursor only moves towards older dead letters, an event that
 * dies again while the redrive runs (it is newer) is not taken a second time.
 */
import type { DeadLetterFilter, OutboxStore } from './ports.js';

/** Dead letters per page: a few milliseconds of the store's thread. */
export const REDRIVE_PAGE = 5_000;

export interface RedriveOptions {
  /** Dead letters per page (tests use small pages). */
  page?: number;
  /** Called after each page with the total moved so far. */
  onPage?: (redriven: number) => void;
}

/** Moves every dead letter matching `filter` back to the queue; resolves with how many moved. */
export async function redriveInPages(
  store: Pick<OutboxStore, 'redrive'>,
  filter: DeadLetterFilter,
  now: number,
  options: RedriveOptions = {},
): Promise<number> {
  const page = options.page ?? REDRIVE_PAGE;
  // A filter's limit caps the whole redrive, as it caps one store call.
  let left = filter.limit ?? Number.POSITIVE_INFINITY;
  let redriven = 0;
  let after = filter.after;
  while (left > 0) {
    const limit = Math.min(page, left);
    const moved = await store.redrive({ ...filter, limit, ...(after ? { after } : {}) }, now);
    redriven += moved.redriven;
    if (moved.last === null) break;
    options.onPage?.(redriven);
    if (moved.redriven < limit) break;
    left -= moved.redriven;
    after = moved.last;
  }
  return redriven;
}
