/** Rest.li collection responses: `start`/`count` paging, and the newer `pageSize`/`pageToken` cursor. */
import type { RestliQuery } from './restli.js';
import type { WirePaging } from './wire.js';

export interface Collection<T> {
  elements: T[];
  paging: WirePaging;
  metadata?: { nextPageToken?: string };
}

/** Rest.li's default page is 10 elements. */
const DEFAULT_COUNT = 10;

export function page<T>(all: readonly T[], query: RestliQuery): Collection<T> {
  if (query.has('pageSize') || query.has('pageToken')) {
    const size = Math.min(query.int('pageSize', 100), 1000);
    const from = query.int('pageToken', 0);
    const elements = all.slice(from, from + size);
    const next = from + size < all.length ? String(from + size) : undefined;
    return {
      elements,
      paging: { start: from, count: size, links: [] },
      metadata: next === undefined ? {} : { nextPageToken: next },
    };
  }
  const start = query.int('start', 0);
  const count = query.int('count', DEFAULT_COUNT);
  return {
    elements: all.slice(start, start + count),
    paging: { start, count, total: all.length, links: [] },
  };
}
