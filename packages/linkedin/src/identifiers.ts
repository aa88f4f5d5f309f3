/**
 * Identifier normalisation, one function per identifier. Each returns a value or a reason with a
 * finding code; none of them throws and none of them puts the submitted value in a reason.
 *
 * Rules come from LinkedIn's schema page: emails are trimmed and lower-cased, then SHA-256 hex
 * (no provider-specific rewriting such as Gmail dots or plus tags); names for the hashed fields are
 * lower-cased with spaces and punctuation removed; IPs are IPv4 only; li_fat_id is sent verbatim.
 */
import { isSha256Hex, sha256Hex } from './hash.js';
import { isPlaceholderEmail, isPlaceholderValue } from './placeholders.js';

export type Normalized = { ok: true; value: string } | { ok: false; reason: string; code: string };

// ---------------------------------------------------------------------------------------------
// Email

/**
 * Cheap structural check: one '@', a non-empty local part of at most 64 characters, a domain with
 * an inner dot, no whitespace or control characters, at most 254 characters. Deliberately no regex
 * (no backtracking on hostile input) and no attempt at full RFC 5322.
 */
export function isPlausibleEmail(v: string): boolean {
  if (v.length < 5 || v.length > 254) return false;
  const at = v.indexOf('@');
  if (at < 1 || at > 64 || at !== v.lastIndexOf('@')) return false;
  let dot = -1;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
    if (i > at && c === 46) {
      if (i === at + 1 || i === v.length - 1 || dot === i - 1) return false;
      dot = i;
    }
  }
  return dot > at;
}

function isHex(v: string, length: number): boolean {
  if (v.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = v.charCodeAt(i) | 0x20;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Trim + lower-case. A 64-hex value is taken as an existing SHA-256 and passed through (lower-cased)
 * so it is never hashed twice. Placeholders and malformed addresses are refused with a reason.
 */
export function normalizeEmail(
  raw: string,
): { ok: true; value: string; hashed: boolean } | { ok: false; reason: string; code: string } {
  if (typeof raw !== 'string')
    return { ok: false, code: 'EMAIL_INVALID', reason: 'the email is not a string' };
  const v = raw.trim().toLowerCase();
  if (v.length === 64 && isSha256Hex(v)) return { ok: true, value: v, hashed: true };
  if (v.length === 0) return { ok: false, code: 'EMAIL_PLACEHOLDER', reason: 'the email is empty' };
  if (isPlaceholderEmail(v)) {
    return { ok: false, code: 'EMAIL_PLACEHOLDER', reason: 'the email is a known placeholder address' };
  }
  if (!isPlausibleEmail(v)) {
    if (isHex(v, 32) || isHex(v, 40)) {
      return {
        ok: false,
        code: 'EMAIL_HASH_INVALID',
        reason: 'the email looks like an MD5 or SHA-1 hash; LinkedIn needs SHA-256 of the plain address',
      };
    }
    return { ok: false, code: 'EMAIL_INVALID', reason: 'the email is not a valid address' };
  }
  return { ok: true, value: v, hashed: false };
}

/** SHA-256 hex of the normalised email, or the existing 64-hex hash lower-cased. */
export function hashEmail(
  raw: string,
): { ok: true; value: string } | { ok: false; reason: string; code: string } {
  const n = normalizeEmail(raw);
  if (!n.ok) return n;
  return { ok: true, value: n.hashed ? n.value : sha256Hex(n.value) };
}

/** An already hashed email (sha256Email input): 64 hex characters, lower-cased. */
export function normalizeEmailHash(raw: string): Normalized {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (isSha256Hex(v)) return { ok: true, value: v };
  return {
    ok: false,
    code: 'EMAIL_HASH_INVALID',
    reason: 'the hashed email is not 64 hexadecimal characters',
  };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Spaces (any Unicode separator), punctuation, control and format characters. One class, no nesting. */
const NAME_STRIP = /[\p{P}\p{Z}\p{Cc}\p{Cf}\s]+/gu;

/**
 * For hashedFirstName/hashedLastName: Unicode NFC, lower-case, spaces and punctuation removed.
 * NFC runs again at the end because lower-casing can decompose a character (İ → i + U+0307).
 */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').toLowerCase().replace(NAME_STRIP, '').normalize('NFC');
}

/** SHA-256 hex of the normalised name; null when nothing is left after normalisation. */
export function hashName(raw: string): string | null {
  const n = normalizeName(raw);
  return n.length === 0 ? null : sha256Hex(n);
}

/** Plain firstName/lastName: LinkedIn documents no normalisation, so only NFC and trimming. */
export function cleanPlainName(raw: string): string {
  // ASCII is always in NFC; skipping the ICU call matters on the ingest path.
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) > 0x7f) return raw.normalize('NFC').trim();
  }
  return raw.trim();
}

// ---------------------------------------------------------------------------------------------
// IP addresses

/** Dotted-quad IPv4 with no leading zeros ("010.0.0.1" is ambiguous) → octets, else null. */
export function parseIpv4(v: string): [number, number, number, number] | null {
  if (v.length < 7 || v.length > 15) return null;
  const octets: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= v.length; i++) {
    const c = i < v.length ? v.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return null;
      octets.push(value);
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return null;
    if (digits === 1 && value === 0) return null; // leading zero
    value = value * 10 + (c - 48);
    digits++;
    if (digits > 3) return null;
  }
  return octets.length === 4 ? (octets as [number, number, number, number]) : null;
}

/** Private, loopback, link-local, carrier-grade NAT, "this network", multicast and reserved ranges. */
export function isNonPublicIpv4([a, b]: readonly number[]): boolean {
  if (a === undefined || b === undefined) return true;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/**
 * IPv4 as LinkedIn takes it. An IPv4-mapped IPv6 address (::ffff:203.0.113.7, what dual-stack
 * servers report) is unwrapped; any other IPv6 address is refused because LinkedIn supports IPv4 only.
 */
export function normalizeIp(raw: string): Normalized {
  let v = typeof raw === 'string' ? raw.trim() : '';
  if (v.length === 0) return { ok: false, code: 'IP_INVALID', reason: 'the IP address is empty' };
  const lower = v.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.indexOf('.') > 0) v = lower.slice(7);
  else if (v.includes(':')) {
    return { ok: false, code: 'IP_V6_UNSUPPORTED', reason: 'LinkedIn accepts IPv4 addresses only' };
  }
  const octets = parseIpv4(v);
  if (!octets) return { ok: false, code: 'IP_INVALID', reason: 'the IP address is not a valid IPv4 address' };
  if (isNonPublicIpv4(octets)) {
    return { ok: false, code: 'IP_NOT_PUBLIC', reason: 'the IP address is private, loopback or reserved' };
  }
  // parseIpv4 refuses leading zeros and padding, so an accepted string is already canonical.
  return { ok: true, value: v };
}

/** An already hashed IPv4 (sha256Ip input). */
export function normalizeIpHash(raw: string): Normalized {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (isSha256Hex(v)) return { ok: true, value: v };
  return {
    ok: false,
    code: 'IP_HASH_INVALID',
    reason: 'the hashed IP address is not 64 hexadecimal characters',
  };
}

// ---------------------------------------------------------------------------------------------
// Plain identifiers: li_fat_id, ACXIOM_ID, GOOGLE_AID, externalIds

/**
 * Trimmed, non-empty, not a placeholder; otherwise a reason. LinkedIn documents no format for these
 * values, so no shape check beyond that.
 */
export function normalizePlain(raw: string, what: string): Normalized {
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v.length === 0) return { ok: false, code: 'IDENTIFIER_EMPTY', reason: `the ${what} is empty` };
  if (isPlaceholderValue(v)) {
    return { ok: false, code: 'IDENTIFIER_PLACEHOLDER', reason: `the ${what} is a placeholder value` };
  }
  return { ok: true, value: v };
}

/**
 * The li_fat_id click id, verbatim. Cookie and query-string captures are percent-encoded, so the
 * value is URL-decoded once; a value that is not valid percent-encoding is kept as it is.
 */
export function normalizeLiFatId(raw: string): Normalized {
  const plain = normalizePlain(raw, 'LinkedIn click id (li_fat_id)');
  if (!plain.ok || !plain.value.includes('%')) return plain;
  try {
    return normalizePlain(decodeURIComponent(plain.value), 'LinkedIn click id (li_fat_id)');
  } catch {
    return plain;
  }
}
