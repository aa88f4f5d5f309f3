import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';

/**
 * How tests reach PostgreSQL, shared by every suite that needs it.
 *
 * - PostgreSQL reachable: the tests run.
 * - Unreachable and CI=true: the tests FAIL, with a message, so CI can never go green by skipping.
 * - Unreachable elsewhere: the tests are skipped, with a visible notice.
 *
 * CAPI_TEST_PG_URL overrides the default URL.
 */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function testPgUrl(): string {
  return process.env.CAPI_TEST_PG_URL || DEFAULT_TEST_PG_URL;
}

export type PgAvailability = { ok: true; url: string } | { ok: false; url: string; reason: string };

/** Connects once and runs `SELECT 1`, giving up after `timeoutMs`. */
export async function probePg(url = testPgUrl(), timeoutMs = 3_000): Promise<PgAvailability> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, url };
  } catch (err) {
    return { ok: false, url, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `describe` for PostgreSQL suites, applying the availability rule. Call it at the top level of a
 * test file (`await describeWithPg(...)`); `body` receives the URL.
 */
export async function describeWithPg(name: string, body: (url: string) => void): Promise<void> {
  const pg = await probePg();
  if (pg.ok) {
    describe(name, () => body(pg.url));
    return;
  }
  const message = `PostgreSQL is not reachable at ${redact(pg.url)} (${pg.reason}). Start it, or set CAPI_TEST_PG_URL.`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs PostgreSQL (required in CI)', () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`\n[skip] ${name}: ${message}\n`);
  describe.skip(name, () => body(pg.url));
}

/** A fresh, uniquely named schema and a function that drops it with everything in it. */
export function freshSchemaName(prefix = 'capi_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
