/**
 * Optional clean-up of legal-form suffixes in company names ("Acme, Inc." → "Acme"), so the same
 * company is written the same way whichever system the event came from. Off by default: LinkedIn
 * does not document any normalisation of `companyName`.
 */

/** Suffix tokens, lower-case with dots removed. Multi-word forms ("GmbH & Co. KG") peel off one token at a time. */
export const COMPANY_LEGAL_SUFFIXES: readonly string[] = Object.freeze([
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'plc',
  'corp',
  'corporation',
  'co',
  'gmbh',
  'mbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'ev',
  'se',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'ab',
  'as',
  'asa',
  'aps',
  'oy',
  'oyj',
  'pty',
  'kk',
  'sl',
]);
const suffixes = new Set(COMPANY_LEGAL_SUFFIXES);

function bare(token: string): string {
  let out = '';
  for (const ch of token.toLowerCase()) {
    if (ch !== '.' && ch !== ',' && ch !== '(' && ch !== ')') out += ch;
  }
  return out;
}

/** Removes trailing legal-form tokens (and a joining "&" or "und"); never empties the name. */
export function cleanCompanyName(raw: string): string {
  const tokens = raw.trim().split(/\s+/);
  let keep = tokens.length;
  while (keep > 1) {
    const token = bare(tokens[keep - 1] ?? '');
    const joiner = (token === '&' || token === 'und' || token === '+') && keep < tokens.length;
    if (!suffixes.has(token) && !joiner) break;
    keep--;
  }
  const kept = tokens.slice(0, keep).join(' ');
  // Drop separators left behind ("Acme, Inc." → "Acme,") with a loop rather than a trailing regex.
  let end = kept.length;
  while (end > 0 && ' ,;&+-'.includes(kept.charAt(end - 1))) end--;
  return end > 0 ? kept.slice(0, end) : raw.trim();
}
