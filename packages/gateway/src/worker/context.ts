import type { SplitHints } from '../domain/split-hints.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Clock, LinkedInTransport, OutboxStore } from '../ports.js';
import type { DeliveryReport, WorkerConfig } from './types.js';

/** `resumeAccount(ALL_ACCOUNTS)` lifts a pause of all sending (a `config` outcome). */
export const ALL_ACCOUNTS = '*';

/** What a batch's delivery needs from the worker that runs it. */
export interface WorkerContext {
  readonly store: OutboxStore;
  readonly transport: LinkedInTransport;
  readonly clock: Clock;
  readonly config: Readonly<WorkerConfig>;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly random: () => number;
  /** Halves of a bisection handed back before they were sent, so a later claim keeps them apart. */
  readonly splitHints: SplitHints;
  /** Aborts when stop() begins: work not yet sent goes back to the queue. */
  readonly stopping: AbortSignal;
  /** Aborts when the shutdown grace period ends: requests still in flight are cut. */
  readonly aborting: AbortSignal;
  /**
   * Stops this process sending for every account (a `config` outcome). Kept in the process, not
   * the store: the cause is this process's configuration (its LinkedIn-Version), so another
   * instance, or this one restarted with a fixed configuration, must not inherit the pause.
   */
  pauseAll(until: number, reason: string): void;
  /** Keeps this process from claiming the account's events until `until` (budget spent). */
  holdAccount(account: string, until: number): void;
  /**
   * Keeps this process from claiming the account's events while `wait` runs, so a lingering
   * batch collects the newcomers itself instead of a parallel slot sending them separately.
   */
  whileLingering<T>(account: string, wait: () => Promise<T>): Promise<T>;
  /**
   * Tells the outcome listeners. The report is made only when one is subscribed: it lists every
   * event id of the request (5,000 of them), and outside tests nobody listens.
   */
  report(make: () => DeliveryReport): void;
}
