import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { classifyStoreFailure } from '../src/store/failure.js';
import { fromWireError, toWireError } from '../src/store/sqlite-thread/wire-error.js';
import { realDiskFullError } from './support/disk-full.js';

function pgError(code: string): Error {
  const err = new pg.DatabaseError('could not extend file', 0, 'error');
  err.code = code;
  return err;
}

describe('classifyStoreFailure', () => {
  it('reads SQLite’s own disk-full error as full', () => {
    const err = realDiskFullError();
    expect((err as { code?: string }).code).toBe('SQLITE_FULL');
    expect(classifyStoreFailure(err)).toBe('full');
  });

  it('still reads it as full after the trip back from the store thread', () => {
    expect(classifyStoreFailure(fromWireError(toWireError(realDiskFullError())))).toBe('full');
  });

  it('logs the rebuilt error with its message and code, and nothing censored', () => {
    const err = fromWireError(toWireError(realDiskFullError()));
    expect(err.name).toBe('SqliteError');
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.error({ err }, 'outbox enqueue failed');
    const logged = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(logged.err).toMatchObject({ message: 'database or disk is full', code: 'SQLITE_FULL' });
    expect(lines[0]).not.toContain('[redacted]');
  });

  it('reads PostgreSQL’s disk_full (53100) as full', () => {
    expect(classifyStoreFailure(pgError('53100'))).toBe('full');
  });

  it('reads every other failure as unavailable', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    db.exec('INSERT INTO t VALUES (1)');
    let constraint: unknown;
    try {
      db.exec('INSERT INTO t VALUES (1)');
    } catch (err) {
      constraint = err;
    }
    db.close();
    expect((constraint as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
    for (const err of [
      constraint,
      pgError('57P01'),
      pgError('53200'),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      new Error('no code at all'),
      Object.assign(new Error('numeric code'), { code: 13 }),
      'a string',
      null,
      undefined,
    ]) {
      expect(classifyStoreFailure(err)).toBe('unavailable');
    }
  });
});
