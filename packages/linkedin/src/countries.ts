/**
 * ISO 3166-1 alpha-2 codes currently assigned (249). `UK` is an exceptionally reserved code that
 * people use for the United Kingdom; it is accepted and sent as `GB`.
 */
const ASSIGNED =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
  'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
  'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
  'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
  'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
  'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
  'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
  'YT ZA ZM ZW';

export const COUNTRY_CODES: ReadonlySet<string> = new Set(ASSIGNED.split(' '));

/** Two ASCII letters in any case → the assigned upper-case code, without allocating on the hot path. */
const BY_LETTERS = new Map<number, string>();
for (const code of [...COUNTRY_CODES, 'UK']) {
  const key = (code.charCodeAt(0) << 8) | code.charCodeAt(1);
  BY_LETTERS.set(key, code === 'UK' ? 'GB' : code);
}

function upper(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

/** Trimmed, upper-cased, `UK` → `GB`; null when not an assigned alpha-2 code. */
export function normalizeCountryCode(raw: string): string | null {
  const v = raw.length === 2 ? raw : raw.trim();
  if (v.length !== 2) return null;
  return BY_LETTERS.get((upper(v.charCodeAt(0)) << 8) | upper(v.charCodeAt(1))) ?? null;
}
