import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newEvent } from '../src/store/conformance.js';
import { toIngestRows } from '../src/store/sqlite/ingest-rows.js';
import type { WalCheckpoint } from '../src/store/sqlite/pragmas.js';
import { createSqliteStore, type SqliteStore } from '../src/store/sqlite.js';
import {
  SAFETY_AUTOCHECKPOINT_PAGES,
  SQLITE_AUTOCHECKPOINT_PAGES,
  startCheckpointer,
} from '../src/store/sqlite-thread/checkpointer.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openStore() {
  const dir = mkdtempSync(join(tmpdir(), 'capi-checkpoint-'));
  dirs.push(dir);
  const path = join(dir, 'outbox.db');
  const store = createSqliteStore({ path });
  stores.push(store);
  return { store, path };
}

/** The real store as the writer, with every call the checkpointer makes on it recorded. */
function recordingWriter(store: SqliteStore) {
  const calls = { tails: [] as WalCheckpoint[], autoCheckpoint: [] as number[] };
  return {
    calls,
    writer: {
      checkpoint() {
        const result = store.checkpoint();
        calls.tails.push(result);
        return result;
      },
      setAutoCheckpoint(pages: number) {
        calls.autoCheckpoint.push(pages);
        store.setAutoCheckpoint(pages);
      },
    },
  };
}

/** ~1 kB payloads, so a few thousand events make megabytes of WAL. */
function batch(size: number) {
  return Array.from({ length: size }, () =>
    newEvent({ payload: JSON.stringify({ pad: 'p'.repeat(1_000) }) }),
  );
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function countEvents(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('checkpoints on a thread of their own', () => {
  it('copies the WAL on its thread, lets the writer copy the rest, and keeps the WAL small', async () => {
    const { store, path } = openStore();
    await store.migrate();
    const { writer, calls } = recordingWriter(store);
    // A tail once the WAL holds 256 pages (1 MiB).
    const checkpointer = startCheckpointer({
      path,
      durability: 'normal',
      writer,
      rowsPerCycle: 500,
      tailPages: 256,
    });
    expect(calls.autoCheckpoint).toEqual([SAFETY_AUTOCHECKPOINT_PAGES]);

    // 40 × 500 events of ~1.2 kB: about 24 MB through the WAL. Without the cycles, the writer's own
    // checkpoint would wait for 16,384 pages (64 MiB), and the WAL file would grow to hold them all.
    let largestWal = 0;
    for (let i = 0; i < 40; i += 1) {
      const before = checkpointer.stats().cycles;
      const [statuses] = store.enqueueRowsNow([toIngestRows(batch(500))]);
      expect(statuses).toHaveLength(500);
      checkpointer.noteWrites(500);
      await until(() => checkpointer.stats().cycles > before, `the cycle after batch ${i}`);
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
    }
    const stats = checkpointer.stats();
    expect(stats.failed).toBeNull();
    expect(stats.cycles).toBeGreaterThanOrEqual(40);
    expect(stats.tails).toBeGreaterThanOrEqual(10);
    expect(calls.tails.length).toBe(stats.tails);
    for (const tail of calls.tails) expect(tail.walPages).toBeGreaterThanOrEqual(256);
    // The WAL restarted from its beginning again and again instead of growing.
    expect(largestWal).toBeLessThan(8 * 2 ** 20);

    await checkpointer.close();
    expect(calls.autoCheckpoint.at(-1)).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    await store.close();
    expect(countEvents(path)).toBe(20_000);
  });

  it('checkpoints after a quiet second even when few rows were written', async () => {
    const { store, path } = openStore();
    await store.migrate();
    const { writer } = recordingWriter(store);
    const checkpointer = startCheckpointer({ path, durability: 'strict', writer, maxIdleMs: 50 });
    store.enqueueRowsNow([toIngestRows(batch(3))]);
    checkpointer.noteWrites(3);
    // 3 rows, far from the 8,000 of a cycle: only the quiet time starts one. The WAL is small, so
    // the writer does not copy anything itself.
    await until(() => checkpointer.stats().cycles === 1, 'the idle cycle');
    expect(checkpointer.stats().tails).toBe(0);
    await checkpointer.close();
  });

  it('does not start a cycle for calls that wrote nothing', async () => {
    const { store, path } = openStore();
    await store.migrate();
    const { writer } = recordingWriter(store);
    const checkpointer = startCheckpointer({ path, durability: 'normal', writer, maxIdleMs: 20 });
    checkpointer.noteWrites(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(checkpointer.stats().cycles).toBe(0);
    await checkpointer.close();
  });

  it('hands checkpoints back to the writer when its thread dies, and loses nothing', async () => {
    const { store, path } = openStore();
    await store.migrate();
    const { writer, calls } = recordingWriter(store);
    const checkpointer = startCheckpointer({ path, durability: 'normal', writer, rowsPerCycle: 100 });
    await new Promise((resolve) => checkpointer.worker.once('online', resolve));
    await checkpointer.worker.terminate();
    await until(() => checkpointer.stats().failed !== null, 'the failure to be seen');
    expect(checkpointer.stats().failed).toMatch(/exited/);
    expect(calls.autoCheckpoint).toEqual([SAFETY_AUTOCHECKPOINT_PAGES, SQLITE_AUTOCHECKPOINT_PAGES]);

    // Writes go on; the writer checkpoints by itself, so the WAL stays near SQLite's own size.
    let largestWal = 0;
    for (let i = 0; i < 20; i += 1) {
      store.enqueueRowsNow([toIngestRows(batch(500))]);
      checkpointer.noteWrites(500);
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
    }
    expect(checkpointer.stats().cycles).toBe(0);
    expect(largestWal).toBeLessThan(16 * 2 ** 20);
    await checkpointer.close();
    await store.close();
    expect(countEvents(path)).toBe(10_000);
  });

  it('closes its connection on close, so the store closes as the last one and removes the WAL', async () => {
    const { store, path } = openStore();
    await store.migrate();
    const checkpointer = startCheckpointer({ path, durability: 'normal', writer: store, rowsPerCycle: 10 });
    store.enqueueRowsNow([toIngestRows(batch(50))]);
    checkpointer.noteWrites(50);
    await checkpointer.close();
    await checkpointer.close();
    expect(checkpointer.stats().failed).toBeNull();
    await store.close();
    expect(() => statSync(`${path}-wal`)).toThrow(/ENOENT/);
    expect(countEvents(path)).toBe(50);
  });
});
