/**
 * Strict durability with the WAL synced beside the writer instead of inside each COMMIT.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside every COMMIT, and the store thread waits
 * for the disk before it takes its next message. In strict mode the thread instead runs its
 * connection as in normal mode (the commit writes the WAL, no fsync) and, after a write, starts an
 * `fdatasync` of the WAL file on libuv's pool. Replies wait here until a sync that started after
 * their write has finished; meanwhile the thread goes on writing the next group, which the next
 * sync covers. So an answer still leaves only once its write is on disk, and several commits share
 * each sync (group commit across syncs, not only within one transaction).
 *
 * Replies leave in the order they were produced: a read that came after a write waits behind the
 * write's sync, so no caller learns of a row that a power cut could still take away. A failed sync
 * answers every waiting reply with the error (none of them can be called durable) and then
 * `onFatal` runs: after a failed fsync the kernel may have dropped the dirty pages, so the thread
 * stops and the gateway restarts from what is on disk rather than trust later syncs.
 */
export interface SyncGate<R> {
  /** A write has committed: replies produced from now on wait for a sync that covers it. */
  wrote(): void;
  /** Sends `message` once every write before it is synced, in the order replies were given. */
  reply(message: R): void;
  /** Resolves once every write so far is synced and every reply given so far has left. */
  drained(): Promise<void>;
}

export interface SyncGateOptions<R> {
  /** Posts a reply. */
  post: (message: R) => void;
  /** The reply to post instead of `message` when the sync covering it failed. */
  failed: (message: R, error: Error) => R;
  /** Starts a sync of everything written so far; calls `done` once it has finished. */
  sync: (done: (error: Error | null) => void) => void;
  /** After a failed sync has answered the waiting replies. */
  onFatal: (error: Error) => void;
  /**
   * Runs `start` once the thread's current turn is over (setImmediate on the thread), so every
   * write of the turn shares the sync instead of the first starting it alone and the rest waiting
   * for it and then for another.
   */
  defer: (start: () => void) => void;
}

export function createSyncGate<R>(options: SyncGateOptions<R>): SyncGate<R> {
  /** Writes committed so far, and how many of them the last finished sync covered. */
  let written = 0;
  let synced = 0;
  let syncing = false;
  let deferred = false;
  let broken: Error | null = null;
  const waiting: Array<{ message: R; needs: number }> = [];
  let idle: Array<() => void> = [];

  /** Nothing more will leave: everything written is synced and answered, or a sync failed. */
  const quiet = () => broken !== null || (!syncing && !deferred && waiting.length === 0 && synced >= written);

  const settleIdle = () => {
    if (!quiet()) return;
    const done = idle;
    idle = [];
    for (const resolve of done) resolve();
  };

  const release = () => {
    let leaving = 0;
    while (leaving < waiting.length && waiting[leaving]!.needs <= synced) leaving += 1;
    for (const w of waiting.splice(0, leaving)) options.post(w.message);
  };

  const startSync = () => {
    if (syncing || broken || synced >= written) return;
    syncing = true;
    const target = written;
    options.sync((error) => {
      syncing = false;
      if (error) {
        broken = error;
        for (const w of waiting.splice(0)) options.post(options.failed(w.message, error));
        options.onFatal(error);
        settleIdle();
        return;
      }
      synced = target;
      release();
      startSync();
      settleIdle();
    });
  };

  return {
    wrote() {
      written += 1;
      if (deferred || syncing) return;
      deferred = true;
      options.defer(() => {
        deferred = false;
        startSync();
      });
    },
    reply(message) {
      if (broken) {
        options.post(options.failed(message, broken));
        return;
      }
      if (waiting.length === 0 && synced >= written) {
        options.post(message);
        return;
      }
      waiting.push({ message, needs: written });
    },
    drained() {
      if (quiet()) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
