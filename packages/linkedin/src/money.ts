/**
 * Money amounts. LinkedIn wants `amount` as a decimal JSON string. Numbers are converted with the
 * shortest round-trip representation (`String(19.9)` is "19.9", never "19.899999999999999"), and
 * exponent notation is expanded because "1e21" is not a decimal LinkedIn can read.
 */

/** Plain decimal: optional minus, digits, optional fraction. No exponent, sign '+', or separators. */
export function isDecimalString(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 40) return false;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === intStart) return false;
  if (i === n) return true;
  if (s.charCodeAt(i) !== 46 /* . */) return false;
  i++;
  const fracStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  return i === n && i > fracStart;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A finite number as a plain decimal string; null for NaN and ±Infinity. */
export function decimalFromNumber(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const text = String(Object.is(value, -0) ? 0 : value);
  const e = text.indexOf('e');
  return e < 0 ? text : expandExponent(text.slice(0, e), Number(text.slice(e + 1)));
}

function expandExponent(mantissa: string, exponent: number): string {
  const negative = mantissa.startsWith('-');
  const unsigned = negative ? mantissa.slice(1) : mantissa;
  const dot = unsigned.indexOf('.');
  const digits = dot < 0 ? unsigned : unsigned.slice(0, dot) + unsigned.slice(dot + 1);
  const pointAt = (dot < 0 ? unsigned.length : dot) + exponent;
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${out}` : out;
}

/** Exactly three upper-case ASCII letters. LinkedIn does not check the code against ISO 4217. */
export function isCurrencyCode(s: string): boolean {
  if (s.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}
