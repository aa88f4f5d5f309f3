import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

/**
 * One gateway process per SQLite store. Two processes would each run a write batcher and a claim
 * loop against one file, with no shared budget or pause state, so the second one is refused.
 *
 * The lock is a small companion SQLite file held in exclusive locking mode: the kernel's file lock
 * (not a pid we would have to trust) is what excludes the second process, so the lock vanishes with
 * the process on kill -9, pid reuse inside containers cannot fool it, and the store file itself stays
 * readable by backup tools such as the sqlite3 shell or Litestream.
 */
export interface StoreLock {
  readonly path: string;
  release(): void;
}

export function lockPathFor(storePath: string): string {
  return `${storePath}.lock`;
}

export function acquireStoreLock(storePath: string): StoreLock {
  const path = lockPathFor(storePath);
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and exclusive locking mode keeps it until close.
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    db.exec('BEGIN IMMEDIATE');
    db.prepare('DELETE FROM owner').run();
    db.prepare('INSERT INTO owner (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
    db.exec('COMMIT');
  } catch (err) {
    db?.close();
    if (isBusy(err)) throw lockedError(storePath);
    throw err;
  }
  const held = db;
  return {
    path,
    release: () => {
      if (held.open) held.close();
    },
  };
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function lockedError(storePath: string): StoreError {
  return new StoreError(
    'STORE_LOCKED',
    `The SQLite store ${storePath} is already in use by another gateway process. ` +
      'A SQLite store serves one gateway process; to run several instances, use PostgreSQL ' +
      'by setting CAPI_STORE_URL=postgres://user:password@host:5432/database.',
  );
}
