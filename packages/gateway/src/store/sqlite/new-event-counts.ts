import type { OutboxState } from '../../ports.js';
import { StateDeltas } from './counters.js';
import type { SqliteStatements } from './statements.js';

/**
 * New events counted in memory until a fold writes them into `state_counts` (schema version 6).
 *
 * Why: `state_counts` is one page, and an ingest commit that updated it wrote that page to the WAL
 * every time: one of the ~7 pages a one-event commit wrote. Now ingest adds its new events here
 * and folds them into the table at most once a second (or every FOLD_EVENTS events), in the same
 * transaction as that ingest; `stats()` adds what is still in memory.
 *
 * Why nothing is lost in a crash: a new event is stored `queued` (on its lane) or `suppressed`, and
 * `suppressed` is final and only ever set at insert. So the events after `counted_seq` (the last
 * fold) can always be counted again by their first state, from the rows themselves, at open, whatever
 * happened to them since: a claim or complete moved them in the table's counts, and the recount
 * adds the insert those moves started from. Only a delete needs its rows folded first (a deleted row
 * cannot be recounted), so purge folds before it deletes.
 */
export const FOLD_EVERY_MS = 1_000;
export const FOLD_EVENTS = 50_000;

export interface NewEventCounts {
  /** At open: counts the events after the last fold again, from the rows. */
  load(s: SqliteStatements, now: number): void;
  /** Whether the next ingest commit should fold (time or count); `adding` is about to be added. */
  foldDue(now: number, adding: number): boolean;
  /**
   * Inside a write transaction: writes what is in memory plus `extra` (this transaction's own new
   * events, up to `upTo`) into the table. Memory changes only through `folded`, after the commit.
   */
  writeFold(s: SqliteStatements, extra: StateDeltas, upTo: number): void;
  /** The fold's transaction committed: memory holds nothing until the next new events. */
  folded(now: number, upTo: number): void;
  /** New events committed without a fold. */
  add(counts: StateDeltas, upTo: number): void;
  /** What stats() adds to the table. */
  pending(): ReadonlyMap<OutboxState, number>;
}

export function createNewEventCounts(): NewEventCounts {
  let counts = new StateDeltas();
  let upToSeq = 0;
  let lastFoldAt = 0;

  return {
    load(s, now) {
      const counted = s.countedSeq.get() as number;
      const [suppressed, all, last] = s.countAfter.get(counted) as [number, number, number | null];
      counts = new StateDeltas().add('queued', all - suppressed).add('suppressed', suppressed);
      upToSeq = last ?? counted;
      lastFoldAt = now;
    },
    foldDue(now, adding) {
      return now - lastFoldAt >= FOLD_EVERY_MS || counts.total() + adding >= FOLD_EVENTS;
    },
    writeFold(s, extra, upTo) {
      new StateDeltas().merge(counts).merge(extra).apply(s);
      s.setCountedSeq.run(Math.max(upTo, upToSeq));
    },
    folded(now, upTo) {
      counts = new StateDeltas();
      upToSeq = Math.max(upToSeq, upTo);
      lastFoldAt = now;
    },
    add(extra, upTo) {
      counts.merge(extra);
      upToSeq = Math.max(upToSeq, upTo);
    },
    pending: () => counts.entries(),
  };
}
