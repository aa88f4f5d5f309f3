/**
 * The delivery loop: claims due batches (skipping paused and budget-blocked accounts) and runs up
 * to `delivery.concurrency` of them at once. It knows neither SQL nor HTTP: the store and the
 * transport are ports, and everything a batch goes through lives in `deliver-batch.ts`.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../config.js';
import { SplitHints } from '../domain/split-hints.js';
import { systemClock } from '../ports.js';
import { ALL_ACCOUNTS, type WorkerContext } from './context.js';
import { deliverBatch } from './deliver-batch.js';
import { createWakeup, doublingBackoffMs, sleep } from './timing.js';
import type { DeliveryReport, DeliveryWorker, DeliveryWorkerDeps } from './types.js';

/**
 * A budget refusal keeps this process off the account for at most this long before it asks the
 * store again, so a pause lifted by another process (or the admin CLI) is noticed within a minute.
 */
const MAX_LOCAL_HOLD_MS = 60_000;

const DEFAULT_IDLE_TIMEOUT_MS = 10_000;

/**
 * After a claim finds nothing, the next look waits at least this long, however many wake-ups
 * arrive meanwhile. Every accepted ingest request kicks the loop, and each look costs two store
 * calls (paused accounts, claim), which on the SQLite thread queue behind or interleave with ingest
 * writes: without this gap, 10,000 single-event requests a second meant up to 20,000 store calls a
 * second that found nothing (the batch was lingering or the budget spent). 20 ms is far below the
 * batch linger, so delivery starts no later in practice.
 */
const MIN_GAP_AFTER_EMPTY_CLAIM_MS = 20;
/**
 * A lost claim's token is given back again at most this often until its lease would have ended: the
 * claim itself may reach the database after the first give-back (held up in a pool or on the wire).
 */
export const RELEASE_AGAIN_MS = 1_000;
/** The longest nap between claims while the store keeps failing. */
export const CLAIM_BACKOFF_MAX_MS = 5_000;

/** The nap after the `failures`-th claim failure in a row: the poll interval, doubling. */
export function claimBackoffMs(pollMs: number, failures: number): number {
  return doublingBackoffMs(pollMs, failures, CLAIM_BACKOFF_MAX_MS);
}

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { store, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const { batchSize, leaseMs, pollMs, concurrency } = config.delivery;
  const stopping = new AbortController();
  const aborting = new AbortController();
  const wakeup = createWakeup();
  const holds = new Map<string, number>();
  const lingering = new Map<string, number>();
  let allPausedUntil = 0;
  let allPausedReason = '';
  const inFlight = new Set<Promise<void>>();
  const listeners = new Set<(report: DeliveryReport) => void>();
  const idleWaiters = new Set<{ after: number; resolve: () => void }>();
  let cycle = 0;
  let claimFailures = 0;
  /**
   * Claims that failed without an answer: the store may have committed them (a connection cut
   * after the commit), or may still (a claim held up on its way), leasing events nobody will send.
   * Their tokens are given back before the next claims, again every RELEASE_AGAIN_MS until either
   * something came back (a claim leases once) or the lease would have ended by itself.
   */
  const unanswered: Array<{ token: string; at: number; next: number }> = [];
  let running: Promise<void> | null = null;
  let stopped: Promise<void> | null = null;

  const ctx: WorkerContext = {
    store,
    transport: deps.transport,
    clock,
    config,
    metrics: deps.metrics,
    logger,
    random: deps.random ?? Math.random,
    splitHints: new SplitHints(),
    stopping: stopping.signal,
    aborting: aborting.signal,
    pauseAll(until, reason) {
      allPausedUntil = Math.max(allPausedUntil, until);
      allPausedReason = reason;
    },
    holdAccount(account, until) {
      holds.set(account, Math.min(until, clock.now() + MAX_LOCAL_HOLD_MS));
    },
    async whileLingering(account, wait) {
      lingering.set(account, (lingering.get(account) ?? 0) + 1);
      try {
        return await wait();
      } finally {
        const left = (lingering.get(account) ?? 1) - 1;
        if (left > 0) lingering.set(account, left);
        else lingering.delete(account);
      }
    },
    report(make) {
      if (listeners.size === 0) return;
      const report = make();
      for (const listener of listeners) {
        try {
          listener(report);
        } catch (err) {
          logger.error({ err }, 'delivery outcome listener threw');
        }
      }
    },
  };

  /**
   * Accounts this process holds back now (a spent budget, a lingering batch), or null when all
   * sending is paused. Pauses in the store are the claim's to skip: reading them here cost a second
   * store call per claim, and under heavy ingest each call waits its turn on the store (measured,
   * 25 s end to end with the two calls: one claim every ~125 ms, delivery 34,000–36,000 events/s
   * with the backlog growing; with one: delivery kept up with ingest at 40,000).
   */
  function excludedAccounts(now: number): string[] | null {
    if (allPausedUntil > now) return null;
    for (const [account, until] of holds) if (until <= now) holds.delete(account);
    if (holds.size === 0 && lingering.size === 0) return [];
    return [...new Set([...holds.keys(), ...lingering.keys()])];
  }

  async function releaseUnanswered(now: number): Promise<void> {
    for (let i = 0; i < unanswered.length; ) {
      const lost = unanswered[i]!;
      if (lost.at + leaseMs <= now) {
        unanswered.splice(i, 1);
        continue;
      }
      if (lost.next > now) {
        i += 1;
        continue;
      }
      // A failure here throws to the loop's back-off, and the token stays for the next look.
      const released = await store.releaseClaim(lost.token, now);
      if (released > 0) {
        unanswered.splice(i, 1);
        logger.warn({ released }, 'gave back the events of a claim whose answer was lost');
        continue;
      }
      lost.next = now + RELEASE_AGAIN_MS;
      i += 1;
    }
  }

  async function claimOnce(): Promise<boolean> {
    const now = clock.now();
    await releaseUnanswered(now);
    const excludeAccounts = excludedAccounts(now);
    if (excludeAccounts === null) return false;
    const leaseToken = randomUUID();
    let batch: Awaited<ReturnType<typeof store.claim>>;
    try {
      batch = await store.claim({ limit: batchSize, leaseMs, now, excludeAccounts, leaseToken });
    } catch (err) {
      // A store that cannot give back by token (in-process SQLite, which cannot lose an answer)
      // leaves it to the lease.
      if (store.capabilities.releasesByLeaseToken) unanswered.push({ token: leaseToken, at: now, next: now });
      throw err;
    }
    if (!batch || batch.events.length === 0) return false;
    const task: Promise<void> = deliverBatch(ctx, batch, now)
      .catch((err: unknown) => {
        // Whatever was not settled stays leased and is reclaimed when the lease ends.
        logger.error({ err, account: batch.account, ruleId: batch.ruleId }, 'delivery of a batch failed');
      })
      .finally(() => {
        inFlight.delete(task);
        wakeup.kick();
      });
    inFlight.add(task);
    return true;
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (inFlight.size >= concurrency) {
        await wakeup.wait(pollMs);
        continue;
      }
      const thisCycle = ++cycle;
      let claimed = false;
      try {
        claimed = await claimOnce();
      } catch (err) {
        // A store that keeps failing (disk full, database down) is logged once per streak, and
        // looked at less and less often, up to CLAIM_BACKOFF_MAX_MS: not one stack trace per poll.
        claimFailures += 1;
        if (claimFailures === 1)
          logger.error({ err }, 'delivery loop could not claim; retrying with back-off');
        await sleep(claimBackoffMs(pollMs, claimFailures), stopping.signal);
        continue;
      }
      if (claimFailures > 0) {
        logger.info({ failures: claimFailures }, 'delivery loop claims again');
        claimFailures = 0;
      }
      if (claimed) {
        // Store calls can complete synchronously (SQLite): without a turn of the event loop here,
        // back-to-back claims starve ingest and /healthz for hundreds of milliseconds.
        await yieldToEventLoop();
        continue;
      }
      if (inFlight.size === 0) settleIdle(thisCycle);
      const lookedAt = performance.now();
      await wakeup.wait(pollMs);
      const gap = MIN_GAP_AFTER_EMPTY_CLAIM_MS - (performance.now() - lookedAt);
      if (gap > 0) await sleep(gap, stopping.signal);
    }
  }

  function settleIdle(thisCycle: number): void {
    for (const waiter of idleWaiters) {
      if (waiter.after < thisCycle) {
        idleWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  async function shutdown(): Promise<void> {
    stopping.abort();
    wakeup.kick();
    await running;
    const graceMs = config.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs;
    const timer = new AbortController();
    const drained = await Promise.race([
      Promise.allSettled([...inFlight]).then(() => true),
      sleep(graceMs, timer.signal).then(() => false),
    ]);
    timer.abort();
    if (!drained) {
      logger.warn(
        { inFlight: inFlight.size, graceMs },
        'shutdown grace period over: aborting LinkedIn requests',
      );
      aborting.abort();
      await Promise.allSettled([...inFlight]);
    }
    for (const waiter of idleWaiters) waiter.resolve();
    idleWaiters.clear();
  }

  /**
   * A restart is how a replaced token usually arrives, so a 401 pause from before it is lifted: the
   * first request tries the token, and a token still refused pauses the account again (one request).
   */
  async function liftTokenPauses(): Promise<void> {
    try {
      for (const p of await store.pausedAccounts(clock.now())) {
        if (p.reason !== 'reauth' && p.reason !== 'revoked') continue;
        await store.pauseAccount(p.account, 0, 'resumed');
        logger.info(
          { account: p.account, reason: p.reason },
          'token pause from before this start lifted: the next request tries the configured token',
        );
      }
    } catch (err) {
      logger.warn({ err }, 'could not read the pauses at start; a token pause stays until resumed');
    }
  }

  return {
    start() {
      if (running || stopped) return;
      running = liftTokenPauses()
        .then(loop)
        .catch((err: unknown) => {
          logger.fatal({ err }, 'delivery loop crashed');
        });
    },
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
    kick() {
      wakeup.kick();
    },
    waitForIdle(timeoutMs = DEFAULT_IDLE_TIMEOUT_MS) {
      if (!running || stopping.signal.aborted) return Promise.allSettled([...inFlight]).then(() => undefined);
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          after: cycle,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          idleWaiters.delete(waiter);
          reject(new Error(`delivery worker not idle after ${timeoutMs} ms`));
        }, timeoutMs);
        idleWaiters.add(waiter);
        wakeup.kick();
      });
    },
    processPause() {
      return allPausedUntil > clock.now() ? { until: allPausedUntil, reason: allPausedReason } : null;
    },
    onOutcome(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async resumeAccount(account) {
      if (account === ALL_ACCOUNTS) {
        allPausedUntil = 0;
        holds.clear();
      } else {
        await store.pauseAccount(account, 0, 'resumed');
        holds.delete(account);
      }
      logger.info({ account }, 'delivery resumed');
      wakeup.kick();
    },
  };
}

/** Lets pending I/O (sockets, timers) run before the next claim. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
