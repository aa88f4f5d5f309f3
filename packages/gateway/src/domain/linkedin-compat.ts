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
import type { NewOutboxEvent } from '../ports.js';
import type { ResolvedConversion } from './conversions.js';
import { looksLikeEmail } from './pii.js';

export interface CompatOptions {
  version: string;
  now: number;
  hashNames: boolean;
  configuredRule(ruleId: string): ResolvedConversion | null;
  source: string;
  receivedAt: number;
  newId(): string;
}

/** LinkedIn's flat error body. */
export interface LinkedInErrorBody {
  message: string;
  status: number;
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

/** LinkedIn's own wording for the schema problems it reports, so clients see familiar messages. */
const LINKEDIN_REASON: Record<string, string> = {
  FIELD_REQUIRED: 'field is required but not found and has no default value',
  USER_IDS_MISSING: 'field is required but not found and has no default value',
  USER_ID_INCOMPLETE: 'field is required but not found and has no default value',
  VALUE_INCOMPLETE: 'field is required but not found and has no default value',
  UNKNOWN_FIELD: 'unrecognized field found but not allowed',
  ID_TYPE_UNKNOWN: 'is not an enum symbol',
  CONVERSION_URN_INVALID: 'Invalid Urn format. Invalid prefix.',
  LEAD_URN_INVALID: 'Invalid Urn format. Invalid prefix.',
  VALUE_AMOUNT_NOT_STRING: 'value cannot be coerced to String',
  FIELD_TYPE: 'value cannot be coerced to the expected type',
};

const TIME_REASON = 'Conversion time should be within 90 days and not exceed current time';
const IDENTIFIER_REASON =
  "The request must contain one of these fields: SHA256_EMAIL or LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID or ACXIOM_ID or PLAINTEXT_IP_ADDRESS or GOOGLE_AID or (firstName and lastName) or externalIds or lead, and the input shouldn't be empty string";

const TRAILING_DOT = /\.$/;

function businessReason(f: Finding): string {
  if (f.code === 'HAPPENED_AT_TOO_OLD' || f.code === 'HAPPENED_AT_FUTURE') return TIME_REASON;
  if (f.code === 'NO_IDENTIFIER') return IDENTIFIER_REASON;
  return `${f.code}: ${f.message.replace(TRAILING_DOT, '')} (${f.path || '/'})`;
}

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Identifier values sent unhashed: none may be an email address. */
const PLAIN_ID_TYPES: ReadonlySet<string> = new Set(['LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', 'ACXIOM_ID', 'GOOGLE_AID']);

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
  if (!isRecord(user)) return;
  if (Array.isArray(user.userIds)) {
    user.userIds.forEach((id, i) => {
      if (isRecord(id) && PLAIN_ID_TYPES.has(String(id.idType)) && typeof id.idValue === 'string' && looksLikeEmail(id.idValue)) {
        flag(`/user/userIds/${i}/idValue`);
      }
    });
  }
  if (isRecord(user.userInfo)) {
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
  const info = isRecord(el.user) ? el.user.userInfo : undefined;
  if (!isRecord(info)) return;
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

function identifierTypes(el: Json): string[] {
  const user = el.user as Json;
  const types: string[] = [];
  if (Array.isArray(user.userIds)) for (const id of user.userIds) types.push(String((id as Json).idType));
  const info = user.userInfo;
  if (isRecord(info)) {
    const first = info.firstName !== undefined || info.hashedFirstName !== undefined;
    const last = info.lastName !== undefined || info.hashedLastName !== undefined;
    if (first && last) types.push('NAME');
  }
  if (user.lead !== undefined) types.push('LEAD');
  if (Array.isArray(user.externalIds) && user.externalIds.length > 0) types.push('EXTERNAL_ID');
  return types;
}

function schemaMessage(perElement: ReadonlyArray<Finding[]>, batch: boolean): string {
  let message = '';
  perElement.forEach((findings, index) => {
    const schema = findings.filter((f) => findingClass(f.code) === 'schema');
    schema.forEach((f, n) => {
      const prefix = batch && n === 0 ? `Index: ${index}, ` : '';
      message += `${prefix}ERROR :: ${f.path || '/'} :: ${LINKEDIN_REASON[f.code] ?? f.message}\n`;
    });
  });
  return message;
}

function businessMessage(perElement: ReadonlyArray<Finding[]>): string {
  const byReason = new Map<string, number[]>();
  perElement.forEach((findings, index) => {
    for (const f of findings) {
      const reason = businessReason(f);
      const indices = byReason.get(reason) ?? [];
      if (indices[indices.length - 1] !== index) indices.push(index);
      byReason.set(reason, indices);
    }
  });
  return [...byReason].map(([reason, indices]) => `${reason}, indices [${indices.join(', ')}] (0-indexed).`).join('\n');
}

export function prepareCompat(elements: readonly unknown[], batch: boolean, opts: CompatOptions): CompatOutcome {
  const hash = opts.hashNames && supportsHashedNames(opts.version);
  const errors: Finding[][] = [];
  const warnings: Finding[][] = [];
  let anySchema = false;
  let anyError = false;
  for (const el of elements) {
    const found = validateConversionEvent(el, { version: opts.version, now: opts.now });
    const errs = found.filter((f) => f.severity === 'error');
    if (isRecord(el)) {
      rawEmailFindings(el, errs);
      if (errs.length === 0 && hash) hashNames(el, errs);
    }
    if (errs.some((f) => findingClass(f.code) === 'schema')) anySchema = true;
    if (errs.length > 0) anyError = true;
    errors.push(errs);
    warnings.push(found.filter((f) => f.severity === 'warning'));
  }
  const codes = errors.flatMap((errs) => (errs[0] ? [errs[0].code] : []));
  if (anySchema) return { ok: false, status: 422, body: { message: schemaMessage(errors, batch), status: 422 }, codes };
  if (anyError) return { ok: false, status: 400, body: { message: businessMessage(errors), status: 400 }, codes };

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
    const payload = JSON.stringify(el);
    // Without an eventId, a digest of the content stands in, so a client's retry is still a duplicate.
    const eventId = typeof el.eventId === 'string' ? el.eventId : `sha256:${sha256Hex(payload)}`;
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
