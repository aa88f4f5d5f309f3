/**
 * Counters for `GET /__sandbox/stats`: responses per status, events accepted, and requests per
 * token per clock minute (the last hour), which is what a client's pacing is judged by.
 */
import type { MiddlewareHandler } from 'hono';
import { bearerToken } from './auth.js';
import type { SandboxClock } from './clock.js';
import type { SandboxEnv } from './context.js';

const MINUTES_KEPT = 60;

export interface StatsReport {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests that got no answer (injected timeouts). */
  dropped: number;
  eventsAccepted: number;
  tokens: Record<string, { total: number; minutes: { start: string; count: number }[] }>;
}

export class Stats {
  #requests = 0;
  #dropped = 0;
  #eventsAccepted = 0;
  readonly #byStatus = new Map<number, number>();
  readonly #tokens = new Map<string, { total: number; minutes: Map<number, number> }>();

  countResponse(status: number | null): void {
    this.#requests++;
    if (status === null) this.#dropped++;
    else this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
  }

  countToken(token: string, now: number): void {
    const minute = Math.floor(now / 60_000);
    let t = this.#tokens.get(token);
    if (!t) {
      t = { total: 0, minutes: new Map() };
      this.#tokens.set(token, t);
    }
    t.total++;
    t.minutes.set(minute, (t.minutes.get(minute) ?? 0) + 1);
    if (t.minutes.size > MINUTES_KEPT) {
      for (const m of t.minutes.keys()) if (m <= minute - MINUTES_KEPT) t.minutes.delete(m);
    }
  }

  countEvents(n: number): void {
    this.#eventsAccepted += n;
  }

  report(): StatsReport {
    const tokens: StatsReport['tokens'] = {};
    for (const [token, t] of this.#tokens) {
      tokens[token] = {
        total: t.total,
        minutes: [...t.minutes.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([m, count]) => ({ start: new Date(m * 60_000).toISOString(), count })),
      };
    }
    return {
      requests: this.#requests,
      byStatus: Object.fromEntries([...this.#byStatus.entries()].sort((a, b) => a[0] - b[0])),
      dropped: this.#dropped,
      eventsAccepted: this.#eventsAccepted,
      tokens,
    };
  }

  reset(): void {
    this.#requests = 0;
    this.#dropped = 0;
    this.#eventsAccepted = 0;
    this.#byStatus.clear();
    this.#tokens.clear();
  }
}

export function statsMiddleware(stats: Stats, clock: SandboxClock): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token !== undefined) stats.countToken(token, clock.now());
    let answered = false;
    try {
      await next();
      answered = true;
    } finally {
      stats.countResponse(answered ? c.res.status : null);
    }
  };
}
