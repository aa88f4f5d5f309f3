/**
 * Validates a LinkedIn-shaped conversion event (what `/rest/conversionEvents` receives), mirroring
 * LinkedIn's own checks so that nothing LinkedIn would refuse is ever sent. Like LinkedIn, it
 * collects every problem instead of stopping at the first. A few checks are stricter than LinkedIn
 * (IP syntax, hash syntax, country codes): LinkedIn would accept those values, but they can never
 * match a member, so sending them would only hide a bug.
 */
import { checkAmount, checkCurrency, checkHappenedAt } from './checks.js';
import { COUNTRY_CODES } from './countries.js';
import { type Finding, finding } from './findings.js';
import { isLowerSha256Hex } from './hash.js';
import { isNonPublicIpv4, parseIpv4 } from './identifiers.js';
import { DEFAULT_MAX_AGE_MS } from './limits.js';
import { isPlaceholderEmailHash } from './placeholders.js';
import { isConversionUrn, isLeadUrn } from './urns.js';
import { isVersionString, supportsHashedNames } from './versions.js';
import { ID_TYPES } from './wire-types.js';

export interface ValidateOptions {
  /** LinkedIn-Version the event will be sent with ('YYYYMM'). */
  version: string;
  /** Injected clock, epoch ms. */
  now: number;
  /** Default 90 days. */
  maxAgeMs?: number;
}

type Json = Record<string, unknown>;

const EVENT_KEYS = new Set(['conversion', 'conversionHappenedAt', 'conversionValue', 'eventId', 'user']);
const VALUE_KEYS = new Set(['currencyCode', 'amount']);
const USER_KEYS = new Set(['userIds', 'userInfo', 'lead', 'externalIds']);
const USER_ID_KEYS = new Set(['idType', 'idValue']);
const USER_INFO_KEYS = new Set(['firstName', 'lastName', 'companyName', 'title', 'countryCode']);
const HASHED_NAME_KEYS = new Set(['hashedFirstName', 'hashedLastName']);
const ID_TYPE_SET: ReadonlySet<string> = new Set(ID_TYPES);

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(obj: Json, allowed: ReadonlySet<string>, base: string, out: Finding[]): void {
  for (const key in obj) {
    if (!allowed.has(key)) out.push(finding('UNKNOWN_FIELD', `${base}/${key}`, 'error'));
  }
}

/** Every finding for one event; an empty array means LinkedIn would accept it. */
export function validateConversionEvent(event: unknown, opts: ValidateOptions): Finding[] {
  const out: Finding[] = [];
  if (!isVersionString(opts.version)) out.push(finding('VERSION_INVALID', '', 'error'));
  if (!isRecord(event)) {
    out.push(finding('FIELD_TYPE', '', 'error', 'The event must be a JSON object.'));
    return out;
  }
  unknownKeys(event, EVENT_KEYS, '', out);

  const { conversion } = event;
  if (conversion === undefined) out.push(finding('FIELD_REQUIRED', '/conversion', 'error'));
  else if (typeof conversion !== 'string') out.push(finding('FIELD_TYPE', '/conversion', 'error'));
  else if (!isConversionUrn(conversion)) out.push(finding('CONVERSION_URN_INVALID', '/conversion', 'error'));

  if (event.conversionHappenedAt === undefined)
    out.push(finding('FIELD_REQUIRED', '/conversionHappenedAt', 'error'));
  else {
    checkHappenedAt(
      event.conversionHappenedAt,
      '/conversionHappenedAt',
      opts.now,
      opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
      out,
    );
  }

  if (event.conversionValue !== undefined) validateValue(event.conversionValue, out);

  const { eventId } = event;
  if (eventId !== undefined) {
    if (typeof eventId !== 'string') out.push(finding('FIELD_TYPE', '/eventId', 'error'));
    else if (eventId.trim().length === 0) out.push(finding('EVENT_ID_EMPTY', '/eventId', 'error'));
  }

  if (event.user === undefined) out.push(finding('FIELD_REQUIRED', '/user', 'error'));
  else if (!isRecord(event.user)) out.push(finding('FIELD_TYPE', '/user', 'error'));
  else validateUser(event.user, opts.version, out);
  return out;
}

function validateValue(value: unknown, out: Finding[]): void {
  if (!isRecord(value)) {
    out.push(finding('FIELD_TYPE', '/conversionValue', 'error'));
    return;
  }
  unknownKeys(value, VALUE_KEYS, '/conversionValue', out);
  const hasAmount = value.amount !== undefined;
  const hasCurrency = value.currencyCode !== undefined;
  if (!hasAmount && !hasCurrency) out.push(finding('VALUE_INCOMPLETE', '/conversionValue', 'error'));
  else if (!hasAmount) out.push(finding('VALUE_INCOMPLETE', '/conversionValue/amount', 'error'));
  else if (!hasCurrency) out.push(finding('VALUE_INCOMPLETE', '/conversionValue/currencyCode', 'error'));
  if (hasAmount) checkAmount(value.amount, '/conversionValue/amount', false, out);
  if (hasCurrency) checkCurrency(value.currencyCode, '/conversionValue/currencyCode', false, out);
}

/** Which identifiers survived validation, for the "at least one identifier" rule. */
interface Usable {
  count: number;
  onlyHashedIp: boolean;
}

function validateUser(user: Json, version: string, out: Finding[]): void {
  unknownKeys(user, USER_KEYS, '/user', out);
  const usable: Usable = { count: 0, onlyHashedIp: true };
  const note = (isHashedIp: boolean) => {
    usable.count++;
    if (!isHashedIp) usable.onlyHashedIp = false;
  };

  const { userIds } = user;
  if (userIds === undefined) out.push(finding('USER_IDS_MISSING', '/user/userIds', 'error'));
  else if (!Array.isArray(userIds)) out.push(finding('FIELD_TYPE', '/user/userIds', 'error'));
  else {
    for (let i = 0; i < userIds.length; i++) {
      const idType = validateUserId(userIds[i], `/user/userIds/${i}`, out);
      if (idType) note(idType === 'SHA256_IP_ADDRESS');
    }
  }

  if (user.userInfo !== undefined) {
    if (!isRecord(user.userInfo)) out.push(finding('FIELD_TYPE', '/user/userInfo', 'error'));
    else if (validateUserInfo(user.userInfo, version, out)) note(false);
  }

  const { lead } = user;
  if (lead !== undefined) {
    if (typeof lead !== 'string') out.push(finding('FIELD_TYPE', '/user/lead', 'error'));
    else if (lead.length === 0) out.push(finding('IDENTIFIER_EMPTY', '/user/lead', 'error'));
    else if (!isLeadUrn(lead)) out.push(finding('LEAD_URN_INVALID', '/user/lead', 'error'));
    else note(false);
  }

  const { externalIds } = user;
  if (externalIds !== undefined) {
    if (!Array.isArray(externalIds)) out.push(finding('FIELD_TYPE', '/user/externalIds', 'error'));
    else {
      // LinkedIn uses the first entry and ignores the rest ("Max 1 entry; extra entries ignored"),
      // so more than one is worth a warning, not a refusal. Every entry must still be a usable string.
      if (externalIds.length > 1) out.push(finding('EXTERNAL_IDS_TOO_MANY', '/user/externalIds', 'warning'));
      externalIds.forEach((id, i) => {
        if (typeof id !== 'string') out.push(finding('FIELD_TYPE', `/user/externalIds/${i}`, 'error'));
        else if (id.trim().length === 0)
          out.push(finding('IDENTIFIER_EMPTY', `/user/externalIds/${i}`, 'error'));
      });
      const first = externalIds[0];
      if (typeof first === 'string' && first.trim().length > 0) note(false);
    }
  }

  if (usable.count === 0) out.push(finding('NO_IDENTIFIER', '/user', 'error'));
  else if (usable.onlyHashedIp) out.push(finding('HASHED_IP_ONLY', '/user/userIds', 'warning'));
}

/** Returns the idType when the entry is usable, else null (after recording why). */
function validateUserId(entry: unknown, path: string, out: Finding[]): string | null {
  if (!isRecord(entry)) {
    out.push(finding('FIELD_TYPE', path, 'error'));
    return null;
  }
  unknownKeys(entry, USER_ID_KEYS, path, out);
  const { idType, idValue } = entry;
  let ok = true;
  if (idType === undefined) {
    out.push(finding('USER_ID_INCOMPLETE', `${path}/idType`, 'error'));
    ok = false;
  } else if (typeof idType !== 'string') {
    out.push(finding('FIELD_TYPE', `${path}/idType`, 'error'));
    ok = false;
  } else if (!ID_TYPE_SET.has(idType)) {
    const hint =
      idType === 'ORACLE_MOAT_ID' ? 'ORACLE_MOAT_ID is no longer in LinkedIn’s documentation.' : undefined;
    out.push(finding('ID_TYPE_UNKNOWN', `${path}/idType`, 'error', hint));
    ok = false;
  }
  if (idValue === undefined) {
    out.push(finding('USER_ID_INCOMPLETE', `${path}/idValue`, 'error'));
    return null;
  }
  if (typeof idValue !== 'string') {
    out.push(finding('FIELD_TYPE', `${path}/idValue`, 'error'));
    return null;
  }
  if (idValue.length === 0) {
    out.push(finding('IDENTIFIER_EMPTY', `${path}/idValue`, 'error'));
    return null;
  }
  if (!ok) return null;
  return checkIdValue(idType as string, idValue, `${path}/idValue`, out) ? (idType as string) : null;
}

function checkIdValue(idType: string, idValue: string, path: string, out: Finding[]): boolean {
  switch (idType) {
    case 'SHA256_EMAIL':
      if (!isLowerSha256Hex(idValue)) {
        out.push(finding('ID_VALUE_HASH_INVALID', path, 'error'));
        return false;
      }
      if (isPlaceholderEmailHash(idValue)) {
        out.push(finding('EMAIL_PLACEHOLDER', path, 'warning', 'It is the hash of a placeholder address.'));
      }
      return true;
    case 'SHA256_IP_ADDRESS':
      if (isLowerSha256Hex(idValue)) return true;
      out.push(finding('ID_VALUE_HASH_INVALID', path, 'error'));
      return false;
    case 'PLAINTEXT_IP_ADDRESS': {
      if (idValue.includes(':')) {
        out.push(finding('IP_V6_UNSUPPORTED', path, 'error'));
        return false;
      }
      const octets = parseIpv4(idValue);
      if (!octets) {
        out.push(finding('IP_INVALID', path, 'error'));
        return false;
      }
      if (isNonPublicIpv4(octets)) out.push(finding('IP_NOT_PUBLIC', path, 'warning'));
      return true;
    }
    default:
      if (idValue.trim().length > 0) return true;
      out.push(finding('IDENTIFIER_EMPTY', path, 'error'));
      return false;
  }
}

/** Returns true when userInfo carries a valid name pair (an identifier in its own right). */
function validateUserInfo(info: Json, version: string, out: Finding[]): boolean {
  const hashedAllowed = supportsHashedNames(version);
  for (const key in info) {
    const path = `/user/userInfo/${key}`;
    if (HASHED_NAME_KEYS.has(key)) {
      if (!hashedAllowed) out.push(finding('HASHED_NAME_VERSION', path, 'error'));
    } else if (!USER_INFO_KEYS.has(key)) {
      out.push(finding('UNKNOWN_FIELD', path, 'error'));
    }
  }
  const names = {
    first: checkName(info, 'firstName', 'hashedFirstName', hashedAllowed, out),
    last: checkName(info, 'lastName', 'hashedLastName', hashedAllowed, out),
  };
  for (const key of ['companyName', 'title'] as const) {
    const v = info[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') out.push(finding('FIELD_TYPE', `/user/userInfo/${key}`, 'error'));
    else if (v.trim().length === 0) out.push(finding('IDENTIFIER_EMPTY', `/user/userInfo/${key}`, 'error'));
  }
  const { countryCode } = info;
  if (countryCode !== undefined) {
    if (typeof countryCode !== 'string')
      out.push(finding('FIELD_TYPE', '/user/userInfo/countryCode', 'error'));
    else if (!COUNTRY_CODES.has(countryCode))
      out.push(finding('COUNTRY_CODE_INVALID', '/user/userInfo/countryCode', 'error'));
  }
  return names.first === 'ok' && names.last === 'ok';
}

/**
 * One side of the name pair. Up to 202608 only the plain field counts; from 202609 either the
 * plain or the hashed field (mixed pairs are allowed). 'missing' records NAME_PAIR_INCOMPLETE.
 */
function checkName(
  info: Json,
  plainKey: string,
  hashedKey: string,
  hashedAllowed: boolean,
  out: Finding[],
): 'ok' | 'bad' | 'missing' {
  const plain = info[plainKey];
  const hashed = info[hashedKey];
  let state: 'ok' | 'bad' | 'missing' = 'missing';
  if (plain !== undefined) {
    if (typeof plain !== 'string') out.push(finding('FIELD_TYPE', `/user/userInfo/${plainKey}`, 'error'));
    else if (plain.trim().length === 0)
      out.push(finding('IDENTIFIER_EMPTY', `/user/userInfo/${plainKey}`, 'error'));
    else state = 'ok';
    if (state !== 'ok') state = 'bad';
  }
  if (hashed !== undefined && hashedAllowed) {
    if (typeof hashed !== 'string' || !isLowerSha256Hex(hashed)) {
      out.push(finding('HASHED_NAME_INVALID', `/user/userInfo/${hashedKey}`, 'error'));
      state = 'bad';
    } else if (state === 'missing') state = 'ok';
  }
  if (state === 'missing') {
    const detail = hashedAllowed ? `Send ${plainKey} or ${hashedKey}.` : `Send ${plainKey}.`;
    out.push(finding('NAME_PAIR_INCOMPLETE', `/user/userInfo/${plainKey}`, 'error', detail));
  }
  return state;
}
