/**
 * Runs the ingest pipeline for the native and Segment routes: plan (pure) → one durable
 * `store.enqueue` → results. The answer is only given after the store has committed, so a 2xx
 * always means "on disk". Metrics are counted per request, not per event.
 */
import { buildConversionEvent, type ConversionInput } from '@capi-gateway/linkedin';
import type { ConversionResolver } from '../domain/conversions.js';
import {
  countStatuses,
  type Draft,
  type EventResult,
  type EventStatus,
  type IngestPlan,
  planIngest,
  previewIngest,
  settleIngest,
} from '../domain/ingest.js';
import { GatewayError } from '../errors.js';
import type { EnqueueStatus, NewOutboxEvent } from '../ports.js';
import { classifyStoreFailure, type StoreFailure } from '../store/failure.js';
import { newOutboxId } from '../store/ids.js';
import type { HttpDeps } from './deps.js';

export interface IngestRequest {
  drafts: readonly Draft[];
  source: string;
  receivedAt: number;
  validateOnly: boolean;
  route: string;
  /** For the log lines about this request (X-Request-Id). */
  requestId?: string | undefined;
}

export interface Ingestor {
  run(request: IngestRequest): Promise<EventResult[]>;
  /**
   * Commits rows durably; when the store fails, 503 STORE_FULL (out of disk space) or
   * STORE_UNAVAILABLE (anything else), and nothing is stored. Shared with the LinkedIn route.
   */
  commit(rows: NewOutboxEvent[], route: string, requestId?: string): Promise<EnqueueStatus[]>;
}

const RETRY_AFTER = { 'Retry-After': '5' };

/** The 503 an ingest request answers when the store refused a write: STORE_FULL or STORE_UNAVAILABLE. */
export function storeRefusal(reason: StoreFailure): GatewayError {
  return new GatewayError(reason === 'full' ? 'STORE_FULL' : 'STORE_UNAVAILABLE', { headers: RETRY_AFTER });
}

export function createIngestor(deps: HttpDeps, resolver: ConversionResolver): Ingestor {
  const { config, store, metrics, logger } = deps;
  const identity = config.identity;

  // commit and run return promise chains rather than being async functions: an async function
  // keeps its parameters and locals alive across each await, and here those are the request's rows
  // and drafts. Held for the whole commit, they survived two scavenges and were copied into the old
  // generation with every request in flight (measured under batch ingest: scavenges took over a
  // quarter of the main thread). Now only the per-event results wait for the commit.
  function commit(rows: NewOutboxEvent[], route: string, requestId?: string): Promise<EnqueueStatus[]> {
    if (rows.length === 0) return Promise.resolve([]);
    const queued = rows.map((r) => r.state === 'queued');
    const events = rows.length;
    let written: Promise<EnqueueStatus[]>;
    try {
      written = store.enqueue(rows);
    } catch (err) {
      written = Promise.reject(err);
    }
    return written.then(
      (statuses) => {
        if (deps.onAccepted && statuses.some((s, i) => s === 'inserted' && queued[i])) deps.onAccepted();
        return statuses;
      },
      (err: unknown) => {
        const reason = classifyStoreFailure(err);
        metrics.ingestStoreFailures.inc({ reason });
        logger.error({ err, route, events, requestId, reason }, 'outbox enqueue failed; answering 503');
        throw storeRefusal(reason);
      },
    );
  }

  function record(source: string, results: readonly EventResult[]): void {
    const counts = countStatuses(results);
    // Every status the counts hold, so none can be left out of the metric.
    for (const status of Object.keys(counts) as EventStatus[]) {
      if (counts[status] > 0) metrics.eventsIngested.inc({ source, status }, counts[status]);
    }
    if (counts.rejected === 0) return;
    const byCode = new Map<string, number>();
    for (const r of results) {
      const code = r.status === 'rejected' ? r.errors?.[0]?.code : undefined;
      if (code) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    }
    for (const [code, n] of byCode) metrics.eventsRejected.inc({ code }, n);
  }

  return {
    commit,
    run(request) {
      const { route, source } = request;
      const buildOptions = {
        version: config.linkedin.version,
        now: request.receivedAt,
        hashNames: identity.hashNames,
        hashIp: identity.hashIp,
        cleanCompanySuffix: identity.cleanCompanySuffix,
      };
      const plan: IngestPlan = planIngest(request.drafts, {
        resolve: resolver.resolve,
        build: (input: ConversionInput) => buildConversionEvent(input, buildOptions),
        source,
        receivedAt: request.receivedAt,
        newId: () => newOutboxId(),
        dropEvents: !request.validateOnly,
      });
      if (request.validateOnly) return Promise.resolve(previewIngest(plan));

      const { slots } = plan;
      const { requestId } = request;
      return commit(plan.rows, route, requestId).then((statuses) => {
        const results = settleIngest(slots, statuses);
        record(source, results);
        if (logger.isLevelEnabled('debug')) {
          logger.debug({ route, source, requestId, ...countStatuses(results) }, 'ingest request');
        }
        return results;
      });
    },
  };
}
