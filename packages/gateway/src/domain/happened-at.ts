/**
 * Reads the time of a conversion as sent by a source: ISO-8601 text or epoch milliseconds. Range
 * checks (90 days, future, seconds instead of milliseconds) belong to the SDK's builder; this turns
 * text into a number, refusing text whose meaning depends on the server's time zone, and holds the
 * gateway's allowance for senders' clock skew.
 */
import type { Problem } from '../errors.js';

// Date, or date-time with an explicit zone: "2026-11-20", "2026-11-20T10:15:00Z", "…T10:15+01:00".
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
const DIGITS = /^\d{1,16}$/;

/** Epoch ms, or null when the value is not a readable point in time. */
export function parseHappenedAt(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  if (DIGITS.test(text)) return Number(text);
  const parts = ISO_8601.exec(text);
  if (!parts || !isCalendarTime(parts)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Date.parse rolls impossible dates over ("2026-02-30" is 2 March), so a typo would become another
 * day without a word. The fields must name a real day and a time of day.
 */
function isCalendarTime(parts: RegExpExecArray): boolean {
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const [hour, minute, second] = [Number(parts[4] ?? 0), Number(parts[5] ?? 0), Number(parts[6] ?? 0)];
  return hour < 24 && minute < 60 && second < 60;
}

/** Whether the text is a date with a time of day (not a date alone): what a clock reading needs. */
export function hasTimeOfDay(value: string): boolean {
  return /T\d/i.test(value);
}

/**
 * LinkedIn refuses a conversion time in the future, yet a sender's clock running a little ahead of
 * the gateway's is common, and an event sent the moment it happens then arrives "from the future".
 * A time at most this far ahead of the time of receipt is taken for clock skew and replaced by the
 * time of receipt, with a warning (HAPPENED_AT_CLAMPED); one further ahead is still refused
 * (HAPPENED_AT_FUTURE), since that is a wrong time rather than a skewed clock.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/**
 * Whether `happenedAt` is ahead of `receivedAt` by at most the allowance. Only whole milliseconds
 * qualify: any other number keeps the SDK's HAPPENED_AT_INVALID.
 */
export function isClockSkew(happenedAt: number, receivedAt: number): boolean {
  return (
    happenedAt > receivedAt &&
    happenedAt - receivedAt <= CLOCK_SKEW_ALLOWANCE_MS &&
    Number.isSafeInteger(happenedAt)
  );
}

/** The warning for a time moved back to the time of receipt; `aheadMs` is how far ahead it was. */
export function clampedWarning(aheadMs: number): Problem {
  const seconds = Math.max(1, Math.round(aheadMs / 1000));
  return {
    code: 'HAPPENED_AT_CLAMPED',
    path: '/happenedAt',
    message: `The time was ${seconds} s ahead of the gateway's clock, within the ${CLOCK_SKEW_ALLOWANCE_MS / 60_000}-minute allowance for clock skew; the time of receipt was sent instead.`,
  };
}
