/**
 * `POST /rest/conversionEvents`: LinkedIn's own endpoint, durable. Single create (201, empty body,
 * `x-restli-id`) or `X-RestLi-Method: BATCH_CREATE` with `{"elements": [...]}` (200, one
 * `{"status": 201}` per element), answered after the commit. Validation errors are all-or-nothing
 * and LinkedIn-shaped; the Bearer token is a gateway source key, not a LinkedIn token.
 */
import { MAX_BATCH_SIZE } from '@capi-gateway/linkedin';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { prepareCompat } from '../../domain/linkedin-compat.js';
import { type LinkedInErrorBody, safeFindingPath } from '../../domain/linkedin-errors.js';
import { GatewayError } from '../../errors.js';
import { isJsonObject } from '../../json-object.js';
import type { EnqueueStatus, NewOutboxEvent } from '../../ports.js';
import { newOutboxId } from '../../store/ids.js';
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
import { headerPath } from '../problem-path.js';
import {
  BatchCreateResponseSchema,
  LinkedInDryRunSchema,
  LinkedInErrorSchema,
  ValidateOnlyQuerySchema,
} from '../schemas.js';

/**
 * LinkedIn's event, for the OpenAPI document. Requests are validated by the SDK's mirror of
 * LinkedIn's own rules (which this schema summarises), so that errors come back in LinkedIn's words.
 */
const LinkedInEventSchema = z
  .object({
    conversion: z.string().describe('urn:lla:llaPartnerConversion:{ruleId}; the rule must be configured.'),
    conversionHappenedAt: z.number().int().describe('Epoch milliseconds, within the last 90 days.'),
    conversionValue: z.object({ currencyCode: z.string(), amount: z.string() }).strict().optional(),
    eventId: z
      .string()
      .optional()
      .describe('Deduplication key; without one, a digest of the event stands in.'),
    user: z
      .object({
        userIds: z.array(
          z
            .object({
              idType: z.enum([
                'SHA256_EMAIL',
                'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
                'ACXIOM_ID',
                'PLAINTEXT_IP_ADDRESS',
                'SHA256_IP_ADDRESS',
                'GOOGLE_AID',
              ]),
              idValue: z.string(),
            })
            .strict(),
        ),
        userInfo: z
          .object({
            firstName: z.string(),
            lastName: z.string(),
            hashedFirstName: z.string(),
            hashedLastName: z.string(),
            companyName: z.string(),
            title: z.string(),
            countryCode: z.string(),
          })
          .partial()
          .strict()
          .optional(),
        lead: z.string().optional(),
        externalIds: z.array(z.string()).max(1).optional(),
      })
      .strict(),
  })
  .strict()
  .meta({
    id: 'LinkedInConversionEvent',
    description: 'A LinkedIn conversion event exactly as LinkedIn accepts it (SHA256_EMAIL already hashed).',
  });

const BatchBodySchema = z
  .object({ elements: z.array(LinkedInEventSchema).max(MAX_BATCH_SIZE) })
  .strict()
  .meta({ id: 'LinkedInBatchCreate', description: 'X-RestLi-Method: BATCH_CREATE body.' });

const BATCH_CREATE = 'BATCH_CREATE';
/** LinkedIn's official clients name the method on every call, single creates included. */
const CREATE = 'CREATE';

const REQUIRED = 'field is required but not found and has no default value';

/**
 * The elements of a BATCH_CREATE body, or LinkedIn's 422 when the envelope is wrong. Too many
 * elements is the gateway's own limit, so it is a catalogued 413 rather than a LinkedIn body.
 */
function batchElements(body: unknown, max: number): unknown[] | LinkedInErrorBody {
  if (!isJsonObject(body)) return { message: `ERROR :: /elements :: ${REQUIRED}\n`, status: 422 };
  for (const key in body) {
    if (key !== 'elements') {
      const path = safeFindingPath(`/${key}`);
      return { message: `ERROR :: ${path} :: unrecognized field found but not allowed\n`, status: 422 };
    }
  }
  const elements = body.elements;
  if (!Array.isArray(elements)) return { message: `ERROR :: /elements :: ${REQUIRED}\n`, status: 422 };
  if (elements.length > max) {
    throw new GatewayError('TOO_MANY_EVENTS', {
      path: '/elements',
      message: `The request carries ${elements.length} elements; at most ${max} are allowed per request.`,
    });
  }
  return elements;
}

export function registerLinkedInRoutes(app: App, ctx: RouteContext): void {
  const { deps } = ctx;

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/rest/conversionEvents',
    tags: ['ingest'],
    summary: 'LinkedIn-compatible conversion events (drop-in)',
    description: `Same body and answers as LinkedIn's POST /rest/conversionEvents; single, or X-RestLi-Method: BATCH_CREATE with {"elements": [...]}. All-or-nothing validation like LinkedIn. Plain firstName/lastName are hashed when identity.hashNames is on and LinkedIn-Version is 202609 or later; otherwise they are stored inside the payload until delivery and purged by retention. ${limitsText(deps)}`,
    security: [{ sourceKey: [] }],
    request: {
      query: ValidateOnlyQuerySchema,
      headers: z.object({
        'x-restli-method': z
          .string()
          .optional()
          .describe(
            'BATCH_CREATE for {"elements": [...]}; absent or CREATE for one event (any letter case).',
          ),
      }),
      body: {
        required: true,
        content: { 'application/json': { schema: z.union([LinkedInEventSchema, BatchBodySchema]) } },
      },
    },
    responses: {
      200: json(
        z.union([BatchCreateResponseSchema, LinkedInDryRunSchema]),
        'BATCH_CREATE stored: one {"status": 201} per element. With ?validate_only=true (single or batch): LinkedInDryRun, nothing stored.',
      ),
      201: {
        description: 'Single event stored; empty body (Content-Length: 0).',
        headers: {
          'x-restli-id': {
            description:
              "The stored event's id in the gateway; for a duplicate, the stored event's it repeats (left out if retention already deleted that event).",
            schema: { type: 'string' },
          },
          'x-restli-protocol-version': { schema: { type: 'string', enum: ['2.0.0'] } },
        },
      },
      400: json(
        LinkedInErrorSchema,
        'Semantic problems, "… indices [i, j] (0-indexed)."; or a gateway 400 (BODY_INVALID_JSON, QUERY_INVALID, RESTLI_METHOD_UNSUPPORTED).',
      ),
      401: json(
        LinkedInErrorSchema,
        'AUTH_MISSING, AUTH_SCHEME_UNSUPPORTED or AUTH_INVALID (source key, Bearer).',
      ),
      403: json(
        LinkedInErrorSchema,
        '"No ad accounts found": a conversion rule the configuration does not list.',
      ),
      413: json(LinkedInErrorSchema, 'BODY_TOO_LARGE or TOO_MANY_EVENTS.'),
      415: json(
        LinkedInErrorSchema,
        'BODY_ENCODING_UNSUPPORTED: a Content-Encoding other than gzip or deflate.',
      ),
      422: json(LinkedInErrorSchema, 'Schema problems, one "Index: N, ERROR :: /path :: reason" line each.'),
      429: json(
        LinkedInErrorSchema,
        'AUTH_THROTTLED: too many wrong keys from this address this minute (Retry-After).',
      ),
      503: json(LinkedInErrorSchema, 'SHUTTING_DOWN, STORE_FULL or STORE_UNAVAILABLE (Retry-After).'),
    },
  });

  app.post(LINKEDIN_EVENTS_PATH, async (c) => {
    const reply = await answerLinkedIn(ctx, {
      ...ingestCallOf(c, deps),
      restliMethod: c.req.header('x-restli-method'),
    });
    for (const [name, value] of Object.entries(reply.headers)) c.header(name, value);
    if (reply.body === null) return c.body(null, reply.status as 201);
    return c.json(reply.body, reply.status as ContentfulStatusCode);
  });
}

/** LinkedIn's path for conversion events, which this route answers as LinkedIn would. */
export const LINKEDIN_EVENTS_PATH = '/rest/conversionEvents';

/** One LinkedIn-compatible request (see `IngestCall`) with its X-RestLi-Method header. */
export interface LinkedInCall extends IngestCall {
  /** The raw X-RestLi-Method header. */
  restliMethod: string | undefined;
}

/**
 * What the route answers: LinkedIn's status, its response headers, and a JSON body, or none (a
 * single create's 201). A body of none goes out with `Content-Length: 0`, as LinkedIn's does.
 */
export interface LinkedInReply {
  status: number;
  headers: Record<string, string>;
  body: object | null;
}

const NO_HEADERS: Record<string, string> = {};

/** Admission, method, body, validation, commit: the reply, or a thrown GatewayError. */
export function answerLinkedIn(ctx: RouteContext, call: LinkedInCall): Promise<LinkedInReply> {
  const source = ctx.admit(call.authorization, false, call.client);
  const validateOnly = validateOnlyFlag(call.validateOnly);
  const method = call.restliMethod?.trim().toUpperCase();
  if (method !== undefined && method !== BATCH_CREATE && method !== CREATE) {
    throw new GatewayError('RESTLI_METHOD_UNSUPPORTED', { path: headerPath('X-RestLi-Method') });
  }
  const request = { source, validateOnly, batch: method === BATCH_CREATE, requestId: call.requestId };
  return withIngestText(ctx, call.read(), (body) => ingestLinkedIn(ctx, request, body));
}

interface LinkedInRequest {
  source: string;
  validateOnly: boolean;
  batch: boolean;
  requestId: string | undefined;
}

/**
 * Module-level, like the native route's: the promise it returns must not keep the parsed body
 * alive through the commit, so no closure that outlives it captures `body`.
 */
function ingestLinkedIn(
  ctx: RouteContext,
  request: LinkedInRequest,
  body: unknown,
): LinkedInReply | Promise<LinkedInReply> {
  const { deps, ingestor, resolver } = ctx;
  const { source, validateOnly, batch } = request;
  const receivedAt = deps.clock.now();

  const elements = batch ? batchElements(body, deps.config.maxEventsPerRequest) : [body];
  if (!Array.isArray(elements)) return { status: 422, headers: NO_HEADERS, body: elements };

  const outcome = prepareCompat(elements, batch, {
    version: deps.config.linkedin.version,
    now: receivedAt,
    hashNames: deps.config.identity.hashNames,
    hashIp: deps.config.identity.hashIp,
    configuredRule: resolver.configuredRule,
    source,
    receivedAt,
    newId: () => newOutboxId(),
  });
  if (!outcome.ok) {
    if (!validateOnly) {
      deps.metrics.eventsIngested.inc({ source, status: 'rejected' }, elements.length);
      for (const code of outcome.codes) deps.metrics.eventsRejected.inc({ code });
    }
    return { status: outcome.status, headers: NO_HEADERS, body: outcome.body };
  }
  if (validateOnly) {
    return {
      status: 200,
      headers: NO_HEADERS,
      body: { validateOnly: true, elements: outcome.elements.map((e) => ({ status: 201, ...e })) },
    };
  }

  const count = elements.length;
  const single = batch ? undefined : outcome.rows[0];
  return ingestor
    .commit(outcome.rows, LINKEDIN_EVENTS_PATH, request.requestId)
    .then((statuses): LinkedInReply | Promise<LinkedInReply> => {
      const inserted = statuses.filter((s) => s === 'inserted').length;
      if (inserted > 0) deps.metrics.eventsIngested.inc({ source, status: 'accepted' }, inserted);
      if (count > inserted)
        deps.metrics.eventsIngested.inc({ source, status: 'duplicate' }, count - inserted);
      if (single !== undefined) return singleCreated(ctx, single, statuses[0]);
      return {
        status: 200,
        headers: { 'x-restli-protocol-version': '2.0.0' },
        body: { elements: Array.from({ length: count }, () => ({ status: 201 })) },
      };
    });
}

/**
 * The 201 of a single create. `x-restli-id` names the stored event: the new row, or for a
 * duplicate the stored event it repeats (looked up only then, so the common case costs nothing).
 * A duplicate whose event retention has already purged (its dedup key outlives it) gets no id:
 * a fresh one would name no row.
 */
function singleCreated(
  ctx: RouteContext,
  row: NewOutboxEvent,
  status: EnqueueStatus | undefined,
): LinkedInReply | Promise<LinkedInReply> {
  if (status !== 'duplicate') return created(row.id);
  return storedIdOf(ctx, row).then(created);
}

function created(id: string | null): LinkedInReply {
  const headers: Record<string, string> = { 'x-restli-protocol-version': '2.0.0' };
  if (id !== null) headers['x-restli-id'] = id;
  headers['content-length'] = '0';
  return { status: 201, headers, body: null };
}

/** The id of the stored event `row` repeats: the latest with its rule and eventId, as dedup compares. */
function storedIdOf(ctx: RouteContext, row: NewOutboxEvent): Promise<string | null> {
  return ctx.deps.store.findByEventId(row.eventId).then(
    (events) => {
      let latest: { id: string; receivedAt: number } | null = null;
      for (const e of events) {
        if (e.ruleId === row.ruleId && (latest === null || e.receivedAt > latest.receivedAt)) latest = e;
      }
      return latest?.id ?? null;
    },
    (err: unknown) => {
      // The event is stored and the answer stands; only its id is left out.
      ctx.deps.logger.warn({ err }, 'could not look up the stored id of a duplicate single create');
      return null;
    },
  );
}
