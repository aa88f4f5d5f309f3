import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SEED, demoSeed, loadSeedFile, parseSeed, SeedError } from '../src/index.js';
import { event, get, json, NOW, postEvent, sandbox } from './helpers.js';

const YAML_SEED = `
accounts:
  - id: 700000001
    name: Acme Analytics Inc.
    currency: USD
campaigns:
  - id: urn:li:sponsoredCampaign:800000001
    account: 700000001
    name: Pipeline Q4
    startDate: 2026-10-01
    daily: { cost: 50, impressions: 1000, clicks: 10 }
rules:
  - id: 900000001
    account: urn:li:sponsoredAccount:700000001
    name: CAPI - SQL
    type: SALES_QUALIFIED_LEAD
    campaigns: [800000001]
tokens:
  - value: ci-token
    scopes: [rw_conversions, r_ads]
limits:
  perMinute: 100
`;

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-seed-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('seed files', () => {
  it('loads a YAML seed, accepting ids as numbers or URNs', async () => {
    const sb = sandbox({ seed: tempFile('seed.yaml', YAML_SEED) });
    expect(sb.state.rules.get('900000001')).toMatchObject({
      account: '700000001',
      conversionMethod: 'CONVERSIONS_API',
      enabled: true,
    });
    expect(sb.state.campaignsOfRule('900000001')).toEqual(['800000001']);
    expect(sb.faults().latencyMs).toBe(0);
    const res = await postEvent(
      sb,
      event({ conversion: 'urn:lla:llaPartnerConversion:900000001' }),
      {},
      'ci-token',
    );
    expect(res.status).toBe(201);
    const account = await json(await get(sb, '/rest/adAccounts/700000001', {}, 'ci-token'));
    expect(account.currency).toBe('USD');
  });

  it('loads a JSON seed', () => {
    const file = tempFile(
      'seed.json',
      JSON.stringify({ accounts: [{ id: '1', name: 'X', currency: 'EUR' }] }),
    );
    expect(loadSeedFile(file).accounts).toHaveLength(1);
  });

  it('names the offending key when a seed is wrong', () => {
    expect(() => parseSeed({ rules: [{ id: 1, account: 1, name: 'x', type: 'PHONE_CALLZ' }] })).toThrow(
      SeedError,
    );
    expect(() => parseSeed({ rules: [{ id: 1, account: 1, name: 'x', type: 'PHONE_CALLZ' }] })).toThrow(
      /rules\[0\]\.type/,
    );
    expect(() => parseSeed({ acounts: [] })).toThrow(/acounts/);
    expect(() => loadSeedFile(tempFile('bad.yaml', 'accounts: [\n'))).toThrow(/Cannot parse seed file/);
  });

  it('tells each problem on a line of its own, with the key an unknown one most likely meant', () => {
    const message = (input: unknown) => {
      try {
        parseSeed(input, 'seed file s.yaml');
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the seed was accepted');
    };
    expect(message({ account: [] })).toBe(
      'Invalid seed file s.yaml:\n  (top level): unknown key "account"; did you mean "accounts"?',
    );
    expect(message({ accounts: [{ id: '1', name: 'X', currency: 'EUR', colour: 'red' }], rules: 5 })).toBe(
      [
        'Invalid seed file s.yaml:',
        '  accounts[0]: unknown key "colour"; known keys here: id, name, currency, status, type, reference, test.',
        '  rules: Invalid input: expected array, received number',
      ].join('\n'),
    );
  });

  it('says why a seed file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    expect(() => loadSeedFile(join(dir, 'missing.yaml'))).toThrow(
      new SeedError(`Cannot read seed file ${join(dir, 'missing.yaml')}: no such file or folder.`),
    );
    expect(() => loadSeedFile(dir)).toThrow(/: it is a folder, not a file\.$/);
  });

  it('takes faults and limits from the seed unless options override them', async () => {
    const seed = { faults: { latencyMs: 5 }, limits: { perMinute: 7 } };
    expect(sandbox({ seed }).faults().latencyMs).toBe(5);
    expect(sandbox({ seed, faults: {} }).faults().latencyMs).toBe(0);
    const limits = await sandbox({ seed, limits: { perDay: 9 } }).app.request('/__sandbox/limits');
    expect(await limits.json()).toEqual({ perMinute: 7, perDay: 9 });
  });
});

describe('demo seed', () => {
  it('is valid and matches the exported ids', () => {
    const seed = parseSeed(demoSeed());
    expect(seed.accounts?.[0]).toMatchObject({
      id: DEMO_SEED.account.id,
      currency: DEMO_SEED.account.currency,
    });
    expect(seed.rules?.map((r) => String(r.id))).toEqual(Object.values(DEMO_SEED.rules));
    expect(seed.tokens?.map((t) => t.value)).toEqual(Object.values(DEMO_SEED.tokens));
  });

  it('has CAPI rules for Lead, Qualified Lead, MQL, SQL and Purchase, one Insight Tag rule and one disabled rule', () => {
    const sb = sandbox();
    const r = (id: string) => sb.state.rules.get(id);
    expect(r(DEMO_SEED.rules.lead)?.type).toBe('LEAD');
    expect(r(DEMO_SEED.rules.qualifiedLead)?.type).toBe('QUALIFIED_LEAD');
    expect(r(DEMO_SEED.rules.mql)?.type).toBe('MARKETING_QUALIFIED_LEAD');
    expect(r(DEMO_SEED.rules.sql)?.type).toBe('SALES_QUALIFIED_LEAD');
    expect(r(DEMO_SEED.rules.purchase)?.type).toBe('PURCHASE');
    expect(r(DEMO_SEED.rules.insightTag)?.conversionMethod).toBe('INSIGHT_TAG_URL_MATCH_RULES');
    expect(r(DEMO_SEED.rules.disabled)?.enabled).toBe(false);
    expect([...sb.state.campaigns.values()].map((c) => c.status)).toEqual([
      'ACTIVE',
      'ACTIVE',
      'ACTIVE',
      'DRAFT',
    ]);
  });

  it('tokens: the valid one never expires; the expired one is expired whatever the clock says', () => {
    const sb = sandbox();
    expect(sb.state.tokens.get(DEMO_SEED.tokens.valid)).toMatchObject({
      expiresAt: null,
      scopes: ['rw_conversions', 'r_ads', 'r_ads_reporting'],
      role: 'ACCOUNT_MANAGER',
    });
    expect(sb.state.tokens.get(DEMO_SEED.tokens.expired)?.expiresAt).toBeLessThan(NOW);
    expect(sb.state.tokens.get(DEMO_SEED.tokens.viewer)?.role).toBe('VIEWER');
  });
});
