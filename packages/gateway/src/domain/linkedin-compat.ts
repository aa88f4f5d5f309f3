/**
 * The LinkedIn-compatible drop-in (`POST /rest/conversionEvents`): a direct integration changes only
 * its base URL. Events arrive in LinkedIn's own format and are checked with the SDK's mirror of
 * LinkedIn's validator, all-or-nothing like LinkedIn: schema problems answer 422, semantic ones 400
 * with the offending indices, a rule the configuration does not know 403 "No ad accounts found".
 *
 * Emails cannot arrive raw here (LinkedIn's format only has SHA256_EMAIL, and the validator refuses
 * anything but a hex digest). Plain first/last names are personal data: with identity.hashNames on a
 * version that has hashed names (202609+) they are hashed before storage; otherwise LinkedIn needs
 * them plain, so they stay inside the stored payload until delivery and are purged by retention.
 * With identity.hashIp, plain IPv4 identifiers are hashed the same way.
 */
import {
  type Finding,
  findingClass,
  hashName,
  ruleIdFromConversion,
  sha256Hex,
  supportsHashedNames,
  validateConversionEvent,
} from '@capi-gateway/linkedin';
import { isJsonObject } from '../json-object.js';
import type { NewOutboxEvent } from '../ports.js';
import type { ResolvedConversion } from './conversions.js';
import {
  businessMessage,
  type LinkedInErrorBody,
  safeFindingPath,
  schemaMessage,
} from './linkedin-errors.js';
import { looksLikeEmail } from './pii.js';

export interface CompatOptions {
  version: string;
  now: number;
  hashNames: boolean;
  /** Turn PLAINTEXT_IP_ADDRESS into SHA256_IP_ADDRESS before storage (identity.hashIp). */
  hashIp: boolean;
  configuredRule(ruleId: string): ResolvedConversion | null;
  source: string;
  receivedAt: number;
  newId(): string;
}

export type CompatOutcome =
  | {
      ok: false;
      status: 400 | 403 | 422;
      body: LinkedInErrorBody;
      /** The first error code of each refused element, for metrics. */
      codes: string[];
    }
  | {
      ok: true;
      /** One row per distinct (rule, eventId), in request order. */
      rows: NewOutboxEvent[];
      /** Per input element: the payload that will be sent, and the SDK's warnings. */
      elements: Array<{ payload: Record<string, unknown>; warnings: Finding[] }>;
    };

type Json = Record<string, unknown>;

function sanitize(findings: Finding[]): Finding[] {
  for (const f of findings) f.path = safeFindingPath(f.path);
  return findings;
}

/** Identifier values sent unhashed: none may be an email address. */
const PLAIN_ID_TYPES: ReadonlySet<string> = new Set([
  'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
  'ACXIOM_ID',
  'GOOGLE_AID',
]);

function rawEmailFindings(el: Json, out: Finding[]): void {
  const flag = (path: string) =>
    out.push({
      code: 'RAW_EMAIL_FOUND',
      path,
      message: 'This field looks like it holds an email address; send SHA256_EMAIL instead',
      severity: 'error',
    });
  if (typeof el.eventId === 'string' && looksLikeEmail(el.eventId)) flag('/eventId');
  const user = el.user;
  if (!isJsonObject(user)) return;
  if (Array.isArray(user.userIds)) {
    user.userIds.forEach((id, i) => {
      if (
        isJsonObject(id) &&
        PLAIN_ID_TYPES.has(String(id.idType)) &&
        typeof id.idValue === 'string' &&
        looksLikeEmail(id.idValue)
      ) {
        flag(`/user/userIds/${i}/idValue`);
      }
    });
  }
  if (isJsonObject(user.userInfo)) {
    for (const key of ['firstName', 'lastName', 'companyName', 'title']) {
      const v = user.userInfo[key];
      if (typeof v === 'string' && looksLikeEmail(v)) flag(`/user/userInfo/${key}`);
    }
  }
  if (Array.isArray(user.externalIds)) {
    user.externalIds.forEach((v, i) => {
      if (typeof v === 'string' && looksLikeEmail(v)) flag(`/user/externalIds/${i}`);
    });
  }
}

/** Plain names → hashed fields (202609+, when configured). A name that hashes to nothing is refused. */
function hashNames(el: Json, out: Finding[]): void {
  const info = isJsonObject(el.user) ? el.user.userInfo : undefined;
  if (!isJsonObject(info)) return;
  for (const [plain, hashed] of [
    ['firstName', 'hashedFirstName'],
    ['lastName', 'hashedLastName'],
  ] as const) {
    const v = info[plain];
    if (typeof v !== 'string') continue;
    const digest = hashName(v);
    if (digest === null) {
      out.push({
        code: 'NAME_INVALID',
        path: `/user/userInfo/${plain}`,
        message: 'The name is empty after removing spaces and punctuation',
        severity: 'error',
      });
      continue;
    }
    delete info[plain];
    // A hash the client computed itself wins; the plain value is dropped either way.
    if (info[hashed] === undefined) info[hashed] = digest;
  }
}

/** PLAINTEXT_IP_ADDRESS → SHA256_IP_ADDRESS of the same dotted quad (identity.hashIp). */
function hashIps(el: Json): void {
  const ids = (el.user as Json).userIds;
  if (!Array.isArray(ids)) return;
  for (const id of ids as Json[]) {
    if (id.idType === 'PLAINTEXT_IP_ADDRESS' && typeof id.idValue === 'string') {
      id.idType = 'SHA256_IP_ADDRESS';
      id.idValue = sha256Hex(id.idValue);
    }
  }
}

/**
 * JSON text with every object's keys in sorted order, at every depth; arrays keep their order (in
 * userIds or externalIds it is part of the content). Two elements with the same content read the
 * same whatever order their keys were sent in, so a client that rebuilds the same element with its
 * keys in another order is still recognised. Keys whose value is undefined are left out, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (isJsonObject(value)) {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The eventId that stands in for an element sent without one: a digest of its content. */
export function contentEventId(el: Json): string {
  return `sha256:${sha256Hex(canonicalJson(el))}`;
}

/**
 * LinkedIn uses the first externalIds entry and ignores the rest; the rest are dropped before
 * storage (the validator warned, EXTERNAL_IDS_TOO_MANY), so what is stored is what LinkedIn uses.
 */
function keepFirstExternalId(el: Json): void {
  const user = el.user as Json;
  if (Array.isArray(user.externalIds) && user.externalIds.length > 1) {
    user.externalIds = user.externalIds.slice(0, 1);
  }
}

function identifierTypes(el: Json): string[] {
  const user = el.user as Json;
  const types: string[] = [];
  if (Array.isArray(user.userIds)) for (const id of user.userIds) types.push(String((id as Json).idType));
  const info = user.userInfo;
  if (isJsonObject(info)) {
    const first = info.firstName !== undefined || info.hashedFirstName !== undefined;
    const last = info.lastName !== undefined || info.hashedLastName !== undefined;
    if (first && last) types.push('NAME');
  }
  if (user.lead !== undefined) types.push('LEAD');
  if (Array.isArray(user.externalIds) && user.externalIds.length > 0) types.push('EXTERNAL_ID');
  return types;
}

export function prepareCompat(
  elements: readonly unknown[],
  batch: boolean,
  opts: CompatOptions,
): CompatOutcome {
  const hash = opts.hashNames && supportsHashedNames(opts.version);
  const errors: Finding[][] = [];
  const warnings: Finding[][] = [];
  let anySchema = false;
  let anyError = false;
  for (const el of elements) {
    const found = sanitize(validateConversionEvent(el, { version: opts.version, now: opts.now }));
    const errs = found.filter((f) => f.severity === 'error');
    if (isJsonObject(el)) {
      rawEmailFindings(el, errs);
      if (errs.length === 0 && hash) hashNames(el, errs);
    }
    if (errs.some((f) => findingClass(f.code) === 'schema')) anySchema = true;
    if (errs.length > 0) anyError = true;
    errors.push(errs);
    warnings.push(found.filter((f) => f.severity === 'warning'));
  }
  const codes = errors.flatMap((errs) => (errs[0] ? [errs[0].code] : []));
  if (anySchema)
    return { ok: false, status: 422, body: { message: schemaMessage(errors, batch), status: 422 }, codes };
  if (anyError)
    return { ok: false, status: 400, body: { message: businessMessage(errors), status: 400 }, codes };

  // Valid elements only from here: the validator guarantees the shapes read below.
  const rules: ResolvedConversion[] = [];
  for (const el of elements as Json[]) {
    const ruleId = ruleIdFromConversion(el.conversion as string);
    const rule = ruleId === null ? null : opts.configuredRule(ruleId);
    if (!rule) {
      const body = { message: 'No ad accounts found', status: 403 };
      return { ok: false, status: 403, body, codes: elements.map(() => 'CONVERSION_UNKNOWN') };
    }
    rules.push(rule);
  }

  const rows: NewOutboxEvent[] = [];
  const seen = new Set<string>();
  const out: Array<{ payload: Json; warnings: Finding[] }> = [];
  (elements as Json[]).forEach((el, i) => {
    const rule = rules[i] as ResolvedConversion;
    if (opts.hashIp) hashIps(el);
    keepFirstExternalId(el);
    const payload = JSON.stringify(el);
    // Without an eventId, a digest of the content stands in, so a client's retry is still a duplicate.
    const eventId = typeof el.eventId === 'string' ? el.eventId : contentEventId(el);
    out.push({ payload: el, warnings: warnings[i] ?? [] });
    const key = `${rule.ruleId}\u0000${eventId}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({
      id: opts.newId(),
      account: rule.account,
      ruleId: rule.ruleId,
      eventId,
      source: opts.source,
      payload,
      happenedAt: el.conversionHappenedAt as number,
      receivedAt: opts.receivedAt,
      state: 'queued',
      identifierTypes: identifierTypes(el),
      consent: null,
      context: null,
    });
  });
  return { ok: true, rows, elements: out };
}
