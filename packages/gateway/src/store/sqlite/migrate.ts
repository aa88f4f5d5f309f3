import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { sqliteMigrations } from '../migrations/sqlite.js';
import { latestVersion, type Migration } from '../migrations/types.js';

/**
 * Applies missing migrations in one IMMEDIATE transaction: SQLite's write lock plays the part of
 * PostgreSQL's advisory lock, so a migration and another writer never interleave.
 */
export function migrateSqlite(
  db: Database.Database,
  migrations: readonly Migration[] = sqliteMigrations,
): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const run = db.transaction(() => {
    const current = currentVersion(db);
    const latest = latestVersion(migrations);
    if (current > latest) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `The SQLite store has schema version ${current}, newer than this gateway knows (${latest}). ` +
          'Upgrade the gateway; never run an older gateway against a newer store.',
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    let applied = 0;
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      for (const statement of m.statements) db.exec(statement);
      record.run(m.version, m.name, Date.now());
      applied += 1;
    }
    return applied;
  });
  return run.immediate();
}

export function currentVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}
