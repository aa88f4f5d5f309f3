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
  /** JSON text, or the same already encoded as UTF-8 (BATCH_CREATE, see `batchCreateBody`). */
  body?: string | Uint8Array;
}

/** A request whose body is JSON text (every write but BATCH_CREATE). */
export type JsonApiRequest = ApiRequest & { body: string };

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

const BATCH_OPEN = '{"elements":[';
const BATCH_CLOSE = ']}';
const COMMA = 0x2c;

/**
 * BATCH_CREATE body from already serialised events, written as UTF-8 into one buffer of the exact
 * size. Never parsed: the gateway stores each event as JSON, and parsing it only to serialise it
 * again would double the CPU cost. Never joined either: joining 5,000 strings into one and encoding
 * that cost about 4.4 µs per event (the rope is flattened, then copied again), writing each piece
 * into place about 0.25 µs (measured with 700-byte events).
 */
export function batchCreateBody(payloads: readonly string[]): Buffer {
  let size = BATCH_OPEN.length + BATCH_CLOSE.length + Math.max(0, payloads.length - 1);
  for (const p of payloads) size += Buffer.byteLength(p);
  const body = Buffer.allocUnsafe(size);
  let at = body.write(BATCH_OPEN, 0, 'latin1');
  for (let i = 0; i < payloads.length; i += 1) {
    if (i > 0) body[at++] = COMMA;
    at += body.write(payloads[i]!, at);
  }
  at += body.write(BATCH_CLOSE, at, 'latin1');
  // byteLength and write agree on every string (a lone surrogate is 3 bytes to both); the check
  // stands guard over the unzeroed buffer, which must never leave with a byte not written here.
  if (at !== size) throw new Error(`BATCH_CREATE body: wrote ${at} bytes of ${size}`);
  return body;
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
