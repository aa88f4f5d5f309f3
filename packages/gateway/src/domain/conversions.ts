/**
 * Which conversion rule an incoming event belongs to. Pure: built once from the configuration and
 * consulted per event, so the hot path is two map look-ups.
 *
 * A source may name the conversion by
 * - alias (case-insensitive), e.g. "lead" or "Qualified_Lead";
 * - rule id, as digits or as urn:lla:llaPartnerConversion:{id}.
 * An id the configuration does not list is still allowed when exactly one ad account is configured:
 * the rule can only belong to that account, and LinkedIn itself answers if it does not.
 */
import { ruleIdFromConversion } from '@capi-gateway/linkedin';
import type { RuleMapping } from '../config.js';

export interface ResolvedConversion {
  ruleId: string;
  account: string;
}

export type Resolution = { ok: true; rule: ResolvedConversion } | { ok: false; message: string };

export interface ConversionResolver {
  /** Alias, rule id or rule URN → the rule and its account. */
  resolve(conversion: string | number): Resolution;
  /** Rule id known to the configuration, with no single-account fallback (the LinkedIn route). */
  configuredRule(ruleId: string): ResolvedConversion | null;
  /** Configured aliases, sorted, for error messages. */
  readonly aliases: readonly string[];
}

export interface ResolverConfig {
  rules: readonly RuleMapping[];
  /** Ids of the configured ad accounts. */
  accounts: readonly string[];
}

/** Aliases are listed in messages; cap the list so a large config cannot bloat every rejection. */
const MAX_ALIASES_IN_MESSAGE = 20;

export function createConversionResolver(config: ResolverConfig): ConversionResolver {
  const byAlias = new Map<string, ResolvedConversion>();
  const byRule = new Map<string, ResolvedConversion>();
  for (const r of config.rules) {
    const rule = { ruleId: r.ruleId, account: r.account };
    byAlias.set(r.alias.toLowerCase(), rule);
    byRule.set(r.ruleId, rule);
  }
  const aliases = [...byAlias.keys()].sort();
  const onlyAccount = config.accounts.length === 1 ? (config.accounts[0] ?? null) : null;
  const aliasList =
    aliases.length === 0
      ? 'none are configured'
      : aliases.length > MAX_ALIASES_IN_MESSAGE
        ? `${aliases.slice(0, MAX_ALIASES_IN_MESSAGE).join(', ')} (and ${aliases.length - MAX_ALIASES_IN_MESSAGE} more)`
        : aliases.join(', ');
  const unknown = (what: string): Resolution => ({
    ok: false,
    message: `The conversion ${what} is not configured. Known aliases: ${aliasList}.`,
  });

  return {
    aliases,
    configuredRule: (ruleId) => byRule.get(ruleId) ?? null,
    resolve(conversion) {
      if (typeof conversion === 'string') {
        const alias = byAlias.get(conversion.trim().toLowerCase());
        if (alias) return { ok: true, rule: alias };
      }
      const ruleId = ruleIdFromConversion(conversion);
      if (ruleId === null) return unknown('alias');
      const known = byRule.get(ruleId);
      if (known) return { ok: true, rule: known };
      if (onlyAccount !== null) return { ok: true, rule: { ruleId, account: onlyAccount } };
      return unknown(`rule ${ruleId}`);
    },
  };
}

const CAMEL_BOUNDARY = /([a-z0-9])([A-Z])/g;
const NON_ALNUM = /[^a-z0-9]+/g;
const EDGE_UNDERSCORES = /^_+|_+$/g;

/** "Qualified Lead" | "QualifiedLead" | "qualified-lead" → "qualified_lead" (Segment event names). */
export function snakeCase(name: string): string {
  return name
    .replace(CAMEL_BOUNDARY, '$1_$2')
    .toLowerCase()
    .replace(NON_ALNUM, '_')
    .replace(EDGE_UNDERSCORES, '');
}
