/**
 * A real "disk full" error from better-sqlite3: a database capped at a few pages by
 * `max_page_count`, written until SQLite refuses. SQLite raises the same SQLITE_FULL for a write
 * past that cap as for a disk with no space left, so the error is the driver's own, not a copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function realDiskFullError(): Error {
  const dir = mkdtempSync(join(tmpdir(), 'capi-full-'));
  const db = new Database(join(dir, 'full.db'));
  try {
    db.exec('CREATE TABLE t (x BLOB)');
    db.pragma('max_page_count = 4');
    const insert = db.prepare('INSERT INTO t (x) VALUES (zeroblob(4096))');
    for (let i = 0; i < 100; i++) insert.run();
  } catch (err) {
    return err as Error;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('SQLite never reported the database as full');
}
