/**
 * Schema validation of conversion events (the 422 class), hand-written because it is the hot path:
 * the gateway's benchmark sends 5,000-event batches ten times a second. Like LinkedIn's Rest.li
 * validator it collects every problem instead of stopping at the first, and it allocates nothing
 * for a valid event (paths are only built when there is an error to report).
 *
 * Messages follow Rest.li's data-validation wording as observed live:
 *   ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String
 */
import { VERSION_FEATURES } from './versions.js';
import { ID_TYPES, ID_TYPES_LEGACY, URN_PREFIX, type WireConversionEvent } from './wire.js';

export interface SchemaError {
  path: string;
  reason: string;
}

export const REASONS = {
  required: 'field is required but not found and has no default value',
  unknown: 'unrecognized field found but not allowed',
  prefix: 'Invalid Urn format. Invalid prefix.',
  urnId: 'Invalid Urn format. Invalid id.',
  notMap: (v: unknown) => `${show(v)} is not backed by a DataMap`,
  notList: (v: unknown) => `${show(v)} is not backed by a DataList`,
  coerce: (v: unknown, type: string) => `${show(v)} cannot be coerced to ${type}`,
  enumSymbol: (v: unknown) => `"${show(v)}" is not an enum symbol`,
} as const;

/** Rest.li prints values with Java's toString: strings bare, numbers as written. */
function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  return JSON.stringify(v);
}

export type Obj = Record<string, unknown>;
/** A JSON object with keys: not null, not an array. Shared with validate-rule.ts. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DIGITS = /^\d+$/;

const EVENT_KEYS = new Set(['conversion', 'conversionHappenedAt', 'conversionValue', 'eventId', 'user']);
const VALUE_KEYS = new Set(['currencyCode', 'amount']);
const USER_KEYS = new Set(['userIds', 'userInfo', 'lead', 'externalIds']);
const USER_ID_KEYS = new Set(['idType', 'idValue']);
const USER_INFO_KEYS = new Set(['firstName', 'lastName', 'companyName', 'title', 'countryCode']);
const USER_INFO_KEYS_HASHED = new Set([...USER_INFO_KEYS, 'hashedFirstName', 'hashedLastName']);
const ID_TYPES_CURRENT: ReadonlySet<string> = new Set(ID_TYPES);
const ID_TYPES_WITH_LEGACY: ReadonlySet<string> = new Set([...ID_TYPES, ...ID_TYPES_LEGACY]);

/**
 * Appends every schema problem of one event to `out`; returns true when there was none (the event
 * then matches `WireConversionEvent`). `version` is the request's LinkedIn-Version as YYYYMM.
 */
export function checkEventSchema(
  ev: unknown,
  version: number,
  out: SchemaError[],
): ev is WireConversionEvent {
  const before = out.length;
  if (!isObj(ev)) {
    out.push({ path: '/', reason: REASONS.notMap(ev) });
    return false;
  }

  const conversion = ev.conversion;
  if (conversion === undefined) out.push({ path: '/conversion', reason: REASONS.required });
  else if (typeof conversion !== 'string')
    out.push({ path: '/conversion', reason: REASONS.coerce(conversion, 'String') });
  else if (!conversion.startsWith(URN_PREFIX.rule)) out.push({ path: '/conversion', reason: REASONS.prefix });
  else if (!DIGITS.test(conversion.slice(URN_PREFIX.rule.length)))
    out.push({ path: '/conversion', reason: REASONS.urnId });

  // Rest.li coerces between numeric types, so any finite number passes; strings do not.
  const at = ev.conversionHappenedAt;
  if (at === undefined) out.push({ path: '/conversionHappenedAt', reason: REASONS.required });
  else if (typeof at !== 'number' || !Number.isFinite(at)) {
    out.push({ path: '/conversionHappenedAt', reason: REASONS.coerce(at, 'Long') });
  }

  if (ev.conversionValue !== undefined) checkValue(ev.conversionValue, out);
  if (ev.eventId !== undefined && typeof ev.eventId !== 'string') {
    out.push({ path: '/eventId', reason: REASONS.coerce(ev.eventId, 'String') });
  }

  if (ev.user === undefined) out.push({ path: '/user', reason: REASONS.required });
  else checkUser(ev.user, version, out);

  for (const key in ev) if (!EVENT_KEYS.has(key)) out.push({ path: `/${key}`, reason: REASONS.unknown });
  return out.length === before;
}

function checkValue(v: unknown, out: SchemaError[]): void {
  if (!isObj(v)) {
    out.push({ path: '/conversionValue', reason: REASONS.notMap(v) });
    return;
  }
  checkString(v.currencyCode, '/conversionValue/currencyCode', true, out);
  checkString(v.amount, '/conversionValue/amount', true, out);
  for (const key in v)
    if (!VALUE_KEYS.has(key)) out.push({ path: `/conversionValue/${key}`, reason: REASONS.unknown });
}

function checkUser(user: unknown, version: number, out: SchemaError[]): void {
  if (!isObj(user)) {
    out.push({ path: '/user', reason: REASONS.notMap(user) });
    return;
  }
  const ids = user.userIds;
  // Required even when empty: the documented cause of many "userIds required" 422s.
  if (ids === undefined) out.push({ path: '/user/userIds', reason: REASONS.required });
  else if (!Array.isArray(ids)) out.push({ path: '/user/userIds', reason: REASONS.notList(ids) });
  else {
    const symbols = version >= VERSION_FEATURES.moatIdRemoved ? ID_TYPES_CURRENT : ID_TYPES_WITH_LEGACY;
    for (let i = 0; i < ids.length; i++) checkUserId(ids[i], i, symbols, out);
  }

  if (user.userInfo !== undefined) checkUserInfo(user.userInfo, version, out);

  const lead = user.lead;
  if (lead !== undefined) {
    if (typeof lead !== 'string') out.push({ path: '/user/lead', reason: REASONS.coerce(lead, 'String') });
    else if (!lead.startsWith(URN_PREFIX.lead)) out.push({ path: '/user/lead', reason: REASONS.prefix });
  }

  const ext = user.externalIds;
  if (ext !== undefined) {
    if (!Array.isArray(ext)) out.push({ path: '/user/externalIds', reason: REASONS.notList(ext) });
    else {
      for (let i = 0; i < ext.length; i++) {
        if (typeof ext[i] !== 'string') {
          out.push({ path: `/user/externalIds/${i}`, reason: REASONS.coerce(ext[i], 'String') });
        }
      }
    }
  }

  for (const key in user)
    if (!USER_KEYS.has(key)) out.push({ path: `/user/${key}`, reason: REASONS.unknown });
}

function checkUserId(entry: unknown, i: number, symbols: ReadonlySet<string>, out: SchemaError[]): void {
  if (!isObj(entry)) {
    out.push({ path: `/user/userIds/${i}`, reason: REASONS.notMap(entry) });
    return;
  }
  const type = entry.idType;
  if (type === undefined) out.push({ path: `/user/userIds/${i}/idType`, reason: REASONS.required });
  else if (typeof type !== 'string' || !symbols.has(type)) {
    out.push({ path: `/user/userIds/${i}/idType`, reason: REASONS.enumSymbol(type) });
  }
  checkString(entry.idValue, `/user/userIds/${i}/idValue`, true, out);
  for (const key in entry) {
    if (!USER_ID_KEYS.has(key)) out.push({ path: `/user/userIds/${i}/${key}`, reason: REASONS.unknown });
  }
}

/**
 * Up to 202608 both plain names are required whenever userInfo is sent. From 202609 each half of
 * the pair may be plain or hashed (mixed pairs allowed); before 202609 the hashed fields do not exist.
 */
function checkUserInfo(info: unknown, version: number, out: SchemaError[]): void {
  if (!isObj(info)) {
    out.push({ path: '/user/userInfo', reason: REASONS.notMap(info) });
    return;
  }
  const hashed = version >= VERSION_FEATURES.hashedNames;
  const allowed = hashed ? USER_INFO_KEYS_HASHED : USER_INFO_KEYS;
  for (const key in info) {
    const path = `/user/userInfo/${key}`;
    if (!allowed.has(key)) out.push({ path, reason: REASONS.unknown });
    else checkString(info[key], path, false, out);
  }
  const hasFirst = info.firstName !== undefined || (hashed && info.hashedFirstName !== undefined);
  const hasLast = info.lastName !== undefined || (hashed && info.hashedLastName !== undefined);
  if (!hasFirst) out.push({ path: '/user/userInfo/firstName', reason: REASONS.required });
  if (!hasLast) out.push({ path: '/user/userInfo/lastName', reason: REASONS.required });
}

function checkString(v: unknown, path: string, required: boolean, out: SchemaError[]): void {
  if (v === undefined) {
    if (required) out.push({ path, reason: REASONS.required });
  } else if (typeof v !== 'string') out.push({ path, reason: REASONS.coerce(v, 'String') });
}

/** `ERROR :: /path :: reason` lines; in a batch the first line of each element gets `Index: N, `. */
export function errorLines(errors: readonly SchemaError[], index?: number): string[] {
  return errors.map((e, i) => {
    const line = `ERROR :: ${e.path} :: ${e.reason}`;
    return index !== undefined && i === 0 ? `Index: ${index}, ${line}` : line;
  });
}
