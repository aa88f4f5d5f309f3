/**
 * The catalogue of validation findings. Codes are stable: callers (the gateway's API, dashboards,
 * dead-letter reports) key on them, so a code is never renamed or reused. Messages may improve.
 *
 * `class` says how LinkedIn itself would answer the same mistake: `schema` problems come back as a
 * 422 (Rest.li data validation), `business` problems as a 400. Checks that are ours alone (LinkedIn
 * would accept the value but it can never match) are `business`, so a LinkedIn-compatible endpoint
 * answers them the way LinkedIn answers its own semantic checks.
 */

export type Severity = 'error' | 'warning';
export type FindingClass = 'schema' | 'business';

export interface Finding {
  code: string;
  /** JSON-pointer-like: '/conversionHappenedAt', '/user/userIds/0/idValue', or an input field '/user/email'. */
  path: string;
  message: string;
  severity: Severity;
}

interface CodeInfo {
  readonly class: FindingClass;
  readonly message: string;
}

const schema = (message: string): CodeInfo => ({ class: 'schema', message });
const business = (message: string): CodeInfo => ({ class: 'business', message });

/** Every finding code with its class and default message. Messages never contain submitted values. */
export const FINDING_CODES = {
  // Structure (LinkedIn answers 422).
  FIELD_REQUIRED: schema('A required field is missing.'),
  FIELD_TYPE: schema('A field has the wrong JSON type.'),
  UNKNOWN_FIELD: schema(
    'LinkedIn refuses fields it does not know ("unrecognized field found but not allowed").',
  ),
  CONVERSION_URN_INVALID: schema(
    'The conversion must be a rule id or a urn:lla:llaPartnerConversion:{id} URN.',
  ),
  HAPPENED_AT_INVALID: schema('conversionHappenedAt must be a whole number of milliseconds since the epoch.'),
  VALUE_AMOUNT_NOT_STRING: schema(
    'conversionValue.amount must be a JSON string such as "19.90", not a number.',
  ),
  VALUE_INCOMPLETE: schema('conversionValue needs both amount and currencyCode, or must be left out.'),
  USER_IDS_MISSING: schema('user.userIds must always be present; send an empty array when there is none.'),
  USER_ID_INCOMPLETE: schema('Each userIds entry needs both idType and idValue.'),
  ID_TYPE_UNKNOWN: schema('The idType is not one LinkedIn accepts.'),
  NAME_PAIR_INCOMPLETE: schema('userInfo needs both a first name and a last name.'),
  HASHED_NAME_VERSION: schema('hashedFirstName and hashedLastName exist only from LinkedIn-Version 202609.'),
  LEAD_URN_INVALID: schema('lead must be a urn:li:leadGenFormResponse:{id} URN.'),
  // Semantics (LinkedIn answers 400), or our own checks for values that could never match.
  HAPPENED_AT_SECONDS: business('conversionHappenedAt looks like seconds; LinkedIn expects milliseconds.'),
  HAPPENED_AT_TOO_OLD: business(
    'conversionHappenedAt is older than the allowed window (90 days unless configured).',
  ),
  HAPPENED_AT_FUTURE: business('conversionHappenedAt is in the future.'),
  VALUE_AMOUNT_INVALID: business('conversionValue.amount must be a plain decimal number such as "19.90".'),
  VALUE_AMOUNT_NEGATIVE: business('conversionValue.amount is negative.'),
  CURRENCY_INVALID: business('The currency must be a 3-letter ISO 4217 code such as "EUR".'),
  EVENT_ID_EMPTY: business('eventId must not be empty; leave it out instead.'),
  VERSION_INVALID: business('The LinkedIn version must be written YYYYMM.'),
  NO_IDENTIFIER: business(
    'The event carries no usable identifier (email, click id, IP, name pair, external id or lead).',
  ),
  IDENTIFIER_EMPTY: business('An identifier is an empty string; LinkedIn refuses empty identifiers.'),
  IDENTIFIER_PLACEHOLDER: business('An identifier holds a placeholder value and was not used.'),
  ID_VALUE_HASH_INVALID: business(
    'A SHA-256 identifier must be exactly 64 lower-case hexadecimal characters.',
  ),
  EMAIL_PLACEHOLDER: business(
    'The email is a placeholder (empty, "unknown", a no-reply address…) and was not used.',
  ),
  EMAIL_INVALID: business('The email is not a valid address and was not used.'),
  EMAIL_HASH_INVALID: business('The hashed email is not a SHA-256 hex digest (64 hexadecimal characters).'),
  EMAIL_CONFLICT: business(
    'Both email and sha256Email were given and differ; the hash of the email was used.',
  ),
  IP_INVALID: business('The IP address is not a valid IPv4 address.'),
  IP_V6_UNSUPPORTED: business('LinkedIn accepts IPv4 addresses only; the IPv6 address was not used.'),
  IP_NOT_PUBLIC: business('The IP address is private, loopback or reserved and cannot identify a person.'),
  IP_HASH_INVALID: business('The hashed IP address is not a SHA-256 hex digest (64 hexadecimal characters).'),
  HASHED_IP_ONLY: business(
    'The only identifier is SHA256_IP_ADDRESS, which LinkedIn’s documented identifier list omits; it may be refused.',
  ),
  HASHED_NAME_INVALID: business('A hashed name must be exactly 64 lower-case hexadecimal characters.'),
  NAME_INVALID: business('A name is empty after normalisation and was not used.'),
  COUNTRY_CODE_INVALID: business('The country code is not an ISO 3166-1 alpha-2 code and was not used.'),
  EXTERNAL_IDS_TOO_MANY: business('LinkedIn uses at most one externalIds entry and ignores the rest.'),
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

/** 'schema' → LinkedIn would answer 422; 'business' → 400. Unknown codes count as business. */
export function findingClass(code: string): FindingClass {
  const info = (FINDING_CODES as Record<string, CodeInfo | undefined>)[code];
  return info ? info.class : 'business';
}

/** A finding with the catalogue message, optionally followed by a detail (never a submitted value). */
export function finding(code: FindingCode, path: string, severity: Severity, detail?: string): Finding {
  const base = FINDING_CODES[code].message;
  return { code, path, message: detail ? `${base} ${detail}` : base, severity };
}
