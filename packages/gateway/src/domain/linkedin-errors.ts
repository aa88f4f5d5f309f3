/**
 * LinkedIn's error bodies for `/rest/conversionEvents`, in LinkedIn's own words, so a direct
 * integration's error handling and logs keep working: 422 lists schema problems one per line
 * (`Index: N, ERROR :: /path :: reason`), 400 names a semantic problem with the offending indices.
 */
import { type Finding, findingClass } from '@capi-gateway/linkedin';
import { looksLikeEmail } from './pii.js';

/** LinkedIn's flat error body. */
export interface LinkedInErrorBody {
  message: string;
  status: number;
}

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
  return `${f.code}: ${f.message.replace(TRAILING_DOT, '')} (${f.path})`;
}

/** The parts of a finding path that are LinkedIn's own structure; what follows may be a client's key. */
const KNOWN_PREFIX = /^(?:\/conversionValue|\/user(?:\/userIds\/\d+|\/userInfo|\/externalIds\/\d+)?)?/;
const PLAIN_KEYS = /^(?:\/[A-Za-z0-9_]{1,64})+$/;

/**
 * The validator names unknown fields by their key, and a key is client input: it may hold spaces
 * (which would break LinkedIn's `ERROR :: path :: reason` lines) or even an email address. Plain
 * keys are shown as LinkedIn shows them; anything else becomes "(key)".
 */
export function safeFindingPath(path: string): string {
  const prefix = KNOWN_PREFIX.exec(path)?.[0] ?? '';
  const rest = path.slice(prefix.length);
  if (rest === '') return prefix === '' ? '/' : prefix;
  return PLAIN_KEYS.test(rest) && !looksLikeEmail(rest) ? path : `${prefix}/(key)`;
}

/** 422: every schema problem; in a batch the first line of each element carries its index. */
export function schemaMessage(perElement: ReadonlyArray<Finding[]>, batch: boolean): string {
  let message = '';
  perElement.forEach((findings, index) => {
    const schema = findings.filter((f) => findingClass(f.code) === 'schema');
    schema.forEach((f, n) => {
      const prefix = batch && n === 0 ? `Index: ${index}, ` : '';
      message += `${prefix}ERROR :: ${f.path} :: ${LINKEDIN_REASON[f.code] ?? f.message}\n`;
    });
  });
  return message;
}

/** 400: one line per distinct reason, with every index it applies to. */
export function businessMessage(perElement: ReadonlyArray<Finding[]>): string {
  const byReason = new Map<string, number[]>();
  perElement.forEach((findings, index) => {
    for (const f of findings) {
      const reason = businessReason(f);
      const indices = byReason.get(reason) ?? [];
      if (indices[indices.length - 1] !== index) indices.push(index);
      byReason.set(reason, indices);
    }
  });
  return [...byReason]
    .map(([reason, indices]) => `${reason}, indices [${indices.join(', ')}] (0-indexed).`)
    .join('\n');
}
