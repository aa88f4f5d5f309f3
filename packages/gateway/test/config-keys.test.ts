import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KNOWN_VARIABLES, loadConfig, unknownEnvironmentVariables } from '../src/config.js';
import {
  editDistance,
  isServiceLink,
  knownKeysOf,
  sectionOf,
  suggestKey,
  suggestVariable,
  unknownKeyMessage,
  unknownVariables,
} from '../src/config-keys.js';
import { errorsOf } from './support/config-errors.js';

const schema = z
  .object({
    server: z.object({ port: z.number(), host: z.string() }).partial().strict(),
    store: z.object({ url: z.string() }).partial().strict(),
    delivery: z.object({ batchSize: z.number(), lingerMs: z.number() }).partial().strict(),
    accounts: z.array(z.object({ id: z.string().optional(), token: z.string().optional() }).strict()),
    logLevel: z.enum(['info', 'debug']),
  })
  .partial()
  .strict();
const known = knownKeysOf(schema);

describe('knownKeysOf', () => {
  it('lists every section of the schema with its keys, through optional values and arrays', () => {
    expect(Object.fromEntries(known)).toEqual({
      '': ['server', 'store', 'delivery', 'accounts', 'logLevel'],
      server: ['port', 'host'],
      store: ['url'],
      delivery: ['batchSize', 'lingerMs'],
      'accounts[]': ['id', 'token'],
    });
  });

  it('names an entry of an array by its section', () => {
    expect(sectionOf([])).toBe('');
    expect(sectionOf(['accounts', 3])).toBe('accounts[]');
    expect(sectionOf(['server'])).toBe('server');
  });
});

describe('suggestKey', () => {
  it('finds a misspelled key, another case or snake_case in the same section', () => {
    expect(suggestKey(known, ['delivery'], 'batch_size')).toBe('delivery.batchSize');
    expect(suggestKey(known, ['delivery'], 'BatchSize')).toBe('delivery.batchSize');
    expect(suggestKey(known, ['delivery'], 'lingerMS')).toBe('delivery.lingerMs');
    expect(suggestKey(known, ['delivery'], 'lingreMs')).toBe('delivery.lingerMs');
    expect(suggestKey(known, [], 'delivry')).toBe('delivery');
    expect(suggestKey(known, ['accounts', 2], 'tokn')).toBe('accounts.2.token');
  });

  it('finds a key put in the wrong section', () => {
    expect(suggestKey(known, [], 'port')).toBe('server.port');
    expect(suggestKey(known, ['server'], 'url')).toBe('store.url');
    expect(suggestKey(known, [], 'token')).toBe('accounts[].token');
  });

  it('suggests nothing for a word that is not a typo of a key', () => {
    expect(suggestKey(known, [], 'foo')).toBeNull();
    expect(suggestKey(known, ['delivery'], 'retries')).toBeNull();
    // Short keys take no edits: "id" is not "ip".
    expect(suggestKey(known, ['accounts', 0], 'ip')).toBeNull();
  });

  it('maps every known key, written in any case or with underscores, back to itself', () => {
    const entries = [...known].flatMap(([section, keys]) => keys.map((key) => ({ section, key })));
    fc.assert(
      fc.property(fc.constantFrom(...entries), fc.boolean(), ({ section, key }, upper) => {
        const path =
          section === '' ? [] : section.split('.').map((p) => (p.endsWith('[]') ? p.slice(0, -2) : p));
        const withIndex: PropertyKey[] = section.endsWith('[]') ? [...path, 0] : path;
        const written = upper ? key.toUpperCase() : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        const expected = [...withIndex.map(String), key].join('.');
        expect(suggestKey(known, withIndex, written)).toBe(expected);
      }),
    );
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours', () => {
    expect(editDistance('linger', 'linger')).toBe(0);
    expect(editDistance('lingr', 'linger')).toBe(1);
    expect(editDistance('lingre', 'linger')).toBe(1);
    expect(editDistance('port', 'host')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('is symmetric, zero only for equal strings, and at most the longer length', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 8 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});

describe('unknown keys in the configuration file', () => {
  const messagesOf = (yamlText: string): string[] =>
    errorsOf(() => loadConfig({ env: {}, yamlText })).map((i) => `${i.key}: ${i.message}`);

  it('names each unknown key with the key it most likely meant', () => {
    expect(messagesOf('port: 8081')).toEqual(['port: Unknown key. Did you mean server.port?']);
    expect(messagesOf('delivery: { batch_size: 10, lingerMS: 5 }')).toEqual([
      'delivery.batch_size: Unknown key. Did you mean delivery.batchSize?',
      'delivery.lingerMS: Unknown key. Did you mean delivery.lingerMs?',
    ]);
    expect(messagesOf('version: 202609')).toEqual(['version: Unknown key. Did you mean linkedin.version?']);
  });

  it('lists the keys a section takes when no key is close', () => {
    const [message] = messagesOf('store: { colour: blue }');
    expect(message).toMatch(/^store\.colour: Unknown key\. Known keys here: url, durability, /);
  });

  it('takes a key that differs only in case, even a one-letter one', () => {
    const real = unknownKeyMessage(knownKeysOf(z.object({ a: z.string() }).strict()), [], 'A');
    expect(real).toBe('Unknown key. Did you mean a?');
  });
});

describe('unknown environment variables', () => {
  it("reports variables with the gateway's prefixes that it does not read, with the one meant", () => {
    const env = {
      CAPI_PROT: '8081',
      CAPI_LOGLEVEL: 'debug',
      CAPI_DELIVERY_BATCHSIZE: '100',
      CAPI_RPM: '100',
      LINKEDIN_TOKEN: 'TOKENCANARY',
      LINKEDIN_BASE_URL: 'http://127.0.0.1:1',
      LINKEDIN_CLIENT_ID: 'x',
      CAPI_PORT: '8080',
      CAPI_URL: 'http://127.0.0.1:8080',
      CAPI_BENCH_EVENTS: '10',
      CAPI_TEST_PG_URL: 'postgres://x',
      PATH: '/bin',
    };
    expect(unknownEnvironmentVariables(env)).toEqual([
      { name: 'CAPI_DELIVERY_BATCHSIZE', meant: 'CAPI_DELIVERY_BATCH_SIZE' },
      { name: 'CAPI_LOGLEVEL', meant: 'CAPI_LOG_LEVEL' },
      { name: 'CAPI_PROT', meant: 'CAPI_PORT' },
      { name: 'CAPI_RPM', meant: 'CAPI_LINKEDIN_RPM' },
      { name: 'LINKEDIN_BASE_URL', meant: 'LINKEDIN_API_BASE_URL' },
      { name: 'LINKEDIN_CLIENT_ID', meant: null },
      { name: 'LINKEDIN_TOKEN', meant: 'LINKEDIN_ACCESS_TOKEN' },
    ]);
  });

  it('never reports a variable the gateway reads, nor one without its prefixes', () => {
    const other = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/).filter((n) => !/^(CAPI|LINKEDIN)_/.test(n));
    fc.assert(
      fc.property(fc.subarray([...KNOWN_VARIABLES]), fc.array(other), (known, foreign) => {
        const env = Object.fromEntries([...known, ...foreign].map((name) => [name, 'x']));
        expect(unknownVariables(env, KNOWN_VARIABLES)).toEqual([]);
      }),
    );
  });

  it('leaves out the variables Kubernetes makes for the Services of a namespace', () => {
    const links = {
      CAPI_GATEWAY_SERVICE_HOST: '10.0.0.1',
      CAPI_GATEWAY_SERVICE_PORT: '8080',
      CAPI_GATEWAY_SERVICE_PORT_HTTP: '8080',
      CAPI_GATEWAY_PORT: 'tcp://10.0.0.1:8080',
      CAPI_GATEWAY_PORT_8080_TCP: 'tcp://10.0.0.1:8080',
      CAPI_GATEWAY_PORT_8080_TCP_PROTO: 'tcp',
      CAPI_GATEWAY_PORT_8080_TCP_PORT: '8080',
      CAPI_GATEWAY_PORT_8080_TCP_ADDR: '10.0.0.1',
      LINKEDIN_MOCK_PORT: 'udp://10.0.0.2:53',
    };
    expect(unknownEnvironmentVariables({ ...links, CAPI_PROT: '1', CAPI_ADMIN_PORT: '9090' })).toEqual([
      { name: 'CAPI_ADMIN_PORT', meant: null },
      { name: 'CAPI_PROT', meant: 'CAPI_PORT' },
    ]);
    expect(isServiceLink('CAPI_PORT', 'tcp://10.0.0.7:8080')).toBe(true);
    expect(isServiceLink('CAPI_PORT', '8080')).toBe(false);
  });

  it('tells a setting holding a service link where it came from', () => {
    const issues = errorsOf(() => loadConfig({ env: { CAPI_PORT: 'tcp://10.0.0.7:8080' } }));
    expect(issues).toEqual([
      {
        key: 'CAPI_PORT (server.port)',
        message: expect.stringMatching(
          /^Must be a number\. .*a Service named "capi" .*enableServiceLinks: false/,
        ),
      },
    ]);
  });

  it('suggests the shortest variable holding every word of the name, in order', () => {
    const known = ['LINKEDIN_API_BASE_URL', 'LINKEDIN_OAUTH_BASE_URL', 'CAPI_PORT'];
    expect(suggestVariable('LINKEDIN_BASE_URL', known)).toBe('LINKEDIN_API_BASE_URL');
    expect(suggestVariable('LINKEDIN_URL_BASE', known)).toBeNull();
    expect(suggestVariable('CAPI_PROT', known)).toBe('CAPI_PORT');
    expect(suggestVariable('CAPI_', known)).toBeNull();
  });

  it('docs/configuration.md lists every variable the gateway reads', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(KNOWN_VARIABLES.filter((name) => !doc.includes(`| \`${name}\` |`))).toEqual([]);
  });
});
