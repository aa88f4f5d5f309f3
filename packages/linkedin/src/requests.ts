/**
 * Requests as data. Every resource module builds `ApiRequest`s with pure functions, so URL and body
 * encoding can be tested without HTTP; the client adds the base URL, headers and the transport.
 */
import { MAX_BATCH_SIZE } from './limits.js';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under the base URL, starting with '/rest/'; path keys already encoded. */
  path: string;
  /** Already Rest.li-encoded, without '?'. */
  query?: string;
  /** X-RestLi-Method (BATCH_CREATE, PARTIAL_UPDATE, …). */
  restliMethod?: string;
  body?: string;
}

/** The protocol version that selects Rest.li 2.0 URL syntax. */
export const RESTLI_PROTOCOL_VERSION = '2.0.0';

/** The four headers every LinkedIn Marketing API request carries (plus X-RestLi-Method when needed). */
export function linkedInHeaders(
  accessToken: string,
  version: string,
  restliMethod?: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${accessToken}`,
    'LinkedIn-Version': version,
    'X-Restli-Protocol-Version': RESTLI_PROTOCOL_VERSION,
    'Content-Type': 'application/json',
  };
  if (restliMethod) headers['X-RestLi-Method'] = restliMethod;
  return headers;
}

export const CONVERSION_EVENTS_PATH = '/rest/conversionEvents';

/**
 * BATCH_CREATE body from already serialised events. String concatenation on purpose: the gateway
 * stores each event as JSON, and parsing it only to serialise it again would double the CPU cost.
 */
export function batchCreateBody(payloads: readonly string[]): string {
  return `{"elements":[${payloads.join(',')}]}`;
}

export function batchCreateRequest(payloads: readonly string[]): ApiRequest {
  if (payloads.length === 0) throw new RangeError('BATCH_CREATE needs at least one event');
  if (payloads.length > MAX_BATCH_SIZE) {
    throw new RangeError(`BATCH_CREATE takes at most ${MAX_BATCH_SIZE} events, got ${payloads.length}`);
  }
  return {
    method: 'POST',
    path: CONVERSION_EVENTS_PATH,
    restliMethod: 'BATCH_CREATE',
    body: batchCreateBody(payloads),
  };
}

export function singleCreateRequest(payload: string): ApiRequest {
  return { method: 'POST', path: CONVERSION_EVENTS_PATH, body: payload };
}

/** Consecutive slices of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number = MAX_BATCH_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
