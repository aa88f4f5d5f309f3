/**
 * LinkedIn's CAPI throttle: per access token, a per-minute and a per-day request budget
 * (600/min and 500,000/day documented; older sources say 300,000/day, hence configurable).
 * Windows are fixed: the minute window is the clock minute and the day resets at 00:00 UTC.
 * Requests refused with 429 do not consume budget. LinkedIn sends no Retry-After, and neither
 * does the sandbox: clients must back off on their own.
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { utcDay } from './clock.js';
import type { SandboxEnv } from './context.js';
import { ERRORS } from './errors.js';

export interface RateLimits {
  perMinute: number;
  perDay: number;
}

export const DEFAULT_LIMITS: Readonly<RateLimits> = { perMinute: 600, perDay: 500_000 };

export const rateLimitsSchema = z.strictObject({
  perMinute: z.number().int().nonnegative().optional(),
  perDay: z.number().int().nonnegative().optional(),
});

export type LimitVerdict = 'ok' | 'minute' | 'day';

export interface TokenUsage {
  minuteStart: number;
  minuteCount: number;
  day: string;
  dayCount: number;
}

interface Counter {
  minute: number;
  minuteCount: number;
  day: number;
  dayCount: number;
}

export class RateLimiter {
  #limits: RateLimits;
  readonly #counters = new Map<string, Counter>();

  constructor(limits: Partial<RateLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get limits(): RateLimits {
    return { ...this.#limits };
  }

  set(limits: Partial<RateLimits>): void {
    this.#limits = { ...this.#limits, ...limits };
  }

  /** Counts one request for `token` unless a budget is exhausted, in which case it says which. */
  hit(token: string, now: number): LimitVerdict {
    const c = this.#counter(token, now);
    if (c.dayCount >= this.#limits.perDay) return 'day';
    if (c.minuteCount >= this.#limits.perMinute) return 'minute';
    c.minuteCount++;
    c.dayCount++;
    return 'ok';
  }

  usage(now: number): Record<string, TokenUsage> {
    const out: Record<string, TokenUsage> = {};
    for (const token of this.#counters.keys()) {
      const c = this.#counter(token, now);
      out[token] = {
        minuteStart: c.minute * 60_000,
        minuteCount: c.minuteCount,
        day: new Date(c.day * 86_400_000).toISOString().slice(0, 10),
        dayCount: c.dayCount,
      };
    }
    return out;
  }

  reset(): void {
    this.#counters.clear();
  }

  #counter(token: string, now: number): Counter {
    const minute = Math.floor(now / 60_000);
    const day = utcDay(now);
    let c = this.#counters.get(token);
    if (!c) {
      c = { minute, minuteCount: 0, day, dayCount: 0 };
      this.#counters.set(token, c);
    }
    if (c.minute !== minute) {
      c.minute = minute;
      c.minuteCount = 0;
    }
    if (c.day !== day) {
      c.day = day;
      c.dayCount = 0;
    }
    return c;
  }
}

/** Counts the request against its token's budgets; 429 (no Retry-After) when one is spent. */
export function rateLimitMiddleware(limiter: RateLimiter, now: () => number): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    if (limiter.hit(c.get('token').value, now()) !== 'ok') return ERRORS.throttled();
    return next();
  };
}
