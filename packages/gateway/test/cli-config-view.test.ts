import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { configView } from '../src/cli/config-view.js';
import { loadConfig } from '../src/config.js';

const secret = fc.stringMatching(/^[A-Za-z0-9]{16,40}$/).map((s) => `SECRET${s}`);

/** The view as a file can hold it: without the mode and the masked secrets (tokens, source keys). */
function asFile(view: Record<string, unknown>): Record<string, unknown> {
  const { mode: _mode, accounts, sources: _sources, adminToken: _admin, ...rest } = view;
  return {
    ...rest,
    accounts: (accounts as Array<Record<string, unknown>>).map(({ token: _token, ...account }) => account),
  };
}

describe('configView', () => {
  it('shows tokens, source keys and the admin token only as set, and masks a store password', () => {
    fc.assert(
      fc.property(secret, secret, secret, secret, (token, key, admin, password) => {
        const config = loadConfig({
          env: {
            LINKEDIN_ACCESS_TOKEN: token,
            LINKEDIN_AD_ACCOUNT: '123',
            CAPI_CONVERSIONS: 'lead=111',
            CAPI_SOURCE_KEYS: `web:${key}`,
            CAPI_ADMIN_TOKEN: admin,
            CAPI_STORE_URL: `postgres://capi:${password}@db:5432/capi`,
            LINKEDIN_API_BASE_URL: `http://proxy:${password}@127.0.0.1:3128`,
          },
        });
        const view = configView(config);
        const shown = `${JSON.stringify(view)}\n${stringify(view)}`;
        for (const s of [token, key, admin, password]) expect(shown).not.toContain(s);
        expect(view).toMatchObject({
          mode: 'live',
          store: { url: 'postgres://capi:***@db:5432/capi' },
          linkedin: { apiBaseUrl: 'http://proxy:***@127.0.0.1:3128/' },
          accounts: [{ id: '123', token: '(set)', conversions: { lead: '111' } }],
          sources: [{ name: 'web', key: '(set)' }],
          adminToken: '(set)',
        });
      }),
      { numRuns: 50 },
    );
  });

  it("uses the file's keys: its output, read back as a file, gives the same configuration", () => {
    const first = loadConfig({
      env: {},
      yamlText: [
        'server: { port: 9090, drainMs: 500, idempotencyKeyHours: 48 }',
        'store: { url: "sqlite:/var/lib/capi/gateway.db", durability: strict, retentionDays: 30, dedupWindowDays: 60 }',
        'linkedin: { apiBaseUrl: "http://127.0.0.1:9", version: 202609, timeoutMs: 10000 }',
        'delivery: { batchSize: 1000, lingerMs: 50, leaseMs: 20000 }',
        'accounts: [{ id: 42, requestsPerMinute: 100, conversions: { lead: 7 } }]',
        'identity: { hashIp: true }',
        'segment: { unmappedEvents: ignore }',
        'logLevel: debug',
      ].join('\n'),
      purpose: 'validate',
    });
    const view = configView(first);
    expect(view.mode).toBe('sandbox');
    const again = loadConfig({ env: {}, yamlText: stringify(asFile(view)), purpose: 'validate' });
    expect(configView(again)).toEqual(view);
    expect(parseYaml(stringify(view))).toEqual(view);
  });
});
