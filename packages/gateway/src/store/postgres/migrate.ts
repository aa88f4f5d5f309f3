import type { QueryConfig } from 'pg';
import { StoreError } from '../errors.js';
import { postgresMigrations } from '../migrations/postgres.js';
import { latestVersion, type Migration } from '../migrations/types.js';
import { inTransaction, MIGRATION_QUERY_TIMEOUT_MS, type Pool, type PoolClient } from './pool.js';

/**
 * Applies missing migrations in one transaction under a transaction-scoped advisory lock, so several
 * gateway instances starting at once queue up behind the first: it migrates, the rest find nothing
 * to do. PostgreSQL DDL is transactional, so a failing step leaves the schema as it was.
 */
export async function migratePostgres(
  pool: Pool,
  schema: string | undefined,
  migrations: readonly Migration[] = postgresMigrations,
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await unbounded(client, 'SELECT pg_advisory_xact_lock(hashtext($1))', [
      `capi-gateway:migrate:${schema ?? ''}`,
    ]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    const current = rows[0]?.v ?? 0;
    const latest = latestVersion(migrations);
    if (current > latest) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `The PostgreSQL store has schema version ${current}, newer than this gateway knows (${latest}). ` +
          'Upgrade every gateway instance; never run an older gateway against a newer store.',
      );
    }
    let applied = 0;
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      for (const statement of m.statements) await unbounded(client, statement);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied += 1;
    }
    return applied;
  });
}

/**
 * A query without the pool's query timeout (only a very long one): waiting for another instance's
 * migration, or building an index over millions of rows, legitimately takes longer.
 */
function unbounded(client: PoolClient, text: string, values: unknown[] = []) {
  // `query_timeout` per query is honoured by pg (client.js reads it first) but missing from its types.
  const config: QueryConfig & { query_timeout: number } = {
    text,
    values,
    query_timeout: MIGRATION_QUERY_TIMEOUT_MS,
  };
  return client.query(config);
}
