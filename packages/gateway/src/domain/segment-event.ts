/**
 * Segment-compatible calls (`POST /v1/track`, `POST /v1/batch`), so existing Segment and RudderStack
 * SDKs can point at the gateway. Segment payloads are free-form, so the schemas are loose: only the
 * fields the mapping reads are typed, everything else is ignored (and never stored).
 *
 * Mapping: messageId → eventId; event → conversion alias (as written, then in snake_case);
 * timestamp → happenedAt (corrected for the sender's clock skew with sentAt, as Segment does); the first usable of context.traits.email and properties.email → email; properties.revenue |
 * properties.value + properties.currency → value; li_fat_id from properties, context, traits or the
 * page URL; names, company and title from context.traits; context.ip → ip.
 */
import { MAX_BATCH_SIZE, normalizeEmail } from '@capi-gateway/linkedin';
import { z } from 'zod';
import type { Problem } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { hasTimeOfDay, parseHappenedAt } from './happened-at.js';
import { type Draft, MAX_EVENT_ID, type PathOf } from './ingest.js';
import { type CodeFor, isMissing, problemsFromIssues } from './issues.js';
import { looksLikeEmail, rawEmailProblems } from './pii.js';

const MAX_TEXT = 512;
/** The longest event name taken, by the schema and by the unmapped check before it. */
const MAX_EVENT_NAME = 200;
const str = z.string().max(MAX_TEXT).nullish();
const amount = z
  .union([z.number(), z.string().max(64)], { error: 'Must be a number or a decimal string.' })
  .nullish();

const TraitsSchema = z.looseObject({
  email: str,
  firstName: str,
  lastName: str,
  first_name: str,
  last_name: str,
  company: z
    .union([z.string().max(MAX_TEXT), z.looseObject({ name: str })], { error: 'Must be a string or {name}.' })
    .nullish(),
  title: str,
  li_fat_id: str,
});

const ContextSchema = z.looseObject({
  ip: str,
  traits: TraitsSchema.nullish(),
  page: z.looseObject({ url: z.string().max(8192).nullish() }).nullish(),
  li_fat_id: str,
});

const PropertiesSchema = z.looseObject({
  revenue: amount,
  value: amount,
  currency: str,
  email: str,
  li_fat_id: str,
});

export const SegmentTrackSchema = z
  .looseObject({
    type: z
      .string()
      .max(32)
      .nullish()
      .describe(
        '"track" (optional on /v1/track). identify, page, screen, group and alias calls are answered "ignored", as in a batch.',
      ),
    event: z
      .string()
      .min(1)
      .max(MAX_EVENT_NAME)
      .describe('Event name; mapped to a conversion alias (as written, then in snake_case).'),
    messageId: z.string().min(1).max(MAX_EVENT_ID).describe('Becomes the eventId (deduplication key).'),
    timestamp: z.string().max(64).nullish().describe('ISO-8601; the time of receipt when absent.'),
    sentAt: z
      .string()
      .max(64)
      .nullish()
      .describe(
        'ISO-8601, by the sender’s clock, when the call was sent. With a timestamp, corrects the sender’s clock skew as Segment does: the time sent is timestamp + (time of receipt − sentAt).',
      ),
    properties: PropertiesSchema.nullish(),
    context: ContextSchema.nullish(),
  })
  .meta({
    id: 'SegmentTrack',
    description: 'A Segment track call. Other Segment fields are accepted and ignored.',
  });

export const SegmentBatchSchema = z
  .looseObject({
    batch: z
      .array(
        z.looseObject({
          type: z.string().max(32).describe('track, identify, page, screen, group or alias.'),
        }),
      )
      .min(1)
      .max(MAX_BATCH_SIZE)
      .describe('Segment calls; only track calls carry conversions, the others are answered "ignored".'),
    sentAt: z
      .string()
      .max(64)
      .nullish()
      .describe('ISO-8601, by the sender’s clock: the sentAt of every call that has none of its own.'),
  })
  .meta({ id: 'SegmentBatch', description: 'A Segment batch.' });

/** Call types Segment SDKs send that carry no conversion: answered 'ignored', not rejected. */
const IGNORED_TYPES: ReadonlySet<string> = new Set(['identify', 'page', 'screen', 'group', 'alias']);

const codeFor: CodeFor = (issue, path) => {
  if (path[0] === 'messageId') return isMissing(issue) ? 'EVENT_ID_MISSING' : 'EVENT_ID_INVALID';
  if (path[0] === 'timestamp' || path[0] === 'sentAt') return 'HAPPENED_AT_INVALID';
  return 'EVENT_INVALID';
};

export interface SegmentMapping {
  /** The event name as the conversion to resolve (the caller tries the name, then snake_case). */
  conversionFor(eventName: string): string;
  /**
   * Why a track call whose event name maps to `conversion` (conversionFor's answer) is answered
   * `ignored` rather than mapped (no such conversion is configured and `segment.unmappedEvents` is
   * `ignore`), or null when it is mapped as usual.
   */
  unmapped(conversion: string): string | null;
  receivedAt: number;
  /** A batch's own sentAt (readSentAt's answer), for its calls that have none. */
  batchSentAt?: number;
}

/**
 * A Segment `sentAt` as sent: epoch ms, undefined when absent (or null), or null when it is not a
 * readable ISO-8601 time with a time zone.
 */
export function readSentAt(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return undefined;
  // A clock reading: a date alone cannot correct a clock by seconds.
  if (typeof value !== 'string' || value.length > 64 || !hasTimeOfDay(value)) return null;
  return parseHappenedAt(value);
}

/**
 * How far sentAt may be from the time of receipt: the sender's clock error plus the time in
 * transit. Further than this it is not the sender's clock at sending (a constant, a date typed by
 * hand), and correcting by it would move the event by as much.
 */
export const SENT_AT_MAX_DISTANCE_MS = 24 * 3_600_000;

/** The event name of a call, when it has a usable one (the schema's own limits). */
function eventNameOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const event = (raw as { event?: unknown }).event;
  return typeof event === 'string' && event.length > 0 && event.length <= MAX_EVENT_NAME ? event : undefined;
}

/**
 * A track call whose event maps to no conversion, under `segment.unmappedEvents: ignore`: a Segment
 * source forwards every track call, and most are not conversions. Nothing else in the call is
 * checked, since none of it is stored or sent.
 */
function unmappedDraft(raw: unknown, conversion: string, mapping: SegmentMapping): Draft | null {
  const why = mapping.unmapped(conversion);
  if (why === null) return null;
  return {
    kind: 'ignored',
    eventId: messageIdOf(raw),
    warnings: [{ code: 'SEGMENT_EVENT_UNMAPPED', path: '/event', message: `${why} The call was ignored.` }],
  };
}

type Track = z.infer<typeof SegmentTrackSchema>;

/** A call's `type` as sent, whatever it is; undefined when the call is not an object. */
function callTypeOf(raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
}

function messageIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { messageId?: unknown }).messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID && !looksLikeEmail(id)
    ? id
    : null;
}

const LI_FAT_ID_PARAM = 'li_fat_id=';

/** li_fat_id from the landing-page URL (capture path A in LinkedIn's docs). */
function liFatIdFromUrl(url: string | null | undefined): string | undefined {
  if (!url?.includes(LI_FAT_ID_PARAM)) return undefined;
  try {
    return new URL(url).searchParams.get('li_fat_id') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether a Segment field holds a value the mapping takes (absent, null and '' do not count). */
function given(v: string | null | undefined): v is string {
  return v !== undefined && v !== null && v !== '';
}

function firstOf(...values: Array<string | null | undefined>): string | undefined {
  for (const v of values) if (given(v)) return v;
  return undefined;
}

/** A place in a Segment call that may hold the person's email. */
interface EmailCandidate {
  value: string;
  /** JSON pointer into the call. */
  path: string;
  /** As the docs write it, for messages. */
  field: string;
}

/** The emails a call gives, in the order they are tried: context.traits.email, then properties.email. */
function emailCandidates(call: Track): EmailCandidate[] {
  const out: EmailCandidate[] = [];
  const traits = call.context?.traits?.email;
  const props = call.properties?.email;
  if (given(traits))
    out.push({ value: traits, path: '/context/traits/email', field: 'context.traits.email' });
  if (given(props)) out.push({ value: props, path: '/properties/email', field: 'properties.email' });
  return out;
}

/**
 * Which candidate the identifiers take: the first usable one, so that a placeholder or invalid
 * address in context.traits.email does not hide a good one in properties.email; when none is
 * usable, the first (the SDK then says why it was dropped). -1 when the call gives none.
 */
function chosenEmail(candidates: readonly EmailCandidate[]): number {
  if (candidates.length < 2) return candidates.length - 1;
  const usable = candidates.findIndex((c) => normalizeEmail(c.value).ok);
  return usable === -1 ? 0 : usable;
}

/**
 * Warnings for the candidates that were not taken because they are unusable: those before the one
 * taken, or, when none was usable, all but the first (whose warning the SDK gives at /user/email).
 */
function unusedEmailWarnings(candidates: readonly EmailCandidate[], chosen: number): Problem[] {
  const out: Problem[] = [];
  const taken = candidates[chosen];
  candidates.forEach((candidate, i) => {
    if (i === chosen) return;
    const n = normalizeEmail(candidate.value);
    if (n.ok) return;
    const outcome = taken !== undefined && i < chosen ? `${taken.field} was used instead` : 'it was not sent';
    out.push({ code: n.code, path: candidate.path, message: `${upperFirst(n.reason)}; ${outcome}.` });
  });
  return out;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function userOf(call: Track, email: string | undefined): Record<string, string> {
  const traits = call.context?.traits ?? undefined;
  const props = call.properties ?? undefined;
  const company = traits?.company;
  const fields: Record<string, string | undefined> = {
    email,
    liFatId: firstOf(
      props?.li_fat_id,
      call.context?.li_fat_id,
      traits?.li_fat_id,
      liFatIdFromUrl(call.context?.page?.url),
    ),
    ip: firstOf(call.context?.ip),
    firstName: firstOf(traits?.firstName, traits?.first_name),
    lastName: firstOf(traits?.lastName, traits?.last_name),
    companyName: typeof company === 'string' ? company : firstOf(company?.name),
    title: firstOf(traits?.title),
  };
  const user: Record<string, string> = {};
  for (const key in fields) {
    const v = fields[key];
    if (v !== undefined) user[key] = v;
  }
  return user;
}

const PLAIN_FIELDS = ['liFatId', 'firstName', 'lastName', 'companyName', 'title'] as const;

/**
 * The body of `/v1/track`. Its `type` may be left out (the call is a track call then); a call that
 * names another type is answered as in a batch, so a page or identify call sent here is `ignored`
 * rather than taken for a conversion.
 */
export function segmentTrackDraft(raw: unknown, mapping: SegmentMapping): Draft {
  const type = callTypeOf(raw);
  return type === undefined || type === null ? trackCallDraft(raw, mapping) : segmentBatchDraft(raw, mapping);
}

/** A track call: mapped to a conversion event. */
function trackCallDraft(raw: unknown, mapping: SegmentMapping): Draft {
  const eventName = eventNameOf(raw);
  // Found once: the unmapped check and the draft both use it.
  const conversion = eventName === undefined ? undefined : mapping.conversionFor(eventName);
  const ignored = conversion === undefined ? null : unmappedDraft(raw, conversion, mapping);
  if (ignored !== null) return ignored;
  const parsed = SegmentTrackSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      kind: 'rejected',
      eventId: messageIdOf(raw),
      errors: problemsFromIssues(parsed.error.issues, codeFor),
    };
  }
  const call = parsed.data;
  // eventNameOf takes what the schema takes, so a parsed call's conversion is already known.
  const callConversion = conversion ?? mapping.conversionFor(call.event);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if (looksLikeEmail(call.messageId)) {
    errors.push({
      code: 'EVENT_ID_INVALID',
      path: '/messageId',
      message: 'The messageId looks like an email address; use a generated or business id.',
    });
  }
  let happenedAt: number | null = mapping.receivedAt;
  const { timestamp } = call;
  const stamped = timestamp !== undefined && timestamp !== null;
  if (!stamped) {
    warnings.push({
      code: 'HAPPENED_AT_DEFAULTED',
      path: '/timestamp',
      message: 'No timestamp; the time of receipt was used.',
    });
  } else {
    happenedAt = parseHappenedAt(timestamp);
    if (happenedAt === null) {
      errors.push({
        code: 'HAPPENED_AT_INVALID',
        path: '/timestamp',
        message: 'Not a readable ISO-8601 time with a time zone.',
      });
    }
  }
  const sentAt =
    call.sentAt === undefined || call.sentAt === null ? mapping.batchSentAt : readSentAt(call.sentAt);
  if (sentAt === null) {
    errors.push({
      code: 'HAPPENED_AT_INVALID',
      path: '/sentAt',
      message: 'Not a readable ISO-8601 time with a time zone.',
    });
  } else if (sentAt !== undefined && Math.abs(mapping.receivedAt - sentAt) > SENT_AT_MAX_DISTANCE_MS) {
    errors.push({
      code: 'HAPPENED_AT_INVALID',
      path: '/sentAt',
      message:
        "sentAt is more than a day from the time of receipt, so it is not the sender's clock when it sent the call.",
    });
  } else if (sentAt !== undefined && happenedAt !== null && stamped) {
    // Segment's own correction of the sender's clock: timestamp and sentAt are both read on that
    // clock, so the event happened (sentAt - timestamp) before the call arrived.
    happenedAt += mapping.receivedAt - sentAt;
  }
  const emails = emailCandidates(call);
  const chosen = chosenEmail(emails);
  warnings.push(...unusedEmailWarnings(emails, chosen));
  const user = userOf(call, emails[chosen]?.value);
  errors.push(...rawEmailProblems(user, PLAIN_FIELDS, '/user', 'context.traits.email or properties.email'));
  const eventId = errors.some((e) => e.code === 'EVENT_ID_INVALID') ? null : call.messageId;
  const props = call.properties;
  const amount = props ? (props.revenue ?? props.value) : undefined;
  let value: Extract<Draft, { kind: 'event' }>['input']['value'];
  if (amount !== undefined && amount !== null) {
    if (props?.currency) value = { amount, currency: props.currency };
    else {
      warnings.push({
        code: 'SEGMENT_CURRENCY_MISSING',
        path: '/properties/currency',
        message: 'A revenue or value was given without a currency, so no conversion value was sent.',
      });
    }
  }
  const pathOf: PathOf = (path) => segmentPathOf(call, path);
  if (errors.length > 0 || happenedAt === null) {
    const rest = { conversion: callConversion, happenedAt, user, value };
    return { kind: 'rejected', eventId, errors, warnings, rest, pathOf };
  }

  const input: Extract<Draft, { kind: 'event' }>['input'] = { happenedAt, user };
  if (value) input.value = value;
  return {
    kind: 'event',
    eventId: call.messageId,
    conversion: callConversion,
    input,
    consent: null,
    context: null,
    warnings,
    pathOf,
  };
}

/**
 * Where in a Segment call the field a shared problem names came from: the same precedence as
 * userOf and the value mapping above (a test holds the two together).
 */
export function segmentPathOf(call: Track, path: string): string {
  switch (path) {
    case '/conversion':
      return '/event';
    case '/eventId':
      return '/messageId';
    case '/happenedAt':
      return '/timestamp';
    case '/user':
      return '/context/traits';
    case '/value':
    case '/value/amount':
      return call.properties?.revenue !== undefined && call.properties.revenue !== null
        ? '/properties/revenue'
        : '/properties/value';
    case '/value/currency':
      return '/properties/currency';
  }
  return path.startsWith('/user/') ? (userFieldOrigin(call, path.slice('/user/'.length)) ?? path) : path;
}

function userFieldOrigin(call: Track, field: string): string | undefined {
  const traits = call.context?.traits ?? undefined;
  const props = call.properties ?? undefined;
  switch (field) {
    case 'email': {
      const emails = emailCandidates(call);
      return emails[chosenEmail(emails)]?.path;
    }
    case 'liFatId':
      if (given(props?.li_fat_id)) return '/properties/li_fat_id';
      if (given(call.context?.li_fat_id)) return '/context/li_fat_id';
      return given(traits?.li_fat_id) ? '/context/traits/li_fat_id' : '/context/page/url';
    case 'ip':
      return '/context/ip';
    case 'firstName':
      return given(traits?.firstName) ? '/context/traits/firstName' : '/context/traits/first_name';
    case 'lastName':
      return given(traits?.lastName) ? '/context/traits/lastName' : '/context/traits/last_name';
    case 'companyName':
      return typeof traits?.company === 'string' ? '/context/traits/company' : '/context/traits/company/name';
    case 'title':
      return '/context/traits/title';
    default:
      return undefined;
  }
}

/** One element of a Segment batch: track calls are mapped, other known call types are ignored. */
export function segmentBatchDraft(raw: unknown, mapping: SegmentMapping): Draft {
  const type = callTypeOf(raw);
  const kind = typeof type === 'string' ? type.toLowerCase() : undefined;
  if (kind === 'track') return trackCallDraft(raw, mapping);
  if (kind !== undefined && IGNORED_TYPES.has(kind)) {
    return {
      kind: 'ignored',
      eventId: messageIdOf(raw),
      warnings: [
        {
          code: 'SEGMENT_TYPE_IGNORED',
          path: '/type',
          message: `Only track calls carry conversions; this ${kind} call was ignored.`,
        },
      ],
    };
  }
  const isCall = isJsonObject(raw);
  return {
    kind: 'rejected',
    eventId: messageIdOf(raw),
    errors: [
      isCall
        ? {
            code: 'EVENT_INVALID',
            path: '/type',
            message: 'A Segment call needs a type: track, identify, page, screen, group or alias.',
          }
        : // The call as a whole: the empty pointer, as on the native route.
          { code: 'EVENT_INVALID', path: '', message: 'A Segment call must be a JSON object.' },
    ],
  };
}
