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
  type IngestPlan,
  planIngest,
  previewIngest,
  settleIngest,
} from '../domain/ingest.js';
import { GatewayError } from '../errors.js';
import type { EnqueueStatus, NewOutboxEvent } from '../ports.js';
import { newOutboxId } from '../store/ids.js';
import type { HttpDeps } from './deps.js';

export interface IngestRequest {
  drafts: readonly Draft[];
  source: string;
  receivedAt: number;
  validateOnly: boolean;
  route: string;
}

export interface Ingestor {
  run(request: IngestRequest): Promise<EventResult[]>;
  /** Commits rows durably; STORE_UNAVAILABLE (503) when the store fails. Shared with the LinkedIn route. */
  commit(rows: NewOutboxEvent[], route: string): Promise<EnqueueStatus[]>;
}

const RETRY_AFTER = { 'Retry-After': '5' };

export function createIngestor(deps: HttpDeps, resolver: ConversionResolver): Ingestor {
  const { config, store, metrics, logger } = deps;
  const identity = config.identity;

  async function commit(rows: NewOutboxEvent[], route: string): Promise<EnqueueStatus[]> {
    if (rows.length === 0) return [];
    let statuses: EnqueueStatus[];
    try {
      statuses = await store.enqueue(rows);
    } catch (err) {
      logger.error({ err, route, events: rows.length }, 'outbox enqueue failed; answering 503');
      throw new GatewayError('STORE_UNAVAILABLE', { headers: RETRY_AFTER });
    }
    if (deps.onAccepted && rows.some((r, i) => r.state === 'queued' && statuses[i] === 'inserted'))
      deps.onAccepted();
    return statuses;
  }

  function record(source: string, results: readonly EventResult[]): void {
    const counts = countStatuses(results);
    for (const status of ['accepted', 'duplicate', 'rejected', 'suppressed'] as const) {
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
    async run(request) {
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
        source: request.source,
        receivedAt: request.receivedAt,
        newId: () => newOutboxId(),
        dropEvents: !request.validateOnly,
      });
      if (request.validateOnly) return previewIngest(plan);

      const statuses = await commit(plan.rows, request.route);
      const results = settleIngest(plan, statuses);
      record(request.source, results);
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          { route: request.route, source: request.source, ...countStatuses(results) },
          'ingest request',
        );
      }
      return results;
    },
  };
}
