import { OUTBOX_STATES, type OutboxState } from '../ports.js';

/**
 * Store behaviour that every adapter shares and the conformance suite checks. One table of values,
 * so a change here changes all adapters at once.
 */

/** Default dedup window: 90 days, LinkedIn's limit on an event's age, so a retry is never sent twice. */
export const DEFAULT_DEDUP_WINDOW_MS = 90 * 86_400_000;

/** `listDead` without a limit returns at most this many rows (newest first). */
export const DEFAULT_DEAD_LIST_LIMIT = 1_000;

/** `auditForEvent` without a limit returns at most this many rows (newest first). */
export const DEFAULT_AUDIT_LIMIT = 50;

/**
 * Reason recorded when a lease expires and its events are reclaimed. The lapse counts as an attempt
 * (the holder may have sent the batch before it died), so a poison event that crashes every worker
 * reaches the retry limit instead of looping for ever.
 */
export const LEASE_EXPIRED_REASON = 'lease_expired';

/** Every state at zero: `stats()` reports all states, including those with no rows. */
export function emptyStateCounts(): Record<OutboxState, number> {
  return Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
}

/** States `purge` may delete. Live events (queued, sending, retrying) are never purged. */
export const FINAL_STATES = ['delivered', 'dead', 'suppressed'] as const;

/**
 * Bulk deletes (purge, dedup expiry) run in chunks of this many rows, each its own transaction, so
 * a large purge never holds the write lock (or the event loop, for SQLite) for long.
 */
export const DELETE_CHUNK_ROWS = 5_000;
/**
 * Audit rows go fewer at a time: each carries the links of up to 5,000 events, so 20 rows are at
 * most 100,000 link deletes per transaction.
 */
export const AUDIT_DELETE_CHUNK_ROWS = 20;
