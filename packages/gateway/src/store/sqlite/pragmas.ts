import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

export type Durability = 'normal' | 'strict';

/**
 * WAL always. `synchronous` decides what a commit survives: NORMAL survives a crash of the gateway
 * process (the WAL is written before the promise resolves) but the last commits may be lost on power
 * failure; FULL fsyncs the WAL on every commit, so an acknowledged event survives power loss too.
 * Group commit is what keeps FULL affordable: one fsync covers every batch in the flush.
 *
 * The settings are read back and asserted at boot: a pragma that silently did not take (a read-only
 * directory, a filesystem without shared memory) must stop the gateway, not weaken its promise.
 */
const SYNCHRONOUS: Record<Durability, { value: string; code: number }> = {
  normal: { value: 'NORMAL', code: 1 },
  strict: { value: 'FULL', code: 2 },
};

/** The `synchronous` value a durability mode runs with, for any connection that writes or checkpoints. */
export function synchronousPragma(durability: Durability): string {
  return SYNCHRONOUS[durability].value;
}

/**
 * The page cache's default ceiling: the hot pages are the tails of the append-ordered table and
 * indexes. 16, not 32: measured on two cores, 16 gave the same batch ingest, end to end and 10 M
 * drain rates as 32, with a peak resident set 15–18 MiB lower (docs/benchmarks.md, "A 16 MiB page
 * cache by default").
 */
export const DEFAULT_CACHE_MIB = 16;

export function applyPragmas(
  db: Database.Database,
  durability: Durability,
  cacheMiB = DEFAULT_CACHE_MIB,
): void {
  const journal = db.pragma('journal_mode = WAL', { simple: true });
  db.pragma(`synchronous = ${synchronousPragma(durability)}`);
  // Backup tools may hold a read lock for a moment; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  // Bounded memory whatever the backlog: a page cache of `cacheMiB` (16 by default; 32 and 64
  // measured no faster), and the WAL file truncated back to 64 MiB after checkpoints instead of
  // keeping its high-water mark. A negative cache_size is in KiB.
  db.pragma(`cache_size = -${Math.round(cacheMiB * 1024)}`);
  db.pragma('journal_size_limit = 67108864');
  db.pragma('temp_store = MEMORY');
  assertDurability(db, durability, journal);
}

export function assertDurability(db: Database.Database, durability: Durability, journal?: unknown): void {
  const mode = journal ?? db.pragma('journal_mode', { simple: true });
  if (String(mode).toLowerCase() !== 'wal') {
    throw new StoreError(
      'STORE_DURABILITY',
      `SQLite refused WAL mode (journal_mode is ${String(mode)}); the store needs a local filesystem.`,
    );
  }
  const sync = Number(db.pragma('synchronous', { simple: true }));
  const want = SYNCHRONOUS[durability];
  if (sync !== want.code) {
    throw new StoreError(
      'STORE_DURABILITY',
      `SQLite synchronous is ${sync}, expected ${want.code} (${want.value}) for durability "${durability}".`,
    );
  }
}

export function readDurability(db: Database.Database): {
  journalMode: string;
  synchronous: number;
  cacheKiB: number;
} {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    // Stored negative (a size in KiB rather than a page count).
    cacheKiB: -Number(db.pragma('cache_size', { simple: true })),
  };
}

/** What `PRAGMA wal_checkpoint` reports: pages in the WAL, how many are now in the database file. */
export interface WalCheckpoint {
  /** Another connection held the checkpoint, or a reader kept the newest pages from being copied. */
  busy: boolean;
  walPages: number;
  checkpointedPages: number;
}

/** The WAL size, in pages, at which a commit on this connection checkpoints by itself (0: never). */
export function setWalAutoCheckpoint(db: Database.Database, pages: number): void {
  db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
}

/**
 * A PASSIVE checkpoint: copies what it can without waiting for readers or writers. Once every page
 * of the WAL is in the database file, the next write transaction starts the WAL over from its
 * beginning, which is what keeps the file small.
 */
export function walCheckpoint(db: Database.Database): WalCheckpoint {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{
    busy: number;
    log: number;
    checkpointed: number;
  }>;
  return { busy: row!.busy !== 0, walPages: row!.log, checkpointedPages: row!.checkpointed };
}
