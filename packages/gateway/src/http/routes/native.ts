/**
 * `POST /v1/events`: the native ingest route. One event, or `{"events": [...]}`; one result per
 * event; `?validate_only=true` stores nothing and shows the hashed LinkedIn payload.
 */
import { NativeBodySchema, nativeDraft } from '../../domain/native-event.js';
import { GatewayError } from '../../errors.js';
import { clientAddress } from '../auth-guard.js';
import {
  type App,
  isRecord,
  json,
  limitsText,
  type RouteContext,
  validateOnlyFlag,
  withIngestBody,
} from '../context.js';
import { ingestReply } from '../ingest-reply.js';
import { requestIdOf } from '../request-id.js';
import { ErrorBodySchema, IngestResponseSchema, ValidateOnlyQuerySchema } from '../schemas.js';

/** The events of a native body: a single event object, or the `events` array of a batch. */
export function nativeElements(body: unknown, max: number): unknown[] {
  if (!isRecord(body)) {
    throw new GatewayError('BODY_INVALID', {
      path: '/',
      message: 'The body must be one event object or {"events": [...]}.',
    });
  }
  if (!Object.hasOwn(body, 'events')) return [body];
  for (const key in body) {
    if (key !== 'events') {
      throw new GatewayError('BODY_INVALID', {
        path: '/',
        message: 'A batch body holds only the "events" array.',
      });
    }
  }
  const events = body.events;
  if (!Array.isArray(events)) {
    throw new GatewayError('BODY_INVALID', {
      path: '/events',
      message: 'events must be an array of events.',
    });
  }
  if (events.length === 0) {
    throw new GatewayError('BODY_INVALID', {
      path: '/events',
      message: 'events must hold at least one event.',
    });
  }
  if (events.length > max) {
    throw new GatewayError('TOO_MANY_EVENTS', {
      path: '/events',
      message: `The request carries ${events.length} events; at most ${max} are allowed per request.`,
    });
  }
  return events;
}

export function registerNativeRoutes(app: App, ctx: RouteContext): void {
  const { deps, ingestor, admit } = ctx;

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/events',
    tags: ['ingest'],
    summary: 'Ingest conversion events (native format)',
    description: `One event, or {"events": [...]}. Each event gets its own result; a batch is never all-or-nothing. The answer comes after the durable commit. ${limitsText(deps)}`,
    security: [{ sourceKey: [] }],
    request: {
      query: ValidateOnlyQuerySchema,
      body: { required: true, content: { 'application/json': { schema: NativeBodySchema } } },
    },
    responses: {
      200: json(IngestResponseSchema, 'Every event accepted, duplicate or suppressed.'),
      207: json(IngestResponseSchema, 'Some events rejected; see results[].errors.'),
      400: json(ErrorBodySchema, 'BODY_INVALID_JSON, BODY_INVALID or QUERY_INVALID.'),
      401: json(ErrorBodySchema, 'AUTH_MISSING or AUTH_INVALID.'),
      413: json(ErrorBodySchema, 'BODY_TOO_LARGE or TOO_MANY_EVENTS.'),
      415: json(ErrorBodySchema, 'BODY_ENCODING_UNSUPPORTED.'),
      422: json(IngestResponseSchema, 'No event accepted; error plus per-event results.'),
      429: json(
        ErrorBodySchema,
        'AUTH_THROTTLED: too many wrong keys from this address this minute (Retry-After).',
      ),
      503: json(ErrorBodySchema, 'SHUTTING_DOWN, STORE_FULL or STORE_UNAVAILABLE (Retry-After).'),
    },
  });

  app.post('/v1/events', async (c) => {
    const source = admit(c.req.header('authorization'), false, clientAddress(c));
    const validateOnly = validateOnlyFlag(c.req.query('validate_only'));
    const reply = await withIngestBody(ctx, c.req.raw, (body) => {
      const receivedAt = deps.clock.now();
      const drafts = nativeElements(body, deps.config.maxEventsPerRequest).map(nativeDraft);
      return ingestor
        .run({ drafts, source, receivedAt, validateOnly, route: '/v1/events', requestId: requestIdOf(c) })
        .then((results) => ingestReply(results, validateOnly, false));
    });
    return c.json(reply.body, reply.status);
  });
}
