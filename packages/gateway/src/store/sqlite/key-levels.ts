import type Database from 'better-sqlite3';
import { KeyOrder } from './key-order.js';
import { flushScattered, type KeyLevelTuning, levelToMove, shouldFlush } from './key-plan.js';
import { idSpan, KeyRanges } from './key-ranges.js';
import { type FlushLog, RecentKeys } from './recent-keys.js';

/**
 * The dedup key index of the SQLite store: (eventId, ruleId) → the seqs of the events that carry
 * it, kept as a small log-structured merge (key-plan.ts says why and how large each level grows).
 *
 * - Level 0: the keys of events stored after `keys_merged_seq` (store_meta), in memory. It is never
 *   the only copy of anything: those events are in the table, and `load` rebuilds it from them, so
 *   a crash loses no key.
 * - Levels 1, 2, …: ranges of `event_keys`, written only in key order, a slice per transaction.
 *
 * A probe reads level 0 and every level on disk, and joins the event (by seq, and the same key) for
 * its `seen_at`: a key whose event is gone counts for nothing, so a stale key (a purged event's, when
 * purge ran before its key was flushed) is harmless, and `dedup_keys` keeps what purge removes
 * inside the window.
 */
export interface KeyIndex {
  /** Reads the levels and rebuilds level 0 from the events after the last flush. */
  load(): void;
  /**
   * The keys of these event ids held on disk by an event seen after `threshold`, as
   * [eventId, ruleId] (any rule: the caller picks its own). Level 0 is asked with `inMemory`.
   */
  onDisk(eventIds: readonly string[], threshold: number): Array<[string, string]>;
  /** Whether level 0, or the transaction under way, holds (eventId, ruleId) seen after `threshold`. */
  inMemory(eventId: string, ruleId: string, threshold: number): boolean;
  /** A key the transaction under way is inserting: probes see it at once, a rollback takes it back. */
  stage(eventId: string, ruleId: string, seq: number, seenAt: number): void;
  /** Where the staged keys end now; `rollbackTo(mark)` drops those staged after it (savepoints). */
  mark(): number;
  rollbackTo(mark: number): void;
  /** The transaction committed: its staged keys stay in level 0. */
  commitStaged(): void;
  /**
   * The lowest seq a new event may take: past the last flush (the rebuild at start reads only the
   * events after it) and past every key of level 0 and of the flush under way, which drops from
   * level 0 every key up to its last seq. After a purge emptied the table's tail, the table alone
   * would let a new event take such a seq.
   */
  seqFloor(): number;
  /** Removes the keys of these events (JSON list of seqs) from disk; call before deleting them. */
  forget(seqs: string): void;
  /** Starts background merge steps (one short transaction each, between other work) if any is due. */
  schedule(): void;
  /** Runs merge steps now until none is due (tests and benchmarks). */
  settle(): void;
  stop(): void;
  stats(): KeyIndexStats;
}

export interface KeyIndexStats {
  /** Keys in level 0 (memory). */
  recent: number;
  /** Keys per level on disk. */
  levels: Record<number, number>;
  /** The last seq whose key is on disk. */
  mergedSeq: number;
  /** Whether the last flush landed among level 1's keys, so level 1 moves down once it is full. */
  level1Scattered: boolean;
  flushing: boolean;
  moving: number | null;
  /** The last merge step's failure, if the last step failed (steps are retried a second later). */
  lastError: string | null;
}

export function dedupKey(ruleId: string, eventId: string): string {
  return `${ruleId}\u0000${eventId}`;
}

/** `?, ?, …` */
function marks(n: number): string {
  return new Array(n).fill('?').join(', ');
}

const KEY_ORDER = 'event_id, rule_id, seq';
/** Rows per INSERT statement of a flush: one statement's fixed cost over many rows. */
const INSERT_ROWS = 64;
const RETRY_AFTER_FAILURE_MS = 1_000;

export function createKeyIndex(db: Database.Database, tuning: KeyLevelTuning): KeyIndex {
  const recent = new RecentKeys();
  /** Each level's smallest and largest event id (key-ranges.ts): a probe skips the levels it misses. */
  const ranges = new KeyRanges();
  /** Keys per level; a level is probed once it has a row in key_levels, even if it is empty now. */
  const levels = new Map<number, number>();
  let levelList = '';
  let levelOrder: number[] = [];
  let mergedSeq = 0;
  /** The flush under way: level 0's log as it was, and its keys in key order, a slice at a time. */
  let flush: {
    log: FlushLog;
    order: KeyOrder;
    upTo: number;
    /** Whether `level1Scattered` has been worked out for this flush. */
    placed: boolean;
    slice: Uint32Array | null;
  } | null = null;
  let moving: number | null = null;
  /** Whether the last flush landed among level 1's keys (key-plan.ts); unknown until one has. */
  let level1Scattered = false;
  let scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  let stopped = false;
  let lastError: string | null = null;

  const s = {
    levels: db.prepare('SELECT level, n FROM key_levels ORDER BY level').raw(true),
    span: db.prepare('SELECT min(event_id), max(event_id) FROM event_keys WHERE level = ?').raw(true),
    mergedSeq: db.prepare("SELECT value FROM store_meta WHERE key = 'keys_merged_seq'").pluck(),
    setMergedSeq: db.prepare("UPDATE store_meta SET value = ? WHERE key = 'keys_merged_seq'"),
    bump: db.prepare(`INSERT INTO key_levels (level, n) VALUES (?, ?)
      ON CONFLICT (level) DO UPDATE SET n = n + excluded.n`),
    after: db
      .prepare('SELECT event_id, rule_id, seq, seen_at FROM events WHERE seq > ? ORDER BY seq')
      .raw(true),
    insertRows: db.prepare(`INSERT OR IGNORE INTO event_keys (level, ${KEY_ORDER})
      VALUES ${new Array(INSERT_ROWS).fill('(1, ?, ?, ?)').join(', ')}`),
    insertRow: db.prepare(`INSERT OR IGNORE INTO event_keys (level, ${KEY_ORDER}) VALUES (1, ?, ?, ?)`),
    boundary: db
      .prepare(`SELECT ${KEY_ORDER} FROM event_keys WHERE level = ? ORDER BY ${KEY_ORDER} LIMIT 1 OFFSET ?`)
      .raw(true),
    moveUpTo: db.prepare(`INSERT OR IGNORE INTO event_keys (level, ${KEY_ORDER})
      SELECT ?, ${KEY_ORDER} FROM event_keys WHERE level = ? AND (${KEY_ORDER}) <= (?, ?, ?)`),
    dropUpTo: db.prepare(`DELETE FROM event_keys WHERE level = ? AND (${KEY_ORDER}) <= (?, ?, ?)`),
    moveAll: db.prepare(`INSERT OR IGNORE INTO event_keys (level, ${KEY_ORDER})
      SELECT ?, ${KEY_ORDER} FROM event_keys WHERE level = ?`),
    dropAll: db.prepare('DELETE FROM event_keys WHERE level = ?'),
    // Level 1's keys between a flush's first and last key, counted up to a limit.
    between: db
      .prepare(`SELECT count(*) FROM (SELECT 1 FROM event_keys WHERE level = 1
        AND (${KEY_ORDER}) >= (?, ?, ?) AND (${KEY_ORDER}) <= (?, ?, ?) LIMIT ?)`)
      .pluck(),
    forget: db.prepare(`DELETE FROM event_keys WHERE level = ? AND (${KEY_ORDER}) IN (
      SELECT ${KEY_ORDER} FROM events WHERE seq IN (SELECT value FROM json_each(?)))`),
  };
  const probes = new Map<string, Database.Statement>();
  const probe = (list: string, n: number): Database.Statement => {
    const name = `${list}|${n}`;
    let statement = probes.get(name);
    if (!statement) {
      // One B-tree descent per (level, id); the event row is read only for a hit.
      statement = db
        .prepare(`SELECT k.event_id, k.rule_id FROM event_keys k JOIN events e ON e.seq = k.seq
          WHERE k.level IN (${list}) AND k.event_id IN (${marks(n)})
            AND e.event_id = k.event_id AND e.rule_id = k.rule_id AND e.seen_at > ?`)
        .raw(true);
      probes.set(name, statement);
    }
    return statement;
  };

  /** The levels that may hold one of these ids, as the probe's list ('' for none). */
  const levelsFor = (eventIds: readonly string[]): string => {
    const span = idSpan(eventIds);
    if (span === null) return levelList;
    let list = '';
    for (const level of levelOrder) {
      if (ranges.mayHold(level, span[0], span[1])) list = list === '' ? `${level}` : `${list}, ${level}`;
    }
    return list;
  };

  /** Keeps `levels` and the probe's `levelList` in step: a new level joins the list. */
  const setLevel = (level: number, n: number) => {
    const known = levels.has(level);
    levels.set(level, n);
    if (!known) {
      levelOrder = [...levels.keys()].sort((a, b) => a - b);
      levelList = levelOrder.join(', ');
    }
  };

  const addToLevel = (level: number, n: number) => {
    if (n === 0 && levels.has(level)) return;
    s.bump.run(level, n);
    setLevel(level, (levels.get(level) ?? 0) + n);
  };

  /** Writes the keys at these positions of the log into level 1; returns how many were new there. */
  const insertKeys = (log: FlushLog, positions: Uint32Array): number => {
    let added = 0;
    let at = 0;
    const params: Array<string | number> = new Array(INSERT_ROWS * 3);
    for (; at + INSERT_ROWS <= positions.length; at += INSERT_ROWS) {
      for (let i = 0; i < INSERT_ROWS; i += 1) {
        const k = positions[at + i]!;
        params[i * 3] = log.eventIds[k]!;
        params[i * 3 + 1] = log.ruleIds[k]!;
        params[i * 3 + 2] = log.seqs[k]!;
      }
      added += s.insertRows.run(params).changes;
    }
    for (; at < positions.length; at += 1) {
      const k = positions[at]!;
      added += s.insertRow.run(log.eventIds[k], log.ruleIds[k], log.seqs[k]).changes;
    }
    return added;
  };

  /**
   * One step of the flush of level 0 into level 1; starts the flush if level 0 is full. The first
   * steps put the taken keys in key order, one run of a slice's size each (key-order.ts), so each
   * slice then lands on one stretch of level 1; the rest write a slice each.
   */
  const flushSlice = (): boolean => {
    if (!flush) {
      if (!shouldFlush(recent.size, tuning)) return false;
      const log = recent.takeLog();
      flush = {
        log,
        order: new KeyOrder(log, tuning.sliceKeys),
        upTo: Math.max(mergedSeq, recent.takenUpTo),
        placed: false,
        slice: null,
      };
    }
    const f = flush;
    if (!f.order.sorted) {
      f.order.sortRun();
      return true;
    }
    if (!f.placed) {
      // Where the flush lands in level 1 (key-plan.ts): a read of its own, so a failure here is
      // retried here, before any slice is written.
      const { eventIds: e, ruleIds: r, seqs } = f.log;
      const first = f.order.first();
      const last = f.order.last();
      const between = s.between.get(
        e[first],
        r[first],
        seqs[first],
        e[last],
        r[last],
        seqs[last],
        f.order.size + 1,
      ) as number;
      level1Scattered = flushScattered(between, f.order.size);
      f.placed = true;
    }
    // Taken from the merge once: a slice whose transaction failed is written again as it was.
    f.slice ??= f.order.take(tuning.sliceKeys);
    const positions = f.slice;
    const last = f.order.remaining === 0;
    db.transaction(() => {
      if (positions.length > 0) {
        // Widened before the keys are written: a range may be wider than its keys, never narrower.
        if (!levels.has(1)) ranges.empty(1); // a level not made yet holds no key
        const span = idSpan(Array.from(positions, (k) => f.log.eventIds[k]!));
        if (span) ranges.widen(1, span[0], span[1]);
        else ranges.unknown(1);
        addToLevel(1, insertKeys(f.log, positions));
      }
      if (last) s.setMergedSeq.run(f.upTo);
    }).immediate();
    f.slice = null;
    if (last) {
      mergedSeq = f.upTo;
      recent.dropUpTo(f.upTo);
      flush = null;
    }
    return true;
  };

  /** One slice of moving a level into the next, from its smallest keys; starts a move if one is due. */
  const moveSlice = (): boolean => {
    if (moving === null) moving = levelToMove(levels, tuning, level1Scattered);
    if (moving === null) return false;
    const from = moving;
    const edge = s.boundary.get(from, tuning.sliceKeys - 1) as [string, string, number] | undefined;
    db.transaction(() => {
      if (!levels.has(from + 1)) ranges.empty(from + 1);
      ranges.widenBy(from + 1, from);
      const moved = edge
        ? s.moveUpTo.run(from + 1, from, ...edge).changes
        : s.moveAll.run(from + 1, from).changes;
      const dropped = edge ? s.dropUpTo.run(from, ...edge).changes : s.dropAll.run(from).changes;
      addToLevel(from + 1, moved);
      addToLevel(from, -dropped);
    }).immediate();
    if (!edge) {
      // Committed: the level is empty now. Only after the commit, as a range must never be narrower
      // than its level's keys, and a failed move leaves them where they were.
      ranges.empty(from);
      moving = null;
    }
    return true;
  };

  const step = (): boolean => {
    const flushed = flushSlice();
    const moved = moveSlice();
    return flushed || moved;
  };

  /** Keys in memory that no committed flush has written yet. */
  const unflushed = () => recent.size + (flush ? flush.order.remaining + (flush.slice?.length ?? 0) : 0);

  /**
   * Background steps take turns with other work, one slice a turn; a writer taking in more than a
   * slice a turn (a backlog poured in through the store API, on a thread with nothing else to do)
   * would outrun them and level 0 would grow without bound. Past twice its size, the writer
   * flushes right after its own commit until level 0 is back to one flush: memory stays bounded,
   * and the write that crossed the line waits for it (backpressure, not loss).
   */
  const catchUp = () => {
    if (lastError !== null) return;
    try {
      while (unflushed() > 2 * tuning.recentKeys && flushSlice()) {
        // each slice is its own transaction
      }
    } catch (err) {
      // Left to the background steps and their retry: the caller's own commit is done.
      lastError = err instanceof Error ? err.message : String(err);
    }
  };

  const run = () => {
    scheduled = null;
    if (stopped) return;
    let more: boolean;
    try {
      more = step();
      lastError = null;
    } catch (err) {
      // Nothing is lost: level 0 keeps every key until a flush commits. Try again a little later.
      lastError = err instanceof Error ? err.message : String(err);
      scheduled = setTimeout(run, RETRY_AFTER_FAILURE_MS).unref();
      return;
    }
    if (more) scheduled = setImmediate(run).unref();
  };

  return {
    load() {
      levels.clear();
      levelList = '';
      levelOrder = [];
      ranges.forget();
      for (const [level, n] of s.levels.all() as Array<[number, number]>) {
        setLevel(level, n);
        const [min, max] = s.span.get(level) as [string | null, string | null];
        ranges.set(level, min, max);
      }
      mergedSeq = s.mergedSeq.get() as number;
      recent.clear();
      for (const [eventId, ruleId, seq, seenAt] of s.after.iterate(mergedSeq) as Iterable<
        [string, string, number, number]
      >) {
        recent.stage(eventId, ruleId, seq, seenAt);
      }
      recent.commit();
      this.schedule();
    },

    onDisk(eventIds, threshold) {
      if (levelList === '' || eventIds.length === 0) return [];
      const list = levelsFor(eventIds);
      if (list === '') return [];
      return probe(list, eventIds.length).all(...eventIds, threshold) as Array<[string, string]>;
    },

    inMemory: (eventId, ruleId, threshold) => recent.has(eventId, ruleId, threshold),
    stage: (eventId, ruleId, seq, seenAt) => recent.stage(eventId, ruleId, seq, seenAt),
    mark: () => recent.mark(),
    rollbackTo: (mark) => recent.rollbackTo(mark),
    commitStaged: () => recent.commit(),

    // A flush's last seq is one level 0 staged, so `recent.lastSeq` covers the flush under way.
    seqFloor: () => Math.max(mergedSeq, recent.lastSeq) + 1,

    forget(seqs) {
      for (const level of levels.keys()) addToLevel(level, -s.forget.run(level, seqs).changes);
    },

    schedule() {
      if (stopped) return;
      catchUp();
      if (scheduled) return;
      if (
        flush ||
        moving !== null ||
        shouldFlush(recent.size, tuning) ||
        levelToMove(levels, tuning, level1Scattered) !== null
      ) {
        scheduled = setImmediate(run).unref();
      }
    },

    settle() {
      while (step()) {
        // each step is its own transaction
      }
    },

    stop() {
      stopped = true;
      if (scheduled) {
        clearImmediate(scheduled as NodeJS.Immediate);
        clearTimeout(scheduled as NodeJS.Timeout);
        scheduled = null;
      }
    },

    stats: () => ({
      recent: recent.size,
      level1Scattered,
      levels: Object.fromEntries(levels),
      mergedSeq,
      flushing: flush !== null,
      moving,
      lastError,
    }),
  };
}
