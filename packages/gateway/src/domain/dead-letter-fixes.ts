import type { DeadReason } from './delivery-plan.js';

/**
 * What to do about dead letters of each reason, as the summary shows it next to their count. A
 * reason not listed (from a newer or older version) gets no fix rather than a wrong one.
 */
export const DEAD_LETTER_FIXES: Readonly<Record<DeadReason, string>> = {
  rejected:
    'LinkedIn refused these events; lastResponse (capi dlq list, GET /v1/dead-letters) names the field. Fix the data at its source or the mapping, then redrive by rule and reason.',
  unknown_rule:
    'LinkedIn does not know this conversion rule for this ad account (deleted, or in another account). Correct the mapping (CAPI_CONVERSIONS or accounts[].conversions), restart, then redrive by rule and reason.',
  expired:
    'The events would have passed the 90-day limit before delivery, so LinkedIn would refuse them: redriving cannot help. Find why they waited (a long pause or outage: capi accounts paused) so new events do not.',
};

export function deadLetterFix(reason: string | null): string | null {
  return reason !== null && Object.hasOwn(DEAD_LETTER_FIXES, reason)
    ? DEAD_LETTER_FIXES[reason as DeadReason]
    : null;
}
