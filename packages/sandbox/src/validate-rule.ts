/**
 * Validation of conversion-rule bodies for create (`POST /rest/conversions`) and partial update
 * (`{"patch":{"$set":{...}}}`): schema problems are 422 in Rest.li wording, attribution windows a
 * 400. Not the hot path, but hand-written like the event validator so messages match LinkedIn's.
 */
import { ERRORS } from './errors.js';
import { isObj, type Obj, REASONS, type SchemaError } from './validate-event.js';
import { VERSION_FEATURES } from './versions.js';
import {
  ATTRIBUTION_TYPES,
  CONVERSION_METHODS,
  CONVERSION_TYPES,
  type ConversionType,
  LONG_WINDOW_TYPES,
  URN_PREFIX,
  VALUE_TYPES,
  VERSIONED_CONVERSION_TYPES,
  WINDOW_180_TYPES,
} from './wire.js';

/** Fields a client may set, with their checks. */
const WRITABLE = [
  'name',
  'type',
  'enabled',
  'attributionType',
  'postClickAttributionWindowSize',
  'viewThroughAttributionWindowSize',
  'valueType',
  'value',
  'urlRules',
] as const;
const CREATE_ONLY = ['account', 'conversionMethod'] as const;
const READ_ONLY = ['id', 'created', 'lastModified', 'campaigns', 'associatedCampaigns'] as const;

function typesFor(version: number): ReadonlySet<string> {
  const withoutMqlSql = version >= VERSION_FEATURES.mqlSqlRemoved && version < VERSION_FEATURES.mqlSqlTypes;
  if (!withoutMqlSql) return new Set(CONVERSION_TYPES);
  const removed: ReadonlySet<string> = new Set(VERSIONED_CONVERSION_TYPES);
  return new Set(CONVERSION_TYPES.filter((t) => !removed.has(t)));
}

function checkField(key: string, v: unknown, version: number, out: SchemaError[]): void {
  const path = `/${key}`;
  const enumOf = (symbols: ReadonlySet<string>) => {
    if (typeof v !== 'string' || !symbols.has(v)) out.push({ path, reason: REASONS.enumSymbol(v) });
  };
  switch (key) {
    case 'name':
      if (typeof v !== 'string') out.push({ path, reason: REASONS.coerce(v, 'String') });
      return;
    case 'account':
      if (typeof v !== 'string') out.push({ path, reason: REASONS.coerce(v, 'String') });
      else if (!/^urn:li:sponsoredAccount:\d+$/.test(v)) out.push({ path, reason: REASONS.prefix });
      return;
    case 'type':
      enumOf(typesFor(version));
      return;
    case 'conversionMethod':
      enumOf(new Set(CONVERSION_METHODS));
      return;
    case 'attributionType':
      enumOf(new Set(ATTRIBUTION_TYPES));
      return;
    case 'valueType':
      enumOf(new Set(VALUE_TYPES));
      return;
    case 'enabled':
      if (typeof v !== 'boolean') out.push({ path, reason: REASONS.coerce(v, 'Boolean') });
      return;
    case 'postClickAttributionWindowSize':
    case 'viewThroughAttributionWindowSize':
      if (typeof v !== 'number' || !Number.isInteger(v))
        out.push({ path, reason: REASONS.coerce(v, 'Integer') });
      return;
    case 'value':
      if (!isObj(v)) out.push({ path, reason: REASONS.notMap(v) });
      else {
        for (const k of ['currencyCode', 'amount']) {
          if (v[k] === undefined) out.push({ path: `${path}/${k}`, reason: REASONS.required });
          else if (typeof v[k] !== 'string')
            out.push({ path: `${path}/${k}`, reason: REASONS.coerce(v[k], 'String') });
        }
        for (const k in v)
          if (k !== 'currencyCode' && k !== 'amount')
            out.push({ path: `${path}/${k}`, reason: REASONS.unknown });
      }
      return;
    case 'urlRules':
      if (!Array.isArray(v)) out.push({ path, reason: REASONS.notList(v) });
      return;
  }
}

export function checkRuleCreate(body: unknown, version: number): SchemaError[] {
  const out: SchemaError[] = [];
  if (!isObj(body)) return [{ path: '/', reason: REASONS.notMap(body) }];
  for (const key of ['name', 'account', 'type', 'conversionMethod']) {
    if (body[key] === undefined) out.push({ path: `/${key}`, reason: REASONS.required });
  }
  const known: ReadonlySet<string> = new Set([...WRITABLE, ...CREATE_ONLY]);
  const readOnly: ReadonlySet<string> = new Set(READ_ONLY);
  for (const key in body) {
    if (readOnly.has(key))
      out.push({ path: `/${key}`, reason: 'ReadOnly field present in a create request' });
    else if (!known.has(key)) out.push({ path: `/${key}`, reason: REASONS.unknown });
    else checkField(key, body[key], version, out);
  }
  return out;
}

export interface RulePatch {
  set: Obj;
  deleteValue: boolean;
}

/** Parses `{"patch":{"$set":{...},"$delete":[...]}}`; only `value` may be deleted. */
export function checkRulePatch(
  body: unknown,
  version: number,
): { patch: RulePatch } | { errors: SchemaError[] } {
  const out: SchemaError[] = [];
  if (!isObj(body) || !isObj(body.patch)) return { errors: [{ path: '/patch', reason: REASONS.required }] };
  const set = body.patch.$set ?? {};
  const del = body.patch.$delete ?? [];
  if (!isObj(set)) out.push({ path: '/patch/$set', reason: REASONS.notMap(set) });
  if (!Array.isArray(del)) out.push({ path: '/patch/$delete', reason: REASONS.notList(del) });
  if (out.length > 0 || !isObj(set) || !Array.isArray(del)) return { errors: out };
  const writable: ReadonlySet<string> = new Set(WRITABLE);
  const createOnly: ReadonlySet<string> = new Set(CREATE_ONLY);
  const readOnly: ReadonlySet<string> = new Set(READ_ONLY);
  for (const key in set) {
    if (createOnly.has(key))
      out.push({ path: `/${key}`, reason: 'CreateOnly field present in a partial_update request' });
    else if (readOnly.has(key))
      out.push({ path: `/${key}`, reason: 'ReadOnly field present in a partial_update request' });
    else if (!writable.has(key)) out.push({ path: `/${key}`, reason: REASONS.unknown });
    else checkField(key, set[key], version, out);
  }
  for (const key of del) {
    if (key !== 'value') out.push({ path: `/${String(key)}`, reason: 'field cannot be deleted' });
  }
  return out.length > 0 ? { errors: out } : { patch: { set, deleteValue: del.includes('value') } };
}

const BASE_WINDOWS: ReadonlySet<number> = new Set([1, 7, 30, 90]);

/** Windows of 1, 7, 30 or 90 days; 180 and 365 only for the long-cycle types. 400 otherwise. */
export function checkWindows(
  type: ConversionType,
  postClick: number,
  viewThrough: number,
): Response | undefined {
  for (const size of [postClick, viewThrough]) {
    const ok =
      BASE_WINDOWS.has(size) ||
      (size === 180 && WINDOW_180_TYPES.has(type)) ||
      (size === 365 && LONG_WINDOW_TYPES.has(type));
    if (!ok) return ERRORS.badRequest(`Invalid attribution window size ${size} for conversion type ${type}`);
  }
  return undefined;
}

export function accountIdOfUrn(urn: string): string {
  return urn.slice(URN_PREFIX.account.length);
}
