/**
 * Seed files: the starting state of a sandbox (YAML or JSON). Parsed once with a schema so a typo
 * in a seed fails at start with the offending key named, never later in a request.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseIsoDay } from './clock.js';
import { type FaultSettings, faultSettingsSchema } from './faults.js';
import { fsReason } from './fs-reason.js';
import { type RateLimits, rateLimitsSchema } from './rate-limit.js';
import { seedIssueLines } from './seed-issues.js';
import {
  ACCOUNT_ROLES,
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  type AccountRole,
  type AccountStatus,
  type AccountType,
  ATTRIBUTION_TYPES,
  type AttributionType,
  CAMPAIGN_STATUSES,
  type CampaignStatus,
  CONVERSION_METHODS,
  CONVERSION_TYPES,
  type ConversionMethod,
  type ConversionType,
  VALUE_TYPES,
  type ValueType,
  type WireMoney,
} from './wire.js';

/** An id as digits (number or string) or as the matching URN. */
export type SeedId = string | number;
/** Epoch ms, an ISO timestamp, or null for "never". */
export type SeedTime = string | number | null;

export interface SeedAccount {
  id: SeedId;
  name: string;
  currency: string;
  status?: AccountStatus;
  type?: AccountType;
  reference?: string;
  test?: boolean;
}

export interface SeedDelivery {
  /** Spend in the account's currency. */
  cost?: number;
  impressions?: number;
  clicks?: number;
}

export interface SeedCampaign {
  id: SeedId;
  account: SeedId;
  name: string;
  status?: CampaignStatus;
  type?: string;
  objectiveType?: string;
  costType?: string;
  campaignGroup?: SeedId;
  dailyBudget?: number;
  /** `YYYY-MM-DD` (UTC). */
  startDate: string;
  endDate?: string;
  /** Delivery on each day of the schedule (not for DRAFT campaigns). */
  daily?: SeedDelivery;
  /** Per-day overrides keyed `YYYY-MM-DD`. */
  days?: Record<string, SeedDelivery>;
}

export interface SeedRule {
  id: SeedId;
  account: SeedId;
  name: string;
  type: ConversionType;
  /** Default CONVERSIONS_API. */
  conversionMethod?: ConversionMethod;
  enabled?: boolean;
  attributionType?: AttributionType;
  postClickAttributionWindowSize?: number;
  viewThroughAttributionWindowSize?: number;
  valueType?: ValueType;
  value?: WireMoney;
  /** Campaign ids associated with the rule. */
  campaigns?: SeedId[];
}

export interface SeedGrant {
  member?: string;
  scopes?: string[];
  role?: AccountRole;
  /** Account ids the grant covers; default every account. */
  accounts?: SeedId[];
}

export interface SeedToken extends SeedGrant {
  value: string;
  expiresAt?: SeedTime;
  /** Seconds from sandbox start; wins over expiresAt. */
  expiresInSeconds?: number;
  revoked?: boolean;
  description?: string;
}

export interface SeedRefreshToken extends SeedGrant {
  value: string;
  clientId: string;
  expiresAt?: SeedTime;
  expiresInSeconds?: number;
  revoked?: boolean;
}

export interface SeedClient {
  clientId: string;
  clientSecret: string;
}

export interface SeedAuthorizationCode extends SeedGrant {
  code: string;
  clientId: string;
  redirectUri?: string;
}

export interface SandboxSeed {
  accounts?: SeedAccount[];
  campaigns?: SeedCampaign[];
  rules?: SeedRule[];
  tokens?: SeedToken[];
  refreshTokens?: SeedRefreshToken[];
  clients?: SeedClient[];
  authorizationCodes?: SeedAuthorizationCode[];
  faults?: FaultSettings;
  limits?: Partial<RateLimits>;
}

const id = z.union([z.string().min(1), z.number().int().nonnegative()]);
const time = z.union([z.string(), z.number(), z.null()]);
const isoDay = z.string().refine((s) => parseIsoDay(s) !== undefined, 'expected YYYY-MM-DD');
const money = z.strictObject({ currencyCode: z.string(), amount: z.string() });
const delivery = z.strictObject({
  cost: z.number().nonnegative().optional(),
  impressions: z.number().int().nonnegative().optional(),
  clicks: z.number().int().nonnegative().optional(),
});
const grant = {
  member: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  accounts: z.array(id).optional(),
};

export const seedSchema = z.strictObject({
  accounts: z
    .array(
      z.strictObject({
        id,
        name: z.string(),
        currency: z.string().length(3),
        status: z.enum(ACCOUNT_STATUSES).optional(),
        type: z.enum(ACCOUNT_TYPES).optional(),
        reference: z.string().optional(),
        test: z.boolean().optional(),
      }),
    )
    .optional(),
  campaigns: z
    .array(
      z.strictObject({
        id,
        account: id,
        name: z.string(),
        status: z.enum(CAMPAIGN_STATUSES).optional(),
        type: z.string().optional(),
        objectiveType: z.string().optional(),
        costType: z.string().optional(),
        campaignGroup: id.optional(),
        dailyBudget: z.number().nonnegative().optional(),
        startDate: isoDay,
        endDate: isoDay.optional(),
        daily: delivery.optional(),
        days: z.record(isoDay, delivery).optional(),
      }),
    )
    .optional(),
  rules: z
    .array(
      z.strictObject({
        id,
        account: id,
        name: z.string(),
        type: z.enum(CONVERSION_TYPES),
        conversionMethod: z.enum(CONVERSION_METHODS).optional(),
        enabled: z.boolean().optional(),
        attributionType: z.enum(ATTRIBUTION_TYPES).optional(),
        postClickAttributionWindowSize: z.number().int().positive().optional(),
        viewThroughAttributionWindowSize: z.number().int().positive().optional(),
        valueType: z.enum(VALUE_TYPES).optional(),
        value: money.optional(),
        campaigns: z.array(id).optional(),
      }),
    )
    .optional(),
  tokens: z
    .array(
      z.strictObject({
        value: z.string().min(1),
        ...grant,
        expiresAt: time.optional(),
        expiresInSeconds: z.number().optional(),
        revoked: z.boolean().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  refreshTokens: z
    .array(
      z.strictObject({
        value: z.string().min(1),
        clientId: z.string(),
        ...grant,
        expiresAt: time.optional(),
        expiresInSeconds: z.number().optional(),
        revoked: z.boolean().optional(),
      }),
    )
    .optional(),
  clients: z
    .array(z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }))
    .optional(),
  authorizationCodes: z
    .array(
      z.strictObject({
        code: z.string().min(1),
        clientId: z.string(),
        redirectUri: z.string().optional(),
        ...grant,
      }),
    )
    .optional(),
  faults: faultSettingsSchema.optional(),
  limits: rateLimitsSchema.optional(),
});

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

/** Validates a seed object (from code, YAML or JSON); throws SeedError naming each bad key. */
export function parseSeed(input: unknown, source = 'seed'): SandboxSeed {
  const result = seedSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = seedIssueLines(result.error.issues, seedSchema);
    throw new SeedError(`Invalid ${source}:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  return result.data;
}

/** Reads a `.json`, `.yaml` or `.yml` seed file. */
export function loadSeedFile(path: string): SandboxSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SeedError(`Cannot read seed file ${path}: ${fsReason(err)}.`);
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SeedError(`Cannot parse seed file ${path}: ${(err as Error).message}`);
  }
  return parseSeed(data, `seed file ${path}`);
}
