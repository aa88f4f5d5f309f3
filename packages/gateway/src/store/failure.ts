/**
 * Why a store write failed, as far as the caller must know: the disk is full, or the store could
 * not do the write for any other reason. The two need different fixes (free space on the store's
 * volume, against check the store and /readyz), so ingest answers them with different codes.
 *
 * Read from the driver's own codes, never from messages: better-sqlite3 raises `SQLITE_FULL` (also
 * for a write that would pass `max_page_count`), node-postgres carries the SQLSTATE, `53100`
 * (disk_full) when PostgreSQL cannot extend a file.
 */
export type StoreFailure = 'full' | 'unavailable';

const FULL_CODES: ReadonlySet<string> = new Set(['SQLITE_FULL', '53100']);

export function classifyStoreFailure(err: unknown): StoreFailure {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && FULL_CODES.has(code) ? 'full' : 'unavailable';
}
