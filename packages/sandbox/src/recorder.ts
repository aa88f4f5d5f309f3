/**
 * The request recorder: what clients actually sent (headers and bodies, unredacted) and what the
 * sandbox answered, for tests and debugging. Bounded two ways so a benchmark cannot exhaust memory:
 * at most `maxEntries` requests, and at most `maxTotalChars` characters of bodies (oldest entries
 * go first). In 'full' mode a body is kept whole or not at all; 'truncate' keeps a prefix.
 */
import type { MiddlewareHandler } from 'hono';
import type { SandboxClock } from './clock.js';
import type { SandboxEnv } from './context.js';
import { RingLog } from './ring.js';
import { stampHeaders } from './stamp.js';
import { isTunnelled } from './tunnel.js';

export type RecordBodies = 'full' | 'truncate' | 'none';

export interface RecorderOptions {
  /** Requests kept (newest win). Default 10,000. */
  maxEntries?: number;
  /** Default 'full'. */
  recordBodies?: RecordBodies;
  /** Characters kept per body in 'truncate' mode. Default 4,096. */
  truncateAt?: number;
  /** Characters of bodies kept across all entries. Default 256 Mi (about 256 MB of ASCII JSON). */
  maxTotalChars?: number;
}

export interface RecordedRequest {
  seq: number;
  /** The X-LI-UUID the sandbox answered with. */
  id: string;
  /** Sandbox clock, epoch ms. */
  at: number;
  method: string;
  path: string;
  /** Raw query string (for tunnelled requests, the query that was carried in the body). */
  query: string;
  headers: Record<string, string>;
  body: string | null;
  bodyLength: number;
  bodyTruncated: boolean;
  tunnelled: boolean;
  /** Null while in flight, and for dropped connections. */
  status: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number | null;
  /** Which injected fault (if any) answered: 'status:503', 'timeout:destroy', 'scripted', ... */
  fault: string | null;
}

export interface RequestFilter {
  /** Path prefix, e.g. `/rest/conversionEvents`. */
  path?: string;
  method?: string;
  /** Epoch ms (or an ISO timestamp in the admin API); entries recorded at or after it. */
  since?: number;
  afterSeq?: number;
}

const DEFAULTS = {
  maxEntries: 10_000,
  recordBodies: 'full',
  truncateAt: 4096,
  maxTotalChars: 256 * 1024 * 1024,
} as const;

export class Recorder {
  readonly #log = new RingLog<RecordedRequest>(Number.POSITIVE_INFINITY);
  #options: Required<RecorderOptions>;
  #chars = 0;
  #seq = 0;

  constructor(options: RecorderOptions = {}) {
    this.#options = { ...DEFAULTS, ...options };
  }

  get options(): Required<RecorderOptions> {
    return { ...this.#options };
  }

  start(entry: Omit<RecordedRequest, 'seq' | 'bodyTruncated' | 'bodyLength'>): RecordedRequest {
    const { text, truncated } = this.#keep(entry.body);
    const rec: RecordedRequest = {
      ...entry,
      seq: ++this.#seq,
      body: text,
      bodyLength: entry.body?.length ?? 0,
      bodyTruncated: truncated,
    };
    this.#chars += text?.length ?? 0;
    this.#log.push(rec);
    this.#evict();
    return rec;
  }

  finish(
    rec: RecordedRequest,
    result: {
      status: number | null;
      headers: Record<string, string> | null;
      body: string | null;
      durationMs: number;
    },
  ): void {
    rec.status = result.status;
    rec.responseHeaders = result.headers;
    rec.responseBody = this.#keep(result.body).text;
    rec.durationMs = result.durationMs;
    this.#chars += rec.responseBody?.length ?? 0;
    this.#evict();
  }

  get wantsResponseBodies(): boolean {
    return this.#options.recordBodies !== 'none';
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    for (const r of this.#log) {
      if (filter.path !== undefined && !r.path.startsWith(filter.path)) continue;
      if (filter.method !== undefined && r.method !== filter.method.toUpperCase()) continue;
      if (filter.since !== undefined && r.at < filter.since) continue;
      if (filter.afterSeq !== undefined && r.seq <= filter.afterSeq) continue;
      out.push(r);
    }
    return out;
  }

  clear(): void {
    this.#log.clear();
    this.#chars = 0;
  }

  #keep(body: string | null): { text: string | null; truncated: boolean } {
    if (body === null) return { text: null, truncated: false };
    const mode = this.#options.recordBodies;
    if (mode === 'none') return { text: null, truncated: body.length > 0 };
    if (mode === 'truncate' && body.length > this.#options.truncateAt) {
      return { text: body.slice(0, this.#options.truncateAt), truncated: true };
    }
    return { text: body, truncated: false };
  }

  #evict(): void {
    while (
      this.#log.size > 1 &&
      (this.#log.size > this.#options.maxEntries || this.#chars > this.#options.maxTotalChars)
    ) {
      const old = this.#log.shift();
      if (old) this.#chars -= (old.body?.length ?? 0) + (old.responseBody?.length ?? 0);
    }
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function recorderMiddleware(recorder: Recorder, clock: SandboxClock): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    // Arrival is when the request came in, not when its (possibly megabytes of) body was read:
    // rate-limit analyses of recorded times must not see this sandbox's own backlog as client skew.
    const at = clock.now();
    const body = BODY_METHODS.has(raw.method) ? await c.req.text() : null;
    const q = raw.url.indexOf('?');
    const rec = recorder.start({
      id: c.get('requestId'),
      at,
      method: raw.method,
      path: c.req.path,
      query: q < 0 ? '' : raw.url.slice(q + 1),
      headers: Object.fromEntries(raw.headers),
      body,
      tunnelled: isTunnelled(raw),
      status: null,
      responseHeaders: null,
      responseBody: null,
      durationMs: null,
      fault: null,
    });
    const started = performance.now();
    try {
      await next();
    } finally {
      rec.fault = c.get('fault') ?? null;
    }
    const res = c.res;
    stampHeaders(res, rec.id);
    const text = recorder.wantsResponseBodies && res.body !== null ? await res.clone().text() : null;
    recorder.finish(rec, {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: text,
      durationMs: performance.now() - started,
    });
  };
}
