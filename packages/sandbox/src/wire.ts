/**
 * LinkedIn's wire format, written from LinkedIn's documentation (the project's contract notes), not
 * from our own client. The sandbox must never import the client's types: if both sides shared one
 * definition, a mistake in it would be invisible to every test that uses the sandbox as an oracle.
 */

export const URN_PREFIX = {
  account: 'urn:li:sponsoredAccount:',
  campaign: 'urn:li:sponsoredCampaign:',
  campaignGroup: 'urn:li:sponsoredCampaignGroup:',
  rule: 'urn:lla:llaPartnerConversion:',
  person: 'urn:li:person:',
  lead: 'urn:li:leadGenFormResponse:',
  organization: 'urn:li:organization:',
} as const;

/** idType symbols accepted by `user.userIds[].idType`. ORACLE_MOAT_ID is legacy, see `ID_TYPES_LEGACY`. */
export const ID_TYPES = [
  'SHA256_EMAIL',
  'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
  'ACXIOM_ID',
  'PLAINTEXT_IP_ADDRESS',
  'SHA256_IP_ADDRESS',
  'GOOGLE_AID',
] as const;

/** Still in every older integration, dropped from the 202609 schema (treated as unknown from then). */
export const ID_TYPES_LEGACY = ['ORACLE_MOAT_ID'] as const;

export type IdType = (typeof ID_TYPES)[number] | (typeof ID_TYPES_LEGACY)[number];

export interface WireUserId {
  idType: IdType;
  idValue: string;
}

export interface WireUserInfo {
  firstName?: string;
  lastName?: string;
  /** Version 202609 and later only. */
  hashedFirstName?: string;
  /** Version 202609 and later only. */
  hashedLastName?: string;
  companyName?: string;
  title?: string;
  countryCode?: string;
}

export interface WireUser {
  userIds: WireUserId[];
  userInfo?: WireUserInfo;
  lead?: string;
  externalIds?: string[];
}

export interface WireMoney {
  currencyCode: string;
  /** A decimal written as a JSON string; a JSON number is a schema error. */
  amount: string;
}

/** One element of `POST /rest/conversionEvents` (single create body, or one of `elements`). */
export interface WireConversionEvent {
  conversion: string;
  /** Epoch milliseconds. */
  conversionHappenedAt: number;
  conversionValue?: WireMoney;
  eventId?: string;
  user: WireUser;
}

export const CONVERSION_METHODS = [
  'CONVERSIONS_API',
  'INSIGHT_TAG_URL_MATCH_RULES',
  'INSIGHT_TAG_JAVASCRIPT_EVENT',
] as const;
export type ConversionMethod = (typeof CONVERSION_METHODS)[number];

/** Rule types that exist only from version 202608 (removed in 202408, re-added in 202608). */
export const VERSIONED_CONVERSION_TYPES = ['MARKETING_QUALIFIED_LEAD', 'SALES_QUALIFIED_LEAD'] as const;

export const CONVERSION_TYPES = [
  'ADD_TO_CART',
  'DOWNLOAD',
  'INSTALL',
  'KEY_PAGE_VIEW',
  'LEAD',
  'PURCHASE',
  'SIGN_UP',
  'OTHER',
  'SAVE',
  'START_CHECKOUT',
  'SCHEDULE',
  'VIEW_CONTENT',
  'VIEW_VIDEO',
  'ADD_BILLING_INFO',
  'BOOK_APPOINTMENT',
  'REQUEST_QUOTE',
  'SEARCH',
  'SUBSCRIBE',
  'AD_CLICK',
  'AD_VIEW',
  'COMPLETE_SIGNUP',
  'SUBMIT_APPLICATION',
  'PHONE_CALL',
  'INVITE',
  'LOGIN',
  'SHARE',
  'DONATE',
  'ADD_TO_LIST',
  'START_TRIAL',
  'OUTBOUND_CLICK',
  'CONTACT',
  'QUALIFIED_LEAD',
  'RATE',
  'TALENT_LEAD',
  'JOB_APPLY',
  ...VERSIONED_CONVERSION_TYPES,
] as const;
export type ConversionType = (typeof CONVERSION_TYPES)[number];

/** Types allowed the 365-day window; the 180-day window (202609 change log) is assumed for these plus MQL/SQL. */
export const LONG_WINDOW_TYPES: ReadonlySet<string> = new Set([
  'SUBMIT_APPLICATION',
  'PURCHASE',
  'ADD_TO_CART',
  'QUALIFIED_LEAD',
  'LEAD',
]);
export const WINDOW_180_TYPES: ReadonlySet<string> = new Set([
  ...LONG_WINDOW_TYPES,
  ...VERSIONED_CONVERSION_TYPES,
]);

export const ATTRIBUTION_TYPES = ['LAST_TOUCH_BY_CAMPAIGN', 'LAST_TOUCH_BY_CONVERSION'] as const;
export type AttributionType = (typeof ATTRIBUTION_TYPES)[number];

export const VALUE_TYPES = ['DYNAMIC', 'FIXED', 'NO_VALUE'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export const ACCOUNT_ROLES = [
  'ACCOUNT_BILLING_ADMIN',
  'ACCOUNT_MANAGER',
  'CAMPAIGN_MANAGER',
  'CREATIVE_MANAGER',
  'VIEWER',
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const ACCOUNT_STATUSES = ['ACTIVE', 'DRAFT', 'CANCELED', 'PENDING_DELETION', 'REMOVED'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ACCOUNT_TYPES = ['BUSINESS', 'ENTERPRISE'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const CAMPAIGN_STATUSES = [
  'ACTIVE',
  'PAUSED',
  'ARCHIVED',
  'COMPLETED',
  'CANCELED',
  'DRAFT',
  'PENDING_DELETION',
  'REMOVED',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Scopes the sandbox checks. Others (e.g. r_liteprofile) may be granted and are simply carried. */
export const SCOPES = {
  conversions: 'rw_conversions',
  readAds: 'r_ads',
  writeAds: 'rw_ads',
  reporting: 'r_ads_reporting',
} as const;

/** `GET /rest/conversions/{id}` and the `q=account` finder return this shape. */
export interface WireConversionRule {
  id: number;
  name: string;
  account: string;
  conversionMethod: ConversionMethod;
  type: ConversionType;
  enabled: boolean;
  attributionType: AttributionType;
  postClickAttributionWindowSize: number;
  viewThroughAttributionWindowSize: number;
  valueType: ValueType;
  value?: WireMoney;
  created: number;
  lastModified: number;
  campaigns: string[];
  associatedCampaigns: string[];
  urlRules: unknown[];
}

export interface WireAdAccount {
  id: number;
  name: string;
  currency: string;
  status: AccountStatus;
  type: AccountType;
  reference?: string;
  servingStatuses: string[];
  test: boolean;
}

export interface WireCampaign {
  id: number;
  name: string;
  account: string;
  campaignGroup?: string;
  status: CampaignStatus;
  type: string;
  costType: string;
  objectiveType: string;
  runSchedule: { start: number; end?: number };
  dailyBudget?: WireMoney;
  test: boolean;
}

export interface WireAdAccountUser {
  account: string;
  user: string;
  role: AccountRole;
}

export interface WireDate {
  year: number;
  month: number;
  day: number;
}

export interface WireDateRange {
  start: WireDate;
  end: WireDate;
}

/** One `adAnalytics` row; metrics present depend on the `fields` projection. */
export interface WireAnalyticsRow {
  pivotValues?: string[];
  dateRange?: WireDateRange;
  externalWebsiteConversions?: number;
  externalWebsitePostClickConversions?: number;
  externalWebsitePostViewConversions?: number;
  /** Decimal string. */
  conversionValueInLocalCurrency?: string;
  /** Decimal string. */
  costInLocalCurrency?: string;
  impressions?: number;
  clicks?: number;
}

export interface WirePaging {
  start: number;
  count: number;
  total?: number;
  links: unknown[];
}
