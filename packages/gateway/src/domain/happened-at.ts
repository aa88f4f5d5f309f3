/**
 * Reads the time of a conversion as sent by a source: ISO-8601 text or epoch milliseconds. Range
 * checks (90 days, future, seconds instead of milliseconds) belong to the SDK's builder; this only
 * turns text into a number, and refuses text whose meaning depends on the server's time zone.
 */

// Date, or date-time with an explicit zone: "2026-11-20", "2026-11-20T10:15:00Z", "…T10:15+01:00".
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
const DIGITS = /^\d{1,16}$/;

/** Epoch ms, or null when the value is not a readable point in time. */
export function parseHappenedAt(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  if (DIGITS.test(text)) return Number(text);
  if (!ISO_8601.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
