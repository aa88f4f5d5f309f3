import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type Durability, synchronousPragma, type WalCheckpoint } from '../sqlite/pragmas.js';

/**
 * Checkpoints on a thread of their own, so the store thread stops waiting for them.
 *
 * Why: SQLite checkpoints from the connection that commits, once the WAL passes 1,000 pages. The
 * checkpoint copies those pages into the database file and fsyncs both files, and the store thread
 * waits through it: measured on the outbox's own insert path (bench/sqlite-key-order.ts), about a
 * third of ingest time with event ids in order, and more with scattered ids, which write more pages.
 *
 * How, without letting the WAL grow: a checkpoint from another connection copies only what the WAL
 * held when it started, and the WAL starts over from its beginning only when every page in it has
 * been copied, which a thread that does not write can never be sure of. So the work is split. Every
 * `rowsPerCycle` rows written (or after `maxIdleMs` with any write), the store asks this thread for
 * a checkpoint, which copies what is there; the WAL keeps growing meanwhile, but stays copied up to
 * nearly its end. Once it holds `tailPages` pages, the store thread checkpoints the few pages not
 * yet copied itself, and its next write transaction starts the WAL over. So the store thread still
 * waits for a checkpoint's two fsyncs, but once per `tailPages` pages (~47 MiB by default) instead of
 * once per 1,000 (4 MiB), and copies almost nothing. Its own automatic checkpoint stays on at
 * 16,384 pages as a safety net: should this thread fall behind or fail, the store checkpoints as it
 * did before (after a failure, at SQLite's own 1,000 pages again).
 *
 * Started with `store.sqliteCheckpointThread` (the gateway's default; `false` keeps checkpoints on the
 * store thread). On two cores the freed store-thread time goes first to whichever of ingest and
 * delivery asks for it: at a load the machine sustains both gain, past it ingest outruns delivery
 * (docs/benchmarks.md, "Checkpoints on their own thread by default").
 *
 * The thread is a few lines of CommonJS evaluated from a string, so it runs the same from the
 * TypeScript sources and from the bundle, and loads better-sqlite3 by the path this module resolves.
 */
export interface CheckpointerOptions {
  path: string;
  durability: Durability;
  /** The connection that writes: the tail of each cycle, and its own automatic checkpoint. */
  writer: { checkpoint(): WalCheckpoint; setAutoCheckpoint(pages: number): void };
  /**
   * Rows written between two checkpoints on the thread (default 8,000: ~11 MB of in-order ingest).
   * 2,000 measured worse: each cycle fsyncs both files, and at single-event rates the thread's
   * cycles competed with the request path (docs/benchmarks.md, "Fewer, larger checkpoint cycles").
   */
  rowsPerCycle?: number;
  /** WAL pages at which the writer copies the rest and the WAL starts over (default 12,000: ~47 MiB). */
  tailPages?: number;
  /** A cycle at least this often while anything is written (default 1,000 ms). */
  maxIdleMs?: number;
}

export interface CheckpointerStats {
  /** Checkpoints this thread completed. */
  cycles: number;
  /** Checkpoints the writer ran after one of them, to let the WAL start over. */
  tails: number;
  /** Why the thread stopped, when it failed; the writer then checkpoints by itself. */
  failed: string | null;
}

export interface Checkpointer {
  /** After a commit: roughly how many rows it wrote. */
  noteWrites(rows: number): void;
  stats(): CheckpointerStats;
  /** Stops the thread (its connection closes); the writer checkpoints by itself from then on. */
  close(): Promise<void>;
  /** The thread, for tests that make it fail. */
  readonly worker: Worker;
}

export const DEFAULT_ROWS_PER_CYCLE = 8_000;
export const DEFAULT_TAIL_PAGES = 12_000;
export const DEFAULT_MAX_IDLE_MS = 1_000;
/** The writer's own threshold while the thread runs: 16,384 pages, the 64 MiB the WAL is cut back to. */
export const SAFETY_AUTOCHECKPOINT_PAGES = 16_384;
/** SQLite's default, restored when the thread fails. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// A checkpoint fsyncs as its connection's synchronous setting says: the store's, never less.
db.pragma('synchronous = ' + workerData.synchronous);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const [row] = db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage({ walPages: row.log });
});
`;

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const rowsPerCycle = options.rowsPerCycle ?? DEFAULT_ROWS_PER_CYCLE;
  const tailPages = options.tailPages ?? DEFAULT_TAIL_PAGES;
  const maxIdleMs = options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS;
  const { writer } = options;
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      synchronous: synchronousPragma(options.durability),
    },
  });
  const stats: CheckpointerStats = { cycles: 0, tails: 0, failed: null };
  let rows = 0;
  let running = false;
  let closing = false;
  let idleTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  writer.setAutoCheckpoint(SAFETY_AUTOCHECKPOINT_PAGES);

  const stop = (reason: string | null) => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (reason !== null && stats.failed === null && !closing) stats.failed = reason;
    if (stopped) return;
    stopped = true;
    // From now on the writer checkpoints by itself, as SQLite does by default.
    writer.setAutoCheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
  };
  const request = () => {
    if (running || stopped) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    rows = 0;
    running = true;
    worker.postMessage('checkpoint');
  };
  worker.on('message', (done: { walPages: number }) => {
    running = false;
    stats.cycles += 1;
    if (stopped) return;
    if (done.walPages >= tailPages) {
      // The pages committed while the thread worked: few, so this is quick. Busy only if a reader
      // holds them; a later cycle then catches up.
      writer.checkpoint();
      stats.tails += 1;
    }
    if (rows >= rowsPerCycle) request();
  });
  worker.on('error', (err) => stop(err.message));
  worker.on('exit', (code) => stop(closing ? null : `the checkpoint thread exited (code ${code})`));

  return {
    worker,
    noteWrites(n) {
      if (stopped || n <= 0) return;
      rows += n;
      if (rows >= rowsPerCycle) request();
      else if (!running && idleTimer === null) {
        idleTimer = setTimeout(request, maxIdleMs);
        idleTimer.unref();
      }
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closing) return;
      closing = true;
      const alreadyGone = stopped;
      stop(null);
      if (alreadyGone) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      await exited;
    },
  };
}
