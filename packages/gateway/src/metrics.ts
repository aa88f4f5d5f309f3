/**
 * Prometheus metrics. Names follow Prometheus conventions (app prefix, base units, `_total` for
 * counters) and labels are low-cardinality: never an eventId, email or token.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Ingested events by source and result: accepted | duplicate | rejected | suppressed. */
  readonly eventsIngested: Counter<'source' | 'status'>;
  /** Rejected events by error code. */
  readonly eventsRejected: Counter<'code'>;
  /** Events per delivery outcome: delivered | retry | reauth | forbidden | rejected | config | expired. */
  readonly deliveryAttempts: Counter<'outcome'>;
  /** LinkedIn requests by outcome. */
  readonly linkedinRequests: Counter<'outcome'>;
  /** Seconds from receipt to delivery. */
  readonly deliveryLag: Histogram<never>;
  /** Events by outbox state, refreshed on scrape. */
  readonly queueDepth: Gauge<'state'>;
  /** LinkedIn requests left in the current window, per account and window (minute | day). */
  readonly budgetLeft: Gauge<'account' | 'window'>;
  /**
   * 1 per ad account whose delivery is paused (a refused token, LinkedIn's 429 pause), by reason;
   * refreshed on scrape, so a resumed account disappears. Nothing is lost while paused, but nothing
   * goes out either: the alarm for "LinkedIn stopped taking our events".
   */
  readonly accountPaused: Gauge<'account' | 'reason'>;
  /** Dead-lettered events by reason. */
  readonly deadLettered: Counter<'reason'>;
  /** Age in seconds of the oldest event waiting for delivery (0 when none): the freshness alarm. */
  readonly oldestQueuedAge: Gauge<never>;
  /** Ingest requests waiting for a permit (server.maxInFlightBytes), refreshed on scrape. */
  readonly ingestWaiting: Gauge<never>;
  /** Declared request-body bytes the ingest routes are working on, refreshed on scrape. */
  readonly ingestInFlightBytes: Gauge<never>;
  /** Ingest commits the store refused, by reason (full | unavailable): each one answered 503. */
  readonly ingestStoreFailures: Counter<'reason'>;
  /** Requests that presented a wrong key or token, by result: rejected (401) | throttled (429). */
  readonly authFailures: Counter<'result'>;
}

export interface MetricsOptions {
  /** Called before each scrape so gauges read fresh values (e.g. queue depth from the store). */
  beforeScrape?: () => Promise<void>;
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'capigw_' });
  const registers = [registry];
  return {
    registry,
    eventsIngested: new Counter({
      name: 'capigw_events_ingested_total',
      help: 'Events received by ingest routes, by source and result',
      labelNames: ['source', 'status'] as const,
      registers,
    }),
    eventsRejected: new Counter({
      name: 'capigw_events_rejected_total',
      help: 'Events rejected at ingest, by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'capigw_delivery_attempts_total',
      help: 'Events in LinkedIn delivery attempts, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    linkedinRequests: new Counter({
      name: 'capigw_linkedin_requests_total',
      help: 'Requests sent to LinkedIn, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    deliveryLag: new Histogram({
      name: 'capigw_delivery_lag_seconds',
      help: 'Seconds from receipt to confirmed delivery',
      buckets: [0.1, 0.5, 1, 2, 5, 15, 60, 300, 900, 3600, 21600, 86400],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'capigw_queue_depth',
      help: 'Events in the outbox, by state',
      labelNames: ['state'] as const,
      registers,
    }),
    budgetLeft: new Gauge({
      name: 'capigw_linkedin_budget_remaining',
      help: 'LinkedIn requests left in the current window, per account',
      labelNames: ['account', 'window'] as const,
      registers,
    }),
    accountPaused: new Gauge({
      name: 'capigw_linkedin_account_paused',
      help: 'Ad accounts whose delivery is paused (1), by reason: reauth or revoked (LinkedIn refused the token) | throttled (429) | forbidden (403) | config (version or request refused)',
      labelNames: ['account', 'reason'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'capigw_dead_lettered_total',
      help: 'Events dead-lettered, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    oldestQueuedAge: new Gauge({
      name: 'capigw_oldest_queued_age_seconds',
      help: 'Age of the oldest event waiting for delivery; alert when it passes 15 minutes',
      registers,
    }),
    ingestWaiting: new Gauge({
      name: 'capigw_ingest_waiting_requests',
      help: 'Ingest requests waiting, unread, for the in-flight byte budget (server.maxInFlightBytes)',
      registers,
    }),
    ingestInFlightBytes: new Gauge({
      name: 'capigw_ingest_in_flight_bytes',
      help: 'Declared request-body bytes the ingest routes are working on',
      registers,
    }),
    ingestStoreFailures: new Counter({
      name: 'capigw_ingest_store_failures_total',
      help: 'Ingest commits the store refused (answered 503, nothing stored), by reason: full | unavailable',
      labelNames: ['reason'] as const,
      registers,
    }),
    authFailures: new Counter({
      name: 'capigw_auth_failures_total',
      help: 'Requests refused for their credentials: rejected (a wrong key or token, 401) | throttled (429 AUTH_THROTTLED, from an address past server.authFailuresPerMinute)',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}
