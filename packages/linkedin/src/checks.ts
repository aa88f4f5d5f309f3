/**
 * Checks shared by the builder (customer input) and the validator (LinkedIn-shaped payloads), so
 * both refuse exactly the same values.
 */
import { type Finding, finding } from './findings.js';
import { MICROSECONDS_FLOOR, SECONDS_CEILING } from './limits.js';
import { decimalFromNumber, isCurrencyCode, isDecimalString } from './money.js';

const DAY_MS = 86_400_000;

/** conversionHappenedAt: epoch ms, not seconds, inside [now - maxAgeMs, now]. */
export function checkHappenedAt(
  value: unknown,
  path: string,
  now: number,
  maxAgeMs: number,
  out: Finding[],
): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    out.push(finding('HAPPENED_AT_INVALID', path, 'error'));
    return;
  }
  if (value < SECONDS_CEILING) {
    const asMs = value * 1000;
    const fits = asMs <= now && now - asMs <= maxAgeMs;
    const hint = fits
      ? 'Multiply it by 1000; the result falls inside the allowed window.'
      : 'Multiply it by 1000 (the result would still be outside the allowed window).';
    out.push(finding('HAPPENED_AT_SECONDS', path, 'error', hint));
    return;
  }
  if (value > now) {
    const hint = value >= MICROSECONDS_FLOOR ? 'It looks like microseconds; divide it by 1000.' : undefined;
    out.push(finding('HAPPENED_AT_FUTURE', path, 'error', hint));
    return;
  }
  if (now - value > maxAgeMs) {
    const days = Math.floor((now - value) / DAY_MS);
    out.push(
      finding(
        'HAPPENED_AT_TOO_OLD',
        path,
        'error',
        `It is ${days} days old; the limit is ${Math.floor(maxAgeMs / DAY_MS)}.`,
      ),
    );
  }
}

/**
 * A money amount: decimal string (or, when `acceptNumber`, a number converted exactly).
 * Returns the wire string, or null after recording a finding.
 */
export function checkAmount(
  value: unknown,
  path: string,
  acceptNumber: boolean,
  out: Finding[],
): string | null {
  if (typeof value === 'number') {
    if (!acceptNumber) {
      out.push(finding('VALUE_AMOUNT_NOT_STRING', path, 'error'));
      return null;
    }
    const text = decimalFromNumber(value);
    if (text === null || !isDecimalString(text)) {
      // Non-finite, or so large or small that the decimal form is absurdly long (5e-324).
      out.push(finding('VALUE_AMOUNT_INVALID', path, 'error', 'The number has no usable decimal form.'));
      return null;
    }
    if (value < 0) out.push(finding('VALUE_AMOUNT_NEGATIVE', path, 'warning'));
    return text;
  }
  if (typeof value !== 'string') {
    out.push(finding('FIELD_TYPE', path, 'error', 'The amount must be a string.'));
    return null;
  }
  const text = acceptNumber ? value.trim() : value;
  if (!isDecimalString(text)) {
    out.push(finding('VALUE_AMOUNT_INVALID', path, 'error'));
    return null;
  }
  if (text.charCodeAt(0) === 45) out.push(finding('VALUE_AMOUNT_NEGATIVE', path, 'warning'));
  return text;
}

/** A 3-letter currency code; builder input is trimmed and upper-cased first. */
export function checkCurrency(value: unknown, path: string, lenient: boolean, out: Finding[]): string | null {
  if (typeof value !== 'string') {
    out.push(finding('FIELD_TYPE', path, 'error', 'The currency code must be a string.'));
    return null;
  }
  const code = lenient ? value.trim().toUpperCase() : value;
  if (!isCurrencyCode(code)) {
    out.push(finding('CURRENCY_INVALID', path, 'error'));
    return null;
  }
  return code;
}
