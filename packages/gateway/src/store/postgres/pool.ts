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
}

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

/** Runs `fn` in a transaction on one pooled connection, rolling back on any error. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
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
