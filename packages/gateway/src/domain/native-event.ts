/**
 * The native event format (`POST /v1/events`): its schema, which both validates each event and
 * generates the OpenAPI document, and its mapping to a draft for the shared ingest pipeline.
 */
import { MAX_BATCH_SIZE } from '@capi-gateway/linkedin';
import { type core, z } from 'zod';
import type { Problem } from '../errors.js';
import { parseHappenedAt } from './happened-at.js';
import { type Draft, MAX_EVENT_ID } from './ingest.js';
import { type CodeFor, isMissing, pointer, problemsFromIssues } from './issues.js';
import { isPlainNativeEvent } from './native-fast-path.js';
import { NATIVE_LIMITS } from './native-limits.js';
import { isPiiKey, looksLikeEmail, rawEmailProblems } from './pii.js';

const MAX_TEXT = NATIVE_LIMITS.text;
export const MAX_CONTEXT_KEYS = 32;
const MAX_CONTEXT_KEY = 64;

const text = (description: string) => z.string().max(MAX_TEXT).describe(description);

export const NativeUserSchema = z
  .object({
    email: text(
      'Email address; normalised (trimmed, lower-cased) and SHA-256 hashed at the edge, never stored.',
    ),
    sha256Email: text('SHA-256 hex of the normalised email, if you hash it yourself.'),
    liFatId: text('LinkedIn click id (li_fat_id query parameter or first-party cookie), sent verbatim.'),
    acxiomId: text('Acxiom / LiveRamp id.'),
    ip: text('Public IPv4 address of the person (sent plain, or hashed with identity.hashIp).'),
    sha256Ip: text('SHA-256 hex of the IPv4 address.'),
    googleAid: text('Android advertising id.'),
    firstName: text(
      'First name; needs lastName. Hashed with identity.hashNames (LinkedIn-Version 202609+), else sent plain.',
    ),
    lastName: text('Last name; needs firstName.'),
    companyName: text('Company name (only sent together with a name pair).'),
    title: text('Job title (only sent together with a name pair).'),
    countryCode: text('ISO 3166-1 alpha-2 country code (only sent together with a name pair).'),
    externalId: text('Your own stable user id (LinkedIn externalIds).'),
    leadId: text('LinkedIn Lead Gen Form response id or urn:li:leadGenFormResponse URN.'),
  })
  .partial()
  .strict()
  .meta({
    id: 'NativeUser',
    description: 'Identifiers of the person. At least one usable identifier is required.',
  });

export const ContextSchema = z
  .record(
    z.string().max(MAX_CONTEXT_KEY),
    z.union([z.string().max(MAX_TEXT), z.number(), z.boolean(), z.null()], {
      error: 'Must be a string (up to 512 characters), number, boolean or null.',
    }),
  )
  .refine((ctx) => Object.keys(ctx).length <= MAX_CONTEXT_KEYS, {
    error: `At most ${MAX_CONTEXT_KEYS} keys.`,
  })
  .meta({
    id: 'EventContext',
    description:
      'Optional B2B envelope (accountDomain, crmAccountId, lifecycleStage, opportunityId, …): stored for reconciliation, never sent to LinkedIn. Flat, at most 32 keys, no personal data: keys such as email/phone/name and values that look like email addresses are refused.',
  });

export const NativeEventSchema = z
  .object({
    conversion: z
      .union([z.string().min(1).max(NATIVE_LIMITS.conversion), z.number()], {
        error: 'Must be an alias, a rule id or a rule URN.',
      })
      .describe('Configured alias (case-insensitive), rule id, or urn:lla:llaPartnerConversion:{id}.'),
    eventId: z
      .string()
      .min(1)
      .max(MAX_EVENT_ID)
      .describe(
        'Stable business id (order id, form submission id). Deduplication key with the rule; also sent to LinkedIn for Insight Tag deduplication.',
      ),
    happenedAt: z
      .union([z.string().max(NATIVE_LIMITS.happenedAt), z.number()], {
        error: 'Must be ISO-8601 text or epoch milliseconds.',
      })
      .describe(
        'When the conversion happened: ISO-8601 with a time zone, or epoch milliseconds. At most 90 days ago.',
      ),
    value: z
      .object({
        amount: z.union([z.string().max(NATIVE_LIMITS.amount), z.number()], {
          error: 'Must be a decimal string or number.',
        }),
        currency: z.string().max(NATIVE_LIMITS.currency).describe('ISO 4217 code, e.g. EUR.'),
      })
      .strict()
      .optional()
      .describe('Conversion value.'),
    user: NativeUserSchema,
    consent: z
      .object({ granted: z.boolean() })
      .strict()
      .optional()
      .describe(
        'granted:false stores the event as suppressed: it counts for deduplication and is never sent.',
      ),
    context: ContextSchema.optional(),
  })
  .strict()
  .meta({ id: 'NativeEvent', description: 'One conversion event.' });

export type NativeEvent = z.infer<typeof NativeEventSchema>;

export const NativeBatchSchema = z
  .object({ events: z.array(NativeEventSchema).min(1).max(MAX_BATCH_SIZE) })
  .strict()
  .meta({
    id: 'NativeBatch',
    description:
      'Several events (at most server.maxEventsPerRequest, 5,000 by default); each gets its own result, a batch is never all-or-nothing.',
  });

export const NativeBodySchema = z.union([NativeEventSchema, NativeBatchSchema]);

const codeFor: CodeFor = (issue, path) => {
  switch (path[0]) {
    case 'eventId':
      return isMissing(issue) ? 'EVENT_ID_MISSING' : 'EVENT_ID_INVALID';
    case 'happenedAt':
      return 'HAPPENED_AT_INVALID';
    case 'context':
      return 'CONTEXT_INVALID';
    default:
      return 'EVENT_INVALID';
  }
};

/** User fields stored or sent unhashed: none may hold an email address. */
const PLAIN_USER_FIELDS = [
  'liFatId',
  'acxiomId',
  'googleAid',
  'firstName',
  'lastName',
  'companyName',
  'title',
  'externalId',
  'leadId',
] as const;

function eventIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { eventId?: unknown }).eventId;
  // Only a well-formed id is echoed back; anything else could be arbitrary (even personal) data.
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID && !looksLikeEmail(id)
    ? id
    : null;
}

/** Checks the context for personal data and serialises it; problems are appended to `out`. */
function contextJson(context: Record<string, unknown> | undefined, out: Problem[]): string | null {
  if (context === undefined) return null;
  let empty = true;
  for (const key in context) {
    empty = false;
    const value = context[key];
    if (isPiiKey(key) || looksLikeEmail(key) || (typeof value === 'string' && looksLikeEmail(value))) {
      out.push({
        code: 'CONTEXT_PII',
        path: pointer(['context', key]),
        message: 'Personal data is not allowed in context; put identifiers in user, where they are hashed.',
      });
    }
  }
  return empty ? null : JSON.stringify(context);
}

export function nativeDraft(raw: unknown): Draft {
  const parsed = isPlainNativeEvent(raw)
    ? { success: true as const, data: raw }
    : NativeEventSchema.safeParse(raw);
  if (!parsed.success) {
    return refusedByShape(raw, parsed.error.issues);
  }
  return checkedDraft(parsed.data);
}

const REQUIRED_FIELDS = ['conversion', 'eventId', 'happenedAt', 'user'] as const;

/**
 * An event the schema refused. The fields it did not refuse still get every other check, so the
 * answer names all the event's problems at once: the fields at fault are left out and what is
 * left is checked again, when the required fields are all among it; otherwise the conversion
 * alone is checked, when it was readable.
 */
function refusedByShape(raw: unknown, issues: readonly core.$ZodIssue[]): Draft {
  const errors = problemsFromIssues(issues, codeFor);
  const eventId = eventIdOf(raw);
  const left = withoutFieldsAtFault(raw, issues);
  if (left === null) return { kind: 'rejected', eventId, errors };
  const again = REQUIRED_FIELDS.every((k) => k in left) ? NativeEventSchema.safeParse(left) : null;
  if (again?.success) {
    const draft = checkedDraft(again.data);
    const rest =
      draft.kind === 'event'
        ? { ...draft.input, conversion: draft.conversion }
        : draft.kind === 'rejected'
          ? draft.rest
          : undefined;
    const more = draft.kind === 'rejected' ? draft.errors : [];
    return { kind: 'rejected', eventId, errors: [...errors, ...more], ...(rest ? { rest } : {}) };
  }
  const conversion = left.conversion;
  return typeof conversion === 'string' || typeof conversion === 'number'
    ? { kind: 'rejected', eventId, errors, conversion }
    : { kind: 'rejected', eventId, errors };
}

/**
 * The event's own fields the schema found nothing wrong with, or null when the schema refused the
 * event as a whole (not an object).
 */
function withoutFieldsAtFault(
  raw: unknown,
  issues: readonly core.$ZodIssue[],
): Record<string, unknown> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const atFault = new Set<PropertyKey>();
  for (const issue of issues) {
    if (issue.path.length > 0) atFault.add(issue.path[0] as PropertyKey);
    else if (issue.code === 'unrecognized_keys') for (const key of issue.keys) atFault.add(key);
    else return null;
  }
  const left: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!atFault.has(key)) left[key] = value;
  return left;
}

/** The checks beyond the schema's, on an event the schema accepted. */
function checkedDraft(ev: NativeEvent): Draft {
  const errors: Problem[] = [];
  if (looksLikeEmail(ev.eventId)) {
    errors.push({
      code: 'EVENT_ID_INVALID',
      path: '/eventId',
      message:
        'The eventId looks like an email address; use a business id such as an order or form submission id.',
    });
  }
  const happenedAt = parseHappenedAt(ev.happenedAt);
  if (happenedAt === null) {
    errors.push({
      code: 'HAPPENED_AT_INVALID',
      path: '/happenedAt',
      message:
        'Not a readable time; use ISO-8601 with a time zone (2026-11-20T10:15:00Z) or epoch milliseconds.',
    });
  }
  errors.push(...rawEmailProblems(ev.user, PLAIN_USER_FIELDS, '/user', 'user.email'));
  const context = contextJson(ev.context, errors);
  const eventId = errors.some((e) => e.code === 'EVENT_ID_INVALID') ? null : ev.eventId;
  const value = ev.value ? { amount: ev.value.amount, currency: ev.value.currency } : undefined;
  if (errors.length > 0 || happenedAt === null) {
    const rest = { conversion: ev.conversion, happenedAt, user: ev.user, value };
    return { kind: 'rejected', eventId, errors, rest };
  }

  const input: Extract<Draft, { kind: 'event' }>['input'] = { happenedAt, user: ev.user };
  if (value) input.value = value;
  return {
    kind: 'event',
    eventId: ev.eventId,
    conversion: ev.conversion,
    input,
    consent: ev.consent ? ev.consent.granted : null,
    context,
    warnings: [],
  };
}
