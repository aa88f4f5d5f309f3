/**
 * Retention: deletes finished events and audit rows older than the retention period (default 180
 * days, LinkedIn's own), and forgets dedup keys older than the dedup window (default 90 days,
 * LinkedIn's limit on an event's age) and idempotency keys older than their window (default 24 h). Live events (queued, sending, retrying) are never touched:
 * the store's `purge` only deletes final states.
 */
import type { Logger } from './logger.js';
import type { Clock, OutboxStore } from './ports.js';

export interface RetentionJobOptions {
  store: OutboxStore;
  clock: Clock;
  retentionMs: number;
  dedupWindowMs: number;
  /** How long an Idempotency-Key is remembered (server.idempotencyKeyHours). */
  idempotencyWindowMs: number;
  /** Time between runs; the first run starts right after `start()`. */
  intervalMs: number;
  logger: Logger;
}

export interface RetentionRun {
  events: number;
  audit: number;
  dedupKeys: number;
  idempotencyKeys: number;
}

export interface RetentionJob {
  start(): void;
  /** Stops the timer and waits for a run in progress. Never rejects. */
  stop(): Promise<void>;
  /** One pass now (the admin CLI and tests call it directly). */
  runOnce(): Promise<RetentionRun>;
}

export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const { store, clock, logger } = options;
  let timer: NodeJS.Timeout | null = null;
  let first: NodeJS.Immediate | null = null;
  let current: Promise<RetentionRun> | null = null;

  async function pass(): Promise<RetentionRun> {
    const now = clock.now();
    const purged = await store.purge(now - options.retentionMs);
    const dedupKeys = await store.expireDedup(now - options.dedupWindowMs);
    const idempotencyKeys = await store.expireIdempotency(now - options.idempotencyWindowMs);
    const run = { events: purged.events, audit: purged.audit, dedupKeys, idempotencyKeys };
    if (run.events + run.audit + run.dedupKeys + run.idempotencyKeys > 0) {
      logger.info(run, 'retention: old rows deleted');
    }
    return run;
  }

  /** One pass at a time: a slow purge is never overlapped by the next tick. */
  function runOnce(): Promise<RetentionRun> {
    current ??= pass().finally(() => {
      current = null;
    });
    return current;
  }

  function tick(): void {
    runOnce().catch((err: unknown) => logger.error({ err }, 'retention run failed; will try again'));
  }

  return {
    start() {
      if (timer) return;
      // unref: retention alone must never keep the process alive.
      timer = setInterval(tick, options.intervalMs);
      timer.unref();
      first = setImmediate(tick);
      first.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (first) clearImmediate(first);
      timer = null;
      first = null;
      await current?.catch(() => undefined);
    },
    runOnce,
  };
}
