/**
 * `POST /rest/conversionEvents`: LinkedIn's own endpoint, durable. Single create (201, empty body,
 * `x-restli-id`) or `X-RestLi-Method: BATCH_CREATE` with `{"elements": [...]}` (200, one
 * `{"status": 201}` per element), answered after the commit. Validation errors are all-or-nothing
 * and LinkedIn-shaped; the Bearer token is a gateway source key, not a LinkedIn token.
 */
import { MAX_BATCH_SIZE } from '@capi-gateway/linkedin';
import { z } from 'zod';
import { prepareCompat } from '../../domain/linkedin-compat.js';
import { type LinkedInErrorBody, safeFindingPath } from '../../domain/linkedin-errors.js';
import { GatewayError } from '../../errors.js';
import { newOutboxId } from '../../store/ids.js';
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
import { requestIdOf } from '../request-id.js';
import { BatchCreateResponseSchema, LinkedInErrorSchema, ValidateOnlyQuerySchema } from '../schemas.js';

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

const REQUIRED = 'field is required but not found and has no default value';

/**
 * The elements of a BATCH_CREATE body, or LinkedIn's 422 when the envelope is wrong. Too many
 * elements is the gateway's own limit, so it is a catalogued 413 rather than a LinkedIn body.
 */
function batchElements(body: unknown, max: number): unknown[] | LinkedInErrorBody {
  if (!isRecord(body)) return { message: `ERROR :: /elements :: ${REQUIRED}\n`, status: 422 };
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
      message: `The request carries ${elements.length} elements; at most ${max} are allowed per request.`,
    });
  }
  return elements;
}

export function registerLinkedInRoutes(app: App, ctx: RouteContext): void {
  const { deps, ingestor, resolver, admit } = ctx;
  const max = deps.config.maxEventsPerRequest;

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
          .enum([BATCH_CREATE])
          .optional()
          .describe('BATCH_CREATE for {"elements": [...]}.'),
      }),
      body: {
        required: true,
        content: { 'application/json': { schema: z.union([LinkedInEventSchema, BatchBodySchema]) } },
      },
    },
    responses: {
      200: json(BatchCreateResponseSchema, 'BATCH_CREATE stored: one {"status": 201} per element.'),
      201: { description: 'Single event stored; empty body, id in the x-restli-id header.' },
      400: json(LinkedInErrorSchema, 'Semantic problems, "… indices [i, j] (0-indexed)."; or a gateway 400.'),
      401: json(LinkedInErrorSchema, 'AUTH_MISSING or AUTH_INVALID (source key).'),
      403: json(
        LinkedInErrorSchema,
        '"No ad accounts found": a conversion rule the configuration does not list.',
      ),
      413: json(LinkedInErrorSchema, 'BODY_TOO_LARGE or TOO_MANY_EVENTS.'),
      422: json(LinkedInErrorSchema, 'Schema problems, one "Index: N, ERROR :: /path :: reason" line each.'),
      429: json(
        LinkedInErrorSchema,
        'AUTH_THROTTLED: too many wrong keys from this address this minute (Retry-After).',
      ),
      503: json(LinkedInErrorSchema, 'SHUTTING_DOWN, STORE_FULL or STORE_UNAVAILABLE (Retry-After).'),
    },
  });

  app.post('/rest/conversionEvents', async (c) => {
    const source = admit(c.req.header('authorization'), false, clientAddress(c));
    const validateOnly = validateOnlyFlag(c.req.query('validate_only'));
    const method = c.req.header('x-restli-method')?.trim().toUpperCase();
    if (method !== undefined && method !== BATCH_CREATE) throw new GatewayError('RESTLI_METHOD_UNSUPPORTED');
    const batch = method === BATCH_CREATE;
    return withIngestBody<Response>(ctx, c.req.raw, (body) => {
      const receivedAt = deps.clock.now();

      const elements = batch ? batchElements(body, max) : [body];
      if (!Array.isArray(elements)) return c.json(elements, 422);

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
        return c.json(outcome.body, outcome.status);
      }
      if (validateOnly) {
        return c.json(
          { validateOnly: true, elements: outcome.elements.map((e) => ({ status: 201, ...e })) },
          200,
        );
      }

      const count = elements.length;
      const firstId = outcome.rows[0]?.id ?? '';
      return ingestor.commit(outcome.rows, '/rest/conversionEvents', requestIdOf(c)).then((statuses) => {
        const inserted = statuses.filter((s) => s === 'inserted').length;
        if (inserted > 0) deps.metrics.eventsIngested.inc({ source, status: 'accepted' }, inserted);
        if (count > inserted)
          deps.metrics.eventsIngested.inc({ source, status: 'duplicate' }, count - inserted);

        c.header('x-restli-protocol-version', '2.0.0');
        if (!batch) {
          c.header('x-restli-id', firstId);
          return c.body(null, 201);
        }
        return c.json({ elements: Array.from({ length: count }, () => ({ status: 201 })) }, 200);
      });
    });
  });
}
