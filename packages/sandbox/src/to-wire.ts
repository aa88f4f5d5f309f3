/** Converts the sandbox's records to the JSON LinkedIn returns. */
import { parseIsoDay } from './clock.js';
import type { AccessToken, AdAccount, Campaign, ConversionRule } from './model.js';
import type { SandboxState } from './state.js';
import {
  URN_PREFIX,
  type WireAdAccount,
  type WireAdAccountUser,
  type WireCampaign,
  type WireConversionRule,
} from './wire.js';

export function ruleToWire(rule: ConversionRule, state: SandboxState): WireConversionRule {
  const campaigns = state.campaignsOfRule(rule.id).map((c) => `${URN_PREFIX.campaign}${c}`);
  const wire: WireConversionRule = {
    id: Number(rule.id),
    name: rule.name,
    account: `${URN_PREFIX.account}${rule.account}`,
    conversionMethod: rule.conversionMethod,
    type: rule.type,
    enabled: rule.enabled,
    attributionType: rule.attributionType,
    postClickAttributionWindowSize: rule.postClickAttributionWindowSize,
    viewThroughAttributionWindowSize: rule.viewThroughAttributionWindowSize,
    valueType: rule.valueType,
    created: rule.created,
    lastModified: rule.lastModified,
    campaigns,
    associatedCampaigns: [...campaigns],
    urlRules: [],
  };
  if (rule.value) wire.value = { ...rule.value };
  return wire;
}

export function accountToWire(a: AdAccount): WireAdAccount {
  const wire: WireAdAccount = {
    id: Number(a.id),
    name: a.name,
    currency: a.currency,
    status: a.status,
    type: a.type,
    servingStatuses: a.status === 'ACTIVE' && !a.test ? ['RUNNABLE'] : ['STOPPED'],
    test: a.test,
  };
  if (a.reference) wire.reference = a.reference;
  return wire;
}

export function campaignToWire(c: Campaign, currency: string): WireCampaign {
  const start = (parseIsoDay(c.startDate) ?? 0) * 86_400_000;
  const wire: WireCampaign = {
    id: Number(c.id),
    name: c.name,
    account: `${URN_PREFIX.account}${c.account}`,
    status: c.status,
    type: c.type,
    costType: c.costType,
    objectiveType: c.objectiveType,
    runSchedule: { start },
    test: false,
  };
  if (c.endDate) wire.runSchedule.end = ((parseIsoDay(c.endDate) ?? 0) + 1) * 86_400_000 - 1;
  if (c.campaignGroup) wire.campaignGroup = `${URN_PREFIX.campaignGroup}${c.campaignGroup}`;
  if (c.dailyBudget !== undefined)
    wire.dailyBudget = { currencyCode: currency, amount: String(c.dailyBudget) };
  return wire;
}

export function accountUserToWire(token: AccessToken, account: string): WireAdAccountUser {
  return { account: `${URN_PREFIX.account}${account}`, user: token.member, role: token.role };
}

/** Keeps only the projected top-level fields (`fields=a,b`); no projection returns everything. */
export function project<T extends object>(value: T, fields: ReadonlySet<string> | undefined): Partial<T> {
  if (!fields || fields.size === 0) return value;
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (fields.has(key as string)) out[key] = value[key];
  }
  return out;
}

/** Decimal string as LinkedIn writes money metrics: `2988.0`, `1412.37`. */
export function decimal(n: number): string {
  const rounded = Math.round(n * 10_000) / 10_000;
  const s = String(rounded);
  return Number.isInteger(rounded) ? `${s}.0` : s;
}
