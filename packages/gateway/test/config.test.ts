import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adminTargetUrl,
  ConfigError,
  loadConfig,
  parseConversionsList,
  parseSourceKeys,
} from '../src/config.js';
import { errorsOf } from './support/config-errors.js';

describe('loadConfig', () => {
  it('defaults to sandbox mode on SQLite with the documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.sandbox).toBe(true);
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.storeUrl).toBe('sqlite:./.capi/gateway.db');
    expect(c.linkedin.baseUrl).toBe('https://api.linkedin.com');
    expect(Number(c.linkedin.version)).toBeGreaterThanOrEqual(202609);
    expect(c.delivery.batchSize).toBe(5000);
    expect(c.dedupWindowMs).toBe(90 * 86_400_000);
    expect(c.retentionMs).toBe(180 * 86_400_000);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.delivery)).toBe(true);
  });

  it('reads every documented environment variable', () => {
    const c = loadConfig({
      env: {
        CAPI_PORT: '9090',
        CAPI_HOST: '0.0.0.0',
        CAPI_STORE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        LINKEDIN_ACCESS_TOKEN: 'tok-live',
        LINKEDIN_API_BASE_URL: 'http://127.0.0.1:8181/',
        LINKEDIN_VERSION: '202610',
        LINKEDIN_AD_ACCOUNT: 'urn:li:sponsoredAccount:508123456',
        CAPI_CONVERSIONS: 'lead=22285180, Purchase=urn:lla:llaPartnerConversion:22285181',
        CAPI_SOURCE_KEYS: 'website:0123456789abcdef,crm:fedcba9876543210',
        CAPI_ADMIN_TOKEN: 'admin-0123456789abcdef',
        CAPI_LINKEDIN_RPM: '120',
        CAPI_LINKEDIN_DAILY: '1000',
        CAPI_DELIVERY_LINGER_MS: '50',
        CAPI_DELIVERY_BATCH_SIZE: '1000',
        CAPI_IDENTITY_HASH_NAMES: 'true',
      },
    });
    expect(c.sandbox).toBe(false);
    expect(c.port).toBe(9090);
    expect(c.host).toBe('0.0.0.0');
    expect(c.storeUrl).toMatch(/^postgres:/);
    expect(c.linkedin.baseUrl).toBe('http://127.0.0.1:8181');
    expect(c.linkedin.version).toBe('202610');
    expect(c.accounts).toEqual([
      { id: '508123456', token: 'tok-live', limits: { perMinute: 120, perDay: 1000 } },
    ]);
    expect(c.rules).toEqual([
      { alias: 'lead', ruleId: '22285180', account: '508123456' },
      { alias: 'purchase', ruleId: '22285181', account: '508123456' },
    ]);
    expect(c.sources.map((s) => s.name)).toEqual(['website', 'crm']);
    expect(c.adminToken).toBe('admin-0123456789abcdef');
    expect(c.delivery.lingerMs).toBe(50);
    expect(c.delivery.batchSize).toBe(1000);
    expect(c.identity.hashNames).toBe(true);
  });

  it('serves several ad accounts from YAML, each with its own token, budget and rules', () => {
    const c = loadConfig({
      env: { CAPI_SOURCE_KEYS: 'web:0123456789abcdef' },
      yamlText: `
accounts:
  - id: 111
    token: t1
    requestsPerMinute: 300
    conversions: { lead: 1, purchase: 2 }
  - id: urn:li:sponsoredAccount:222
    token: t2
    conversions: { sql: 3 }
delivery: { lingerMs: 10 }
`,
    });
    expect(c.accounts.map((a) => [a.id, a.token, a.limits.perMinute])).toEqual([
      ['111', 't1', 300],
      ['222', 't2', 600],
    ]);
    expect(c.rules.find((r) => r.alias === 'sql')).toEqual({ alias: 'sql', ruleId: '3', account: '222' });
  });

  it('reads the SQLite page cache size, 16 MiB by default, and refuses a bad one by name', () => {
    expect(loadConfig({ env: {} }).sqliteCacheMiB).toBe(16);
    expect(loadConfig({ env: { CAPI_STORE_SQLITE_CACHE_MIB: '24' } }).sqliteCacheMiB).toBe(24);
    expect(loadConfig({ env: {}, yamlText: 'store: { sqliteCacheMiB: 64 }' }).sqliteCacheMiB).toBe(64);
    const issues = errorsOf(() => loadConfig({ env: { CAPI_STORE_SQLITE_CACHE_MIB: '0' } }));
    expect(issues[0]?.key).toContain('CAPI_STORE_SQLITE_CACHE_MIB');
  });

  it('runs SQLite checkpoints on a thread of their own unless told not to, and refuses a bad setting by name', () => {
    expect(loadConfig({ env: {} }).sqliteCheckpointThread).toBe(true);
    expect(loadConfig({ env: { CAPI_STORE_SQLITE_CHECKPOINT_THREAD: 'false' } }).sqliteCheckpointThread).toBe(
      false,
    );
    expect(
      loadConfig({ env: {}, yamlText: 'store: { sqliteCheckpointThread: false }' }).sqliteCheckpointThread,
    ).toBe(false);
    const issues = errorsOf(() => loadConfig({ env: { CAPI_STORE_SQLITE_CHECKPOINT_THREAD: 'sometimes' } }));
    expect(issues[0]?.key).toContain('CAPI_STORE_SQLITE_CHECKPOINT_THREAD');
  });

  it('reads what Segment calls for unmapped events get, reject by default, and refuses a bad value by name', () => {
    expect(loadConfig({ env: {} }).segment.unmappedEvents).toBe('reject');
    expect(loadConfig({ env: { CAPI_SEGMENT_UNMAPPED_EVENTS: 'ignore' } }).segment.unmappedEvents).toBe(
      'ignore',
    );
    expect(
      loadConfig({ env: {}, yamlText: 'segment: { unmappedEvents: ignore }' }).segment.unmappedEvents,
    ).toBe('ignore');
    const issues = errorsOf(() => loadConfig({ env: { CAPI_SEGMENT_UNMAPPED_EVENTS: 'drop' } }));
    expect(issues[0]?.key).toContain('CAPI_SEGMENT_UNMAPPED_EVENTS');
    expect(
      errorsOf(() => loadConfig({ env: {}, yamlText: 'segment: { unmapped: ignore }' }))[0]?.key,
    ).toContain('segment');
  });

  it('reads the PostgreSQL timeouts, 5 s to connect and 15 s per query by default, and refuses bad ones by name', () => {
    const defaults = loadConfig({ env: {} });
    expect([defaults.pgConnectTimeoutMs, defaults.pgQueryTimeoutMs]).toEqual([5_000, 15_000]);
    const set = loadConfig({
      env: { CAPI_STORE_PG_CONNECT_TIMEOUT_MS: '2000', CAPI_STORE_PG_QUERY_TIMEOUT_MS: '3000' },
    });
    expect([set.pgConnectTimeoutMs, set.pgQueryTimeoutMs]).toEqual([2_000, 3_000]);
    expect(loadConfig({ env: {}, yamlText: 'store: { pgQueryTimeoutMs: 60000 }' }).pgQueryTimeoutMs).toBe(
      60_000,
    );
    const issues = errorsOf(() => loadConfig({ env: { CAPI_STORE_PG_QUERY_TIMEOUT_MS: '-1' } }));
    expect(issues[0]?.key).toContain('CAPI_STORE_PG_QUERY_TIMEOUT_MS');
  });

  it('reads allocation-site pretenuring, off by default, and refuses a value that is not a boolean by name', () => {
    expect(loadConfig({ env: {} }).allocationSitePretenuring).toBe(false);
    expect(
      loadConfig({ env: { CAPI_SERVER_ALLOCATION_SITE_PRETENURING: 'true' } }).allocationSitePretenuring,
    ).toBe(true);
    expect(
      loadConfig({ env: {}, yamlText: 'server: { allocationSitePretenuring: true }' })
        .allocationSitePretenuring,
    ).toBe(true);
    const issues = errorsOf(() =>
      loadConfig({ env: { CAPI_SERVER_ALLOCATION_SITE_PRETENURING: 'sometimes' } }),
    );
    expect(issues[0]?.key).toContain('CAPI_SERVER_ALLOCATION_SITE_PRETENURING');
  });

  it('reads the heap growth percent, 15 by default, 0 for V8 own, and refuses a bad one by name', () => {
    expect(loadConfig({ env: {} }).heapGrowthPercent).toBe(15);
    expect(loadConfig({ env: { CAPI_SERVER_HEAP_GROWTH_PERCENT: '0' } }).heapGrowthPercent).toBe(0);
    expect(loadConfig({ env: {}, yamlText: 'server: { heapGrowthPercent: 50 }' }).heapGrowthPercent).toBe(50);
    for (const bad of ['-1', '12.5', 'lots', '401']) {
      const issues = errorsOf(() => loadConfig({ env: { CAPI_SERVER_HEAP_GROWTH_PERCENT: bad } }));
      expect(issues[0]?.key).toContain('CAPI_SERVER_HEAP_GROWTH_PERCENT');
    }
  });

  it('reads the drain after SIGTERM, 0 by default, and refuses a bad one by name', () => {
    expect(loadConfig({ env: {} }).drainMs).toBe(0);
    expect(loadConfig({ env: { CAPI_SERVER_DRAIN_MS: '5000' } }).drainMs).toBe(5_000);
    expect(loadConfig({ env: {}, yamlText: 'server: { drainMs: 2500 }' }).drainMs).toBe(2_500);
    for (const bad of ['-1', '1.5', 'soon', '300001']) {
      const issues = errorsOf(() => loadConfig({ env: { CAPI_SERVER_DRAIN_MS: bad } }));
      expect(issues[0]?.key).toContain('CAPI_SERVER_DRAIN_MS');
    }
  });

  it('refuses a lease shorter than twice the LinkedIn timeout, naming both settings', () => {
    // A request may outlive a shorter lease, and its events be claimed and sent again.
    const issues = errorsOf(() =>
      loadConfig({ env: { CAPI_DELIVERY_LEASE_MS: '6000', CAPI_LINKEDIN_TIMEOUT_MS: '8000' } }),
    );
    expect(issues[0]?.key).toContain('CAPI_DELIVERY_LEASE_MS');
    expect(issues[0]?.message).toContain('CAPI_LINKEDIN_TIMEOUT_MS');
    expect(errorsOf(() => loadConfig({ env: { CAPI_DELIVERY_LEASE_MS: '59999' } }))[0]?.key).toContain(
      'CAPI_DELIVERY_LEASE_MS',
    );
    const fine = loadConfig({ env: { CAPI_DELIVERY_LEASE_MS: '10000', CAPI_LINKEDIN_TIMEOUT_MS: '5000' } });
    expect(fine.delivery.leaseMs).toBe(10_000);
  });

  it('reads numbers with spaces or line ends around them, as env files leave them', () => {
    const config = loadConfig({
      env: {
        CAPI_PORT: ' 18501',
        CAPI_LINKEDIN_RPM: '600 ',
        CAPI_SERVER_DRAIN_MS: '5000\n',
        CAPI_LINKEDIN_DAILY: '9\r\n',
      },
    });
    expect(config.port).toBe(18_501);
    expect(config.drainMs).toBe(5_000);
    expect(config.accounts[0]?.limits).toEqual({ perMinute: 600, perDay: 9 });
    expect(errorsOf(() => loadConfig({ env: { CAPI_PORT: '18 501' } }))[0]?.key).toContain('CAPI_PORT');
  });

  it('checks the lease against the timeout only where delivery runs (not for validate or migrate)', () => {
    const env = { CAPI_DELIVERY_LEASE_MS: '1000' };
    expect(errorsOf(() => loadConfig({ env }))[0]?.key).toContain('CAPI_DELIVERY_LEASE_MS');
    for (const purpose of ['validate', 'migrate'] as const) {
      expect(loadConfig({ env, purpose }).delivery.leaseMs).toBe(1_000);
    }
  });

  it('environment overrides the YAML file', () => {
    const c = loadConfig({ env: { CAPI_PORT: '7000' }, yamlText: 'server: { port: 6000 }' });
    expect(c.port).toBe(7000);
  });

  it('names the environment variable in errors', () => {
    const issues = errorsOf(() => loadConfig({ env: { CAPI_PORT: 'eighty' } }));
    expect(issues[0]?.key).toContain('CAPI_PORT');
    const version = errorsOf(() => loadConfig({ env: { LINKEDIN_VERSION: '2026-09' } }));
    expect(version[0]?.key).toContain('LINKEDIN_VERSION');
    expect(version[0]?.message).toContain('YYYYMM');
  });

  it('says what a number setting must be, in words an operator can act on', () => {
    const messageFor = (env: Record<string, string>) => errorsOf(() => loadConfig({ env }))[0]?.message;
    expect(messageFor({ CAPI_PORT: 'eighty' })).toBe('Must be a number.');
    expect(messageFor({ CAPI_LINKEDIN_RPM: '1.5' })).toBe('Must be a whole number.');
    expect(messageFor({ CAPI_LINKEDIN_RPM: '0' })).toBe('Must be greater than 0.');
    expect(messageFor({ CAPI_PORT: '70000' })).toMatch(/65535/);
  });

  it('names the YAML key in errors, including unknown keys', () => {
    const issues = errorsOf(() =>
      loadConfig({ env: {}, yamlText: 'delivery: { batchSize: 6000, lingr: 1 }' }),
    );
    const keys = issues.map((i) => `${i.key}: ${i.message}`).join('\n');
    expect(keys).toContain('delivery.batchSize');
    expect(keys).toMatch(/5000/);
    expect(keys).toMatch(/lingr|Unrecognized/i);
  });

  it('refuses live mode without source keys and mixed token/no-token accounts', () => {
    expect(
      errorsOf(() => loadConfig({ env: { LINKEDIN_ACCESS_TOKEN: 't', LINKEDIN_AD_ACCOUNT: '1' } }))[0]?.key,
    ).toBe('CAPI_SOURCE_KEYS');
    const mixed = errorsOf(() =>
      loadConfig({
        env: { CAPI_SOURCE_KEYS: 'web:0123456789abcdef' },
        yamlText: 'accounts: [{ id: 1, token: a }, { id: 2 }]',
      }),
    );
    expect(mixed[0]?.key).toBe('accounts.1.token');
  });

  it('refuses a rule mapped to two accounts and a duplicate alias', () => {
    const issues = errorsOf(() =>
      loadConfig({
        env: {},
        yamlText: `
accounts:
  - { id: 1, conversions: { lead: 5 } }
  - { id: 2, conversions: { Lead: 5 } }
`,
      }),
    );
    const text = issues.map((i) => `${i.key} ${i.message}`).join('\n');
    expect(text).toContain('accounts.1.conversions.Lead alias "lead" is mapped twice');
    expect(text).toContain('rule 5 already belongs to account 1');
  });

  it('refuses short source keys', () => {
    const issues = errorsOf(() => loadConfig({ env: {}, yamlText: 'sources: [{ name: web, key: short }]' }));
    expect(issues[0]?.key).toBe('sources.0.key');
    expect(issues[0]?.message).toMatch(/16/);
  });

  it.each([
    [
      'a nested mapping',
      'accounts:\n  - id: 5\n    token: AQV-secret-token-1234 : x\n',
      'at line 3, column 12',
    ],
    ['an unclosed quote', 'adminToken: "AQV-secret-token-1234\nsources: [', 'at line 2, column 11'],
    ['an unclosed flow map', 'sources:\n - { name: web, key: AQV-secret-token-1234\n', 'at line 3, column 1'],
    ['a block scalar header', 'adminToken: |AQV-secret-token-1234\n  x\n', 'at line 1, column 14'],
  ])(
    'reports a YAML syntax error (%s) by line and column, never quoting the line',
    (_name, yamlText, where) => {
      const issues = errorsOf(() => loadConfig({ env: {}, yamlText }));
      expect(issues[0]?.message).toContain(`not valid YAML ${where}: `);
      expect(issues[0]?.message).toMatch(/\([A-Z_]+\)$/);
      expect(JSON.stringify(issues)).not.toContain('secret');
    },
  );

  it('reports a YAML syntax error against the file', () => {
    const issues = errorsOf(() => loadConfig({ env: {}, yamlText: 'server: [oops' }));
    expect(issues[0]?.message).toMatch(/YAML/);
  });
});

describe('settings the gateway needs to serve and deliver', () => {
  const LIVE = { LINKEDIN_ACCESS_TOKEN: 'tok', CAPI_SOURCE_KEYS: 'web:0123456789abcdef' };

  it('refuses live mode without the ad account, naming LINKEDIN_AD_ACCOUNT and accounts.0.id', () => {
    const issues = errorsOf(() => loadConfig({ env: { ...LIVE, CAPI_CONVERSIONS: 'lead=22285180' } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.key).toBe('LINKEDIN_AD_ACCOUNT (accounts.0.id)');
    expect(issues[0]?.message).toMatch(/live mode/);
  });

  it('says what a YAML account without an id lacks, in sandbox and in live mode', () => {
    for (const env of [{}, LIVE]) {
      const issues = errorsOf(() =>
        loadConfig({ env, yamlText: 'accounts: [{ conversions: { lead: 1 } }]' }),
      );
      expect(issues[0]?.key).toBe('accounts.0.id');
      expect(issues[0]?.message).toMatch(/^missing: the ad account id, digits or urn:li:sponsoredAccount:/);
      expect(issues[0]?.message).toContain('LINKEDIN_AD_ACCOUNT');
    }
    const second = errorsOf(() =>
      loadConfig({ env: {}, yamlText: 'accounts: [{ id: 1 }, { conversions: { lead: 1 } }]' }),
    );
    expect(second[0]?.key).toBe('accounts.1.id');
    expect(second[0]?.message).not.toContain('LINKEDIN_AD_ACCOUNT');
    const wrongType = errorsOf(() => loadConfig({ env: {}, yamlText: 'accounts: [{ id: [1] }]' }));
    expect(wrongType[0]?.message).toMatch(/ad account id: digits or urn:li:sponsoredAccount:/);
  });

  it('needs no ad account in sandbox mode, where the demo account stands in', () => {
    const c = loadConfig({ env: { CAPI_CONVERSIONS: 'lead=22285180', CAPI_LINKEDIN_RPM: '60' } });
    expect(c.sandbox).toBe(true);
    expect(c.accounts[0]?.limits.perMinute).toBe(60);
  });

  it('asks capi validate and capi migrate for nothing they do not use: source keys, ad account, every token', () => {
    const env = { LINKEDIN_ACCESS_TOKEN: 'tok', CAPI_CONVERSIONS: 'lead=22285180' };
    expect(errorsOf(() => loadConfig({ env })).map((i) => i.key)).toEqual([
      'LINKEDIN_AD_ACCOUNT (accounts.0.id)',
      'CAPI_SOURCE_KEYS',
    ]);
    for (const purpose of ['validate', 'migrate'] as const) {
      const c = loadConfig({ env, purpose });
      expect(c.sandbox).toBe(false);
      expect(c.rules.map((r) => r.ruleId)).toEqual(['22285180']);
      expect(
        loadConfig({ env: {}, purpose, yamlText: 'accounts: [{ id: 1, token: a }, { id: 2 }]' }).accounts,
      ).toHaveLength(2);
    }
    // What validate does use is still checked.
    const bad = errorsOf(() =>
      loadConfig({ env: { ...env, CAPI_CONVERSIONS: 'lead=x' }, purpose: 'validate' }),
    );
    expect(bad[0]?.key).toBe('CAPI_CONVERSIONS (accounts.0.conversions.lead)');
  });

  it('refuses hashed names with a LinkedIn version that has none, naming both settings', () => {
    const fromEnv = errorsOf(() =>
      loadConfig({ env: { CAPI_IDENTITY_HASH_NAMES: 'true', LINKEDIN_VERSION: '202608' } }),
    );
    expect(fromEnv).toHaveLength(1);
    expect(fromEnv[0]?.key).toBe('CAPI_IDENTITY_HASH_NAMES (identity.hashNames)');
    expect(fromEnv[0]?.message).toContain('202609');
    expect(fromEnv[0]?.message).toContain('LINKEDIN_VERSION (linkedin.version) is 202608');
    const fromYaml = errorsOf(() =>
      loadConfig({ env: {}, yamlText: 'identity: { hashNames: true }\nlinkedin: { version: "202601" }' }),
    );
    expect(fromYaml[0]?.key).toBe('identity.hashNames');
    expect(fromYaml[0]?.message).toContain('linkedin.version is 202601');
    // The check holds for capi validate too: it would refuse every event with a name.
    expect(() =>
      loadConfig({
        env: { CAPI_IDENTITY_HASH_NAMES: 'on', LINKEDIN_VERSION: '202608' },
        purpose: 'validate',
      }),
    ).toThrow(ConfigError);
    expect(loadConfig({ env: { CAPI_IDENTITY_HASH_NAMES: 'true' } }).identity.hashNames).toBe(true);
    expect(loadConfig({ env: { LINKEDIN_VERSION: '202608' } }).linkedin.version).toBe('202608');
  });
});

describe('what the environment may write', () => {
  const keyAndMessage = (env: Record<string, string>, yamlText?: string) => {
    const issue = errorsOf(() => loadConfig({ env, ...(yamlText ? { yamlText } : {}) }))[0];
    return `${issue?.key}: ${issue?.message}`;
  };

  it.each([
    ['CAPI_SERVER_MAX_EVENTS_PER_REQUEST', 'yes'],
    ['CAPI_SERVER_MAX_EVENTS_PER_REQUEST', 'off'],
    ['CAPI_PORT', '0x1F90'],
    ['CAPI_PORT', '1e3'],
    ['CAPI_PORT', 'true'],
    ['CAPI_PORT', '80 80'],
    ['CAPI_LINKEDIN_RPM', 'on'],
  ])('refuses %s=%j: numbers must be plain decimal', (name, value) => {
    expect(keyAndMessage({ [name]: value })).toMatch(new RegExp(`^${name} \\(.+\\): Must be a number\\.$`));
  });

  it('reads any plain decimal whole number as that number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        expect(loadConfig({ env: { CAPI_PORT: String(port) } }).port).toBe(port);
      }),
    );
  });

  it('refuses any text that is not plain decimal for a number setting', () => {
    fc.assert(
      fc.property(
        fc
          .oneof(fc.string({ minLength: 1 }), fc.constantFrom('yes', 'off', '0x10', '1e3', ' ', '+5', '5 5'))
          // Spaces around a number are dropped (env files leave them), so those are numbers.
          .filter((s) => !/^-?\d+(\.\d+)?$/.test(s.trim())),
        (text) => {
          expect(keyAndMessage({ CAPI_DELIVERY_LINGER_MS: text })).toBe(
            'CAPI_DELIVERY_LINGER_MS (delivery.lingerMs): Must be a number.',
          );
        },
      ),
    );
  });

  it('reads boolean words for boolean settings only, and text settings as written', () => {
    for (const [word, value] of [
      ['yes', true],
      ['On', true],
      ['1', true],
      ['no', false],
      ['OFF', false],
      ['0', false],
    ] as const) {
      expect(loadConfig({ env: { CAPI_STORE_THREAD: word } }).storeThread).toBe(value);
    }
    expect(keyAndMessage({ CAPI_STORE_THREAD: 'maybe' })).toBe(
      'CAPI_STORE_THREAD (store.thread): Must be true or false.',
    );
    expect(loadConfig({ env: { CAPI_HOST: 'on' } }).host).toBe('on');
  });

  it('keeps refusing a malformed YAML section that an environment variable would override', () => {
    expect(keyAndMessage({}, 'server: 5')).toMatch(/^server: /);
    expect(keyAndMessage({ CAPI_PORT: '9000' }, 'server: 5')).toMatch(/^server: /);
    expect(keyAndMessage({ CAPI_DELIVERY_LINGER_MS: '5' }, 'delivery: [1]')).toMatch(/^delivery: /);
    expect(keyAndMessage({ LINKEDIN_ACCESS_TOKEN: 't' }, 'accounts: 5')).toMatch(/^accounts: /);
    expect(keyAndMessage({ LINKEDIN_ACCESS_TOKEN: 't' }, 'accounts: [5]')).toMatch(
      /^LINKEDIN_ACCESS_TOKEN|^accounts\.0: /,
    );
  });

  it('reads linkedin.version written as a YAML number', () => {
    expect(loadConfig({ env: {}, yamlText: 'linkedin: { version: 202609 }' }).linkedin.version).toBe(
      '202609',
    );
    expect(keyAndMessage({}, 'linkedin: { version: 2026 }')).toBe(
      'linkedin.version: must be YYYYMM, e.g. 202609',
    );
  });
});

describe('errors name the setting as it was given', () => {
  const keysOf = (env: Record<string, string>, yamlText?: string) =>
    errorsOf(() => loadConfig({ env, ...(yamlText ? { yamlText } : {}) })).map(
      (i) => `${i.key}: ${i.message}`,
    );

  it('names CAPI_CONVERSIONS for an alias given twice, in any case, and for an entry with two "="', () => {
    expect(keysOf({ CAPI_CONVERSIONS: 'lead=22285180,lead=22285181' })).toEqual([
      'CAPI_CONVERSIONS: alias "lead" is listed twice (aliases ignore case)',
    ]);
    expect(keysOf({ CAPI_CONVERSIONS: 'lead=1,LEAD=2' })).toEqual([
      'CAPI_CONVERSIONS: alias "lead" is listed twice (aliases ignore case)',
    ]);
    expect(keysOf({ CAPI_CONVERSIONS: 'lead=22285180=5' })).toEqual([
      'CAPI_CONVERSIONS: "lead=22285180=5" is not of the form alias=ruleId',
    ]);
  });

  it('names CAPI_SOURCE_KEYS for a source listed twice and a key given to two sources, never quoting a key', () => {
    const twice = keysOf({ CAPI_SOURCE_KEYS: 'web:0123456789abcdef,web:0123456789abcdeg' });
    expect(twice).toEqual(['CAPI_SOURCE_KEYS (sources.1.name): source "web" is listed twice']);
    const shared = keysOf({ CAPI_SOURCE_KEYS: 'web:0123456789abcdef,crm:0123456789abcdef' });
    expect(shared).toEqual([
      'CAPI_SOURCE_KEYS (sources.1.key): the same key as source "web": give each source its own',
    ]);
    expect(JSON.stringify(shared)).not.toContain('0123456789abcdef');
    expect(
      keysOf({}, 'sources: [{ name: a, key: 0123456789abcdef }, { name: b, key: 0123456789abcdef }]')[0],
    ).toMatch(/^sources\.1\.key: /);
  });

  it("names the file's key when a file account repeats what the shortcut mapped", () => {
    const issues = keysOf(
      { CAPI_CONVERSIONS: 'Lead=1' },
      'accounts: [{ id: 1, conversions: { x: 9 } }, { id: 2, conversions: { lead: 2 } }]',
    );
    expect(issues).toEqual(['accounts.1.conversions.lead: alias "lead" is mapped twice']);
    const mine = keysOf(
      { CAPI_CONVERSIONS: 'lead=2' },
      'accounts: [{ id: 1 }, { id: 2, conversions: { sql: 2 } }]',
    );
    expect(mine).toEqual(['accounts.1.conversions.sql: rule 2 already belongs to account 1']);
  });

  it('names --config when the file came from the option, CAPI_CONFIG when from the environment', () => {
    const missing = '/nonexistent/capi-gateway.yaml';
    expect(errorsOf(() => loadConfig({ env: {}, file: missing }))[0]?.key).toBe('--config');
    expect(errorsOf(() => loadConfig({ env: { CAPI_CONFIG: missing } }))[0]?.key).toBe('CAPI_CONFIG');
  });

  it('does not name a variable that is set but empty, which counts as unset', () => {
    expect(keysOf({ CAPI_PORT: '' }, 'server: { port: eighty }')).toEqual(['server.port: Must be a number.']);
  });
});

describe('the admin commands target', () => {
  it('is where capi start listens with the same environment, a wildcard address over loopback', () => {
    expect(adminTargetUrl({})).toBe('http://127.0.0.1:8080');
    expect(adminTargetUrl({ CAPI_PORT: '9090' })).toBe('http://127.0.0.1:9090');
    expect(adminTargetUrl({ CAPI_HOST: 'gw.internal', CAPI_PORT: '80' })).toBe('http://gw.internal:80');
    expect(adminTargetUrl({ CAPI_HOST: '0.0.0.0' })).toBe('http://127.0.0.1:8080');
    expect(adminTargetUrl({ CAPI_HOST: '::' })).toBe('http://[::1]:8080');
    expect(adminTargetUrl({ CAPI_HOST: '::1', CAPI_PORT: '81' })).toBe('http://[::1]:81');
    // Read as capi start reads it: spaces and line ends from env files dropped, 18501.0 a port.
    expect(adminTargetUrl({ CAPI_PORT: ' 9090\r\n' })).toBe('http://127.0.0.1:9090');
    expect(adminTargetUrl({ CAPI_PORT: '9090.0' })).toBe('http://127.0.0.1:9090');
  });

  it('refuses a CAPI_PORT it cannot connect to, by name', () => {
    for (const port of ['0', 'abc', '0x50', '70000', '80.5']) {
      const issues = errorsOf(() => adminTargetUrl({ CAPI_PORT: port }));
      expect(issues[0]?.key).toBe('CAPI_PORT');
      expect(issues[0]?.message).toContain('--url');
      expect(issues[0]?.message).not.toContain('Kubernetes');
    }
    const [link] = errorsOf(() => adminTargetUrl({ CAPI_PORT: 'tcp://10.0.0.7:8080' }));
    expect(link?.message).toMatch(/--url \(CAPI_URL\)\. Its value looks like a Kubernetes service link/);
  });
});

describe('list parsers', () => {
  it('parses the CDP connector form alias=ruleId', () => {
    expect(parseConversionsList('LEAD=22285180,purchase=1', 'X')).toEqual({
      LEAD: '22285180',
      purchase: '1',
    });
    expect(() => parseConversionsList('lead', 'CAPI_CONVERSIONS')).toThrow(/CAPI_CONVERSIONS/);
  });
  it('parses name:key source pairs, keys may contain colons', () => {
    expect(parseSourceKeys('web:a:b', 'X')).toEqual([{ name: 'web', key: 'a:b' }]);
    expect(() => parseSourceKeys('web', 'CAPI_SOURCE_KEYS')).toThrow(/name:key/);
  });
  it('drops the spaces around source names and keys, which no client could send', () => {
    expect(parseSourceKeys(' web : key-1 , crm:key-2', 'X')).toEqual([
      { name: 'web', key: 'key-1' },
      { name: 'crm', key: 'key-2' },
    ]);
    expect(() => parseSourceKeys('web:secret-key,crm: ', 'CAPI_SOURCE_KEYS')).toThrow(
      /entry 2 is not of the form name:key/,
    );
    expect(() => parseSourceKeys('web:secret-key,crm: ', 'CAPI_SOURCE_KEYS')).not.toThrow(/secret/);
  });
  it('refuses a source key with a space inside', () => {
    const issues = errorsOf(() => loadConfig({ env: { CAPI_SOURCE_KEYS: 'web:0123456789 abcdef' } }));
    expect(issues[0]).toEqual({
      key: 'CAPI_SOURCE_KEYS (sources.0.key)',
      message: 'must not contain spaces',
    });
  });
});
