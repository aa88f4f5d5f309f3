/**
 * What the HTTP layer needs from the composition root. Everything is injected, so tests build an app
 * with a memory store, a fixed clock and a captured logger.
 */
import type { GatewayConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Clock, OutboxStore } from '../ports.js';

export interface Readiness {
  ok: boolean;
  checks: Record<string, string>;
}

export interface HttpDeps {
  config: Readonly<GatewayConfig>;
  store: OutboxStore;
  clock: Clock;
  metrics: GatewayMetrics;
  logger: Logger;
  /** False while shutting down: ingest answers 503 SHUTTING_DOWN and /readyz fails. */
  intake: { accepting(): boolean };
  /** Called after a commit that queued events, to wake the delivery worker. */
  onAccepted?: () => void;
  /**
   * Lifts an account's delivery pause for every instance ('*': this process's pause of all sending),
   * through the worker (POST /v1/accounts/{account}/resume). Without one, the route lifts the
   * pause in the store and wakes the worker with `onAccepted`.
   */
  resumeDelivery?: (account: string) => Promise<void>;
  /** This process's pause of all sending, if any (the worker's); shown beside the account pauses. */
  processPause?: () => { until: number; reason: string } | null;
  /** Deep readiness (store reachable, migrations done…); defaults to a store.ping() probe. */
  readiness?: () => Promise<Readiness>;
}
