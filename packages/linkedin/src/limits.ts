/** LinkedIn's documented limits, in one place. */

/** Events per BATCH_CREATE request. */
export const MAX_BATCH_SIZE = 5000;

/** Oldest accepted conversionHappenedAt, relative to now. */
export const DEFAULT_MAX_AGE_MS = 90 * 86_400_000;

/**
 * Epoch values below this are taken to be seconds: 1e11 ms is March 1973, while 1e11 s is the year
 * 5138, so no real event time in milliseconds is this small and no real time in seconds is larger.
 */
export const SECONDS_CEILING = 100_000_000_000;

/** Above this an epoch value looks like microseconds (1e14 ms is the year 5138). */
export const MICROSECONDS_FLOOR = 100_000_000_000_000;

/** Encoded query strings longer than this are tunnelled through POST (LinkedIn's clients use 4,000). */
export const QUERY_TUNNEL_THRESHOLD = 4000;
