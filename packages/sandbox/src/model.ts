/**
 * The sandbox's own records. Ids are digit strings (the wire uses longs and URNs; `to-wire.ts`
 * converts). Kept separate from the wire types so state can grow (members, ad clicks and views
 * for the attribution simulator) without changing what LinkedIn's endpoints return.
 */
import type {
  AccountRole,
  AccountStatus,
  AccountType,
  AttributionType,
  CampaignStatus,
  ConversionMethod,
  ConversionType,
  ValueType,
  WireMoney,
  WireUser,
} from './wire.js';

export interface AdAccount {
  id: string;
  name: string;
  /** ISO 4217; the currency of every `*InLocalCurrency` metric. */
  currency: string;
  status: AccountStatus;
  type: AccountType;
  /** Organization or person URN that owns the account. */
  reference?: string;
  /** Test accounts never serve and adAnalytics returns nothing for them. */
  test: boolean;
}

/** What a campaign delivers on one day. */
export interface Delivery {
  cost: number;
  impressions: number;
  clicks: number;
}

export interface Campaign {
  id: string;
  account: string;
  name: string;
  status: CampaignStatus;
  type: string;
  objectiveType: string;
  costType: string;
  campaignGroup?: string;
  dailyBudget?: number;
  /** First and last day of delivery, `YYYY-MM-DD` (UTC); no end means open-ended. */
  startDate: string;
  endDate?: string;
  /** Delivery on every day in the schedule unless `days` overrides it. */
  daily: Delivery;
  days: Record<string, Delivery>;
}

export interface ConversionRule {
  id: string;
  account: string;
  name: string;
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
}

export interface Association {
  campaign: string;
  rule: string;
  associatedAt: number;
}

export interface AccessToken {
  value: string;
  /** Person URN of the member who authorised the token. */
  member: string;
  scopes: string[];
  /** The member's role on the accounts it can use. */
  role: AccountRole;
  /** Account ids the token can act on; undefined means every account in the sandbox. */
  accounts?: string[];
  /** Epoch ms; null for non-expiring tokens (Campaign Manager "Direct API" tokens). */
  expiresAt: number | null;
  revoked: boolean;
  createdAt: number;
  clientId?: string;
  /** Shown by the CLI banner, e.g. "expired token". */
  description?: string;
}

export interface RefreshToken {
  value: string;
  clientId: string;
  member: string;
  scopes: string[];
  role: AccountRole;
  accounts?: string[];
  /** Fixed from the first authorisation; refreshing does not extend it. */
  expiresAt: number;
  revoked: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  member: string;
  scopes: string[];
  role: AccountRole;
  accounts?: string[];
  redirectUri?: string;
  used: boolean;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** An accepted conversion event, kept compactly: the parsed `user` object is shared, not copied. */
export interface StoredEvent {
  seq: number;
  receivedAt: number;
  rule: string;
  eventId?: string;
  happenedAt: number;
  value?: WireMoney;
  user: WireUser;
  /** The access token that sent it. */
  token: string;
}
