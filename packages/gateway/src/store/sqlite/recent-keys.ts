/**
 * Level 0 of the dedup key index (key-levels.ts): the keys of the events stored since the last
 * flush, in memory on the writer. Two views of the same keys:
 * - by event id, the newest copy per rule, for the dedup probe of every new event;
 * - a log in seq order with every copy (a key stored again once its window closed has two, and
 *   findByEventId must find both), which the next flush sorts and writes to disk.
 *
 * Keys are staged by the transaction that inserts their events and visible to its later probes at
 * once; a savepoint or transaction that rolls back takes its keys back out (`rollbackTo`).
 *
 * A flush takes the whole log (`takeLog`) and writes it over several turns while new keys keep
 * arriving. The map of the keys it took is set aside whole and dropped whole once it commits
 * (`dropUpTo`), instead of deleting ~65,000 entries one by one from a single map; the probe asks
 * the current keys first and the ones being flushed after.
 */

interface Copy {
  ruleId: string;
  seq: number;
  seenAt: number;
}
/** Almost every event id has one rule; the rare id sent to several rules keeps a small list. */
type Slot = Copy | Copy[];

/**
 * Level 0's keys in seq order, as three columns: one allocation per key (its Copy) instead of three
 * small arrays, which the store thread's young generation would copy until a flush drops them.
 */
export interface KeyLog {
  eventIds: string[];
  ruleIds: string[];
  seqs: number[];
}

function emptyLog(): KeyLog {
  return { eventIds: [], ruleIds: [], seqs: [] };
}

/** The copy of `ruleId` in a slot, if any. */
function copyFor(slot: Slot | undefined, ruleId: string): Copy | undefined {
  if (slot === undefined) return undefined;
  if (!Array.isArray(slot)) return slot.ruleId === ruleId ? slot : undefined;
  return slot.find((c) => c.ruleId === ruleId);
}

export class RecentKeys {
  private byEvent = new Map<string, Slot>();
  /** The keys of the log a flush took, until that flush commits, and the highest seq among them. */
  private flushing: Map<string, Slot> | null = null;
  private flushingUpTo = 0;
  private log: KeyLog = emptyLog();
  /** Every key staged since the last commit, in order: its event id and that id's slot before. */
  private readonly undoIds: string[] = [];
  private readonly undoSlots: Array<Slot | undefined> = [];
  /** The log's length when the first key after the last commit was staged. */
  private logBase = 0;
  private highestSeq = 0;

  /** Keys in level 0 (every copy). */
  get size(): number {
    return this.log.seqs.length;
  }

  /** The highest seq in the log the flush under way took (0 when none): what that flush covers. */
  get takenUpTo(): number {
    return this.flushing === null ? 0 : this.flushingUpTo;
  }

  /** The highest seq ever staged: new events must take higher ones (key-levels.ts, seqFloor). */
  get lastSeq(): number {
    return this.highestSeq;
  }

  /** Whether a copy of (eventId, ruleId) seen after `threshold` is here. */
  has(eventId: string, ruleId: string, threshold: number): boolean {
    // The newest copy decides: one staged since the flush took its log is newer than any it took.
    const copy =
      copyFor(this.byEvent.get(eventId), ruleId) ??
      (this.flushing === null ? undefined : copyFor(this.flushing.get(eventId), ruleId));
    return copy !== undefined && copy.seenAt > threshold;
  }

  stage(eventId: string, ruleId: string, seq: number, seenAt: number): void {
    if (this.undoIds.length === 0) this.logBase = this.log.seqs.length;
    const before = this.byEvent.get(eventId);
    this.undoIds.push(eventId);
    this.undoSlots.push(before);
    const copy: Copy = { ruleId, seq, seenAt };
    // Slots are replaced, never changed in place, so a rollback can put the old one back.
    let next: Slot;
    if (before === undefined) next = copy;
    else if (!Array.isArray(before)) next = before.ruleId === ruleId ? copy : [before, copy];
    else next = [...before.filter((c) => c.ruleId !== ruleId), copy];
    this.byEvent.set(eventId, next);
    this.log.eventIds.push(eventId);
    this.log.ruleIds.push(ruleId);
    this.log.seqs.push(seq);
    if (seq > this.highestSeq) this.highestSeq = seq;
  }

  /** A point to roll back to: the keys staged so far since the last commit. */
  mark(): number {
    return this.undoIds.length;
  }

  /** Takes back every key staged after `mark`, newest first. */
  rollbackTo(mark: number): void {
    // `logBase` only means something while keys are staged: with none, there is nothing to take back.
    if (mark >= this.undoIds.length) return;
    while (this.undoIds.length > mark) {
      const eventId = this.undoIds.pop()!;
      const before = this.undoSlots.pop();
      if (before === undefined) this.byEvent.delete(eventId);
      else this.byEvent.set(eventId, before);
    }
    const length = this.logBase + mark;
    this.log.eventIds.length = length;
    this.log.ruleIds.length = length;
    this.log.seqs.length = length;
  }

  /** The staged keys are committed: they stay. */
  commit(): void {
    this.undoIds.length = 0;
    this.undoSlots.length = 0;
  }

  /**
   * Hands the log to a flush (between transactions, one flush at a time) and starts a new one.
   * Its keys stay visible to the probe until the flush commits.
   */
  takeLog(): KeyLog {
    if (this.flushing !== null) throw new Error('RecentKeys: a flush is already under way');
    const log = this.log;
    let upTo = 0;
    for (const seq of log.seqs) if (seq > upTo) upTo = seq;
    this.flushingUpTo = upTo;
    this.flushing = this.byEvent;
    this.byEvent = new Map();
    this.log = emptyLog();
    return log;
  }

  /**
   * The flush of the taken log, up to `seq` (its highest), has committed: those copies are on disk
   * now. Every key staged since has a higher seq, so the whole set-aside map goes at once.
   */
  dropUpTo(seq: number): void {
    if (this.flushingUpTo > seq) throw new Error('RecentKeys: a flush committed short of the keys it took');
    this.flushing = null;
  }

  clear(): void {
    this.byEvent = new Map();
    this.flushing = null;
    this.log = emptyLog();
    this.commit();
  }
}
