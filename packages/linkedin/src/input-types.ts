/**
 * The ingest shape: identifiers as a customer sends them, before normalisation and hashing.
 * Everything is optional; `buildConversionEvent` turns it into LinkedIn's wire shape.
 */

export interface IdentifierInput {
  /** Plain address (trimmed and lower-cased, then SHA-256) or an existing SHA-256 hex digest. */
  email?: string;
  /** SHA-256 hex of the normalised address. */
  sha256Email?: string;
  /** The li_fat_id click id from the landing URL or first-party cookie (URL-decoded once). */
  liFatId?: string;
  acxiomId?: string;
  /** IPv4 (an IPv4-mapped IPv6 address is unwrapped). */
  ip?: string;
  /** SHA-256 hex of the dotted-quad IPv4 string. */
  sha256Ip?: string;
  /** Android advertising id. */
  googleAid?: string;
  firstName?: string;
  lastName?: string;
  companyName?: string;
  title?: string;
  /** ISO 3166-1 alpha-2, any case. */
  countryCode?: string;
  /** The advertiser's own user id (sent as the single externalIds entry). */
  externalId?: string;
  /** Lead-gen form response id, bare or as urn:li:leadGenFormResponse:{id}. */
  leadId?: string;
}

export interface ConversionInput {
  /** Rule id (digits) or urn:lla:llaPartnerConversion:{id}. */
  conversion: string | number;
  /** Epoch ms. A value that looks like seconds is refused with a hint. */
  happenedAt: number;
  eventId?: string;
  /** A number is converted to an exact decimal string (19.9 → "19.9"). */
  value?: { amount: string | number; currency: string };
  user: IdentifierInput;
}
