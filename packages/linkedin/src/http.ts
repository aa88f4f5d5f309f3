/**
 * The one place that performs HTTP. Two interchangeable back ends: undici's `request` on a
 * dispatcher (default: a keep-alive Agent; tests inject a MockAgent), or any fetch-compatible
 * function. Responses are read fully as text: LinkedIn's bodies are small, and the classifier
 * wants a string.
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
  dispatcher?: Dispatcher;
  fetch?: FetchLike;
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
  if (opts.fetch) return fetchTransport(opts.fetch, opts.timeoutMs);
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
      const body = await res.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(res.headers)) {
        headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: res.statusCode, headers, body };
    },
    async close() {
      // An injected dispatcher belongs to the caller; only close the Agent this transport made.
      if (owned) await dispatcher.close();
    },
  };
}

function fetchTransport(fetchFn: FetchLike, timeoutMs: number): HttpTransport {
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
      return { status: res.status, headers, body: await res.text() };
    },
    async close() {},
  };
}
