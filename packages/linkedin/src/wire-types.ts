/**
 * LinkedIn's wire shapes, written from LinkedIn's documentation (see docs/linkedin-sdk.md for the
 * sources). Response types are open-ended where LinkedIn may add fields without notice: adding
 * optional response fields is a non-breaking change by LinkedIn's own policy.
 */

// ---------------------------------------------------------------------------------------------
// Conversion events: POST /rest/conversionEvents

export const ID_TYPES = [
  'SHA256_EMAIL',
  'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
  'ACXIOM_ID',
  'PLAINTEXT_IP_ADDRESS',
  'SHA256_IP_ADDRESS',
  'GOOGLE_AID',
] as const;
export type IdType = (typeof ID_TYPES)[number];

export interface UserId {
  idType: IdType;
  idValue: string;
}

export interface UserInfo {
  firstName?: string;
  lastName?: string;
  /** LinkedIn-Version 202609 and later only. */
  hashedFirstName?: string;
  /** LinkedIn-Version 202609 and later only. */
  hashedLastName?: string;
  companyName?: string;
  title?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  countryCode?: string;
}

export interface ConversionValue {
  currencyCode: string;
  /** A decimal written as a JSON string: a JSON number is refused with 422. */
  amount: string;
}

export interface ConversionEvent {
  /** urn:lla:llaPartnerConversion:{id} */
  conversion: string;
  /** Epoch milliseconds, within the last 90 days and not in the future. */
  conversionHappenedAt: number;
  conversionValue?: ConversionValue;
  /** Deduplication key shared with the Insight Tag. */
  eventId?: string;
  user: {
    /** Always present, possibly empty. */
    userIds: UserId[];
    userInfo?: UserInfo;
    /** urn:li:leadGenFormResponse:{id} */
    lead?: string;
    /** At most one entry is used. */
    externalIds?: string[];
  };
}

/** Body of a successful BATCH_CREATE: one entry per element, same order. */
export interface BatchCreateResponse {
  elements: Array<{ status: number; id?: string; error?: LinkedInErrorBody }>;
}

// ---------------------------------------------------------------------------------------------
// Conversion rules: /rest/conversions

export type ConversionMethod =
  | 'CONVERSIONS_API'
  | 'INSIGHT_TAG_URL_MATCH_RULES'
  | 'INSIGHT_TAG_JAVASCRIPT_EVENT';
export type AttributionType = 'LAST_TOUCH_BY_CAMPAIGN' | 'LAST_TOUCH_BY_CONVERSION';
export type ValueType = 'DYNAMIC' | 'FIXED' | 'NO_VALUE';
/** Attribution window in days; 180 and 365 only for some rule types. */
export type AttributionWindow = 1 | 7 | 30 | 90 | 180 | 365;

export const CONVERSION_RULE_TYPES = [
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
  /** LinkedIn-Version 202608 and later. */
  'MARKETING_QUALIFIED_LEAD',
  /** LinkedIn-Version 202608 and later. */
  'SALES_QUALIFIED_LEAD',
] as const;
export type ConversionRuleType = (typeof CONVERSION_RULE_TYPES)[number];

export interface Money {
  amount: string;
  currencyCode: string;
}

/** What a caller sends to create a rule. `account` is urn:li:sponsoredAccount:{id}. */
export interface NewConversionRule {
  name: string;
  account: string;
  conversionMethod: 'CONVERSIONS_API';
  type: ConversionRuleType;
  enabled?: boolean;
  attributionType?: AttributionType;
  postClickAttributionWindowSize?: AttributionWindow;
  viewThroughAttributionWindowSize?: AttributionWindow;
  valueType?: ValueType;
  value?: Money;
}

/** A rule as LinkedIn returns it. */
export interface ConversionRule {
  id: number;
  name: string;
  account: string;
  conversionMethod: ConversionMethod | string;
  type: ConversionRuleType | string;
  enabled: boolean;
  attributionType?: AttributionType | string;
  postClickAttributionWindowSize?: number;
  viewThroughAttributionWindowSize?: number;
  valueType?: ValueType | string;
  value?: Money;
  campaigns?: string[];
  associatedCampaigns?: string[];
  created?: number;
  lastModified?: number;
  urlRules?: unknown[];
  ownershipType?: string;
}

/** The fields PARTIAL_UPDATE may `$set` on a rule (the account cannot change). */
export type ConversionRulePatch = Partial<
  Pick<
    NewConversionRule,
    | 'name'
    | 'enabled'
    | 'attributionType'
    | 'postClickAttributionWindowSize'
    | 'viewThroughAttributionWindowSize'
    | 'valueType'
    | 'value'
    | 'type'
  >
>;

// ---------------------------------------------------------------------------------------------
// Campaign associations: /rest/campaignConversions

export interface CampaignConversion {
  /** urn:li:sponsoredCampaign:{id} */
  campaign: string;
  /** urn:lla:llaPartnerConversion:{id} */
  conversion: string;
}

// ---------------------------------------------------------------------------------------------
// Ad accounts and campaigns

export type AdAccountRole =
  | 'ACCOUNT_BILLING_ADMIN'
  | 'ACCOUNT_MANAGER'
  | 'CAMPAIGN_MANAGER'
  | 'CREATIVE_MANAGER'
  | 'VIEWER';

/** One element of GET /rest/adAccountUsers?q=authenticatedUser. */
export interface AdAccountUser {
  /** urn:li:person:{id} */
  user: string;
  /** urn:li:sponsoredAccount:{id} */
  account: string;
  role: AdAccountRole | string;
}

export type AdAccountStatus = 'ACTIVE' | 'DRAFT' | 'CANCELED' | 'PENDING_DELETION' | 'REMOVED';

export interface AdAccount {
  id: number;
  name: string;
  currency: string;
  status: AdAccountStatus | string;
  type: 'BUSINESS' | 'ENTERPRISE' | string;
  reference?: string;
  servingStatuses?: string[];
  test?: boolean;
}

export type CampaignStatus = 'ACTIVE' | 'PAUSED' | 'ARCHIVED' | 'COMPLETED' | 'CANCELED' | 'DRAFT' | string;

export interface Campaign {
  id: number;
  name?: string;
  status?: CampaignStatus;
  account?: string;
  campaignGroup?: string;
}

// ---------------------------------------------------------------------------------------------
// Reporting: GET /rest/adAnalytics

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export type AdAnalyticsPivot =
  | 'ACCOUNT'
  | 'CAMPAIGN_GROUP'
  | 'CAMPAIGN'
  | 'CREATIVE'
  | 'CONVERSION'
  | 'COMPANY'
  | 'SHARE'
  | 'SERVING_LOCATION'
  | 'CARD_INDEX'
  | 'CONVERSATION_NODE'
  | 'MEMBER_COMPANY_SIZE'
  | 'MEMBER_INDUSTRY'
  | 'MEMBER_SENIORITY'
  | 'MEMBER_JOB_TITLE'
  | 'MEMBER_JOB_FUNCTION'
  | 'MEMBER_COUNTRY_V2'
  | 'MEMBER_REGION_V2'
  | 'MEMBER_COMPANY';

export type TimeGranularity = 'ALL' | 'DAILY' | 'MONTHLY' | 'YEARLY';

/** The conversion and cost metrics this SDK asks for by default. */
export const CONVERSION_METRICS = [
  'externalWebsiteConversions',
  'externalWebsitePostClickConversions',
  'externalWebsitePostViewConversions',
  'conversionValueInLocalCurrency',
  'costInLocalCurrency',
  'costInUsd',
  'impressions',
  'clicks',
  'landingPageClicks',
  'qualifiedLeads',
  'oneClickLeads',
] as const;
export type AdAnalyticsMetric = (typeof CONVERSION_METRICS)[number];

/** One row of /rest/adAnalytics. Counts are numbers, money is a decimal string. */
export interface AdAnalyticsRow {
  /** With pivot CONVERSION, pivotValues[0] is the rule URN. */
  pivotValues?: string[];
  dateRange?: { start: DateParts; end?: DateParts };
  externalWebsiteConversions?: number;
  externalWebsitePostClickConversions?: number;
  externalWebsitePostViewConversions?: number;
  conversionValueInLocalCurrency?: string;
  costInLocalCurrency?: string;
  costInUsd?: string;
  impressions?: number;
  clicks?: number;
  landingPageClicks?: number;
  qualifiedLeads?: number;
  oneClickLeads?: number;
}

// ---------------------------------------------------------------------------------------------
// Collections and errors

export interface Paging {
  start?: number;
  count?: number;
  total?: number;
  links?: unknown[];
}

export interface Collection<T> {
  elements: T[];
  paging?: Paging;
  /** Cursor-paged finders (pageSize/pageToken) return the next token here. */
  metadata?: { nextPageToken?: string };
}

/**
 * LinkedIn's error bodies come in three shapes (flat, gateway with `code`, four-field auth).
 * One type covers them all; each field is optional because each shape has a different subset.
 */
export interface LinkedInErrorBody {
  status?: number;
  message?: string;
  code?: string;
  serviceErrorCode?: number;
}

/** OAuth endpoints answer errors in the OAuth 2.0 shape instead. */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}
