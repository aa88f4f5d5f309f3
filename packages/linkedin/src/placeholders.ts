import { sha256Hex } from './hash.js';

/**
 * Email values that stand for "no email" and must be dropped instead of hashed: hashing them would
 * send one identical hash for thousands of unrelated people. Entries are compared with the
 * normalised (trimmed, lower-cased) email and come in three forms:
 *
 * - `name@`   — any address with this local part (`noreply@` matches `noreply@shop.example`);
 * - `@domain` — any address at exactly this domain;
 * - anything else — the whole value.
 *
 * Addresses at example.com other than the listed ones stay usable: documentation and tests use them.
 */
export const EMAIL_PLACEHOLDERS: readonly string[] = Object.freeze([
  '',
  '-',
  'unknown',
  'n/a',
  'na',
  'none',
  'null',
  'undefined',
  'test',
  'test@test.com',
  'test@example.com',
  'email@example.com',
  'email@email.com',
  'user@example.com',
  'example@example.com',
  'unknown@unknown.com',
  'none@none.com',
  'no@email.com',
  'noemail@noemail.com',
  'noemail@example.com',
  'a@a.com',
  'abc@abc.com',
  'asdf@asdf.com',
  'xxx@xxx.com',
  'noreply@',
  'no-reply@',
  'no_reply@',
  'donotreply@',
  'do-not-reply@',
  'do_not_reply@',
  'mailer-daemon@',
  '@localhost',
  '@example.invalid',
]);

const exact = new Set<string>();
const localParts = new Set<string>();
const domains = new Set<string>();
for (const entry of EMAIL_PLACEHOLDERS) {
  if (entry.length > 1 && entry.endsWith('@')) localParts.add(entry.slice(0, -1));
  else if (entry.length > 1 && entry.startsWith('@')) domains.add(entry.slice(1));
  else exact.add(entry);
}

/**
 * The lengths each set holds: most real addresses match none of them, and are then refused without
 * the set lookups, each of which hashed a fresh slice of the address (every ingested email comes
 * through here).
 */
const lengthsOf = (set: ReadonlySet<string>) => new Set([...set].map((entry) => entry.length));
const exactLengths = lengthsOf(exact);
const localPartLengths = lengthsOf(localParts);
const domainLengths = lengthsOf(domains);

/** `normalized` must already be trimmed and lower-cased (see normalizeEmail). */
export function isPlaceholderEmail(normalized: string): boolean {
  if (exactLengths.has(normalized.length) && exact.has(normalized)) return true;
  const at = normalized.indexOf('@');
  if (at < 0) return false;
  if (localPartLengths.has(at) && localParts.has(normalized.slice(0, at))) return true;
  return domainLengths.has(normalized.length - at - 1) && domains.has(normalized.slice(at + 1));
}

/**
 * Hashes of the whole-value placeholders, so a payload that arrives already hashed can still be
 * recognised (local-part and domain patterns cannot be recognised after hashing).
 */
let placeholderHashes: Set<string> | undefined;
export function isPlaceholderEmailHash(hash: string): boolean {
  placeholderHashes ??= new Set([...exact].filter((e) => e.includes('@')).map(sha256Hex));
  return placeholderHashes.has(hash);
}

/**
 * Values that stand for "nothing" in any identifier field (names, click ids, external ids…),
 * compared after trimming and lower-casing. The all-zero advertising id is what Android reports
 * when the user has limited ad tracking.
 */
export const IDENTIFIER_PLACEHOLDERS: readonly string[] = Object.freeze([
  // Not 'na': Na is a family name.
  '-',
  'unknown',
  'n/a',
  'none',
  'null',
  'undefined',
  '00000000-0000-0000-0000-000000000000',
]);
const identifierPlaceholders = new Set(IDENTIFIER_PLACEHOLDERS);

/** Lengths and first characters of the entries, so most real values are refused without lower-casing. */
const placeholderLengths = new Set(IDENTIFIER_PLACEHOLDERS.map((p) => p.length));
const placeholderFirst = new Set(IDENTIFIER_PLACEHOLDERS.map((p) => p.charCodeAt(0)));

export function isPlaceholderValue(trimmed: string): boolean {
  if (!placeholderLengths.has(trimmed.length)) return false;
  const first = trimmed.charCodeAt(0);
  const lowerFirst = first >= 65 && first <= 90 ? first + 32 : first;
  return placeholderFirst.has(lowerFirst) && identifierPlaceholders.has(trimmed.toLowerCase());
}
