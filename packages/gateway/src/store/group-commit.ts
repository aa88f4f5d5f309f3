/**
 * Group commit: enqueue calls that arrive close together share one transaction, so the cost of a
 * commit (an fsync in strict mode, a round trip on PostgreSQL) is paid once per flush instead of
 * once per request. Each caller's promise settles only after the transaction holding its batch has
 * committed (or failed), which keeps "acknowledge only after the event is on disk".
 *
 * The writer receives every pending batch at once and returns one result per batch: the batch's
 * statuses, or the Error that rejected that batch alone (adapters isolate batches with savepoints
 * or retries, so one bad batch does not fail its neighbours). If the writer itself throws, every
 * batch in the flush is rejected.
 */
export type GroupWriter<In, Out> = (batches: In[][]) => Promise<Array<Out[] | Error>> | Array<Out[] | Error>;

export interface GroupCommitOptions<In, Out> {
  write: GroupWriter<In, Out>;
  /** Flush at once when this many rows are pending, instead of waiting for the next tick. */
  maxPendingRows: number;
  /** Flushes allowed in flight at once (1 for SQLite; a few for a PostgreSQL pool). */
  maxInFlight: number;
  /**
   * Below maxInFlight, whether a group of this many rows may leave while `inFlight` others are
   * still out. Default: always. Holding small groups back while enough are in flight lets them
   * grow: one commit then covers many single-event requests instead of a handful.
   */
  mayFlush?: (pendingRows: number, inFlight: number) => boolean;
}

/** Counters for metrics and tests: batches ÷ flushes is how well group commit is merging. */
export interface GroupCommitStats {
  flushes: number;
  batches: number;
  rows: number;
}

export interface GroupCommit<In, Out> {
  submit(batch: In[]): Promise<Out[]>;
  stats(): GroupCommitStats;
  /** Resolves once everything submitted so far has been written. */
  drain(): Promise<void>;
}

const NO_ROWS: never[] = [];

interface Pending<In, Out> {
  batch: In[];
  resolve: (value: Out[]) => void;
  reject: (reason: unknown) => void;
}

export function createGroupCommit<In, Out>(options: GroupCommitOptions<In, Out>): GroupCommit<In, Out> {
  let pending: Array<Pending<In, Out>> = [];
  let pendingRows = 0;
  let scheduled = false;
  let inFlight = 0;
  const idle: Array<() => void> = [];
  const counters: GroupCommitStats = { flushes: 0, batches: 0, rows: 0 };

  const settleIdle = () => {
    if (inFlight === 0 && pending.length === 0) for (const done of idle.splice(0)) done();
  };

  const finish = (
    taken: Array<Pending<In, Out>>,
    results: Array<Out[] | Error> | null,
    failure?: unknown,
  ) => {
    inFlight -= 1;
    taken.forEach((p, i) => {
      const result = results?.[i];
      if (results === null) p.reject(failure);
      else if (result instanceof Error) p.reject(result);
      else if (result === undefined) p.reject(new Error('group commit writer returned too few results'));
      else p.resolve(result);
    });
    // Whatever arrived while this flush was writing forms the next group.
    if (pending.length > 0) flush();
    settleIdle();
  };

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0 || inFlight >= options.maxInFlight) return;
    if (options.mayFlush && inFlight > 0 && !options.mayFlush(pendingRows, inFlight)) return;
    const taken = pending;
    pending = [];
    pendingRows = 0;
    inFlight += 1;
    counters.flushes += 1;
    counters.batches += taken.length;
    for (const p of taken) counters.rows += p.batch.length;
    let written: ReturnType<GroupWriter<In, Out>>;
    try {
      written = options.write(taken.map((p) => p.batch));
    } catch (err) {
      finish(taken, null, err);
      return;
    }
    // The writer holds what it still needs. Letting go of the rows here lets them die young while
    // the commit is awaited, instead of surviving into the old generation with every request in
    // flight (measured: most of the main thread's old space under batch ingest).
    for (const p of taken) p.batch = NO_ROWS;
    // A synchronous writer (SQLite) settles at once, so the next group can start in the same tick.
    if (Array.isArray(written)) finish(taken, written);
    else
      written.then(
        (results) => finish(taken, results),
        (err: unknown) => finish(taken, null, err),
      );
  };

  const schedule = () => {
    if (pendingRows >= options.maxPendingRows) {
      flush();
    } else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return {
    stats: () => ({ ...counters }),
    submit(batch) {
      if (batch.length === 0) return Promise.resolve([]);
      return new Promise<Out[]>((resolve, reject) => {
        pending.push({ batch, resolve, reject });
        pendingRows += batch.length;
        schedule();
      });
    },
    drain() {
      if (inFlight === 0 && pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idle.push(resolve);
        if (!scheduled) flush();
      });
    },
  };
}
