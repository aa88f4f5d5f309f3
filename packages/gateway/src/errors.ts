/**
 * The gateway's error catalogue. Codes are a public contract: integrations branch on them, so a code
 * is never renamed or reused for another meaning (messages may improve). `docs/errors.md` lists
 * exactly these codes; a test keeps the two in step.
 *
 * Three kinds of code:
 * - `request`: the whole request failed; the body is `{ error: { code, message, fix, … } }`.
 * - `event`: one event was rejected; it appears in `results[i].errors` and the rest of the batch
 *   carries on. Its `status` is what the request answers when every event fails that way.
 * - `warning`: the event went through, but something was dropped or defaulted; shown by
 *   `?validate_only=true` and in `results[i].warnings`.
 *
 * The SDK's validation findings are passed through per event under their own codes, so they are
 * part of this catalogue too.
 */
import { FINDING_CODES } from '@capi-gateway/linkedin';

export type ErrorKind = 'request' | 'event' | 'warning';

export interface ErrorInfo {
  readonly code: string;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly fix: string;
}

const def = (status: number, kind: ErrorKind, message: string, fix: string) => ({
  status,
  kind,
  message,
  fix,
});

/** The gateway's own codes. */
const GATEWAY_CODES = {
  // Authentication
  AUTH_MISSING: def(
    401,
    'request',
    'No credentials were sent.',
    'Send the source key as "Authorization: Bearer <key>" (Segment routes also accept it as the Basic user name).',
  ),
  AUTH_INVALID: def(
    401,
    'request',
    'The credentials are not valid for this route.',
    'Check the key against CAPI_SOURCE_KEYS (ingest) or CAPI_ADMIN_TOKEN (admin routes).',
  ),
  AUTH_SCHEME_UNSUPPORTED: def(
    401,
    'request',
    'The Authorization header uses a scheme this route does not take, or names none.',
    'Send the source key as "Authorization: Bearer <key>" (Segment routes also accept it as the Basic user name); on admin routes, the admin token as "Authorization: Bearer <token>".',
  ),
  AUTH_THROTTLED: def(
    429,
    'request',
    'Too many wrong keys or tokens came from this address in the last minute; its requests are refused until the Retry-After delay has passed.',
    'Check the key the client sends (CAPI_SOURCE_KEYS, or CAPI_ADMIN_TOKEN for admin routes) and retry after the delay. Behind a shared proxy, raise or disable server.authFailuresPerMinute (CAPI_SERVER_AUTH_FAILURES_PER_MINUTE=0).',
  ),
  ADMIN_DISABLED: def(
    401,
    'request',
    'Admin routes are disabled because no admin token is configured.',
    'Set CAPI_ADMIN_TOKEN (at least 16 characters) or adminToken in the config file, restart, and send it as "Authorization: Bearer <token>".',
  ),
  // Request body
  BODY_TOO_LARGE: def(
    413,
    'request',
    'The request body is larger than the configured limit.',
    'Split the batch into smaller requests, or raise server.bodyLimitBytes (CAPI_SERVER_BODY_LIMIT_BYTES).',
  ),
  BODY_ENCODING_UNSUPPORTED: def(
    415,
    'request',
    'The Content-Encoding of the body is not supported.',
    'Send the body uncompressed, or with Content-Encoding gzip or deflate.',
  ),
  BODY_INVALID_JSON: def(400, 'request', 'The body is not valid JSON.', 'Send a UTF-8 JSON document.'),
  BODY_INVALID: def(
    400,
    'request',
    'The body does not have the expected shape.',
    'See docs/api.md for the accepted body of this route; `path` names the offending field.',
  ),
  TOO_MANY_EVENTS: def(
    413,
    'request',
    'The request carries more events than allowed in one request.',
    'Send at most server.maxEventsPerRequest events (5,000 by default) per request.',
  ),
  QUERY_INVALID: def(
    400,
    'request',
    'A query parameter has an invalid value.',
    'See docs/api.md for the accepted query parameters; `path` names the parameter.',
  ),
  REDRIVE_FILTER_MISSING: def(
    400,
    'request',
    'A redrive needs at least one filter, so that it never moves every dead letter by accident.',
    'Send at least one of ids, eventIds, ruleId, account, reason or since.',
  ),
  RESTLI_METHOD_UNSUPPORTED: def(
    400,
    'request',
    'The X-RestLi-Method header names a method this endpoint does not offer.',
    'Leave the header out (or send CREATE) for a single event, or send X-RestLi-Method: BATCH_CREATE with {"elements": [...]}.',
  ),
  // Idempotency keys (POST /v1/events)
  IDEMPOTENCY_KEY_INVALID: def(
    400,
    'request',
    'The Idempotency-Key header must be 1 to 255 visible ASCII characters.',
    'Send a unique value per logical request, such as a UUID, and the same value when you retry it.',
  ),
  IDEMPOTENCY_KEY_REUSED: def(
    422,
    'request',
    'This Idempotency-Key was already used for a different request by this source.',
    'Use a new key for a new request; to get the first answer again, resend exactly the first request.',
  ),
  IDEMPOTENCY_KEY_IN_USE: def(
    409,
    'request',
    'A request with this Idempotency-Key is still being processed.',
    "Retry after the Retry-After delay: you will get that request's answer.",
  ),
  // Routing and availability
  NOT_FOUND: def(
    404,
    'request',
    'Nothing is found at this path.',
    'See docs/api.md or /openapi.json for the routes.',
  ),
  METHOD_NOT_ALLOWED: def(
    405,
    'request',
    'The path exists but does not answer this HTTP method.',
    'Use one of the methods in the Allow header; ingest routes take POST.',
  ),
  SHUTTING_DOWN: def(
    503,
    'request',
    'The gateway is shutting down and takes no new events.',
    'Retry after the Retry-After delay; another instance or the restarted one will accept the events.',
  ),
  STORE_UNAVAILABLE: def(
    503,
    'request',
    'The outbox store could not be reached; nothing was stored.',
    'Retry the same request later (eventIds make it safe); operators should check the store and /readyz.',
  ),
  STORE_FULL: def(
    503,
    'request',
    'The outbox store is out of disk space; nothing was stored.',
    'Retry the same request later (eventIds make it safe); operators should free or grow the volume that holds the store (docs/deployment.md, "When the disk fills").',
  ),
  INTERNAL: def(
    500,
    'request',
    'An unexpected error occurred; nothing about it is exposed here.',
    'Retry later; if it persists, report it with the time of the request (the gateway logs the details).',
  ),
  // Per-event rejections
  EVENT_INVALID: def(
    422,
    'event',
    'The event does not have the expected shape.',
    'Fix the field named by `path` (see docs/api.md for the event fields).',
  ),
  EVENT_ID_MISSING: def(
    422,
    'event',
    'The event has no eventId.',
    'Send a stable business id (order id, form submission id) as eventId; it is the deduplication key.',
  ),
  EVENT_ID_INVALID: def(
    422,
    'event',
    'The eventId is not usable: too long or it looks like personal data.',
    'Send a stable business id of at most 255 characters, never an email address.',
  ),
  CONVERSION_UNKNOWN: def(
    422,
    'event',
    'The conversion names no configured conversion rule.',
    'Use one of the configured aliases (listed in the message), or map the rule in the config (accounts[].conversions or CAPI_CONVERSIONS).',
  ),
  HAPPENED_AT_INVALID: def(
    422,
    'event',
    'The time of the conversion is missing or not readable.',
    'Send happenedAt as ISO-8601 with a time zone (2026-11-20T10:15:00Z) or as epoch milliseconds.',
  ),
  CONTEXT_INVALID: def(
    422,
    'event',
    'The context envelope is not a flat object of short scalar values.',
    'Send context as a flat object of at most 32 keys whose values are strings (up to 512 characters), numbers, booleans or null.',
  ),
  CONTEXT_PII: def(
    422,
    'event',
    'The context envelope holds personal data; it is stored unhashed, so it must not.',
    'Remove keys such as email, phone or name and values that look like email addresses; identifiers belong in `user`, where they are hashed.',
  ),
  RAW_EMAIL_FOUND: def(
    422,
    'event',
    'A field other than the email field holds what looks like an email address.',
    'Put the address in user.email (on Segment routes context.traits.email or properties.email; it is hashed at the edge) or send its SHA-256 as sha256Email / SHA256_EMAIL.',
  ),
  // Warnings
  SEGMENT_TYPE_IGNORED: def(
    200,
    'warning',
    'Only Segment track calls carry conversions; this call was ignored.',
    'Nothing to fix; send identify/page/screen/group/alias calls elsewhere if you do not want them counted here.',
  ),
  SEGMENT_EVENT_UNMAPPED: def(
    200,
    'warning',
    'No conversion is mapped to the track call’s event name, and segment.unmappedEvents is "ignore"; the call was ignored.',
    'Nothing to fix for events that are not conversions. For one that is, map its name (as written or in snake_case) to a rule in accounts[].conversions or CAPI_CONVERSIONS.',
  ),
  SEGMENT_CURRENCY_MISSING: def(
    200,
    'warning',
    'The track call has a revenue or value but no currency, so no conversion value was sent.',
    'Add properties.currency (ISO 4217, e.g. "EUR") next to properties.revenue or properties.value.',
  ),
  HAPPENED_AT_CLAMPED: def(
    200,
    'warning',
    'The time of the conversion was ahead of the gateway’s clock by at most 5 minutes (clock skew); the time of receipt was sent instead.',
    'Check the sender’s clock (NTP). A time more than 5 minutes ahead is refused with HAPPENED_AT_FUTURE.',
  ),
  HAPPENED_AT_DEFAULTED: def(
    200,
    'warning',
    'The Segment call has no timestamp; the time of receipt was used.',
    'Send timestamp (ISO-8601) with each track call, ideally the time the conversion happened.',
  ),
} as const;

type FindingCode = keyof typeof FINDING_CODES;

/** The SDK's findings, as per-event codes (errors) that may also appear as warnings. */
function sdkCodes(): Record<FindingCode, ReturnType<typeof def>> {
  const out = {} as Record<FindingCode, ReturnType<typeof def>>;
  for (const code of Object.keys(FINDING_CODES) as FindingCode[]) {
    const info = FINDING_CODES[code];
    out[code] = def(
      422,
      'event',
      info.message,
      info.class === 'schema'
        ? 'Correct the field named by `path`; LinkedIn itself would refuse the event (422).'
        : 'Correct the value named by `path`. As an error, the event is refused (LinkedIn would answer 400, or the value could never match); as a warning, only that value was dropped.',
    );
  }
  return out;
}

export type ErrorCode = keyof typeof GATEWAY_CODES | FindingCode;

function build(): Readonly<Record<ErrorCode, ErrorInfo>> {
  // Gateway definitions win where a code exists on both sides (HAPPENED_AT_INVALID): same meaning,
  // wording written for the gateway's own field names.
  const merged = { ...sdkCodes(), ...GATEWAY_CODES } as Record<ErrorCode, Omit<ErrorInfo, 'code'>>;
  const out = {} as Record<ErrorCode, ErrorInfo>;
  for (const code of Object.keys(merged) as ErrorCode[]) out[code] = Object.freeze({ code, ...merged[code] });
  return Object.freeze(out);
}

/** Every code the gateway can answer with, with its HTTP status, message and fix. */
export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorInfo>> = build();

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** One problem with one field; used in `details` and in per-event `errors`/`warnings`. */
export interface Problem {
  code: string;
  path: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    fix: string;
    path?: string;
    details?: Problem[];
  };
}

/**
 * An error that ends a request with a catalogued code. Thrown by the HTTP layer only for request-level
 * problems (auth, body, limits, availability); per-event problems are values, never exceptions.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly path: string | undefined;
  readonly details: Problem[] | undefined;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> | undefined;
  /** What to do, when the catalogue's general advice for the code does not fit this case. */
  readonly fix: string | undefined;

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      path?: string;
      details?: Problem[];
      headers?: Record<string, string>;
      fix?: string;
    } = {},
  ) {
    const info = ERROR_CODES[code];
    super(options.message ?? info.message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = info.status;
    this.path = options.path;
    this.details = options.details;
    this.headers = options.headers;
    this.fix = options.fix;
  }

  toBody(): ErrorBody {
    const info = ERROR_CODES[this.code];
    const error: ErrorBody['error'] = { code: this.code, message: this.message, fix: this.fix ?? info.fix };
    if (this.path !== undefined) error.path = this.path;
    if (this.details !== undefined && this.details.length > 0) error.details = this.details;
    return { error };
  }
}

/** A request-level error body for `code`, with the catalogue's message unless one is given. */
export function errorBody(code: ErrorCode, message?: string, path?: string): ErrorBody {
  return new GatewayError(code, { message, path }).toBody();
}
