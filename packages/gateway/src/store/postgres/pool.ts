import type { Pool, PoolClient } from 'pg';
import { StoreError } from '../errors.js';

/**
 * The only file that touches the `pg` module. It is imported dynamically, so a gateway on SQLite
 * never loads it. The pool parses bigint (epoch ms, counts) as a JS number: every such value here is
 * far below 2^53, and strings would leak into every caller.
 */
export type { Pool, PoolClient };

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PoolOptions {
  connectionString: string;
  schema?: string;
  poolSize?: number;
  /** Give up on opening a connection after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Give up on any one query after this long (default 15 s); migrations are exempt. */
  queryTimeoutMs?: number;
}

/**
 * Why timeouts at all: with a network partition between the gateway and PostgreSQL nothing ever
 * fails, it only goes silent, and without them an ingest request waited for its commit forever
 * (measured in test/e2e/pg-partition.test.ts: no answer after 60 s). With them the commit fails,
 * ingest answers 503 STORE_UNAVAILABLE and the producer retries. 15 s stays under the 30 s most
 * HTTP clients wait, and far above what a query of this store takes (a count of 10 M rows for the
 * metrics is the slowest, about a second or two).
 */
export const DEFAULT_PG_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_PG_QUERY_TIMEOUT_MS = 15_000;

/** For migrations, which may wait for another instance's lock or build an index on a big table. */
export const MIGRATION_QUERY_TIMEOUT_MS = 6 * 3_600_000;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      'STORE_URL_INVALID',
      `PostgreSQL schema "${schema}" is not a plain lower-case identifier (a-z, 0-9, _; 63 characters at most).`,
    );
  }
}

export async function createPool(options: PoolOptions): Promise<Pool> {
  const { default: pg } = await import('pg');
  if (options.schema !== undefined) assertSchemaName(options.schema);
  return new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_PG_CONNECT_TIMEOUT_MS,
    query_timeout: options.queryTimeoutMs ?? DEFAULT_PG_QUERY_TIMEOUT_MS,
    // Idle connections across a partition are found dead by the kernel within about a minute
    // instead of the system default of two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Sent at connection start-up, so every pooled connection sees the schema before its first query.
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    types: epochMillisTypes(pg),
  });
}

type PgModule = typeof import('pg')['default'];

/** Parsers for this pool only (never the process-wide defaults): int8 and int8[] as numbers. */
function epochMillisTypes(pg: PgModule): InstanceType<PgModule['TypeOverrides']> {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  // Our int8[] columns hold plain numbers without NULLs, so the text form is simply {1,2,3}.
  types.setTypeParser(INT8_ARRAY_OID, (value: string) =>
    value.length <= 2 ? [] : value.slice(1, -1).split(',').map(Number),
  );
  return types;
}

/**
 * Runs `fn` in a transaction on one pooled connection, rolling back on any error. A failure that
 * PostgreSQL did not report (a timeout, a reset: no SQLSTATE) leaves the connection in an unknown
 * state, possibly with a query still running on it, so it is closed instead of going back to the
 * pool, where the next caller would queue behind that query.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (sqlState(err) === undefined) broken = err instanceof Error ? err : new Error(String(err));
    else await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(broken);
  }
}

export type Queryable = Pool | PoolClient;

/** A named statement: the server parses and plans it once per connection. */
export function runStatement<R extends object = Record<string, unknown>>(
  db: Queryable,
  statement: { name: string; text: string },
  values: unknown[],
) {
  return db.query<R>({ name: statement.name, text: statement.text, values });
}

/** PostgreSQL error code (SQLSTATE) of a driver error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
