import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isStoreError } from '../src/store/errors.js';
import { newOutboxId } from '../src/store/ids.js';
import { migrate, openStore, parseStoreUrl, redactStoreUrl } from '../src/store/open.js';
import { describeWithPg, dropSchema, freshSchemaName } from './support/pg.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-open-'));
  dirs.push(dir);
  return dir;
}

describe('parseStoreUrl', () => {
  it.each([
    ['sqlite:./.capi/gateway.db', './.capi/gateway.db'],
    ['sqlite:/var/lib/capi/gateway.db', '/var/lib/capi/gateway.db'],
    ['sqlite:///var/lib/capi/gateway.db', '/var/lib/capi/gateway.db'],
    ['./data/gateway.db', './data/gateway.db'],
    ['/var/lib/capi/gateway.db', '/var/lib/capi/gateway.db'],
    ['gateway.db', 'gateway.db'],
  ])('%s is SQLite at %s', (url, path) => {
    expect(parseStoreUrl(url)).toEqual({ kind: 'sqlite', path });
  });

  it('reads postgres:// and postgresql:// URLs, taking an optional schema parameter out', () => {
    expect(parseStoreUrl('postgres://capi:pw@db:5432/capi')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://capi:pw@db:5432/capi',
    });
    expect(parseStoreUrl('postgresql://db/capi?schema=gateway&sslmode=require')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://db/capi?sslmode=require',
      schema: 'gateway',
    });
  });

  it.each(['mysql://db/capi', 'redis://localhost', 'sqlite:', ''])(
    'refuses %j with STORE_URL_INVALID naming CAPI_STORE_URL',
    (url) => {
      let error: unknown;
      try {
        parseStoreUrl(url);
      } catch (err) {
        error = err;
      }
      expect(isStoreError(error, 'STORE_URL_INVALID')).toBe(true);
      expect((error as Error).message).toContain('CAPI_STORE_URL');
    },
  );

  it('never repeats a password in its error or in redacted URLs', () => {
    expect(() => parseStoreUrl('mysql://capi:s3cret@db/capi')).toThrow(/^(?!.*s3cret)/s);
    expect(redactStoreUrl('postgres://capi:s3cret@db:5432/capi')).toBe('postgres://capi:***@db:5432/capi');
    // A password with an unescaped "@", and one given as a query parameter, as pg and libpq take it.
    expect(redactStoreUrl('postgres://capi:s3@cret@db:5432/capi')).toBe('postgres://capi:***@db:5432/capi');
    expect(redactStoreUrl('postgres://capi@db/capi?sslmode=require&password=s3cret')).toBe(
      'postgres://capi@db/capi?sslmode=require&password=***',
    );
    expect(redactStoreUrl('sqlite:./.capi/gateway.db')).toBe('sqlite:./.capi/gateway.db');
    expect(redactStoreUrl('./data/gateway.db')).toBe('./data/gateway.db');
  });
});

describe('openStore and migrate', () => {
  it('opens SQLite from a sqlite: URL, creating the directory', async () => {
    const path = join(tempDir(), 'nested', 'gateway.db');
    await migrate(`sqlite:${path}`);
    const store = await openStore(`sqlite:${path}`, { durability: 'strict' });
    expect(store.capabilities).toEqual({
      multiInstance: false,
      skipLocked: false,
      releasesByLeaseToken: false,
    });
    await store.close();
  });

  it('opens the in-memory store for memory:', async () => {
    const store = await openStore('memory:');
    expect(await store.stats()).toMatchObject({ oldestQueuedAt: null });
    await store.close();
  });
});

await describeWithPg('openStore with PostgreSQL', (url) => {
  it('opens PostgreSQL from a postgres:// URL and migrates the named schema', async () => {
    const schema = freshSchemaName();
    const storeUrl = `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
    try {
      await migrate(storeUrl);
      await migrate(storeUrl);
      const store = await openStore(storeUrl, { poolSize: 2 });
      expect(store.capabilities).toEqual({
        multiInstance: true,
        skipLocked: true,
        releasesByLeaseToken: true,
      });
      expect((await store.stats()).byState.queued).toBe(0);
      await store.close();
    } finally {
      await dropSchema(url, schema);
    }
  });
});

describe('newOutboxId', () => {
  it('makes RFC 9562 version-7 UUIDs that sort by time and do not repeat', () => {
    const ids = Array.from({ length: 10_000 }, () => newOutboxId());
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    const earlier = newOutboxId(Date.UTC(2030, 0, 1));
    const later = newOutboxId(Date.UTC(2030, 0, 1, 0, 0, 0, 1));
    expect(earlier < later).toBe(true);
    expect(earlier.slice(0, 13)).toBe('01b8dac5-b400');
  });

  it('carries any 48-bit time in its first twelve digits, in the UUIDv7 layout, however ids interleave', () => {
    const layout = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { minLength: 1, maxLength: 20 }),
        (times) => {
          const ids = times.map((t) => newOutboxId(t));
          ids.forEach((id, i) => {
            expect(id).toMatch(layout);
            expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(times[i]);
          });
          // The time prefix is kept between calls: a later id must not carry an earlier one's time.
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });
});
