/**
 * Turns a parsed seed into sandbox state: ids normalised to digits, defaults filled in, and times
 * given relative to start ("expiresInSeconds") resolved against the sandbox clock.
 */
import type { Delivery } from './model.js';
import {
  type SandboxSeed,
  type SeedDelivery,
  SeedError,
  type SeedGrant,
  type SeedId,
  type SeedTime,
} from './seed.js';
import type { SandboxState } from './state.js';
import { URN_PREFIX } from './wire.js';

const DEFAULT_MEMBER = `${URN_PREFIX.person}sandboxMember`;
const DEFAULT_SCOPES = ['rw_conversions', 'r_ads', 'r_ads_reporting'];

function idOf(v: SeedId, prefix: string): string {
  const s = String(v);
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function timeOf(
  v: SeedTime | undefined,
  inSeconds: number | undefined,
  now: number,
  fallback: number | null,
) {
  if (inSeconds !== undefined) return now + inSeconds * 1000;
  if (v === undefined) return fallback;
  if (v === null || typeof v === 'number') return v;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new SeedError(`Invalid time ${v}`);
  return ms;
}

function deliveryOf(d: SeedDelivery | undefined): Delivery {
  return { cost: d?.cost ?? 0, impressions: d?.impressions ?? 0, clicks: d?.clicks ?? 0 };
}

/** Replaces the state's contents with the seed's. Times relative to start use `now`. */
export function applySeed(state: SandboxState, seed: SandboxSeed, now: number): void {
  state.clear();
  for (const a of seed.accounts ?? []) {
    const accountId = idOf(a.id, URN_PREFIX.account);
    state.accounts.set(accountId, {
      id: accountId,
      name: a.name,
      currency: a.currency,
      status: a.status ?? 'ACTIVE',
      type: a.type ?? 'BUSINESS',
      reference: a.reference,
      test: a.test ?? false,
    });
  }
  for (const c of seed.campaigns ?? []) {
    const campaignId = idOf(c.id, URN_PREFIX.campaign);
    const days: Record<string, Delivery> = {};
    for (const [day, d] of Object.entries(c.days ?? {})) days[day] = deliveryOf(d);
    state.campaigns.set(campaignId, {
      id: campaignId,
      account: idOf(c.account, URN_PREFIX.account),
      name: c.name,
      status: c.status ?? 'ACTIVE',
      type: c.type ?? 'SPONSORED_UPDATES',
      objectiveType: c.objectiveType ?? 'WEBSITE_CONVERSION',
      costType: c.costType ?? 'CPM',
      campaignGroup:
        c.campaignGroup === undefined ? undefined : idOf(c.campaignGroup, URN_PREFIX.campaignGroup),
      dailyBudget: c.dailyBudget,
      startDate: c.startDate,
      endDate: c.endDate,
      daily: deliveryOf(c.daily),
      days,
    });
  }
  for (const r of seed.rules ?? []) {
    const ruleId = idOf(r.id, URN_PREFIX.rule);
    state.addRule({
      id: ruleId,
      account: idOf(r.account, URN_PREFIX.account),
      name: r.name,
      conversionMethod: r.conversionMethod ?? 'CONVERSIONS_API',
      type: r.type,
      enabled: r.enabled ?? true,
      attributionType: r.attributionType ?? 'LAST_TOUCH_BY_CAMPAIGN',
      postClickAttributionWindowSize: r.postClickAttributionWindowSize ?? 30,
      viewThroughAttributionWindowSize: r.viewThroughAttributionWindowSize ?? 7,
      valueType: r.valueType ?? 'DYNAMIC',
      value: r.value,
      created: now,
      lastModified: now,
    });
    for (const c of r.campaigns ?? []) state.associate(idOf(c, URN_PREFIX.campaign), ruleId, now);
  }
  const accountsOf = (g: SeedGrant) => g.accounts?.map((a) => idOf(a, URN_PREFIX.account));
  for (const t of seed.tokens ?? []) {
    state.tokens.set(t.value, {
      value: t.value,
      member: t.member ?? DEFAULT_MEMBER,
      scopes: t.scopes ?? DEFAULT_SCOPES,
      role: t.role ?? 'ACCOUNT_MANAGER',
      accounts: accountsOf(t),
      expiresAt: timeOf(t.expiresAt, t.expiresInSeconds, now, null),
      revoked: t.revoked ?? false,
      createdAt: now,
      description: t.description,
    });
  }
  for (const c of seed.clients ?? []) state.clients.set(c.clientId, { ...c });
  for (const t of seed.refreshTokens ?? []) {
    state.refreshTokens.set(t.value, {
      value: t.value,
      clientId: t.clientId,
      member: t.member ?? DEFAULT_MEMBER,
      scopes: t.scopes ?? DEFAULT_SCOPES,
      role: t.role ?? 'ACCOUNT_MANAGER',
      accounts: accountsOf(t),
      expiresAt:
        timeOf(t.expiresAt, t.expiresInSeconds, now, now + 365 * 86_400_000) ?? Number.MAX_SAFE_INTEGER,
      revoked: t.revoked ?? false,
    });
  }
  for (const a of seed.authorizationCodes ?? []) {
    state.authorizationCodes.set(a.code, {
      code: a.code,
      clientId: a.clientId,
      member: a.member ?? DEFAULT_MEMBER,
      scopes: a.scopes ?? DEFAULT_SCOPES,
      role: a.role ?? 'ACCOUNT_MANAGER',
      accounts: accountsOf(a),
      redirectUri: a.redirectUri,
      used: false,
    });
  }
  state.changed();
}
