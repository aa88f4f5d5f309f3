/**
 * Recognises personal data where none belongs: in fields that are stored or sent unhashed (context,
 * external ids, names, event ids). The identifier fields themselves are hashed by the SDK; these
 * checks stop a raw address from slipping into the store through any other field.
 */
import type { Problem } from '../errors.js';

// Compiled once: no per-request regex compilation on the hot path. The local part stops at URL
// punctuation (/ ? # & =), so a profile path such as https://www.tiktok.com/@acme.official is not
// an address, while ?email=jane@example.com still is (its local part starts after the "=").
const EMAIL = /[^\s@<>()[\]\\,;:"'/?#&=]+@[^\s@<>()[\]\\,;:"']+\.[A-Za-z]{2,}/;

/** Keys of a context envelope that name personal data. Company and account names are not personal. */
const PII_KEY =
  /e-?mail|phone|mobile|fax|^(first|last|full|given|family|middle|sur|user|contact|person)_?name$|^name$|surname|street|address|postcode|zip|birth|^dob$|ssn|passport|password|^ip$|ip_?addr|li_?fat_?id|cookie/i;

/** Percent-escapes of ASCII characters (%40 is '@', %2E '.'); any other escape is left as it is. */
const ASCII_ESCAPE = /%([0-7][0-9A-Fa-f])/g;

function decodeAsciiEscapes(value: string): string {
  return value.replace(ASCII_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function hasEmail(value: string): boolean {
  return value.includes('@') && EMAIL.test(value);
}

/**
 * True when `value` contains something shaped like an email address, as written or URL-encoded
 * (`?email=jane%40example.com` in a page URL), also when encoded twice (`%2540`), as happens when an
 * encoded URL is put in another URL's query string. Cheap when there is no '@' and no '%'.
 */
export function looksLikeEmail(value: string): boolean {
  if (hasEmail(value)) return true;
  if (!value.includes('%')) return false;
  const once = decodeAsciiEscapes(value);
  if (hasEmail(once)) return true;
  return once.includes('%') && hasEmail(decodeAsciiEscapes(once));
}

export function isPiiKey(key: string): boolean {
  return PII_KEY.test(key);
}

/**
 * Emails in fields that are not hashed (names, ids) would be stored and sent in clear: refuse them.
 * `emailField` names where the route's own format takes an address (`user.email` natively), so the
 * message points the caller at a field it can send.
 */
export function rawEmailProblems(
  user: Record<string, unknown>,
  fields: readonly string[],
  base: string,
  emailField: string,
): Problem[] {
  const out: Problem[] = [];
  for (const field of fields) {
    const v = user[field];
    if (typeof v === 'string' && looksLikeEmail(v)) {
      out.push({
        code: 'RAW_EMAIL_FOUND',
        path: `${base}/${field}`,
        message: `This field looks like it holds an email address; send it as ${emailField} so it is hashed.`,
      });
    }
  }
  return out;
}
