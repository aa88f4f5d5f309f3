/**
 * Customer input → LinkedIn event. Normalises and hashes every identifier, drops unusable ones with
 * a warning (a placeholder email should not sink an event that also has a click id), and refuses
 * the event only when something LinkedIn would reject remains or nothing identifies the person.
 *
 * This is the gateway's ingest hot path: no regex on identifiers, one hash per hashed identifier,
 * and the result is a plain object ready for `JSON.stringify`.
 */
import { checkAmount, checkCurrency, checkHappenedAt } from './checks.js';
import { cleanCompanyName } from './company.js';
import { normalizeCountryCode } from './countries.js';
import { type Finding, finding } from './findings.js';
import { sha256Hex } from './hash.js';
import {
  cleanPlainName,
  hashName,
  normalizeEmail,
  normalizeEmailHash,
  normalizeIp,
  normalizeIpHash,
  normalizeLiFatId,
  normalizePlain,
} from './identifiers.js';
import type { ConversionInput } from './input-types.js';
import { DEFAULT_MAX_AGE_MS } from './limits.js';
import { isPlaceholderValue } from './placeholders.js';
import { eventConversionUrn, leadUrn, ruleIdFromConversion } from './urns.js';
import { isVersionString, supportsHashedNames } from './versions.js';
import type { ConversionEvent, ConversionValue, UserId, UserInfo } from './wire-types.js';

export interface BuildOptions {
  /** LinkedIn-Version the event will be sent with ('YYYYMM'). */
  version: string;
  /** Injected clock, epoch ms. */
  now: number;
  /** Send names as hashedFirstName/hashedLastName (LinkedIn-Version 202609 and later only). */
  hashNames?: boolean;
  /** Send SHA256_IP_ADDRESS instead of PLAINTEXT_IP_ADDRESS. */
  hashIp?: boolean;
  /** Strip legal-form suffixes from companyName ("Acme, Inc." → "Acme"). */
  cleanCompanySuffix?: boolean;
  /** Default 90 days. */
  maxAgeMs?: number;
}

export type BuildResult =
  | { ok: true; event: ConversionEvent; warnings: Finding[]; identifierTypes: string[] }
  | { ok: false; errors: Finding[]; warnings: Finding[] };

/** Findings of one build, split by severity as they are recorded. */
class Findings {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];
  error(f: Finding): void {
    this.errors.push(f);
  }
  /** One field left out: `reason` says why, and the message adds "it was not sent". */
  drop(code: string, path: string, reason: string): void {
    this.leftOut(code, path, `${upperFirst(reason)}; it was not sent.`);
  }
  /** Fields left out, with a message that says which. */
  leftOut(code: string, path: string, message: string): void {
    this.warnings.push({ code, path, message, severity: 'warning' });
  }
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function buildConversionEvent(input: ConversionInput, opts: BuildOptions): BuildResult {
  const f = new Findings();
  if (!isVersionString(opts.version)) f.error(finding('VERSION_INVALID', '', 'error'));

  const ruleId = ruleIdFromConversion(input.conversion);
  if (ruleId === null) f.error(finding('CONVERSION_URN_INVALID', '/conversion', 'error'));

  checkHappenedAt(input.happenedAt, '/happenedAt', opts.now, opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS, f.errors);
  const conversionValue = input.value === undefined ? undefined : buildValue(input.value, f);

  const { eventId } = input;
  if (eventId !== undefined) {
    if (typeof eventId !== 'string')
      f.error(finding('FIELD_TYPE', '/eventId', 'error', 'eventId must be a string.'));
    else if (eventId.trim().length === 0) f.error(finding('EVENT_ID_EMPTY', '/eventId', 'error'));
  }

  const raw = input.user;
  if (typeof raw !== 'object' || raw === null) {
    f.error(finding('FIELD_REQUIRED', '/user', 'error', 'Send the identifiers in a user object.'));
    return { ok: false, errors: f.errors, warnings: f.warnings };
  }

  const types: string[] = [];
  const userIds = buildUserIds(raw, opts, f, types);
  const userInfo = buildUserInfo(raw, opts, f, types);

  let lead: string | undefined;
  if (raw.leadId !== undefined && raw.leadId !== null) {
    const plain = normalizePlain(String(raw.leadId), 'lead id');
    if (!plain.ok) f.drop(plain.code, '/user/leadId', plain.reason);
    else {
      lead = leadUrn(plain.value) ?? undefined;
      if (lead) types.push('LEAD');
      else
        f.drop('LEAD_URN_INVALID', '/user/leadId', 'the lead id is not a lead-gen form response id or URN');
    }
  }

  let externalId: string | undefined;
  if (raw.externalId !== undefined && raw.externalId !== null) {
    const plain = normalizePlain(String(raw.externalId), 'external id');
    if (plain.ok) {
      externalId = plain.value;
      types.push('EXTERNAL_ID');
    } else f.drop(plain.code, '/user/externalId', plain.reason);
  }

  if (types.length === 0) {
    const detail =
      f.warnings.length > 0 ? 'Identifiers were given but none was usable; see the warnings.' : undefined;
    f.error(finding('NO_IDENTIFIER', '/user', 'error', detail));
  } else if (types.length === 1 && types[0] === 'SHA256_IP_ADDRESS') {
    // Name the field the hash came from: a plain IP hashed under hashIp (which wins), else sha256Ip.
    // Worked out again here rather than carried from buildUserIds: this path is rare.
    const fromPlain = opts.hashIp === true && present(raw.ip) && normalizeIp(String(raw.ip)).ok;
    f.warnings.push(finding('HASHED_IP_ONLY', fromPlain ? '/user/ip' : '/user/sha256Ip', 'warning'));
  }

  if (f.errors.length > 0 || ruleId === null) return { ok: false, errors: f.errors, warnings: f.warnings };

  const user: ConversionEvent['user'] = { userIds };
  if (userInfo) user.userInfo = userInfo;
  if (lead) user.lead = lead;
  if (externalId) user.externalIds = [externalId];
  // Keys are added in LinkedIn's documented order, so stored JSON reads like LinkedIn's examples;
  // `user` is assigned last, hence the one cast.
  const event = {
    conversion: eventConversionUrn(ruleId),
    conversionHappenedAt: input.happenedAt,
  } as ConversionEvent;
  if (conversionValue) event.conversionValue = conversionValue;
  if (eventId !== undefined) event.eventId = eventId;
  event.user = user;
  return { ok: true, event, warnings: f.warnings, identifierTypes: types };
}

function buildValue(value: NonNullable<ConversionInput['value']>, f: Findings): ConversionValue | undefined {
  if (typeof value !== 'object' || value === null) {
    f.error(finding('FIELD_TYPE', '/value', 'error', 'value must be an object with amount and currency.'));
    return undefined;
  }
  const hasAmount = value.amount !== undefined && value.amount !== null;
  const hasCurrency = value.currency !== undefined && value.currency !== null;
  if (!hasAmount || !hasCurrency) {
    f.error(finding('VALUE_INCOMPLETE', hasAmount ? '/value/currency' : '/value/amount', 'error'));
    return undefined;
  }
  const before = f.errors.length;
  const amount = checkAmount(value.amount, '/value/amount', true, f.errors);
  // checkAmount reports a negative amount as a warning; move it where warnings belong.
  moveWarnings(f, before);
  const currencyCode = checkCurrency(value.currency, '/value/currency', true, f.errors);
  return amount !== null && currencyCode !== null ? { currencyCode, amount } : undefined;
}

function moveWarnings(f: Findings, from: number): void {
  for (let i = f.errors.length - 1; i >= from; i--) {
    const item = f.errors[i];
    if (item?.severity === 'warning') {
      f.errors.splice(i, 1);
      f.warnings.push(item);
    }
  }
}

function present(v: unknown): v is string | number {
  return v !== undefined && v !== null;
}

type RawUser = ConversionInput['user'];

function pushId(ids: UserId[], types: string[], idType: UserId['idType'], idValue: string): void {
  ids.push({ idType, idValue });
  types.push(idType);
}

function buildUserIds(raw: RawUser, opts: BuildOptions, f: Findings, types: string[]): UserId[] {
  // No per-call closures here: this runs once per event on the ingest path.
  const ids: UserId[] = [];

  let emailHash: string | undefined;
  if (present(raw.email)) {
    const n = normalizeEmail(String(raw.email));
    if (n.ok) emailHash = n.hashed ? n.value : sha256Hex(n.value);
    else f.drop(n.code, '/user/email', n.reason);
  }
  if (present(raw.sha256Email)) {
    const n = normalizeEmailHash(String(raw.sha256Email));
    if (!n.ok) f.drop(n.code, '/user/sha256Email', n.reason);
    else if (emailHash === undefined) emailHash = n.value;
    else if (emailHash !== n.value)
      f.warnings.push(finding('EMAIL_CONFLICT', '/user/sha256Email', 'warning'));
  }
  if (emailHash !== undefined) pushId(ids, types, 'SHA256_EMAIL', emailHash);

  if (present(raw.liFatId)) {
    const n = normalizeLiFatId(String(raw.liFatId));
    if (n.ok) pushId(ids, types, 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', n.value);
    else f.drop(n.code, '/user/liFatId', n.reason);
  }
  if (present(raw.acxiomId)) {
    const n = normalizePlain(String(raw.acxiomId), 'Acxiom id');
    if (n.ok) pushId(ids, types, 'ACXIOM_ID', n.value);
    else f.drop(n.code, '/user/acxiomId', n.reason);
  }

  let ip: { type: 'PLAINTEXT_IP_ADDRESS' | 'SHA256_IP_ADDRESS'; value: string } | undefined;
  if (present(raw.ip)) {
    const n = normalizeIp(String(raw.ip));
    if (!n.ok) f.drop(n.code, '/user/ip', n.reason);
    else if (opts.hashIp) ip = { type: 'SHA256_IP_ADDRESS', value: sha256Hex(n.value) };
    else ip = { type: 'PLAINTEXT_IP_ADDRESS', value: n.value };
  }
  if (present(raw.sha256Ip)) {
    const n = normalizeIpHash(String(raw.sha256Ip));
    if (!n.ok) f.drop(n.code, '/user/sha256Ip', n.reason);
    // A plain IP wins: it is the more precise value, and one IP per event is enough.
    else if (ip === undefined) ip = { type: 'SHA256_IP_ADDRESS', value: n.value };
  }
  if (ip) pushId(ids, types, ip.type, ip.value);

  if (present(raw.googleAid)) {
    const n = normalizePlain(String(raw.googleAid), 'Google advertising id');
    if (n.ok) pushId(ids, types, 'GOOGLE_AID', n.value);
    else f.drop(n.code, '/user/googleAid', n.reason);
  }
  return ids;
}

/** One name, plain or hashed; undefined (after a warning) when unusable. */
function buildName(raw: unknown, path: string, hashed: boolean, f: Findings): string | undefined {
  if (!present(raw)) return undefined;
  const text = String(raw);
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    f.drop('IDENTIFIER_EMPTY', path, 'the name is empty');
    return undefined;
  }
  if (isPlaceholderValue(trimmed)) {
    f.drop('IDENTIFIER_PLACEHOLDER', path, 'the name is a placeholder value');
    return undefined;
  }
  const value = hashed ? hashName(text) : cleanPlainName(text);
  if (!value) f.drop('NAME_INVALID', path, 'the name is empty after removing spaces and punctuation');
  return value ?? undefined;
}

function buildUserInfo(raw: RawUser, opts: BuildOptions, f: Findings, types: string[]): UserInfo | undefined {
  const wantsHashed = opts.hashNames === true;
  if (
    wantsHashed &&
    !supportsHashedNames(opts.version) &&
    (present(raw.firstName) || present(raw.lastName))
  ) {
    // Falling back to plain names would send what the caller chose not to send in clear text.
    f.error(
      finding(
        'HASHED_NAME_VERSION',
        '/user/firstName',
        'error',
        'Turn name hashing off or use 202609 or later.',
      ),
    );
    return undefined;
  }
  const first = buildName(raw.firstName, '/user/firstName', wantsHashed, f);
  const last = buildName(raw.lastName, '/user/lastName', wantsHashed, f);
  const extras = present(raw.companyName) || present(raw.title) || present(raw.countryCode);
  if (first === undefined || last === undefined) {
    if (first !== undefined || last !== undefined || extras) {
      const missing = first === undefined ? '/user/firstName' : '/user/lastName';
      const message = extras
        ? 'LinkedIn needs both names whenever userInfo is sent, so the names, company name, title and country code were not sent.'
        : 'LinkedIn needs both a first and a last name, so the name that was given was not sent.';
      f.leftOut('NAME_PAIR_INCOMPLETE', missing, message);
    }
    return undefined;
  }
  const info: UserInfo = wantsHashed
    ? { hashedFirstName: first, hashedLastName: last }
    : { firstName: first, lastName: last };
  types.push('NAME');

  if (present(raw.companyName)) {
    const n = normalizePlain(String(raw.companyName), 'company name');
    if (n.ok) info.companyName = opts.cleanCompanySuffix ? cleanCompanyName(n.value) : n.value;
    else f.drop(n.code, '/user/companyName', n.reason);
  }
  if (present(raw.title)) {
    const n = normalizePlain(String(raw.title), 'job title');
    if (n.ok) info.title = n.value;
    else f.drop(n.code, '/user/title', n.reason);
  }
  if (present(raw.countryCode)) {
    const code = normalizeCountryCode(String(raw.countryCode));
    if (code) info.countryCode = code;
    else
      f.drop(
        'COUNTRY_CODE_INVALID',
        '/user/countryCode',
        'the country code is not an ISO 3166-1 alpha-2 code',
      );
  }
  return info;
}
