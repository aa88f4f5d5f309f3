import type { GatewayConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Clock, DeliveryOutcome, LinkedInTransport, OutboxStore } from '../ports.js';

/** The settings the worker reads; a full GatewayConfig satisfies it. */
export type WorkerConfig = Pick<GatewayConfig, 'delivery' | 'accounts'> &
  Partial<Pick<GatewayConfig, 'shutdownGraceMs'>>;

export interface DeliveryWorkerDeps {
  store: OutboxStore;
  transport: LinkedInTransport;
  clock?: Clock;
  config: Readonly<WorkerConfig>;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Uniform in [0, 1); jitter for retries. Tests pin it. */
  random?: () => number;
}

/**
 * One thing the worker did with a group of events: a LinkedIn request and what followed from it,
 * events dead-lettered as `expired` before any request, or events handed back unsent (`deferred`:
 * budget spent, account paused, lease running out, shutdown).
 */
export interface DeliveryReport {
  account: string;
  ruleId: string;
  kind: DeliveryOutcome['kind'] | 'expired' | 'deferred';
  /** LinkedIn's HTTP status (0 for a network error); null when no request was made. */
  status: number | null;
  requestId: string | null;
  /** Internal ids of the events concerned (the request's events, in order). */
  eventIds: string[];
  delivered: string[];
  retried: string[];
  dead: string[];
  released: string[];
  /** Sent again at once in smaller batches after a rejection. */
  resent: string[];
}

export interface DeliveryWorker {
  /** Starts the loop; idempotent. */
  start(): void;
  /**
   * Stops claiming, lets in-flight requests finish (bounded by `shutdownGraceMs`, then aborted),
   * releases anything claimed but not sent, and resolves.
   */
  stop(): Promise<void>;
  /** New events arrived: look now instead of at the next poll. */
  kick(): void;
  /**
   * Resolves once nothing is claimable (due events of paused or budget-blocked accounts do not
   * count) and nothing is in flight, as seen by a claim started after this call.
   */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /**
   * This process's pause of all sending (a `config` outcome: LinkedIn refused the version or the
   * endpoint is wrong), while it lasts. Kept in the process, never in the store.
   */
  processPause(): { until: number; reason: string } | null;
  /** Subscribes to delivery reports; returns the unsubscribe function. */
  onOutcome(listener: (report: DeliveryReport) => void): () => void;
  /**
   * Lifts an account's pause (new token, fixed permission) for every instance sharing the store.
   * `ALL_ACCOUNTS` lifts this process's pause of all sending after a `config` outcome.
   */
  resumeAccount(account: string): Promise<void>;
}
