/**
 * Segment-compatible ingest: `POST /v1/track` (one track call) and `POST /v1/batch`. Existing
 * Segment or RudderStack SDKs point their host at the gateway and send their write key, which is a
 * source key here (Basic user name with an empty password, or Bearer). Replies are always 200 with
 * per-event results, because those SDKs only look at 2xx.
 */
import { snakeCase } from '../../domain/conversions.js';
import type { Draft } from '../../domain/ingest.js';
import {
  readSentAt,
  SegmentBatchSchema,
  type SegmentMapping,
  SegmentTrackSchema,
  segmentBatchDraft,
  segmentTrackDraft,
} from '../../domain/segment-event.js';
import { GatewayError } from '../../errors.js';
import { isJsonObject } from '../../json-object.js';
import {
  type App,
  type IngestCall,
  ingestCallOf,
  json,
  limitsText,
  type RouteContext,
  validateOnlyFlag,
  withIngestText,
} from '../context.js';
import { type IngestReply, ingestReply } from '../ingest-reply.js';
import { WHOLE_BODY } from '../problem-path.js';
import { ErrorBodySchema, IngestResponseSchema, ValidateOnlyQuerySchema } from '../schemas.js';

function batchElements(body: unknown, max: number): unknown[] {
  const batch = isJsonObject(body) ? body.batch : undefined;
  if (!Array.isArray(batch)) {
    throw new GatewayError('BODY_INVALID', {
      path: isJsonObject(body) ? '/batch' : WHOLE_BODY,
      message: 'The body must be {"batch": [...]}.',
    });
  }
  if (batch.length === 0) {
    throw new GatewayError('BODY_INVALID', { path: '/batch', message: 'batch must hold at least one call.' });
  }
  if (batch.length > max) {
    throw new GatewayError('TOO_MANY_EVENTS', {
      path: '/batch',
      message: `The batch carries ${batch.length} calls; at most ${max} are allowed per request.`,
    });
  }
  return batch;
}

const responses = {
  200: json(IngestResponseSchema, 'Per-event results (also when events were rejected).'),
  400: json(ErrorBodySchema, 'BODY_INVALID_JSON, BODY_INVALID or QUERY_INVALID.'),
  401: json(ErrorBodySchema, 'AUTH_MISSING, AUTH_SCHEME_UNSUPPORTED or AUTH_INVALID.'),
  413: json(ErrorBodySchema, 'BODY_TOO_LARGE or TOO_MANY_EVENTS.'),
  415: json(ErrorBodySchema, 'BODY_ENCODING_UNSUPPORTED.'),
  429: json(
    ErrorBodySchema,
    'AUTH_THROTTLED: too many wrong keys from this address this minute (Retry-After).',
  ),
  503: json(ErrorBodySchema, 'SHUTTING_DOWN, STORE_FULL or STORE_UNAVAILABLE (Retry-After).'),
};

export function registerSegmentRoutes(app: App, ctx: RouteContext): void {
  const { deps } = ctx;

  const handle = (route: SegmentRoute) => {
    app.post(route, async (c) => {
      const reply = await answerSegment(ctx, route, ingestCallOf(c, deps));
      return c.json(reply.body, reply.status);
    });
  };

  const security: Array<Record<string, string[]>> = [{ segmentWriteKey: [] }, { sourceKey: [] }];
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/track',
    tags: ['ingest'],
    summary: 'Segment-compatible track call',
    description: `A Segment track call; the event name selects the conversion. ${unmappedText(deps)} ${limitsText(deps)}`,
    security,
    request: {
      query: ValidateOnlyQuerySchema,
      body: { required: true, content: { 'application/json': { schema: SegmentTrackSchema } } },
    },
    responses,
  });
  handle('/v1/track');

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/batch',
    tags: ['ingest'],
    summary: 'Segment-compatible batch',
    description: `Segment calls; track calls are ingested, identify/page/screen/group/alias are answered "ignored". ${limitsText(deps)}`,
    security,
    request: {
      query: ValidateOnlyQuerySchema,
      body: { required: true, content: { 'application/json': { schema: SegmentBatchSchema } } },
    },
    responses,
  });
  handle('/v1/batch');
}

/** What this gateway answers a track call whose event maps to no conversion (segment.unmappedEvents). */
function unmappedText(deps: RouteContext['deps']): string {
  return deps.config.segment.unmappedEvents === 'ignore'
    ? 'A track call whose event maps to no conversion is answered "ignored" (SEGMENT_EVENT_UNMAPPED).'
    : 'A track call whose event maps to no conversion is rejected (CONVERSION_UNKNOWN).';
}

/** The Segment-compatible ingest paths. */
export type SegmentRoute = '/v1/track' | '/v1/batch';

export const SEGMENT_ROUTES: readonly SegmentRoute[] = ['/v1/track', '/v1/batch'];

/** Admission (Basic or Bearer), flags, body, plan, commit: the reply, or a thrown GatewayError. */
export function answerSegment(
  ctx: RouteContext,
  route: SegmentRoute,
  call: IngestCall,
): Promise<IngestReply> {
  const source = ctx.admit(call.authorization, true, call.client);
  const validateOnly = validateOnlyFlag(call.validateOnly);
  const request = { route, source, validateOnly, requestId: call.requestId };
  return withIngestText(ctx, call.read(), (body) => ingestSegment(ctx, request, body));
}

interface SegmentRequest {
  route: SegmentRoute;
  source: string;
  validateOnly: boolean;
  requestId: string | undefined;
}

/**
 * Module-level, like the native route's: the promise it returns must not keep the parsed body
 * alive through the commit, so no closure that outlives it captures `body`.
 */
function ingestSegment(ctx: RouteContext, request: SegmentRequest, body: unknown): Promise<IngestReply> {
  const { deps, ingestor, resolver } = ctx;
  const receivedAt = deps.clock.now();
  // Event names map to aliases as written first ("lead", "Lead"), then in snake_case ("Qualified Lead").
  const conversionFor = (name: string) => (resolver.resolve(name).ok ? name : snakeCase(name));
  const ignoresUnmapped = deps.config.segment.unmappedEvents === 'ignore';
  const unmapped = (conversion: string): string | null => {
    if (!ignoresUnmapped) return null;
    const resolved = resolver.resolve(conversion);
    return resolved.ok ? null : resolved.message;
  };
  const mapping: SegmentMapping = { conversionFor, unmapped, receivedAt };
  const drafts =
    request.route === '/v1/track' ? [trackDraft(body, mapping)] : batchDrafts(ctx, body, mapping);
  const { route, source, validateOnly, requestId } = request;
  return ingestor
    .run({ drafts, source, receivedAt, validateOnly, route, requestId })
    .then((results) => ingestReply(results, validateOnly, true));
}

function trackDraft(body: unknown, mapping: SegmentMapping): Draft {
  if (!isJsonObject(body)) {
    throw new GatewayError('BODY_INVALID', {
      path: WHOLE_BODY,
      message: 'The body must be one Segment track call.',
    });
  }
  return segmentTrackDraft(body, mapping);
}

function batchDrafts(ctx: RouteContext, body: unknown, mapping: SegmentMapping): Draft[] {
  const calls = batchElements(body, ctx.deps.config.maxEventsPerRequest);
  // The batch's sentAt stands for each call's own that is missing (Segment's clock-skew correction).
  const batchSentAt = readSentAt((body as { sentAt?: unknown }).sentAt);
  if (batchSentAt === null) {
    throw new GatewayError('BODY_INVALID', {
      path: '/sentAt',
      message: 'sentAt must be an ISO-8601 time with a time zone.',
    });
  }
  const callMapping = batchSentAt === undefined ? mapping : { ...mapping, batchSentAt };
  return calls.map((call) => segmentBatchDraft(call, callMapping));
}
