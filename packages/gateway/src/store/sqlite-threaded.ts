import { Worker } from 'node:worker_threads';
import {
  type Clock,
  type EnqueueStatus,
  type NewOutboxEvent,
  type OutboxStore,
  type StoreCapabilities,
  systemClock,
} from '../ports.js';
import { StoreError } from './errors.js';
import { createGroupCommit } from './group-commit.js';
import { toIngestRows } from './sqlite/ingest-rows.js';
import { claimedBatchOf, type Leased } from './sqlite/leased.js';
import type { Durability } from './sqlite/pragmas.js';
import type {
  BatchResult,
  ForwardedMethod,
  ThreadOptions,
  ThreadReply,
  ThreadRequest,
  ThreadStartup,
} from './sqlite-thread/protocol.js';
import { fromWireError } from './sqlite-thread/wire-error.js';

export interface ThreadedSqliteStoreOptions {
  path: string;
  durability?: Durability;
  dedupWindowMs?: number;
  clock?: Clock;
  groupCommitRows?: number;
  /** The page cache's ceiling in MiB (default 16). */
  cacheMiB?: number;
  /** Checkpoints on a thread of their own (sqlite-thread/checkpointer.ts; default false). */
  checkpointThread?: boolean;
  /**
   * Called once if the thread dies while the store is open (it never should: SQLite errors are
   * answered as values). The default rethrows on the main thread, so the process exits like any
   * uncaught failure and a supervisor restarts it; what was acknowledged is already committed.
   */
  onThreadLost?: (err: Error) => void;
}

/**
 * The store's worker thread, for operators' diagnostics and for tests that must prove what happens
 * when the thread dies. A symbol, so it is not part of the OutboxStore port.
 */
export const STORE_THREAD: unique symbol = Symbol('capi.sqliteStoreThread');

/**
 * Rows that make a message leave at once instead of at the end of the turn. Small messages keep
 * the two threads working side by side (the thread writes one while the main thread parses the
 * next), and rows waiting here are rows the young generation must copy at every scavenge: measured
 * with 500-event requests, 1,000 gave ~15 % more events/s than 2,500 (scavenge time halved) and
 * 2,500 ~30 % more than 20,000; 500 was no better than 1,000.
 */
const MESSAGE_ROWS = 1_000;
/**
 * Messages on their way to or waiting on the thread. More than one keeps the thread busy while the
 * main thread is still parsing the next requests and has not yet read the last reply; measured on
 * two cores, 8 gave the thread work at every turn where 2 left it idle a third of the time.
 */
const MAX_MESSAGES_IN_FLIGHT = 8;
/**
 * Groups under SMALL_MESSAGE_ROWS wait while SMALL_MESSAGES_IN_FLIGHT messages are out, and grow
 * meanwhile: single-event traffic then shares commits instead of sending a message per turn. One:
 * the next group forms while the thread commits the last, as in classic group commit. Measured with
 * 64 connections of single events, four pairs: 9,070–9,469 against 7,756–9,118 req/s for two, p99
 * 25–28 against 26–30 ms; batch ingest the same (its messages are never small).
 */
const SMALL_MESSAGES_IN_FLIGHT = 1;
const SMALL_MESSAGE_ROWS = 500;

/**
 * The SQLite store on a thread of its own. Same store, same file format, same promises: this side
 * forwards each call as a message and the thread runs the synchronous SQLite store. What it buys is
 * CPU: writing to SQLite (B-trees, WAL, checksums, fsync in strict mode) takes about as long per
 * event as HTTP, validation and hashing together, and on one thread the two would take turns.
 *
 * Enqueues made in the same event-loop turn travel in one message and are committed in one
 * transaction on the thread, so group commit works across the thread boundary; an acknowledgement
 * still waits for that commit.
 */
export async function createThreadedSqliteStore(
  options: ThreadedSqliteStoreOptions,
): Promise<OutboxStore & { readonly [STORE_THREAD]: Worker }> {
  const clock = options.clock ?? systemClock;
  const here = import.meta.url;
  const entry = new URL(here.endsWith('.ts') ? './sqlite-thread/host.ts' : './sqlite-thread/host.js', here);
  const threadOptions: ThreadOptions = {
    path: options.path,
    durability: options.durability ?? 'normal',
    entry: entry.href,
    ...(options.dedupWindowMs !== undefined ? { dedupWindowMs: options.dedupWindowMs } : {}),
    ...(options.groupCommitRows !== undefined ? { groupCommitRows: options.groupCommitRows } : {}),
    ...(options.cacheMiB !== undefined ? { cacheMiB: options.cacheMiB } : {}),
    ...(options.checkpointThread ? { checkpointThread: true } : {}),
  };
  const worker = new Worker(new URL('./sqlite-thread/boot.mjs', here), {
    workerData: threadOptions,
    // The host needs a few MiB of its own heap; SQLite's page cache is native memory.
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
  });

  const capabilities = await new Promise<StoreCapabilities>((resolve, reject) => {
    // A failed start posts its reason (with its code, e.g. STORE_LOCKED) and then throws, which
    // the worker reports as an 'error' event on another channel, in no fixed order with the
    // message. So the 'error' only counts if no message came: Node delivers every message the
    // thread posted before it emits 'exit', and the first settlement wins.
    let thrown: Error | null = null;
    const onError = (err: Error) => {
      thrown = err;
    };
    const onExit = (code: number) =>
      reject(thrown ?? new StoreError('STORE_CLOSED', `The SQLite store thread exited (code ${code}).`));
    worker.on('error', onError);
    worker.once('exit', onExit);
    worker.once('message', (message: ThreadStartup) => {
      if (message.kind === 'ready') {
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(message.capabilities);
      } else {
        // onError stays: the throw that follows a failed start must not be an unhandled 'error'.
        reject(fromWireError(message.error));
      }
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  /** Set once the thread is gone; every later call fails with it. */
  let gone: Error | null = null;

  let closing: Promise<void> | null = null;
  const lost =
    options.onThreadLost ??
    ((err: Error) =>
      setImmediate(() => {
        throw err;
      }));
  const failAll = (err: Error) => {
    if (gone) return;
    gone = err;
    for (const [, w] of waiting) w.reject(err);
    waiting.clear();
    if (!closing) lost(err);
  };
  worker.on('message', (message: ThreadReply) => {
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.ok) w.resolve(message.value);
    else w.reject(fromWireError(message.error));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) =>
    failAll(
      new StoreError('STORE_CLOSED', `The SQLite store thread for ${options.path} exited (code ${code}).`),
    ),
  );

  const send = <T>(method: ThreadRequest['method'], args: unknown[]): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, now: clock.now(), method, args } as ThreadRequest);
    });
  };
  const forward =
    <M extends ForwardedMethod>(method: M) =>
    (...args: Parameters<OutboxStore[M]>): ReturnType<OutboxStore[M]> =>
      send(method, args) as ReturnType<OutboxStore[M]>;

  const group = createGroupCommit<NewOutboxEvent, EnqueueStatus>({
    maxPendingRows: options.groupCommitRows ?? MESSAGE_ROWS,
    maxInFlight: MAX_MESSAGES_IN_FLIGHT,
    mayFlush: (rows, inFlight) => inFlight < SMALL_MESSAGES_IN_FLIGHT || rows >= SMALL_MESSAGE_ROWS,
    // Not async, so the rows are not held while the thread writes them: the message has a copy.
    write: (batches) =>
      send<BatchResult[]>('enqueueMany', [batches.map(toIngestRows)]).then((results) =>
        results.map((r) => ('statuses' in r ? r.statuses : fromWireError(r.error))),
      ),
  });

  return {
    [STORE_THREAD]: worker,
    capabilities,
    migrate: forward('migrate'),
    enqueue: (events) => group.submit(events),
    claim: (request) =>
      send<Leased | null>('claimLeased', [request]).then((leased) => leased && claimedBatchOf(leased)),
    complete: forward('complete'),
    retryLater: forward('retryLater'),
    kill: forward('kill'),
    release: forward('release'),
    releaseClaim: forward('releaseClaim'),
    redrive: forward('redrive'),
    listDead: forward('listDead'),
    summarizeDead: forward('summarizeDead'),
    findByEventId: forward('findByEventId'),
    appendAudit: forward('appendAudit'),
    auditForEvent: forward('auditForEvent'),
    stats: forward('stats'),
    ping: forward('ping'),
    purge: forward('purge'),
    expireDedup: forward('expireDedup'),
    takeBudget: forward('takeBudget'),
    pauseAccount: forward('pauseAccount'),
    pausedAccounts: forward('pausedAccounts'),
    beginIdempotent: forward('beginIdempotent'),
    finishIdempotent: forward('finishIdempotent'),
    expireIdempotency: forward('expireIdempotency'),
    close() {
      closing ??= (async () => {
        if (gone) return;
        await group.drain();
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        await send<void>('close', []);
        await exited;
      })();
      return closing;
    },
  };
}
