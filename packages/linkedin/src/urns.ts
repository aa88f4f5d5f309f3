/**
 * URN helpers. LinkedIn's conversion rules live in the `lla` namespace
 * (urn:lla:llaPartnerConversion:{id}); everything else used here is `li`.
 */

export const CONVERSION_URN_PREFIX = 'urn:lla:llaPartnerConversion:';
export const LEAD_URN_PREFIX = 'urn:li:leadGenFormResponse:';
export const ACCOUNT_URN_PREFIX = 'urn:li:sponsoredAccount:';
export const CAMPAIGN_URN_PREFIX = 'urn:li:sponsoredCampaign:';

/** Positive decimal id: digits only, not all zeros, leading zeros dropped; else null. */
function canonicalId(raw: string): string | null {
  if (raw.length === 0 || raw.length > 19) return null;
  let firstNonZero = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    if (firstNonZero < 0 && c !== 48) firstNonZero = i;
  }
  return firstNonZero < 0 ? null : raw.slice(firstNonZero);
}

function idFrom(value: string | number, prefix: string): string | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  }
  if (typeof value !== 'string') return null;
  const v = value.trim();
  return canonicalId(v.startsWith(prefix) ? v.slice(prefix.length) : v);
}

/** '123' | 123 | 'urn:lla:llaPartnerConversion:123' → '123'; anything else → null. */
export function ruleIdFromConversion(c: string | number): string | null {
  return idFrom(c, CONVERSION_URN_PREFIX);
}

/** The rule's event URN. Throws TypeError for a value that is not a rule id or rule URN. */
export function conversionUrn(ruleId: string | number): string {
  const id = ruleIdFromConversion(ruleId);
  if (id === null) throw new TypeError('conversionUrn: expected a numeric rule id or a rule URN');
  return eventConversionUrn(id);
}

/**
 * The event URN of a rule id already in canonical form (from ruleIdFromConversion), made once per
 * rule, and the one place it is made (conversionUrn canonicalises, then asks here): the builder
 * names the rule in every event, and a fresh concatenation per event was a rope
 * the serialiser then had to flatten (about 95 ns per event, measured). Rules are few; the cache
 * starts over past a bound, so any number of them stays correct.
 */
const eventUrns = new Map<string, string>();
const EVENT_URNS_MAX = 1024;

export function eventConversionUrn(canonicalRuleId: string): string {
  let urn = eventUrns.get(canonicalRuleId);
  if (urn === undefined) {
    if (eventUrns.size >= EVENT_URNS_MAX) eventUrns.clear();
    urn = CONVERSION_URN_PREFIX + canonicalRuleId;
    eventUrns.set(canonicalRuleId, urn);
  }
  return urn;
}

/** True for exactly urn:lla:llaPartnerConversion:{positive id}. */
export function isConversionUrn(value: string): boolean {
  return (
    value.startsWith(CONVERSION_URN_PREFIX) && canonicalId(value.slice(CONVERSION_URN_PREFIX.length)) !== null
  );
}

/** '508123456' | 'urn:li:sponsoredAccount:508123456' → the account URN. Throws TypeError otherwise. */
export function accountUrn(account: string | number): string {
  const id = idFrom(account, ACCOUNT_URN_PREFIX);
  if (id === null) throw new TypeError('accountUrn: expected a numeric ad account id or account URN');
  return ACCOUNT_URN_PREFIX + id;
}

export function accountIdFrom(account: string | number): string | null {
  return idFrom(account, ACCOUNT_URN_PREFIX);
}

/** '123' | 'urn:li:sponsoredCampaign:123' → the campaign URN. Throws TypeError otherwise. */
export function campaignUrn(campaign: string | number): string {
  const id = idFrom(campaign, CAMPAIGN_URN_PREFIX);
  if (id === null) throw new TypeError('campaignUrn: expected a numeric campaign id or campaign URN');
  return CAMPAIGN_URN_PREFIX + id;
}

/** A lead-gen response id must be non-empty and free of whitespace and URN separators. */
function isLeadId(id: string): boolean {
  if (id.length === 0 || id.length > 200) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c <= 32 || c === 58 /* : */ || c === 47 /* / */ || c === 127) return false;
  }
  return true;
}

/** Bare id or full URN → urn:li:leadGenFormResponse:{id}; null for any other URN or a malformed id. */
export function leadUrn(raw: string): string | null {
  const v = raw.trim();
  if (v.startsWith(LEAD_URN_PREFIX)) {
    return isLeadId(v.slice(LEAD_URN_PREFIX.length)) ? v : null;
  }
  if (v.startsWith('urn:')) return null;
  return isLeadId(v) ? LEAD_URN_PREFIX + v : null;
}

export function isLeadUrn(value: string): boolean {
  return value.startsWith(LEAD_URN_PREFIX) && isLeadId(value.slice(LEAD_URN_PREFIX.length));
}
