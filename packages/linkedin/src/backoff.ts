/**
 * How long to wait before retrying. LinkedIn has never been seen sending `Retry-After` (the 429 on
 * conversionEvents carries no retry guidance), so the classifier's `afterMs` is normally null and
 * the wait comes from exponential back-off with full jitter; a Retry-After, when present, wins.
 */

export interface BackoffOptions {
  /** First delay ceiling. Default 1 s. */
  baseMs?: number;
  /** Upper bound for any delay. Default 15 min. */
  maxMs?: number;
  /** Injected randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

/** `attempt` counts from 1. Full jitter: uniform in [0, min(max, base · 2^(attempt-1))]. */
export function backoffMs(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 15 * 60_000;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(max, base * 2 ** exponent);
  return Math.floor((opts.random ?? Math.random)() * ceiling);
}

/** The classifier's Retry-After when LinkedIn sent one (capped at maxMs), else back-off. */
export function retryDelayMs(afterMs: number | null, attempt: number, opts: BackoffOptions = {}): number {
  if (afterMs !== null) return Math.min(afterMs, opts.maxMs ?? 15 * 60_000);
  return backoffMs(attempt, opts);
}
