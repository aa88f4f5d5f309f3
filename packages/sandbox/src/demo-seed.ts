/**
 * The built-in demo: one ad account, a few B2B campaigns, CAPI rules for the B2B funnel, one
 * Insight Tag rule and one disabled rule, and a token for every auth case. Ids and token values
 * are fixed so tests, docs and the gateway's `npm start` can rely on them.
 */
import type { SandboxSeed } from './seed.js';

export const DEMO_SEED = {
  member: 'urn:li:person:sandboxDemoMember',
  account: {
    id: '512345678',
    urn: 'urn:li:sponsoredAccount:512345678',
    name: 'Demo B2B Software GmbH',
    currency: 'EUR',
  },
  campaigns: {
    /** ACTIVE, lead generation. */
    leadGen: '600100101',
    /** ACTIVE, webinar sign-ups. */
    webinar: '600100102',
    /** ACTIVE, retargeting website visitors. */
    retargeting: '600100103',
    /** DRAFT, never delivered. */
    draft: '600100104',
  },
  rules: {
    lead: '7345120',
    qualifiedLead: '7345121',
    mql: '7345122',
    sql: '7345123',
    purchase: '7345124',
    /** conversionMethod INSIGHT_TAG_URL_MATCH_RULES: events to it get 400. */
    insightTag: '7345125',
    /** enabled: false: events to it get 400. */
    disabled: '7345126',
  },
  tokens: {
    /** rw_conversions, r_ads, r_ads_reporting; ACCOUNT_MANAGER; never expires. */
    valid: 'sandbox-demo-token',
    /** Expired (401 EXPIRED_ACCESS_TOKEN). */
    expired: 'sandbox-expired-token',
    /** Revoked (401 REVOKED_ACCESS_TOKEN). */
    revoked: 'sandbox-revoked-token',
    /** Only r_liteprofile (403 USER_NOT_AUTHORIZED). */
    noScope: 'sandbox-no-scope-token',
    /** All scopes, but VIEWER on the account (403 on writes). */
    viewer: 'sandbox-viewer-token',
  },
  oauth: {
    clientId: 'sandbox-client-id',
    clientSecret: 'sandbox-client-secret',
    refreshToken: 'sandbox-demo-refresh-token',
    authorizationCode: 'sandbox-demo-auth-code',
    redirectUri: 'http://localhost:8080/oauth/callback',
  },
} as const;

/** Builds a `conversion` URN for a rule id: `urn:lla:llaPartnerConversion:{id}`. */
export const ruleUrn = (id: string) => `urn:lla:llaPartnerConversion:${id}`;
/** Builds a campaign URN: `urn:li:sponsoredCampaign:{id}`. */
export const campaignUrn = (id: string) => `urn:li:sponsoredCampaign:${id}`;
/** Builds an ad account URN: `urn:li:sponsoredAccount:{id}`. */
export const accountUrn = (id: string) => `urn:li:sponsoredAccount:${id}`;

const ALL_SCOPES = ['rw_conversions', 'r_ads', 'r_ads_reporting'];
const START = '2026-01-01';

/** A fresh copy of the demo seed (callers may modify it). */
export function demoSeed(): SandboxSeed {
  const d = DEMO_SEED;
  const acct = d.account.id;
  const c = d.campaigns;
  const lead90 = { postClickAttributionWindowSize: 90, viewThroughAttributionWindowSize: 90 } as const;
  return {
    accounts: [
      {
        id: acct,
        name: d.account.name,
        currency: d.account.currency,
        status: 'ACTIVE',
        type: 'BUSINESS',
        reference: 'urn:li:organization:90000001',
        test: false,
      },
    ],
    campaigns: [
      {
        id: c.leadGen,
        account: acct,
        name: 'Lead Gen - IT Decision Makers DACH',
        objectiveType: 'LEAD_GENERATION',
        startDate: START,
        dailyBudget: 250,
        daily: { cost: 180, impressions: 12_000, clicks: 95 },
      },
      {
        id: c.webinar,
        account: acct,
        name: 'Webinar - Data Platform Demo Day',
        objectiveType: 'WEBSITE_CONVERSION',
        startDate: START,
        dailyBudget: 120,
        daily: { cost: 95.5, impressions: 6_000, clicks: 41 },
      },
      {
        id: c.retargeting,
        account: acct,
        name: 'Retargeting - Pricing Page Visitors',
        objectiveType: 'WEBSITE_CONVERSION',
        startDate: START,
        dailyBudget: 80,
        daily: { cost: 60, impressions: 4_000, clicks: 38 },
      },
      {
        id: c.draft,
        account: acct,
        name: 'Draft - Q1 Brand Awareness',
        status: 'DRAFT',
        objectiveType: 'BRAND_AWARENESS',
        startDate: START,
      },
    ],
    rules: [
      {
        id: d.rules.lead,
        account: acct,
        name: 'CAPI - Lead',
        type: 'LEAD',
        ...lead90,
        campaigns: [c.leadGen, c.webinar],
      },
      {
        id: d.rules.qualifiedLead,
        account: acct,
        name: 'CAPI - Qualified Lead',
        type: 'QUALIFIED_LEAD',
        ...lead90,
        campaigns: [c.leadGen, c.webinar],
      },
      {
        id: d.rules.mql,
        account: acct,
        name: 'CAPI - MQL',
        type: 'MARKETING_QUALIFIED_LEAD',
        ...lead90,
        campaigns: [c.leadGen],
      },
      {
        id: d.rules.sql,
        account: acct,
        name: 'CAPI - SQL',
        type: 'SALES_QUALIFIED_LEAD',
        ...lead90,
        campaigns: [c.leadGen, c.retargeting],
      },
      {
        id: d.rules.purchase,
        account: acct,
        name: 'CAPI - Closed Won',
        type: 'PURCHASE',
        attributionType: 'LAST_TOUCH_BY_CONVERSION',
        ...lead90,
        campaigns: [c.retargeting],
      },
      {
        id: d.rules.insightTag,
        account: acct,
        name: 'Insight Tag - Demo Request Page',
        type: 'KEY_PAGE_VIEW',
        conversionMethod: 'INSIGHT_TAG_URL_MATCH_RULES',
        campaigns: [c.leadGen],
      },
      {
        id: d.rules.disabled,
        account: acct,
        name: 'CAPI - Old Sign Up',
        type: 'SIGN_UP',
        enabled: false,
      },
    ],
    tokens: [
      {
        value: d.tokens.valid,
        member: d.member,
        scopes: ALL_SCOPES,
        expiresAt: null,
        description: 'valid demo token',
      },
      { value: d.tokens.expired, member: d.member, scopes: ALL_SCOPES, expiresAt: 1, description: 'expired' },
      {
        value: d.tokens.revoked,
        member: d.member,
        scopes: ALL_SCOPES,
        revoked: true,
        description: 'revoked',
      },
      {
        value: d.tokens.noScope,
        member: d.member,
        scopes: ['r_liteprofile'],
        description: 'lacks rw_conversions',
      },
      {
        value: d.tokens.viewer,
        member: d.member,
        scopes: ALL_SCOPES,
        role: 'VIEWER',
        description: 'VIEWER role',
      },
    ],
    clients: [{ clientId: d.oauth.clientId, clientSecret: d.oauth.clientSecret }],
    refreshTokens: [
      { value: d.oauth.refreshToken, clientId: d.oauth.clientId, member: d.member, scopes: ALL_SCOPES },
    ],
    authorizationCodes: [
      {
        code: d.oauth.authorizationCode,
        clientId: d.oauth.clientId,
        member: d.member,
        scopes: ALL_SCOPES,
        redirectUri: d.oauth.redirectUri,
      },
    ],
  };
}
