/**
 * Sandbox mode: with no LinkedIn token configured, the gateway runs the LinkedIn sandbox in-process
 * on a loopback port and delivers to it over real HTTP, exactly as it would to LinkedIn. The
 * sandbox's demo account, token and rules become the gateway's, so `npm start` on a fresh clone
 * works end to end with nothing to configure.
 */
import { createSandbox, DEMO_SEED } from '@capi-gateway/sandbox';
import type { GatewayConfig, RuleMapping } from './config.js';

/** Fixed, documented demo credentials: sandbox mode never talks to LinkedIn, so they guard nothing real. */
export const SANDBOX_SOURCE_KEY = 'sandbox-demo-source-key';
export const SANDBOX_ADMIN_TOKEN = 'sandbox-demo-admin-token';

const DEMO_ALIASES: Array<[string, string]> = [
  ['lead', DEMO_SEED.rules.lead],
  ['qualified_lead', DEMO_SEED.rules.qualifiedLead],
  ['mql', DEMO_SEED.rules.mql],
  ['sql', DEMO_SEED.rules.sql],
  ['purchase', DEMO_SEED.rules.purchase],
];

export interface EmbeddedSandbox {
  readonly url: string;
  /** The configuration the gateway runs with: the sandbox's account, token and rules. */
  readonly config: Readonly<GatewayConfig>;
  /** The loud notice printed at start. */
  banner(gatewayUrl: string): string;
  stop(): Promise<void>;
}

export async function startEmbeddedSandbox(base: Readonly<GatewayConfig>): Promise<EmbeddedSandbox> {
  const limits = base.accounts[0]?.limits ?? { perMinute: 600, perDay: 500_000 };
  // A long-running demo must keep memory flat: truncated recorder bodies and a capped event log.
  const sandbox = createSandbox({ limits, recordBodies: 'truncate', keepEvents: 10_000 });
  const { url } = await sandbox.start({ port: 0, host: '127.0.0.1' });
  const config = sandboxConfig(base, url, limits);
  return {
    url,
    config,
    banner: (gatewayUrl) => sandboxBanner(gatewayUrl, url, config),
    stop: () => sandbox.stop(),
  };
}

/** Pure: the gateway configuration for sandbox mode. User-mapped aliases are kept, re-homed to the demo account. */
export function sandboxConfig(
  base: Readonly<GatewayConfig>,
  sandboxUrl: string,
  limits: { perMinute: number; perDay: number },
): Readonly<GatewayConfig> {
  const account = DEMO_SEED.account.id;
  const rules: RuleMapping[] = base.rules.map((r) => ({ ...r, account }));
  for (const [alias, ruleId] of DEMO_ALIASES) {
    if (!rules.some((r) => r.alias === alias || r.ruleId === ruleId)) rules.push({ alias, ruleId, account });
  }
  return Object.freeze({
    ...base,
    linkedin: Object.freeze({ ...base.linkedin, baseUrl: sandboxUrl, oauthBaseUrl: sandboxUrl }),
    accounts: Object.freeze([Object.freeze({ id: account, token: DEMO_SEED.tokens.valid, limits })]),
    rules: Object.freeze(rules.map((r) => Object.freeze(r))),
    sources:
      base.sources.length > 0
        ? base.sources
        : Object.freeze([Object.freeze({ name: 'demo', key: SANDBOX_SOURCE_KEY })]),
    adminToken: base.adminToken ?? SANDBOX_ADMIN_TOKEN,
  }) as Readonly<GatewayConfig>;
}

function sandboxBanner(gatewayUrl: string, sandboxUrl: string, config: Readonly<GatewayConfig>): string {
  const demoKey = config.sources.find((s) => s.key === SANDBOX_SOURCE_KEY);
  const lines = [
    '',
    '  ========================================================================',
    '   SANDBOX MODE: no LinkedIn token is configured. Nothing is sent to LinkedIn.',
    `   Events are delivered to the built-in LinkedIn sandbox at ${sandboxUrl}`,
    '   Set LINKEDIN_ACCESS_TOKEN, LINKEDIN_AD_ACCOUNT, CAPI_CONVERSIONS and',
    '   CAPI_SOURCE_KEYS to go live (see docs/configuration.md).',
    '  ========================================================================',
    `   gateway:      ${gatewayUrl}`,
    demoKey ? `   source key:   ${SANDBOX_SOURCE_KEY}   (demo only)` : '   source keys:  as configured',
    config.adminToken === SANDBOX_ADMIN_TOKEN
      ? `   admin token:  ${SANDBOX_ADMIN_TOKEN}   (demo only)`
      : null,
    `   conversions:  ${config.rules.map((r) => `${r.alias}=${r.ruleId}`).join(', ')}`,
    '',
    '   Try it:',
    `   curl -s ${gatewayUrl}/v1/events -H 'authorization: Bearer ${demoKey ? SANDBOX_SOURCE_KEY : '<source key>'}' \\`,
    `     -H 'content-type: application/json' \\`,
    `     -d '{"conversion":"lead","eventId":"demo-1","happenedAt":${Date.now()},"user":{"email":"ada@example.com"}}'`,
    '',
  ];
  return `${lines.filter((l) => l !== null).join('\n')}\n`;
}
