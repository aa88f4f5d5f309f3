import type { GatewayConfig } from '../config.js';
import { redactUrlCredentials } from '../redact-url.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** What a secret is shown as: that it is set, never any part of it. */
const SET = '(set)';

/**
 * The effective configuration in the YAML file's shape, defaults and environment applied, for
 * `capi config`: what start would run with. Tokens, source keys and the admin token are shown only
 * as set or not, and a password in the store URL or LinkedIn's URLs is masked.
 */
export function configView(config: Readonly<GatewayConfig>): Record<string, unknown> {
  return {
    mode: config.sandbox ? 'sandbox' : 'live',
    server: {
      port: config.port,
      host: config.host,
      bodyLimitBytes: config.bodyLimitBytes,
      maxEventsPerRequest: config.maxEventsPerRequest,
      maxInFlightBytes: config.maxInFlightBytes,
      heapGrowthPercent: config.heapGrowthPercent,
      allocationSitePretenuring: config.allocationSitePretenuring,
      authFailuresPerMinute: config.authFailuresPerMinute,
      idempotencyKeyHours: config.idempotencyWindowMs / HOUR_MS,
      shutdownGraceMs: config.shutdownGraceMs,
      drainMs: config.drainMs,
    },
    store: {
      url: redactUrlCredentials(config.storeUrl),
      durability: config.durability,
      dedupWindowDays: config.dedupWindowMs / DAY_MS,
      retentionDays: config.retentionMs / DAY_MS,
      thread: config.storeThread,
      sqliteCacheMiB: config.sqliteCacheMiB,
      sqliteCheckpointThread: config.sqliteCheckpointThread,
      pgConnectTimeoutMs: config.pgConnectTimeoutMs,
      pgQueryTimeoutMs: config.pgQueryTimeoutMs,
    },
    linkedin: {
      // A proxy in front of LinkedIn may take credentials in its URL.
      apiBaseUrl: redactUrlCredentials(config.linkedin.baseUrl),
      oauthBaseUrl: redactUrlCredentials(config.linkedin.oauthBaseUrl),
      version: config.linkedin.version,
      timeoutMs: config.linkedin.timeoutMs,
    },
    delivery: { ...config.delivery },
    accounts: config.accounts.map((account) => ({
      id: account.id,
      token: account.token === null ? null : SET,
      requestsPerMinute: account.limits.perMinute,
      requestsPerDay: account.limits.perDay,
      conversions: Object.fromEntries(
        config.rules.filter((r) => r.account === account.id).map((r) => [r.alias, r.ruleId]),
      ),
    })),
    sources: config.sources.map((source) => ({ name: source.name, key: SET })),
    adminToken: config.adminToken === null ? null : SET,
    identity: { ...config.identity },
    segment: { ...config.segment },
    logLevel: config.logLevel,
  };
}
