import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, newEvent, outboxStoreConformance, T0 } from '../src/store/conformance.js';
import { isStoreError } from '../src/store/errors.js';
import { openStore } from '../src/store/open.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { createThreadedSqliteStore, STORE_THREAD } from '../src/store/sqlite-threaded.js';

const dirs: string[] = [];
const tempDbPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'capi-store-thread-'));
  dirs.push(dir);
  return join(dir, 'outbox.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The whole port contract, with the connection on its own thread and the caller's clock crossing over.
outboxStoreConformance(
  'sqlite on its own thread',
  async ({ clock }) => {
    const store = await createThreadedSqliteStore({ path: tempDbPath(), clock });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 40 },
);

// The same contract with checkpoints on a thread of their own (store.sqliteCheckpointThread).
outboxStoreConformance(
  'sqlite on its own thread, checkpoints on another',
  async ({ clock }) => {
    const store = await createThreadedSqliteStore({ path: tempDbPath(), clock, checkpointThread: true });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 10 },
);

// Strict durability: the WAL is synced beside the writer and answers wait for it (sync-gate.ts).
outboxStoreConformance(
  'sqlite on its own thread, strict durability, checkpoints on another',
  async ({ clock }) => {
    const store = await createThreadedSqliteStore({
      path: tempDbPath(),
      clock,
      durability: 'strict',
      checkpointThread: true,
    });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 10 },
);

/** The database file's size: it grows only when a checkpoint copies pages out of the WAL. */
const fileSize = (path: string) => statSync(path).size;

describe('SQLite checkpoints on a thread of their own', () => {
  // ~330 pages of WAL: below SQLite's own 1,000-page checkpoint, so only the thread copies them.
  const events = () =>
    Array.from({ length: 1_000 }, () => newEvent({ payload: JSON.stringify({ pad: 'p'.repeat(1_000) }) }));

  for (const checkpointThread of [true, false]) {
    it(`${checkpointThread ? 'copies' : 'leaves'} a quiet WAL into the database file when switched ${checkpointThread ? 'on' : 'off'}`, async () => {
      const path = tempDbPath();
      const store = await createThreadedSqliteStore({ path, checkpointThread });
      await store.migrate();
      const before = fileSize(path);
      await store.enqueue(events());
      // The thread's cycle after a quiet second.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const grown = fileSize(path) - before;
      if (checkpointThread) expect(grown).toBeGreaterThan(1_000_000);
      else expect(grown).toBe(0);
      await store.close();
      const db = new Database(path, { readonly: true });
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1_000);
      db.close();
    });
  }
});

describe('SQLite store thread', () => {
  it('is what openStore gives for a sqlite: URL unless the thread is switched off', async () => {
    const path = tempDbPath();
    const threaded = await openStore(`sqlite:${path}`);
    await threaded.migrate();
    await threaded.enqueue([newEvent()]);
    await threaded.close();
    // Same file, same format: the in-thread store reads what the threaded one wrote.
    const direct = await openStore(`sqlite:${path}`, { thread: false });
    expect('durabilitySettings' in direct).toBe(true);
    expect((await direct.stats()).byState.queued).toBe(1);
    await direct.close();
  });

  it('merges concurrent callers into shared commits and dedups across them', async () => {
    const path = tempDbPath();
    const store = await createThreadedSqliteStore({ path, clock: fakeClock(T0) });
    await store.migrate();
    const shared = newEvent();
    const calls = Array.from({ length: 40 }, () =>
      store.enqueue([newEvent({ eventId: shared.eventId }), newEvent(), newEvent()]),
    );
    const results = await Promise.all(calls);
    const flat = results.flat();
    expect(flat.filter((s) => s === 'inserted')).toHaveLength(81);
    expect(flat.filter((s) => s === 'duplicate')).toHaveLength(39);
    await store.close();
    // Acknowledged means committed: the rows are in the file once the promises resolved.
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(81);
    db.close();
  });

  it('carries STORE_LOCKED across the thread as a StoreError', async () => {
    const path = tempDbPath();
    const holder = createSqliteStore({ path });
    let refused: unknown;
    try {
      await createThreadedSqliteStore({ path });
    } catch (err) {
      refused = err;
    }
    expect(isStoreError(refused, 'STORE_LOCKED')).toBe(true);
    expect((refused as Error).message).toMatch(/serves one gateway process/);
    await holder.close();
    const taken = await createThreadedSqliteStore({ path });
    await taken.close();
  });

  it('answers STORE_CLOSED after close, and close twice is harmless', async () => {
    const store = await createThreadedSqliteStore({ path: tempDbPath() });
    await store.migrate();
    await store.close();
    await store.close();
    await expect(store.stats()).rejects.toSatisfy((err: unknown) => isStoreError(err, 'STORE_CLOSED'));
    await expect(store.enqueue([newEvent()])).rejects.toSatisfy((err: unknown) =>
      isStoreError(err, 'STORE_CLOSED'),
    );
  });

  it('applies strict durability on the thread', async () => {
    const path = tempDbPath();
    const store = await createThreadedSqliteStore({ path, durability: 'strict' });
    await store.migrate();
    await store.enqueue([newEvent()]);
    await store.close();
    // synchronous is per connection; the file records WAL mode, which the thread set.
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('SQLite store thread lost', () => {
  it('fails waiting and later calls with STORE_CLOSED, reports the loss once, and loses nothing committed', async () => {
    const path = tempDbPath();
    const lost: Error[] = [];
    const store = await createThreadedSqliteStore({ path, onThreadLost: (err) => lost.push(err) });
    await store.migrate();
    const committed = [newEvent({ eventId: 'before-1' }), newEvent({ eventId: 'before-2' })];
    expect(await store.enqueue(committed)).toEqual(['inserted', 'inserted']);

    // The thread dies while a call is waiting on it. The call goes out once termination has begun,
    // so the thread can never answer it (made before, a quick thread could answer first).
    const dying = store[STORE_THREAD].terminate();
    const waiting = store.stats();
    await dying;
    await expect(waiting).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(store.enqueue([newEvent({ eventId: 'after' })])).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(lost).toHaveLength(1);
    expect(isStoreError(lost[0])).toBe(true);
    expect(lost[0]!.message).toMatch(/store thread .* exited/);
    await store.close(); // harmless once the thread is gone

    // What was acknowledged before the loss is in the file; what failed after it is not.
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT event_id FROM events ORDER BY event_id').all() as Array<{
      event_id: string;
    }>;
    db.close();
    expect(rows.map((r) => r.event_id)).toEqual(['before-1', 'before-2']);
  });

  it('by default rethrows the loss on the main thread, so the process exits and is restarted', async () => {
    const store = await createThreadedSqliteStore({ path: tempDbPath() });
    const uncaught = new Promise<Error>((resolve) => {
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.once('uncaughtException', (err) => {
        for (const l of listeners) process.on('uncaughtException', l);
        resolve(err);
      });
    });
    await store[STORE_THREAD].terminate();
    const err = await uncaught;
    expect(isStoreError(err)).toBe(true);
    expect((err as { code?: string }).code).toBe('STORE_CLOSED');
  });
});
