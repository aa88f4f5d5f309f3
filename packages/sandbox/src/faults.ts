/**
 * Fault injection: random errors (429, 500, 503), added latency and timeouts, so clients can be
 * tested against the failures LinkedIn produces in production. One random draw per request decides
 * the fault, so a seeded random source gives a reproducible sequence.
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { SandboxEnv } from './context.js';
import { DroppedConnection, ERRORS } from './errors.js';

export type TimeoutMode = 'destroy' | 'hang';

export interface FaultSettings {
  /** Probability (0..1) per request of answering with this status instead of processing it. */
  errorRates?: { '429'?: number; '500'?: number; '503'?: number };
  /** Milliseconds added before every affected request is processed. */
  latencyMs?: number;
  timeout?: {
    /** Probability (0..1) per request; default 1 once a timeout is configured. */
    rate?: number;
    /** How long the request is held before the connection is dropped ('destroy' mode). */
    afterMs?: number;
    /** 'destroy' drops the socket after `afterMs`; 'hang' never answers until the client gives up. */
    mode?: TimeoutMode;
  } | null;
  /** Only requests whose path starts with this prefix are affected; default every `/rest/` and `/oauth/` path. */
  pathPrefix?: string;
}

export interface ResolvedFaults {
  errorRates: { '429': number; '500': number; '503': number };
  latencyMs: number;
  timeout: { rate: number; afterMs: number; mode: TimeoutMode } | null;
  pathPrefix: string | null;
}

const rate = z.number().min(0).max(1);
export const faultSettingsSchema = z.strictObject({
  errorRates: z
    .strictObject({ '429': rate.optional(), '500': rate.optional(), '503': rate.optional() })
    .optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  timeout: z
    .strictObject({
      rate: rate.optional(),
      afterMs: z.number().int().nonnegative().optional(),
      mode: z.enum(['destroy', 'hang']).optional(),
    })
    .nullable()
    .optional(),
  pathPrefix: z.string().optional(),
});

export function resolveFaults(s: FaultSettings = {}): ResolvedFaults {
  return {
    errorRates: {
      '429': s.errorRates?.['429'] ?? 0,
      '500': s.errorRates?.['500'] ?? 0,
      '503': s.errorRates?.['503'] ?? 0,
    },
    latencyMs: s.latencyMs ?? 0,
    timeout: s.timeout
      ? { rate: s.timeout.rate ?? 1, afterMs: s.timeout.afterMs ?? 30_000, mode: s.timeout.mode ?? 'destroy' }
      : null,
    pathPrefix: s.pathPrefix ?? null,
  };
}

export type FaultDecision = 'timeout' | 429 | 500 | 503 | null;

/** One draw, cumulative bands: timeout, then 429, 500, 503; the rest passes through. */
export function decideFault(f: ResolvedFaults, draw: number): FaultDecision {
  let band = f.timeout?.rate ?? 0;
  if (draw < band) return 'timeout';
  band += f.errorRates['429'];
  if (draw < band) return 429;
  band += f.errorRates['500'];
  if (draw < band) return 500;
  band += f.errorRates['503'];
  if (draw < band) return 503;
  return null;
}

function isActive(f: ResolvedFaults): boolean {
  const r = f.errorRates;
  return f.latencyMs > 0 || f.timeout !== null || r['429'] > 0 || r['500'] > 0 || r['503'] > 0;
}

/** Requests held by timeout faults; released all at once on stop() or reset() so nothing leaks. */
export class PendingHolds {
  readonly #waiters = new Set<() => void>();

  /** Resolves after `ms` (never, if null), when `signal` aborts, or when released. */
  hold(ms: number | null, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
      if (signal?.aborted) done();
    });
  }

  releaseAll(): void {
    for (const w of [...this.#waiters]) w();
  }

  get size(): number {
    return this.#waiters.size;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface FaultDeps {
  faults: () => ResolvedFaults;
  random: () => number;
  holds: PendingHolds;
}

export function faultMiddleware(deps: FaultDeps): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const f = deps.faults();
    if (!isActive(f) || (f.pathPrefix !== null && !c.req.path.startsWith(f.pathPrefix))) return next();
    if (f.latencyMs > 0) await sleep(f.latencyMs);
    const decision = decideFault(f, deps.random());
    if (decision === 'timeout' && f.timeout) {
      c.set('fault', `timeout:${f.timeout.mode}`);
      await deps.holds.hold(f.timeout.mode === 'hang' ? null : f.timeout.afterMs, c.req.raw.signal);
      // Over a real socket the client sees the connection die; in-process callers see a rejection.
      c.env?.incoming?.socket?.destroy();
      throw new DroppedConnection();
    }
    if (decision === 429) return fault(c, 429, ERRORS.throttled());
    if (decision === 500) return fault(c, 500, ERRORS.internal());
    if (decision === 503) return fault(c, 503, ERRORS.unavailable());
    return next();
  };
}

function fault(c: { set(key: 'fault', value: string): void }, status: number, res: Response): Response {
  c.set('fault', `status:${status}`);
  return res;
}
