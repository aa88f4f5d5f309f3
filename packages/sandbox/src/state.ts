/**
 * Everything the emulated LinkedIn knows: accounts, campaigns, conversion rules and their campaign
 * associations, OAuth clients and tokens, and accepted events. Mutations go through methods that
 * call `changed()`, which is how persistence learns there is something to write.
 *
 * Later (attribution simulator): members and their ad clicks/views join as further maps here; the
 * event log already keeps each event's `user` so matching can be added without changing ingest.
 */
import { EventLog, type EventLogSnapshot } from './event-log.js';
import type {
  AccessToken,
  AdAccount,
  Association,
  AuthorizationCode,
  Campaign,
  ConversionRule,
  OAuthClient,
  RefreshToken,
} from './model.js';

export interface StateSnapshot {
  format: 1;
  accounts: AdAccount[];
  campaigns: Campaign[];
  rules: ConversionRule[];
  associations: Association[];
  tokens: AccessToken[];
  refreshTokens: RefreshToken[];
  authorizationCodes: AuthorizationCode[];
  clients: OAuthClient[];
  nextRuleId: number;
  events: EventLogSnapshot;
}

const associationKey = (campaign: string, rule: string) => `${campaign}|${rule}`;

export class SandboxState {
  readonly accounts = new Map<string, AdAccount>();
  readonly campaigns = new Map<string, Campaign>();
  readonly rules = new Map<string, ConversionRule>();
  readonly associations = new Map<string, Association>();
  readonly tokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly authorizationCodes = new Map<string, AuthorizationCode>();
  readonly clients = new Map<string, OAuthClient>();
  readonly events: EventLog;
  nextRuleId = 1;
  readonly #listeners = new Set<() => void>();

  constructor(keepEvents: number) {
    this.events = new EventLog(keepEvents);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    for (const l of this.#listeners) l();
  }

  clear(): void {
    this.accounts.clear();
    this.campaigns.clear();
    this.rules.clear();
    this.associations.clear();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.authorizationCodes.clear();
    this.clients.clear();
    this.events.clear();
    this.nextRuleId = 1;
  }

  addRule(rule: Omit<ConversionRule, 'id'> & { id?: string }): ConversionRule {
    const id = rule.id ?? String(this.nextRuleId);
    const stored: ConversionRule = { ...rule, id };
    this.rules.set(id, stored);
    this.nextRuleId = Math.max(this.nextRuleId, Number(id) + 1);
    this.changed();
    return stored;
  }

  associate(campaign: string, rule: string, at: number): void {
    const key = associationKey(campaign, rule);
    if (this.associations.has(key)) return;
    this.associations.set(key, { campaign, rule, associatedAt: at });
    this.changed();
  }

  dissociate(campaign: string, rule: string): boolean {
    const removed = this.associations.delete(associationKey(campaign, rule));
    if (removed) this.changed();
    return removed;
  }

  isAssociated(campaign: string, rule: string): boolean {
    return this.associations.has(associationKey(campaign, rule));
  }

  campaignsOfRule(rule: string): string[] {
    const out: string[] = [];
    for (const a of this.associations.values()) if (a.rule === rule) out.push(a.campaign);
    return out.sort(byNumber);
  }

  rulesOfCampaign(campaign: string): string[] {
    const out: string[] = [];
    for (const a of this.associations.values()) if (a.campaign === campaign) out.push(a.rule);
    return out.sort(byNumber);
  }

  campaignsOfAccount(account: string): Campaign[] {
    return [...this.campaigns.values()]
      .filter((c) => c.account === account)
      .sort((a, b) => byNumber(a.id, b.id));
  }

  rulesOfAccount(account: string): ConversionRule[] {
    return [...this.rules.values()].filter((r) => r.account === account).sort((a, b) => byNumber(a.id, b.id));
  }

  toSnapshot(): StateSnapshot {
    return {
      format: 1,
      accounts: [...this.accounts.values()],
      campaigns: [...this.campaigns.values()],
      rules: [...this.rules.values()],
      associations: [...this.associations.values()],
      tokens: [...this.tokens.values()],
      refreshTokens: [...this.refreshTokens.values()],
      authorizationCodes: [...this.authorizationCodes.values()],
      clients: [...this.clients.values()],
      nextRuleId: this.nextRuleId,
      events: this.events.toSnapshot(),
    };
  }

  loadSnapshot(s: StateSnapshot): void {
    this.clear();
    for (const a of s.accounts) this.accounts.set(a.id, a);
    for (const c of s.campaigns) this.campaigns.set(c.id, c);
    for (const r of s.rules) this.rules.set(r.id, r);
    for (const a of s.associations) this.associations.set(associationKey(a.campaign, a.rule), a);
    for (const t of s.tokens) this.tokens.set(t.value, t);
    for (const t of s.refreshTokens) this.refreshTokens.set(t.value, t);
    for (const c of s.authorizationCodes) this.authorizationCodes.set(c.code, c);
    for (const c of s.clients) this.clients.set(c.clientId, c);
    this.nextRuleId = s.nextRuleId;
    this.events.loadSnapshot(s.events);
  }
}

function byNumber(a: string, b: string): number {
  return Number(a) - Number(b);
}
