/**
 * Recognises personal data where none belongs: in fields that are stored or sent unhashed (context,
 * external ids, names, event ids). The identifier fields themselves are hashed by the SDK; these
 * checks stop a raw address from slipping into the store through any other field.
 */
import type { Problem } from '../errors.js';

// Compiled once: no per-request regex compilation on the hot path.
const EMAIL = /[^\s@<>()[\]\\,;:"']+@[^\s@<>()[\]\\,;:"']+\.[A-Za-z]{2,}/;

/** Keys of a context envelope that name personal data. Company and account names are not personal. */
const PII_KEY =
  /e-?mail|phone|mobile|fax|^(first|last|full|given|family|middle|sur|user|contact|person)_?name$|^name$|surname|street|address|postcode|zip|birth|^dob$|ssn|passport|password|^ip$|ip_?addr|li_?fat_?id|cookie/i;

/** True when `value` contains something shaped like an email address. Cheap when there is no '@'. */
export function looksLikeEmail(value: string): boolean {
  return value.includes('@') && EMAIL.test(value);
}

export function isPiiKey(key: string): boolean {
  return PII_KEY.test(key);
}

/** Emails in fields that are not hashed (names, ids) would be stored and sent in clear: refuse them. */
export function rawEmailProblems(
  user: Record<string, unknown>,
  fields: readonly string[],
  base: string,
): Problem[] {
  const out: Problem[] = [];
  for (const field of fields) {
    const v = user[field];
    if (typeof v === 'string' && looksLikeEmail(v)) {
      out.push({
        code: 'RAW_EMAIL_FOUND',
        path: `${base}/${field}`,
        message: 'This field looks like it holds an email address; send it as user.email so it is hashed.',
      });
    }
  }
  return out;
}
