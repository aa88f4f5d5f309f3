/**
 * New events' counts wait in memory and join `state_counts` about once a second (schema version 6,
 * sqlite/new-event-counts.ts). stats() must be exact at every moment, and a crash between folds must
 * lose nothing: the events after the last fold are counted again from their rows at open. A crash
 * is played by copying the database and its WAL while the store is open and idle (what a kill -9
 * leaves behind) and opening the copy.
 */
import { copyFileSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStats } from '../src/ports.js';
import { type FakeClock, fakeClock, ids, MINUTE, newEvent, T0 } from '../src/store/conformance/fixtures.js';
import { FOLD_EVENTS, FOLD_EVERY_MS } from '../src/store/sqlite/new-event-counts.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import { removeTempDirs, tempDbPath as tempPath } from './worker-harness.js';

afterEach(removeTempDirs);

/** The file as a kill -9 would leave it right now: the database and its WAL, copied. */
function crashCopy(path: string): string {
  const copy = tempPath();
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  return copy;
}

function table(path: string): { counts: Record<string, number>; countedSeq: number } {
  const db = new Database(path, { readonly: true });
  try {
    const counts = Object.fromEntries(
      db.prepare('SELECT state, n FROM state_counts').raw(true).all() as [string, number][],
    );
    const countedSeq = db
      .prepare("SELECT value FROM store_meta WHERE key = 'counted_seq'")
      .pluck()
      .get() as number;
    return { counts, countedSeq };
  } finally {
    db.close();
  }
}

async function byState(store: SqliteStore) {
  return (await store.stats()).byState;
}

/** Plays a kill -9 of the store now, then opens what it left: the counts must be `expected`. */
async function expectAfterCrash(
  store: SqliteStore,
  path: string,
  clock: FakeClock,
  expected: OutboxStats['byState'],
): Promise<void> {
  const copy = crashCopy(path);
  await store.close();
  const reopened = createSqliteStore({ path: copy, clock });
  expect(await byState(reopened)).toEqual(expected);
  await reopened.close();
}

const lease = { leaseMs: MINUTE };

describe('SQLite counts of new events', () => {
  it('keeps them in memory between folds, and stats() adds them', async () => {
    const path = tempPath();
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    await store.enqueue([newEvent(), newEvent(), newEvent({ state: 'suppressed' })]);
    expect(table(path).counts).toMatchObject({ queued: 0, suppressed: 0 });
    expect(await byState(store)).toMatchObject({ queued: 2, suppressed: 1 });

    // A second later the next ingest commit folds everything, its own events included.
    clock.advance(FOLD_EVERY_MS);
    await store.enqueue([newEvent()]);
    expect(table(path)).toEqual({
      counts: expect.objectContaining({ queued: 3, suppressed: 1 }),
      countedSeq: 4,
    });
    expect(await byState(store)).toMatchObject({ queued: 3, suppressed: 1 });
    await store.close();
  });

  it('folds at once when that many events wait, however little time passed', async () => {
    const path = tempPath();
    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    await store.enqueue(Array.from({ length: FOLD_EVENTS - 1 }, () => newEvent()));
    expect(table(path).counts.queued).toBe(0);
    await store.enqueue([newEvent()]);
    expect(table(path).counts.queued).toBe(FOLD_EVENTS);
    await store.close();
  });

  it('counts unfolded events again from their rows after a crash, whatever happened to them since', async () => {
    const path = tempPath();
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    const events = Array.from({ length: 6 }, () => newEvent());
    await store.enqueue([...events, newEvent({ state: 'suppressed' })]);
    // Moved before any fold: the table's counts go below zero for a while; stats() stays exact.
    const batch = await store.claim({ limit: 4, ...lease, now: T0 });
    await store.complete(ids(batch?.events ?? []).slice(0, 2), T0);
    await store.kill(ids(batch?.events ?? []).slice(2, 3), 'rejected', null, T0);
    const expected = { queued: 2, sending: 1, delivered: 2, dead: 1, suppressed: 1, retrying: 0 };
    expect(await byState(store)).toEqual(expected);
    expect(table(path).counts.queued).toBeLessThan(0);

    await expectAfterCrash(store, path, clock, expected);
  });

  it('folds before purge deletes rows, so purged events leave the counts exact across a crash', async () => {
    const path = tempPath();
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    await store.enqueue([
      newEvent({ state: 'suppressed', receivedAt: T0 - 2 * MINUTE }),
      newEvent({ state: 'suppressed', receivedAt: T0 - 2 * MINUTE }),
      newEvent(),
    ]);
    expect(await store.purge(T0 - MINUTE)).toEqual({ events: 2, audit: 0 });
    const expected = { queued: 1, sending: 0, delivered: 0, dead: 0, suppressed: 0, retrying: 0 };
    expect(await byState(store)).toEqual(expected);
    expect(table(path).countedSeq).toBe(3);

    await expectAfterCrash(store, path, clock, expected);
  });

  it('folds on close', async () => {
    const path = tempPath();
    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    await store.enqueue([newEvent(), newEvent({ state: 'suppressed' })]);
    await store.close();
    expect(table(path)).toEqual({
      counts: expect.objectContaining({ queued: 1, suppressed: 1 }),
      countedSeq: 2,
    });
  });
});
