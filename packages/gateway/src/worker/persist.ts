/**
 * Store writes that record what happened to a claimed batch, retried while its lease lasts.
 *
 * Why: once LinkedIn has answered, the answer must reach the store. If the write fails and is not
 * retried, the batch stays leased until the lease ends and its events are then sent a second time.
 * The failures that matter are short or fixable (a full disk an operator is freeing, a PostgreSQL
 * failover), so the worker keeps trying with back-off, and gives up only when the lease is nearly
 * over and another claim could take the events anyway (or when shutdown cuts in-flight work).
 *
 * The deadline is measured on real time, not on the injected clock: it bounds how long this
 * process keeps trying, and a test's frozen clock must not make that forever.
 */
import type { WorkerContext } from './context.js';
import { doublingBackoffMs, sleep } from './timing.js';

const FIRST_WAIT_MS = 50;
const MAX_WAIT_MS = 2_000;
/** Stop this much before the lease ends, so the last attempt cannot race a reclaim. */
const LEASE_MARGIN = 0.1;

/** When retries of a batch's writes must stop: the lease's end, minus a margin. */
export function leaseDeadline(ctx: WorkerContext, claimedAt: number): number {
  const { leaseMs } = ctx.config.delivery;
  return claimedAt + leaseMs * (1 - LEASE_MARGIN);
}

/**
 * Runs `write` until it succeeds, `until` (a time on the worker's clock) has passed, or shutdown
 * aborts in-flight work; then throws the last error. `what` names the write in the log.
 */
export async function persist<T>(
  ctx: WorkerContext,
  what: string,
  until: number,
  write: () => Promise<T>,
): Promise<T> {
  const budgetMs = until - ctx.clock.now();
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await write();
      if (attempt > 1)
        ctx.logger.info({ write: what, attempts: attempt }, 'store write went through after retries');
      return result;
    } catch (err) {
      const left = budgetMs - (performance.now() - started);
      if (left <= 0 || ctx.aborting.aborted) {
        ctx.logger.error({ err, write: what, attempts: attempt }, 'store write failed; giving up on it');
        throw err;
      }
      if (attempt === 1) {
        ctx.logger.warn({ err, write: what }, 'store write failed; retrying while the batch is leased');
      }
      await sleep(Math.min(doublingBackoffMs(FIRST_WAIT_MS, attempt, MAX_WAIT_MS), left), ctx.aborting);
    }
  }
}
