/**
 * The sandbox's notion of "now": an injected base clock plus an offset that tests (or the admin
 * API) can set. Everything time-dependent reads this one clock: the 90-day window, version sunsets,
 * token expiry, rate-limit windows and analytics "today". Real waiting (latency, timeouts) uses
 * timers instead, so moving the clock never makes a request hang.
 */
export class SandboxClock {
  readonly #base: () => number;
  #offsetMs = 0;

  constructor(base: () => number = Date.now) {
    this.#base = base;
  }

  now(): number {
    return this.#base() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  setOffset(ms: number): void {
    this.#offsetMs = ms;
  }

  /** Moves the clock so that `now()` returns `at` at this moment. */
  setNow(at: number): void {
    this.#offsetMs = at - this.#base();
  }
}

export const DAY_MS = 86_400_000;

/** Days since the epoch, in UTC: the key for daily totals and the daily rate-limit window. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` to a UTC day number, or undefined when malformed. */
export function parseIsoDay(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : utcDay(ms);
}
