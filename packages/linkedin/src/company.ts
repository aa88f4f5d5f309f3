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

/** Lower-case without dots, commas and parentheses: "Inc." → "inc", "(GmbH)" → "gmbh". */
function bare(token: string): string {
  let out = '';
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c !== 46 && c !== 44 && c !== 40 && c !== 41) out += token[i];
  }
  return out.toLowerCase();
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

/**
 * Removes trailing legal-form tokens (and a joining "&", "+" or "und"); never empties the name.
 * Scans from the end without splitting, because this runs once per event when enabled.
 */
export function cleanCompanyName(raw: string): string {
  const name = raw.trim();
  let end = name.length;
  let removed = false;
  for (;;) {
    let start = end;
    while (start > 0 && !isSpace(name.charCodeAt(start - 1))) start--;
    if (start === 0) break; // never remove the first word
    const token = bare(name.slice(start, end));
    const joiner = removed && (token === '&' || token === '+' || token === 'und');
    if (!joiner && !suffixes.has(token)) break;
    removed = true;
    end = start;
    while (end > 0 && isSpace(name.charCodeAt(end - 1))) end--;
  }
  if (!removed) return name;
  // Drop separators left behind ("Acme, Inc." → "Acme,") with a loop rather than a trailing regex.
  while (end > 0 && ' ,;&+-'.includes(name.charAt(end - 1))) end--;
  return end > 0 ? name.slice(0, end) : name;
}
