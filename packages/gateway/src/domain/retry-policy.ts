/**
 * When to try again, and when trying again is pointless. Pure functions of their inputs: the
 * worker passes the clock's `now` and a random source, so tests can pin both.
 */

export const DAY_MS = 86_400_000;

/** LinkedIn refuses events whose conversionHappenedAt is more than 90 days old (contract 1.6). */
export const MAX_EVENT_AGE_MS = 90 * DAY_MS;

/**
 * An event is given up this long before LinkedIn's limit: the request may spend time queued behind
 * the budget, in flight and in LinkedIn's own validation, and a refusal at the edge costs a request
 * and teaches nothing.
 */
export const EXPIRY_MARGIN_MS = 3_600_000;

/**
 * Ceiling on a server-supplied Retry-After. LinkedIn documents none; if one ever appears we honour
 * it, but a malformed or hostile value must not park an account for months.
 */
export const MAX_RETRY_AFTER_MS = DAY_MS;

/** After a 429 the account waits at least this long (R8: "exponential from 10 s"). */
export const THROTTLE_FLOOR_MS = 10_000;

export interface RetryInput {
  /** Attempts already made for the event(s) before the failure being scheduled (0 = first failure). */
  attempts: number;
  now: number;
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number | null;
  /** Lower bound on the delay (e.g. THROTTLE_FLOOR_MS after a 429). */
  floorMs?: number;
}

/**
 * Exponential back-off with full jitter: the delay is uniform between `baseMs` and
 * `min(maxMs, baseMs * 2^attempts)`. Full jitter spreads instances that failed together (a 5xx
 * burst, a shared 429) so they do not come back in lock-step; the `baseMs` floor keeps an unlucky
 * draw from retrying immediately. A Retry-After, when present, is a minimum, not a suggestion.
 */
export function nextRetryAt(input: RetryInput): number {
  const { attempts, now, baseMs, maxMs, random } = input;
  const exponent = Math.min(Math.max(0, Math.floor(attempts)), 52);
  const ceiling = Math.max(baseMs, Math.min(maxMs, baseMs * 2 ** exponent));
  const jittered = baseMs + Math.floor(clampUnit(random()) * (ceiling - baseMs));
  const serverMs =
    input.retryAfterMs != null ? Math.min(Math.max(0, input.retryAfterMs), MAX_RETRY_AFTER_MS) : 0;
  return now + Math.max(jittered, serverMs, input.floorMs ?? 0);
}

/** The last moment (epoch ms) at which the gateway will still send an event. */
export function expiresAt(happenedAt: number): number {
  return happenedAt + MAX_EVENT_AGE_MS - EXPIRY_MARGIN_MS;
}

/** True when an event can no longer be sent at `at` (LinkedIn would refuse it as too old). */
export function isExpired(happenedAt: number, at: number): boolean {
  return at >= expiresAt(happenedAt);
}

/** The next 00:00 UTC after `now`: when LinkedIn's daily request budget resets. */
export function utcDayEnd(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
