/**
 * Turns a LinkedIn response into a value the delivery worker can act on. Pure: no I/O, no throwing.
 *
 * LinkedIn says only statuses and codes are stable, not message text. The only text parsed here is
 * what carries data no code does: the offending element indices of a rejected batch, and the one
 * 403 message ("No ad accounts found") that means "unknown conversion rule".
 */
import { parseRejection } from './rejections.js';
import type { LinkedInErrorBody } from './wire-types.js';

export interface ResponseSnapshot {
  status: number;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  body: string;
  /** Number of events in the request (1 for a single create). */
  batchSize: number;
  /**
   * What was sent, when known: LinkedIn answers a BATCH_CREATE with 200 and `{"elements": […]}`,
   * a single create with 201. Any other success is not LinkedIn's (a wrong base URL reaching a web
   * server that answers 200 to everything) and is a `config` outcome, never `delivered`.
   */
  request?: 'batch' | 'single';
  /** Clock for an HTTP-date Retry-After; defaults to Date.now(). */
  now?: number;
}

export type Classification =
  | {
      kind: 'delivered';
      status: number;
      requestId: string | null;
      /**
       * Elements a 200 BATCH_CREATE reported as failed. LinkedIn documents batches as all-or-nothing,
       * so this is normally absent; when present, the other elements were accepted and must not be resent.
       */
      elementErrors?: Array<{ index: number; status: number; message: string | null }>;
    }
  | {
      kind: 'retry';
      status: number;
      requestId: string | null;
      afterMs: number | null;
      reason: string;
      body: string | null;
    }
  | { kind: 'reauth'; status: number; requestId: string | null; revoked: boolean; body: string | null }
  | { kind: 'forbidden'; status: number; requestId: string | null; unknownRule: boolean; body: string | null }
  | {
      kind: 'rejected';
      status: number;
      requestId: string | null;
      /** Offending element indices, ascending order of appearance; empty when LinkedIn named none. */
      indices: number[];
      /** One reason per index; when no index is named, the whole-request reason (if any). */
      reasons: string[];
      body: string | null;
    }
  | { kind: 'config'; status: number; requestId: string | null; code: string; body: string | null };

export type ClassificationKind = Classification['kind'];

/** Case-insensitive header lookup; undici already lower-cases, so the fast path is one property read. */
export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (v.length === 0) return null;
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

export function parseErrorBody(body: string): LinkedInErrorBody | null {
  if (body.length === 0 || body.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as LinkedInErrorBody) : null;
  } catch {
    return null;
  }
}

const RETRY_STATUS = new Set([408, 423, 429]);

export function classifyResponse(res: ResponseSnapshot): Classification {
  const { status } = res;
  const requestId = headerValue(res.headers, 'x-li-uuid') ?? null;
  const body = res.body.length > 0 ? res.body : null;

  if (status >= 200 && status < 300) {
    if (res.request !== undefined && !isConversionsSuccess(res)) {
      return {
        kind: 'config',
        status,
        requestId,
        code: 'NOT_A_LINKEDIN_ANSWER',
        // Not kept: a server that answers everything may echo the request (our token, the events'
        // identifiers) back, and a body goes on to logs, audit rows and dead letters.
        body: null,
      };
    }
    return delivered(res, requestId);
  }

  if (RETRY_STATUS.has(status) || (status >= 500 && status !== 501)) {
    const afterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'), res.now ?? Date.now());
    return { kind: 'retry', status, requestId, afterMs, reason: retryReason(status), body };
  }

  const parsed = parseErrorBody(res.body);
  const code = typeof parsed?.code === 'string' ? parsed.code : null;

  if (status === 401) {
    const revoked = code === 'REVOKED_ACCESS_TOKEN' || parsed?.serviceErrorCode === 65601;
    return { kind: 'reauth', status, requestId, revoked, body };
  }
  if (status === 403) {
    const message = typeof parsed?.message === 'string' ? parsed.message : '';
    const unknownRule = message.toLowerCase().includes('no ad accounts found');
    return { kind: 'forbidden', status, requestId, unknownRule, body };
  }
  if (status === 426) return { kind: 'config', status, requestId, code: code ?? 'NONEXISTENT_VERSION', body };
  if (
    status === 400 &&
    code !== null &&
    (code.includes('VERSION') || headerValue(res.headers, 'x-restli-gateway-error'))
  ) {
    // Gateway-level errors (missing or malformed LinkedIn-Version) are about the client's setup,
    // not about the events: resending the same events elsewhere would not help.
    return { kind: 'config', status, requestId, code, body };
  }
  if (status === 400 || status === 422 || status === 413) {
    const message =
      typeof parsed?.message === 'string' ? parsed.message : status === 413 ? 'payload too large' : '';
    const { indices, reasons } = parseRejection(status, message, res.batchSize);
    return { kind: 'rejected', status, requestId, indices, reasons, body };
  }
  // 404, 405, 415, 501, redirects and anything else unexpected: the base URL, path or method is
  // wrong, which no retry and no removal of events can fix.
  return { kind: 'config', status, requestId, code: code ?? `HTTP_${status}`, body };
}

const ELEMENTS = /^\s*\{[\s\S]*"elements"\s*:\s*\[/;

/** Whether a success looks like the conversions endpoint's own (see `ResponseSnapshot.request`). */
function isConversionsSuccess(res: ResponseSnapshot): boolean {
  if (res.request === 'single') return res.status === 201;
  return res.status === 200 && ELEMENTS.test(res.body);
}

function retryReason(status: number): string {
  if (status === 429) return 'throttled';
  if (status === 408) return 'request timeout';
  if (status === 423) return 'locked';
  return `server error ${status}`;
}

/**
 * A 200 BATCH_CREATE body lists one status per element. Only when it mentions an error status is it
 * parsed: the normal 5,000 × {"status":201} body is scanned, not turned into objects.
 */
function delivered(res: ResponseSnapshot, requestId: string | null): Classification {
  const { body } = res;
  if (body.includes('"error"') || /"status"\s*:\s*[45]\d\d/.test(body)) {
    const parsed = parseElements(body);
    if (parsed.length > 0) return { kind: 'delivered', status: res.status, requestId, elementErrors: parsed };
  }
  return { kind: 'delivered', status: res.status, requestId };
}

function parseElements(body: string): Array<{ index: number; status: number; message: string | null }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const elements = (parsed as { elements?: unknown }).elements;
  if (!Array.isArray(elements)) return [];
  const failed: Array<{ index: number; status: number; message: string | null }> = [];
  elements.forEach((el: unknown, index) => {
    if (typeof el !== 'object' || el === null) return;
    const { status, error } = el as { status?: unknown; error?: { message?: unknown } };
    const code = typeof status === 'number' ? status : 0;
    if ((code >= 200 && code < 300) || (code === 0 && error === undefined)) return;
    const message = typeof error?.message === 'string' ? error.message : null;
    failed.push({ index, status: code, message });
  });
  return failed;
}

/** Network failures (refused, reset, DNS, timeout, abort) are always worth another try. */
export function classifyNetworkError(err: unknown): Classification {
  return { kind: 'retry', status: 0, requestId: null, afterMs: null, reason: networkReason(err), body: null };
}

function networkReason(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'network error';
  const e = err as { name?: unknown; code?: unknown; cause?: unknown };
  if (
    e.name === 'TimeoutError' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return 'network error: timeout';
  }
  if (e.name === 'AbortError') return 'network error: aborted';
  if (typeof e.code === 'string') return `network error: ${e.code}`;
  if (e.cause !== undefined && e.cause !== err) return networkReason(e.cause);
  return 'network error';
}
