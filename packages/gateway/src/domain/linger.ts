/**
 * When a lingering batch looks for company next. A small batch of fresh events waits up to
 * `delivery.lingerMs` for more of its account's events, and must leave as soon as it is full; each
 * look is a claim, and a claim that finds events is a store write. Looking every 20 ms whatever the
 * rate made a trickle of 100 events/s cost ten claims per 200 ms batch, most of them finding one or
 * two events, and about 7 kB of writes per event. So:
 * - while the rate the last look saw could fill the batch before the linger ends, looks stay
 *   MIN_LOOK_MS apart, so a filling batch leaves within one look of being full, as before (waiting
 *   for the predicted fill time instead was measured to cost 6–12 % of delivery end to end at
 *   30,000 events/s: a rate read from one short look is noisy);
 * - when it could not (a trickle, or nothing found), each wait is twice the last, up to
 *   MAX_LOOK_MS, so a burst after a quiet spell is still noticed within that;
 * - never past the end of the linger, where the last look collects what arrived.
 */
export const MIN_LOOK_MS = 20;
export const MAX_LOOK_MS = 100;

export interface LingerLook {
  /** Events the last look found for this batch. */
  found: number;
  /** Milliseconds that look covered (since the one before it). */
  coveredMs: number;
  /** Events the batch still lacks to be full. */
  missing: number;
  /** Milliseconds of linger left. */
  leftMs: number;
  /** The wait before the last look. */
  lastWaitMs: number;
}

/** Milliseconds to wait before the next look; 0 when the linger is over or the batch is full. */
export function nextLookMs(look: LingerLook): number {
  if (look.leftMs <= 0 || look.missing <= 0) return 0;
  const fillMs =
    look.found > 0 && look.coveredMs > 0
      ? (look.missing * look.coveredMs) / look.found
      : Number.POSITIVE_INFINITY;
  if (fillMs <= look.leftMs) return Math.min(look.leftMs, MIN_LOOK_MS);
  return Math.min(look.leftMs, MAX_LOOK_MS, 2 * Math.max(MIN_LOOK_MS, look.lastWaitMs));
}
