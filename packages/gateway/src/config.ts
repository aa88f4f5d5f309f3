/**
 * Configuration: the only module that reads `process.env`. It parses an optional YAML file and the
 * environment once, validates both with one zod schema, and returns a frozen `GatewayConfig`.
 * Every error names the key (YAML path or environment variable) and what is wrong with it.
 */
import { readFileSync } from 'node:fs';
import { HASHED_NAMES_SINCE, supportsHashedNames } from '@capi-gateway/linkedin';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import {
  isServiceLink,
  knownKeysOf,
  type UnknownVariable,
  unknownKeyMessage,
  unknownVariables,
} from './config-keys.js';
import { isJsonObject } from './json-object.js';
import { DEFAULT_PG_CONNECT_TIMEOUT_MS, DEFAULT_PG_QUERY_TIMEOUT_MS } from './store/postgres/pool.js';
import { DEFAULT_CACHE_MIB } from './store/sqlite/pragmas.js';
import { wholeNumber } from './whole-number.js';

const DAY_MS = 86_400_000;

export interface RuleMapping {
  /** Lower-cased alias used by sources, e.g. `lead`, `qualified_lead`. */
  alias: string;
  /** LinkedIn conversion rule id (digits). */
  ruleId: string;
  /** Ad account id (digits) the rule belongs to. */
  account: string;
}

export interface AccountConfig {
  /** Ad account id (digits). */
  id: string;
  /** LinkedIn access token for this account; null in sandbox mode until the sandbox issues one. */
  token: string | null;
  limits: { perMinute: number; perDay: number };
}

export interface SourceConfig {
  name: string;
  key: string;
}

export interface GatewayConfig {
  port: number;
  host: string;
  /** Largest accepted request body, in bytes (decoded). */
  bodyLimitBytes: number;
  /** Most events accepted in one ingest request. */
  maxEventsPerRequest: number;
  /** Declared request-body bytes worked on at once; more requests wait unread (docs/configuration.md). */
  maxInFlightBytes: number;
  /** V8 old-generation growth before the next full collection, in percent; 0 = V8's own (heap-growth.ts). */
  heapGrowthPercent: number;
  /** Whether V8 may allocate objects straight into the old generation by allocation site (pretenuring.ts). */
  allocationSitePretenuring: boolean;
  /** Wrong keys or tokens one client address may send per minute before it gets 429; 0 = no limit. */
  authFailuresPerMinute: number;
  /** How long an Idempotency-Key of POST /v1/events is remembered, in ms (server.idempotencyKeyHours). */
  idempotencyWindowMs: number;
  storeUrl: string;
  durability: 'normal' | 'strict';
  /** SQLite only: the connection runs on its own thread (default true). */
  storeThread: boolean;
  /** SQLite only: the page cache's ceiling, in MiB (docs/stores.md). */
  sqliteCacheMiB: number;
  /** SQLite only: checkpoints on a thread of their own (default true; docs/stores.md). */
  sqliteCheckpointThread: boolean;
  /** PostgreSQL only: give up on opening a connection after this long (store/postgres/pool.ts). */
  pgConnectTimeoutMs: number;
  /** PostgreSQL only: give up on any one query after this long; migrations are exempt. */
  pgQueryTimeoutMs: number;
  dedupWindowMs: number;
  retentionMs: number;
  linkedin: { baseUrl: string; oauthBaseUrl: string; version: string; timeoutMs: number };
  /** True when no account has a LinkedIn token: the gateway runs the sandbox in-process. */
  sandbox: boolean;
  delivery: {
    batchSize: number;
    lingerMs: number;
    leaseMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    /** Concurrent LinkedIn requests per process. */
    concurrency: number;
    /** How often the worker looks for due events when idle. */
    pollMs: number;
  };
  accounts: AccountConfig[];
  rules: RuleMapping[];
  sources: SourceConfig[];
  adminToken: string | null;
  identity: { hashNames: boolean; hashIp: boolean; cleanCompanySuffix: boolean };
  /**
   * Segment routes: what a track call whose event maps to no conversion gets. `reject` (default):
   * `rejected` with CONVERSION_UNKNOWN; `ignore`: `ignored` with SEGMENT_EVENT_UNMAPPED, for a Segment
   * source that forwards every track call (docs/api.md, Segment-compatible).
   */
  segment: { unmappedEvents: 'reject' | 'ignore' };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long SIGTERM waits for in-flight work, in milliseconds. */
  shutdownGraceMs: number;
  /**
   * Milliseconds the listener stays open after SIGTERM, answering 503 (intake and /readyz), so a
   * load balancer sees the instance go unready before its connections are refused.
   */
  drainMs: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: Array<{ key: string; message: string }>) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const digits = z.string().regex(/^\d+$/, 'must be a numeric id');
const accountId = z
  .union([z.string(), z.number()], {
    error: 'must be the ad account id: digits or urn:li:sponsoredAccount:<digits>',
  })
  .transform((v) => String(v).replace(/^urn:li:sponsoredAccount:/, ''))
  .pipe(digits);
const ruleId = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).replace(/^urn:lla:llaPartnerConversion:/, ''))
  .pipe(digits);

/**
 * Settings arrive as YAML values or as environment text. Text is read as a number only when it is
 * written in plain decimal, and as a boolean only where the setting is one: JavaScript's own
 * conversion would take `0x1F90` as 8080, `1e3` as 1000 and `''` as 0, and reading every variable
 * as a possible boolean first made `yes` a 1 and `off` a 0. Spaces and line ends around the
 * number are dropped: env files and config maps leave them there ("600\n", "600\r").
 */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const fromText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && PLAIN_DECIMAL.test(v.trim()) ? Number(v) : v), schema);
const positive = () => wholeNumber().positive({ error: 'Must be greater than 0.' });
const wholeSetting = (min: number, max?: number) =>
  fromText(max === undefined ? wholeNumber().min(min) : wholeNumber().min(min).max(max));
const positiveSetting = (max?: number, maxMessage?: string) =>
  fromText(max === undefined ? positive() : positive().max(max, maxMessage));

const PORT_SETTING = wholeSetting(0, 65535);

const TRUE_WORDS = /^(true|1|yes|on)$/i;
const FALSE_WORDS = /^(false|0|no|off)$/i;
const flag = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (TRUE_WORDS.test(v) ? true : FALSE_WORDS.test(v) ? false : v) : v),
    z.boolean({ error: 'Must be true or false.' }),
  );

/** The YAML file's shape. Every key is optional: defaults live in `DEFAULTS` below. */
const fileSchema = z
  .object({
    server: z
      .object({
        port: PORT_SETTING,
        host: z.string().min(1),
        bodyLimitBytes: positiveSetting(),
        maxEventsPerRequest: positiveSetting(5000),
        maxInFlightBytes: positiveSetting(),
        heapGrowthPercent: wholeSetting(0, 400),
        allocationSitePretenuring: flag(),
        authFailuresPerMinute: wholeSetting(0),
        idempotencyKeyHours: positiveSetting(24 * 90),
        shutdownGraceMs: wholeSetting(0),
        drainMs: wholeSetting(0, 300_000),
      })
      .partial()
      .strict(),
    store: z
      .object({
        url: z.string().min(1),
        durability: z.enum(['normal', 'strict']),
        dedupWindowDays: positiveSetting(),
        retentionDays: positiveSetting(),
        thread: flag(),
        sqliteCacheMiB: positiveSetting(4096),
        sqliteCheckpointThread: flag(),
        pgConnectTimeoutMs: positiveSetting(),
        pgQueryTimeoutMs: positiveSetting(),
      })
      .partial()
      .strict(),
    linkedin: z
      .object({
        apiBaseUrl: z.url(),
        oauthBaseUrl: z.url(),
        // A number too: `version: 202609` unquoted is how most people write it in YAML.
        version: z
          .union([z.string(), z.number()])
          .transform(String)
          .pipe(z.string().regex(/^\d{6}$/, 'must be YYYYMM, e.g. 202609')),
        timeoutMs: positiveSetting(),
      })
      .partial()
      .strict(),
    delivery: z
      .object({
        batchSize: positiveSetting(5000, 'LinkedIn accepts at most 5000 events per request'),
        lingerMs: wholeSetting(0),
        leaseMs: positiveSetting(),
        retryBaseMs: positiveSetting(),
        retryMaxMs: positiveSetting(),
        concurrency: positiveSetting(),
        pollMs: positiveSetting(),
      })
      .partial()
      .strict(),
    accounts: z.array(
      z
        .object({
          // Checked in resolve(): a missing id is an error unless the environment made the account and
          // nothing is sent for it (sandbox mode, capi validate, capi migrate).
          id: accountId.optional(),
          token: z.string().min(1).optional(),
          requestsPerMinute: positiveSetting().optional(),
          requestsPerDay: positiveSetting().optional(),
          conversions: z.record(z.string().min(1), ruleId).optional(),
        })
        .strict(),
    ),
    sources: z.array(
      z
        .object({
          name: z.string().min(1),
          key: z
            .string()
            .min(16, 'use at least 16 characters')
            // Clients send it as one token (Authorization: Bearer <key>), which cannot hold a space.
            .regex(/^\S+$/, 'must not contain spaces'),
        })
        .strict(),
    ),
    adminToken: z.string().min(16, 'use at least 16 characters'),
    identity: z.object({ hashNames: flag(), hashIp: flag(), cleanCompanySuffix: flag() }).partial().strict(),
    segment: z
      .object({ unmappedEvents: z.enum(['reject', 'ignore']) })
      .partial()
      .strict(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  })
  .partial()
  .strict();

export type ConfigFile = z.infer<typeof fileSchema>;

/** The file's keys by section, for naming the key an unknown one most likely meant. */
const FILE_KEYS = knownKeysOf(fileSchema);

/** Defaults, in one place. */
export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  bodyLimitBytes: 5 * 1024 * 1024,
  maxEventsPerRequest: 5000,
  maxInFlightBytes: 1024 * 1024,
  heapGrowthPercent: 15,
  allocationSitePretenuring: false,
  authFailuresPerMinute: 60,
  idempotencyKeyHours: 24,
  storeUrl: 'sqlite:./.capi/gateway.db',
  durability: 'normal',
  sqliteCacheMiB: DEFAULT_CACHE_MIB,
  dedupWindowDays: 90,
  retentionDays: 180,
  apiBaseUrl: 'https://api.linkedin.com',
  oauthBaseUrl: 'https://www.linkedin.com',
  version: '202609',
  timeoutMs: 30_000,
  batchSize: 5000,
  lingerMs: 200,
  leaseMs: 60_000,
  retryBaseMs: 1_000,
  retryMaxMs: 300_000,
  concurrency: 4,
  pollMs: 100,
  requestsPerMinute: 600,
  requestsPerDay: 500_000,
  logLevel: 'info',
  shutdownGraceMs: 10_000,
  drainMs: 0,
  segmentUnmappedEvents: 'reject',
} as const;

/**
 * Environment variables, each mapped to the YAML path it overrides. Unlisted settings can be set
 * with `CAPI_<SECTION>_<KEY>` in upper snake case, e.g. `CAPI_DELIVERY_LINGER_MS`.
 */
export const ENV_VARS: Record<string, string> = {
  CAPI_PORT: 'server.port',
  CAPI_HOST: 'server.host',
  CAPI_STORE_URL: 'store.url',
  CAPI_DURABILITY: 'store.durability',
  LINKEDIN_API_BASE_URL: 'linkedin.apiBaseUrl',
  LINKEDIN_OAUTH_BASE_URL: 'linkedin.oauthBaseUrl',
  LINKEDIN_VERSION: 'linkedin.version',
  CAPI_ADMIN_TOKEN: 'adminToken',
  CAPI_LOG_LEVEL: 'logLevel',
};

const GENERIC_ENV: Record<string, string> = {
  CAPI_SERVER_BODY_LIMIT_BYTES: 'server.bodyLimitBytes',
  CAPI_SERVER_MAX_EVENTS_PER_REQUEST: 'server.maxEventsPerRequest',
  CAPI_SERVER_MAX_IN_FLIGHT_BYTES: 'server.maxInFlightBytes',
  CAPI_SERVER_HEAP_GROWTH_PERCENT: 'server.heapGrowthPercent',
  CAPI_SERVER_ALLOCATION_SITE_PRETENURING: 'server.allocationSitePretenuring',
  CAPI_SERVER_AUTH_FAILURES_PER_MINUTE: 'server.authFailuresPerMinute',
  CAPI_SERVER_IDEMPOTENCY_KEY_HOURS: 'server.idempotencyKeyHours',
  CAPI_SERVER_SHUTDOWN_GRACE_MS: 'server.shutdownGraceMs',
  CAPI_SERVER_DRAIN_MS: 'server.drainMs',
  CAPI_STORE_DEDUP_WINDOW_DAYS: 'store.dedupWindowDays',
  CAPI_STORE_RETENTION_DAYS: 'store.retentionDays',
  CAPI_STORE_THREAD: 'store.thread',
  CAPI_STORE_SQLITE_CACHE_MIB: 'store.sqliteCacheMiB',
  CAPI_STORE_SQLITE_CHECKPOINT_THREAD: 'store.sqliteCheckpointThread',
  CAPI_STORE_PG_CONNECT_TIMEOUT_MS: 'store.pgConnectTimeoutMs',
  CAPI_STORE_PG_QUERY_TIMEOUT_MS: 'store.pgQueryTimeoutMs',
  CAPI_LINKEDIN_TIMEOUT_MS: 'linkedin.timeoutMs',
  CAPI_DELIVERY_BATCH_SIZE: 'delivery.batchSize',
  CAPI_DELIVERY_LINGER_MS: 'delivery.lingerMs',
  CAPI_DELIVERY_LEASE_MS: 'delivery.leaseMs',
  CAPI_DELIVERY_RETRY_BASE_MS: 'delivery.retryBaseMs',
  CAPI_DELIVERY_RETRY_MAX_MS: 'delivery.retryMaxMs',
  CAPI_DELIVERY_CONCURRENCY: 'delivery.concurrency',
  CAPI_DELIVERY_POLL_MS: 'delivery.pollMs',
  CAPI_IDENTITY_HASH_NAMES: 'identity.hashNames',
  CAPI_IDENTITY_HASH_IP: 'identity.hashIp',
  CAPI_IDENTITY_CLEAN_COMPANY_SUFFIX: 'identity.cleanCompanySuffix',
  CAPI_SEGMENT_UNMAPPED_EVENTS: 'segment.unmappedEvents',
};

/** Every variable that sets one value of the file, with that value's path. */
const VARIABLE_PATHS: Readonly<Record<string, string>> = { ...ENV_VARS, ...GENERIC_ENV };

/** The variable in `env` that set the value at `path`, if one did. */
function variableOf(path: string, env: Env): string | undefined {
  for (const [name, p] of Object.entries(VARIABLE_PATHS)) if (p === path && given(env[name])) return name;
  return undefined;
}

type Env = Record<string, string | undefined>;

/** An empty variable counts as unset, as `CAPI_PORT= capi start` in a shell means. */
function given(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * Sets `path`, creating the sections it lacks. A section the file holds as something other than a
 * mapping (`server: 5`) is left as it is: the override would replace it and hide its error.
 */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined) node[part] = {};
    const next = node[part];
    if (!isJsonObject(next)) return;
    node = next;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * `lead=22285180,purchase=22285181` → { lead: '22285180', purchase: '22285181' }. An alias given
 * twice (aliases are case-insensitive) or an entry with more than one `=` is refused: kept as a
 * map, the first would silently lose to the second, and the extra part would be dropped.
 */
export function parseConversionsList(raw: string, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  const issues: Array<{ key: string; message: string }> = [];
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parts = pair.split('=').map((s) => s.trim());
    const [alias, id] = parts;
    if (parts.length !== 2 || !alias || !id) {
      issues.push({ key, message: `"${pair}" is not of the form alias=ruleId` });
      continue;
    }
    const folded = alias.toLowerCase();
    if (seen.has(folded)) {
      issues.push({ key, message: `alias "${folded}" is listed twice (aliases ignore case)` });
      continue;
    }
    seen.add(folded);
    out[alias] = id;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

/**
 * `website:key1,crm:key2` → [{name:'website',key:'key1'}, …]; a key may contain colons. Spaces
 * around names and keys are dropped: a client could never send a key with them. Messages name the
 * entry by position, never by content, since the content is a secret.
 */
export function parseSourceKeys(raw: string, key: string): Array<{ name: string; key: string }> {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair, i) => {
      const at = pair.indexOf(':');
      const name = at < 0 ? '' : pair.slice(0, at).trim();
      const secret = at < 0 ? '' : pair.slice(at + 1).trim();
      if (name === '' || secret === '') {
        throw new ConfigError([{ key, message: `entry ${i + 1} is not of the form name:key` }]);
      }
      return { name, key: secret };
    });
}

/** The environment's single-account shortcut: each variable and the field of the first account it sets. */
const ACCOUNT_SHORTCUT: ReadonlyArray<[string, string]> = [
  ['LINKEDIN_AD_ACCOUNT', 'id'],
  ['LINKEDIN_ACCESS_TOKEN', 'token'],
  ['CAPI_LINKEDIN_RPM', 'requestsPerMinute'],
  ['CAPI_LINKEDIN_DAILY', 'requestsPerDay'],
  ['CAPI_CONVERSIONS', 'conversions'],
];

/**
 * Every environment variable the gateway and its CLI read. A variable with the gateway's prefixes
 * that is not here gets a warning at start (config-keys.ts).
 */
export const KNOWN_VARIABLES: readonly string[] = [
  ...Object.keys(VARIABLE_PATHS),
  ...ACCOUNT_SHORTCUT.map(([name]) => name),
  'CAPI_SOURCE_KEYS',
  'CAPI_CONFIG',
  // The admin CLI's gateway URL (cli/admin.ts).
  'CAPI_URL',
];

/** Variables with the gateway's prefixes that it does not read, each with the one it likely meant. */
export function unknownEnvironmentVariables(env: Env = process.env): UnknownVariable[] {
  return unknownVariables(env, KNOWN_VARIABLES);
}

interface Merged {
  raw: Record<string, unknown>;
  /** The first account exists only because of the shortcut variables: the file lists none. */
  accountFromEnvOnly: boolean;
}

/**
 * Merges environment overrides into the file's raw object (before validation). Values stay text:
 * the schema decides what each setting's text may be.
 */
function applyEnv(raw: Record<string, unknown>, env: Env): Merged {
  const merged = structuredClone(raw);
  for (const [name, path] of Object.entries(VARIABLE_PATHS)) {
    const value = env[name];
    if (given(value)) setPath(merged, path, value);
  }
  if (given(env.CAPI_SOURCE_KEYS)) merged.sources = parseSourceKeys(env.CAPI_SOURCE_KEYS, 'CAPI_SOURCE_KEYS');

  // The single-account shortcut: LINKEDIN_AD_ACCOUNT, LINKEDIN_ACCESS_TOKEN, CAPI_CONVERSIONS,
  // CAPI_LINKEDIN_RPM and CAPI_LINKEDIN_DAILY describe the first account of the file (or a new one).
  const set = ACCOUNT_SHORTCUT.filter(([name]) => given(env[name]));
  const fileAccounts = merged.accounts;
  const fileFirst = Array.isArray(fileAccounts) ? (fileAccounts[0] as unknown) : undefined;
  // A malformed `accounts` or first account stays as the file has it, so that its error is reported.
  if (
    set.length === 0 ||
    (fileAccounts !== undefined && !Array.isArray(fileAccounts)) ||
    (fileFirst !== undefined && !isJsonObject(fileFirst))
  ) {
    return { raw: merged, accountFromEnvOnly: false };
  }
  const first: Record<string, unknown> = { ...(fileFirst ?? {}) };
  for (const [name, field] of set) {
    const value = env[name] as string;
    first[field] = field === 'conversions' ? parseConversionsList(value, name) : value;
  }
  const accounts = Array.isArray(fileAccounts) ? [...fileAccounts] : [];
  accounts[0] = first;
  merged.accounts = accounts;
  return { raw: merged, accountFromEnvOnly: fileFirst === undefined };
}

/**
 * A YAML syntax error without the excerpt of the file the parser quotes under its message, nor any
 * source text a message names after ": ": the line at fault may hold a token, and the error is
 * printed and logged. The reason, line, column and the parser's code are enough to find it.
 */
export function yamlSyntaxText(err: unknown): string {
  if (!(err instanceof YAMLParseError)) return 'not valid YAML';
  const firstLine = err.message.split('\n')[0] ?? '';
  const reason = firstLine.replace(/ at line \d+, column \d+:?$/, '').split(': ')[0];
  const at = err.linePos?.[0];
  return `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${reason} (${err.code})`;
}

/** Names the environment variable behind a YAML path, for error messages. */
function keyName(path: string, env: Env): string {
  const name = variableOf(path, env);
  if (name !== undefined) return `${name} (${path})`;
  // The single-account shortcut sets a field of the first account (conversions: each alias in it).
  for (const [shortcut, field] of ACCOUNT_SHORTCUT) {
    const at = `accounts.0.${field}`;
    if ((path === at || path.startsWith(`${at}.`)) && given(env[shortcut])) return `${shortcut} (${path})`;
  }
  if (path.startsWith('sources') && given(env.CAPI_SOURCE_KEYS)) return `CAPI_SOURCE_KEYS (${path})`;
  return path;
}

/**
 * What the configuration is loaded for. `start` (the default) needs everything serving and
 * delivering take. `validate` (capi validate) and `migrate` (capi migrate) send nothing and take no
 * requests, so they do not ask for source keys, the ad account's id or a token for every account.
 */
export type ConfigPurpose = 'start' | 'validate' | 'migrate';

export interface LoadConfigOptions {
  env?: Env;
  /** YAML file path, as given with `--config`; defaults to env CAPI_CONFIG; none when neither is set. */
  file?: string;
  /** Raw YAML text, for tests. */
  yamlText?: string;
  purpose?: ConfigPurpose;
}

export function loadConfig(options: LoadConfigOptions = {}): Readonly<GatewayConfig> {
  const env = options.env ?? process.env;
  let raw: Record<string, unknown> = {};
  const file = options.file ?? env.CAPI_CONFIG;
  const fileKey = options.file !== undefined ? '--config' : 'CAPI_CONFIG';
  const text = options.yamlText ?? (file ? readConfigFile(file, fileKey) : undefined);
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError([{ key: file ?? 'config', message: yamlSyntaxText(err) }]);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ConfigError([{ key: file ?? 'config', message: 'the file must hold a YAML mapping' }]);
      }
      raw = parsed as Record<string, unknown>;
    }
  }
  const merged = applyEnv(raw, env);
  const result = fileSchema.safeParse(merged.raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? // One entry per key, each with the key it most likely meant.
            issue.keys.map((key) => ({
              key: [...issue.path.map(String), key].join('.'),
              message: unknownKeyMessage(FILE_KEYS, issue.path, key),
            }))
          : [
              {
                key: keyName(issue.path.join('.'), env) || 'config',
                message: withServiceLinkHint(issue.message, issue.path.join('.'), env),
              },
            ],
      ),
    );
  }
  return resolve(result.data, {
    purpose: options.purpose ?? 'start',
    accountFromEnvOnly: merged.accountFromEnvOnly,
    keyOf: (path) => keyName(path, env),
  });
}

/**
 * A setting whose variable holds a Kubernetes service link (`CAPI_PORT=tcp://10.0.0.7:8080`, made for
 * a Service named `capi` in the namespace) gets told so: the value is no typo of the operator's.
 */
function withServiceLinkHint(message: string, path: string, env: Env): string {
  const name = variableOf(path, env);
  if (name === undefined || !isServiceLink(name, env[name])) return message;
  // Kubernetes names `<SERVICE>_PORT` after the Service, upper-cased, dashes as underscores.
  const service = name.endsWith('_PORT')
    ? `"${name.slice(0, -5).toLowerCase().replace(/_/g, '-')}"`
    : 'after it';
  return `${message} Its value looks like a Kubernetes service link, which a Service named ${service} in this namespace makes: rename that Service, or set enableServiceLinks: false in the pod spec.`;
}

function readConfigFile(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ key, message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
}

/**
 * Stands in for the id of the shortcut's account when LINKEDIN_AD_ACCOUNT is not set and nothing is
 * sent for it: sandbox mode delivers for the sandbox's demo account instead, and `capi validate`
 * sends nothing (no payload holds the account).
 */
const ACCOUNT_NOT_SET = '0';

interface ResolveContext {
  purpose: ConfigPurpose;
  accountFromEnvOnly: boolean;
  /** The key an error names for a YAML path: with the environment variable, when one set it. */
  keyOf(path: string): string;
}

function resolve(file: ConfigFile, ctx: ResolveContext): Readonly<GatewayConfig> {
  const issues: Array<{ key: string; message: string }> = [];
  const issue = (path: string, message: string) => issues.push({ key: ctx.keyOf(path), message });
  const serving = ctx.purpose === 'start';
  const accounts: AccountConfig[] = [];
  const rules: RuleMapping[] = [];
  const seenAlias = new Map<string, string>();
  const seenRule = new Map<string, string>();
  const sandbox = !(file.accounts ?? []).some((a) => a.token !== undefined);
  (file.accounts ?? []).forEach((acct, i) => {
    if (acct.id === undefined) {
      if (i === 0 && ctx.accountFromEnvOnly) {
        // Without an id a live gateway would deliver for no account, and its events would wait forever.
        if (serving && !sandbox) {
          issues.push({
            key: 'LINKEDIN_AD_ACCOUNT (accounts.0.id)',
            message:
              'live mode (a LinkedIn token is set) needs the ad account the events are for: its id or urn:li:sponsoredAccount: URN',
          });
        }
      } else {
        issue(
          `accounts.${i}.id`,
          `missing: the ad account id, digits or urn:li:sponsoredAccount:<digits>${i === 0 ? ' (or LINKEDIN_AD_ACCOUNT)' : ''}`,
        );
      }
    }
    const id = acct.id ?? ACCOUNT_NOT_SET;
    if (acct.id !== undefined && accounts.some((a) => a.id === id)) {
      issue(`accounts.${i}.id`, `account ${id} is listed twice`);
    }
    accounts.push({
      id,
      token: acct.token ?? null,
      limits: {
        perMinute: acct.requestsPerMinute ?? DEFAULTS.requestsPerMinute,
        perDay: acct.requestsPerDay ?? DEFAULTS.requestsPerDay,
      },
    });
    for (const [alias, ruleId] of Object.entries(acct.conversions ?? {})) {
      const key = alias.trim().toLowerCase();
      if (seenAlias.has(key)) issue(`accounts.${i}.conversions.${alias}`, `alias "${key}" is mapped twice`);
      const owner = seenRule.get(ruleId);
      if (owner !== undefined && owner !== id) {
        issue(`accounts.${i}.conversions.${alias}`, `rule ${ruleId} already belongs to account ${owner}`);
      }
      seenAlias.set(key, ruleId);
      seenRule.set(ruleId, id);
      rules.push({ alias: key, ruleId, account: id });
    }
  });
  const withToken = accounts.filter((a) => a.token !== null);
  if (serving && withToken.length > 0 && withToken.length < accounts.length) {
    const missing = accounts.findIndex((a) => a.token === null);
    issue(
      `accounts.${missing}.token`,
      'every account needs a token once any account has one (live mode); remove all tokens for sandbox mode',
    );
  }
  const sources = file.sources ?? [];
  if (serving && !sandbox && sources.length === 0) {
    issues.push({ key: 'CAPI_SOURCE_KEYS', message: 'live mode needs at least one source key (name:key)' });
  }
  const names = new Set<string>();
  sources.forEach((s, i) => {
    if (names.has(s.name)) issue(`sources.${i}.name`, `source "${s.name}" is listed twice`);
    names.add(s.name);
    // A key shared by two sources would be credited to the first one listed.
    const sharing = sources.findIndex((other) => other.key === s.key);
    if (sharing < i) {
      issue(
        `sources.${i}.key`,
        `the same key as source "${sources[sharing]?.name}": give each source its own`,
      );
    }
  });
  const version = file.linkedin?.version ?? DEFAULTS.version;
  if (file.identity?.hashNames === true && !supportsHashedNames(version)) {
    // Otherwise every event with a name would be refused with HASHED_NAME_VERSION.
    issue(
      'identity.hashNames',
      `hashed names need LinkedIn-Version ${HASHED_NAMES_SINCE} or later, but ${ctx.keyOf('linkedin.version')} is ${version}: raise the version or turn name hashing off`,
    );
  }
  const leaseMs = file.delivery?.leaseMs ?? DEFAULTS.leaseMs;
  const timeoutMs = file.linkedin?.timeoutMs ?? DEFAULTS.timeoutMs;
  if (serving && leaseMs < 2 * timeoutMs) {
    // The worker sends only while half the lease is left; a request allowed to run longer than that
    // half could outlive the lease, and the events be claimed and sent again by another slot.
    issue(
      'delivery.leaseMs',
      `must be at least twice ${ctx.keyOf('linkedin.timeoutMs')} (${timeoutMs} ms), so a LinkedIn request always ends inside its lease and its events are never sent twice: raise it to ${2 * timeoutMs} or more, or lower the timeout`,
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const config: GatewayConfig = {
    port: file.server?.port ?? DEFAULTS.port,
    host: file.server?.host ?? DEFAULTS.host,
    bodyLimitBytes: file.server?.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    maxEventsPerRequest: file.server?.maxEventsPerRequest ?? DEFAULTS.maxEventsPerRequest,
    maxInFlightBytes: file.server?.maxInFlightBytes ?? DEFAULTS.maxInFlightBytes,
    heapGrowthPercent: file.server?.heapGrowthPercent ?? DEFAULTS.heapGrowthPercent,
    allocationSitePretenuring: file.server?.allocationSitePretenuring ?? DEFAULTS.allocationSitePretenuring,
    authFailuresPerMinute: file.server?.authFailuresPerMinute ?? DEFAULTS.authFailuresPerMinute,
    idempotencyWindowMs: (file.server?.idempotencyKeyHours ?? DEFAULTS.idempotencyKeyHours) * 3_600_000,
    shutdownGraceMs: file.server?.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
    drainMs: file.server?.drainMs ?? DEFAULTS.drainMs,
    storeUrl: file.store?.url ?? DEFAULTS.storeUrl,
    durability: file.store?.durability ?? DEFAULTS.durability,
    storeThread: file.store?.thread ?? true,
    sqliteCacheMiB: file.store?.sqliteCacheMiB ?? DEFAULTS.sqliteCacheMiB,
    sqliteCheckpointThread: file.store?.sqliteCheckpointThread ?? true,
    pgConnectTimeoutMs: file.store?.pgConnectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS,
    pgQueryTimeoutMs: file.store?.pgQueryTimeoutMs ?? DEFAULT_PG_QUERY_TIMEOUT_MS,
    dedupWindowMs: (file.store?.dedupWindowDays ?? DEFAULTS.dedupWindowDays) * DAY_MS,
    retentionMs: (file.store?.retentionDays ?? DEFAULTS.retentionDays) * DAY_MS,
    linkedin: {
      baseUrl: (file.linkedin?.apiBaseUrl ?? DEFAULTS.apiBaseUrl).replace(/\/+$/, ''),
      oauthBaseUrl: (file.linkedin?.oauthBaseUrl ?? DEFAULTS.oauthBaseUrl).replace(/\/+$/, ''),
      version,
      timeoutMs,
    },
    sandbox,
    delivery: {
      batchSize: file.delivery?.batchSize ?? DEFAULTS.batchSize,
      lingerMs: file.delivery?.lingerMs ?? DEFAULTS.lingerMs,
      leaseMs,
      retryBaseMs: file.delivery?.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: file.delivery?.retryMaxMs ?? DEFAULTS.retryMaxMs,
      concurrency: file.delivery?.concurrency ?? DEFAULTS.concurrency,
      pollMs: file.delivery?.pollMs ?? DEFAULTS.pollMs,
    },
    accounts,
    rules,
    sources,
    adminToken: file.adminToken ?? null,
    identity: {
      hashNames: file.identity?.hashNames ?? false,
      hashIp: file.identity?.hashIp ?? false,
      cleanCompanySuffix: file.identity?.cleanCompanySuffix ?? false,
    },
    segment: { unmappedEvents: file.segment?.unmappedEvents ?? DEFAULTS.segmentUnmappedEvents },
    logLevel: file.logLevel ?? DEFAULTS.logLevel,
  };
  return deepFreeze(config);
}

/**
 * Where the admin commands (`capi status`, `capi dlq`, `capi accounts`) find the gateway when
 * neither --url nor CAPI_URL says: where `capi start` listens with the same environment (CAPI_HOST,
 * CAPI_PORT), a wildcard address reached over loopback.
 */
export function adminTargetUrl(env: Env = process.env): string {
  let port: number = DEFAULTS.port;
  if (given(env.CAPI_PORT)) {
    // Read by the schema `capi start` reads it with.
    const read = PORT_SETTING.safeParse(env.CAPI_PORT);
    if (!read.success || read.data === 0) {
      throw new ConfigError([
        {
          key: 'CAPI_PORT',
          message: withServiceLinkHint(
            `${read.success ? '0 (any free port) names no port to connect to' : 'must be a port number, 1 to 65535'}; or pass --url (CAPI_URL).`,
            'server.port',
            env,
          ),
        },
      ]);
    }
    port = read.data;
  }
  const host = given(env.CAPI_HOST) ? env.CAPI_HOST : DEFAULTS.host;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  const literal = reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${literal}:${port}`;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
