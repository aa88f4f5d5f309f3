/**
 * Lanes: the SQLite outbox's fast path (schema version 3, see migrations/sqlite.ts).
 *
 * A deliverable event is stored as 'fresh' and its row is never rewritten while it is delivered.
 * Each (account, rule) queue has a cursor; a claim leases the fresh events after it as one
 * `batches` row and moves the cursor past them, and what happens to the batch as a whole (delivered,
 * retried, released, its lease lapsing) is one update of that row. An event gets a state of its own
 * (its row's columns, the per-row path of schema 1) only when it leaves its batch alone: a rejected
 * index, a partial complete or release, an expiry. The worker settles whole batches in the common
 * case, so delivering 5,000 events writes two small rows instead of 5,000 row rewrites and ~35,000
 * index changes.
 *
 * A fresh row's state is its batch's, when a batch of its lane covers its seq, and 'queued'
 * otherwise; `events_resolved` is the SQL form of that rule and every read goes through it.
 */
export {
  dueBatchHead,
  dueFreshHead,
  type LaneHead,
  leaseBatch,
  leaseFresh,
  reclaimLapsedBatches,
} from './lanes/lease.js';
export { nextDeliveredBatch, oldestDueAt } from './lanes/records.js';
export { type Settlement, settleFresh } from './lanes/settle.js';
export { FRESH, type LaneStatements, prepareLaneStatements } from './lanes/statements.js';
