/**
 * The one place that performs HTTP. Two interchangeable back ends: undici's `request` on a
 * dispatcher (default: a keep-alive Agent; tests inject a MockAgent), or any fetch-compatible
 * function. Responses are read fully as text: LinkedIn's bodies are small, and the classifier
 * wants a string. But never without a limit: a misconfigured base URL or a proxy that answers
 * with something endless must not fill the process's memory, so a body over `maxResponseBytes`
 * is cut off and the request fails with `RESPONSE_TOO_LARGE` (a network-level failure: retried).
 */
import { Agent, type Dispatcher, request } from 'undici';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text, or bytes already encoded as UTF-8 (the BATCH_CREATE body). */
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  body: string;
}

/** The subset of the Fetch API this SDK uses, so any fetch (global, undici, a test double) fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array; signal?: AbortSignal },
) => Promise<{
  status: number;
  headers: { forEach(callback: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

export interface HttpTransport {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface TransportOptions {
  timeoutMs: number;
  /** Largest response body read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  dispatcher?: Dispatcher;
  fetch?: FetchLike;
}

/**
 * 16 MiB: far above any answer LinkedIn gives (a 5,000-element BATCH_CREATE answer is about
 * 100 kB; a large analytics page a few MB), far below what would hurt the process.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A response body longer than the transport's limit; its `code` reaches the retry reason. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`The response body is larger than ${limitBytes} bytes; it was not read.`);
  }
}

/** Reads a body stream up to `limit` bytes, destroying the stream (and its socket) past it. */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > limit) {
      body.destroy();
      throw new ResponseTooLargeError(limit);
    }
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, total).toString('utf8');
}

/** Refuses up front a body whose declared length is already over the limit. */
function declaredTooLarge(contentLength: string | undefined | null, limit: number): boolean {
  if (contentLength === undefined || contentLength === null) return false;
  const n = Number(contentLength);
  return Number.isFinite(n) && n > limit;
}

/** A keep-alive pool sized for a delivery worker: few long-lived connections to one origin. */
export function createDefaultAgent(timeoutMs: number): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 300_000,
    connections: 8,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  });
}

/** The caller's signal (if any) combined with the client's overall timeout. */
function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export function createTransport(opts: TransportOptions): HttpTransport {
  const limit = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (opts.fetch) return fetchTransport(opts.fetch, opts.timeoutMs, limit);
  const owned = opts.dispatcher === undefined;
  const dispatcher = opts.dispatcher ?? createDefaultAgent(opts.timeoutMs);
  return {
    async send(req) {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal: withTimeout(req.signal, opts.timeoutMs),
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(res.headers)) {
        headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      if (declaredTooLarge(headers['content-length'], limit)) {
        res.body.destroy();
        throw new ResponseTooLargeError(limit);
      }
      const body = await readCapped(res.body, limit);
      return { status: res.statusCode, headers, body };
    },
    async close() {
      // An injected dispatcher belongs to the caller; only close the Agent this transport made.
      if (owned) await dispatcher.close();
    },
  };
}

/**
 * With an injected fetch the body can only be read whole (`text()`), so the limit is checked on the
 * declared length before reading and on the text after: it still refuses what is too large, but a
 * body without a declared length is in memory once before it is refused.
 */
function fetchTransport(fetchFn: FetchLike, timeoutMs: number, limit: number): HttpTransport {
  return {
    async send(req) {
      const init: Parameters<FetchLike>[1] = {
        method: req.method,
        headers: req.headers,
        signal: withTimeout(req.signal, timeoutMs),
      };
      if (req.body !== undefined) init.body = req.body;
      const res = await fetchFn(req.url, init);
      const headers: Record<string, string | undefined> = {};
      res.headers.forEach((value, key) => {
        headers[key.toLowerCase()] = value;
      });
      if (declaredTooLarge(headers['content-length'], limit)) throw new ResponseTooLargeError(limit);
      const body = await res.text();
      if (Buffer.byteLength(body, 'utf8') > limit) throw new ResponseTooLargeError(limit);
      return { status: res.status, headers, body };
    },
    async close() {},
  };
}
