/**
 * Level 0 of the dedup key index (key-levels.ts): the keys of the events stored since the last
 * flush, in memory on the writer. Two views of the same keys:
 * - a log in seq order with every copy (a key stored again once its window closed has two, and
 *   findByEventId must find both), which the next flush sorts and writes to disk;
 * - a hash table from each (event id, rule) to its newest copy in the log, for the dedup probe of
 *   every new event.
 *
 * The table is open addressing over two typed arrays (a 32-bit hash of the key, and the copy's
 * place in the log), not a `Map` keyed by event id: with ~65,000 keys, a `Map` probe chased
 * pointers to scattered key strings on every miss, and the probe and the staging of each new event
 * took about a sixth of the store thread's time under batch ingest. A probe here reads one slot of
 * each array in a row and compares strings only when the hashes agree.
 *
 * Keys are staged by the transaction that inserts their events and visible to its later probes at
 * once; a savepoint or transaction that rolls back takes its keys back out (`rollbackTo`).
 *
 * A flush takes the whole log (`takeLog`) and writes it over several turns while new keys keep
 * arriving. The table of the keys it took is set aside whole and dropped whole once it commits
 * (`dropUpTo`); the probe asks the current keys first and the ones being flushed after.
 */

/**
 * Level 0's keys in seq order, as columns: what a flush writes (event id, rule, seq), and what the
 * probe reads (when each copy was seen, and its key's hash).
 */
export interface KeyLog {
  eventIds: string[];
  ruleIds: string[];
  seqs: number[];
  seenAts: number[];
  hashes: number[];
}

/** What a flush reads of a log: the keys to write, in seq order. */
export type FlushLog = Pick<KeyLog, 'eventIds' | 'ruleIds' | 'seqs'>;

function emptyLog(): KeyLog {
  return { eventIds: [], ruleIds: [], seqs: [], seenAts: [], hashes: [] };
}

/** A 32-bit FNV-1a hash of (event id, rule), with a separator no id of either holds. */
export function keyHash(eventId: string, ruleId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i += 1) h = Math.imul(h ^ eventId.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xffff, 0x01000193);
  for (let i = 0; i < ruleId.length; i += 1) h = Math.imul(h ^ ruleId.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * Open addressing with linear probing. Slot i is `cells[2i]`, the key's hash, and `cells[2i + 1]`,
 * its copy's log index + 1 (0: empty): one cache line read per probe step, not one per array.
 */
class KeyTable {
  readonly cells: Int32Array;
  readonly mask: number;
  /** Slots taken. */
  used = 0;

  constructor(slots: number) {
    this.cells = new Int32Array(slots * 2);
    this.mask = slots - 1;
  }

  get slots(): number {
    return this.mask + 1;
  }

  /** The slot holding (eventId, ruleId) of `log`, or the empty slot where it would go. */
  slotOf(log: KeyLog, eventId: string, ruleId: string, hash: number): number {
    const { cells, mask } = this;
    let i = hash & mask;
    for (;;) {
      const place = cells[2 * i + 1]!;
      if (place === 0) return i;
      if (cells[2 * i] === hash && log.eventIds[place - 1] === eventId && log.ruleIds[place - 1] === ruleId) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /** The log index + 1 in slot i (0: empty). */
  placeAt(i: number): number {
    return this.cells[2 * i + 1]!;
  }

  put(i: number, hash: number, place: number): void {
    this.cells[2 * i] = hash;
    this.cells[2 * i + 1] = place;
  }

  /** The slot that holds log index `index` (whose hash is `hash`). */
  slotHolding(index: number, hash: number): number {
    // Bounded, so that a broken invariant fails the transaction instead of hanging the writer.
    for (let i = hash & this.mask, n = 0; n <= this.mask; i = (i + 1) & this.mask, n += 1) {
      if (this.cells[2 * i + 1] === index + 1) return i;
    }
    throw new Error('RecentKeys: a staged key is missing from its table');
  }

  clear(): void {
    this.cells.fill(0);
    this.used = 0;
  }
}

const FIRST_SLOTS = 1 << 10;

export interface RecentKeysOptions {
  /** The table's first size, a power of two; it doubles whenever it is half full. */
  firstSlots?: number;
  /** For tests: a hash that makes keys collide. */
  hash?: (eventId: string, ruleId: string) => number;
}

export class RecentKeys {
  private readonly hash: (eventId: string, ruleId: string) => number;
  private readonly firstSlots: number;
  private table: KeyTable;
  private log: KeyLog = emptyLog();
  /** The table and log a flush took, until that flush commits, and the highest seq among them. */
  private flushing: { table: KeyTable; log: KeyLog } | null = null;
  private flushingUpTo = 0;
  /** A table a committed flush left, cleared and ready for the next `takeLog`. */
  private spare: KeyTable | null = null;
  /**
   * Every key staged since the last commit, in order: the place its key's slot held before (0 for
   * none). Its log index is `logBase` plus its position here.
   */
  private readonly undoPlaces: number[] = [];
  /** The log's length when the first key after the last commit was staged. */
  private logBase = 0;
  private highestSeq = 0;
  /** The last key probed and its hash: `stage` nearly always follows `has` for the same key. */
  private lastEventId = '';
  private lastRuleId = '';
  private lastHash = 0;

  constructor(options: RecentKeysOptions = {}) {
    this.hash = options.hash ?? keyHash;
    this.firstSlots = options.firstSlots ?? FIRST_SLOTS;
    this.table = new KeyTable(this.firstSlots);
    this.lastHash = this.hash(this.lastEventId, this.lastRuleId);
  }

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

  private hashOf(eventId: string, ruleId: string): number {
    if (eventId === this.lastEventId && ruleId === this.lastRuleId) return this.lastHash;
    const hash = this.hash(eventId, ruleId);
    this.lastEventId = eventId;
    this.lastRuleId = ruleId;
    this.lastHash = hash;
    return hash;
  }

  /** Whether a copy of (eventId, ruleId) seen after `threshold` is here. */
  has(eventId: string, ruleId: string, threshold: number): boolean {
    const hash = this.hashOf(eventId, ruleId);
    // The newest copy decides: one staged since the flush took its log is newer than any it took.
    let place = this.table.placeAt(this.table.slotOf(this.log, eventId, ruleId, hash));
    if (place !== 0) return this.log.seenAts[place - 1]! > threshold;
    if (this.flushing === null) return false;
    const { table, log } = this.flushing;
    place = table.placeAt(table.slotOf(log, eventId, ruleId, hash));
    return place !== 0 && log.seenAts[place - 1]! > threshold;
  }

  stage(eventId: string, ruleId: string, seq: number, seenAt: number): void {
    const log = this.log;
    if (this.undoPlaces.length === 0) this.logBase = log.seqs.length;
    const hash = this.hashOf(eventId, ruleId);
    const slot = this.table.slotOf(log, eventId, ruleId, hash);
    const before = this.table.placeAt(slot);
    this.undoPlaces.push(before);
    log.eventIds.push(eventId);
    log.ruleIds.push(ruleId);
    log.seqs.push(seq);
    log.seenAts.push(seenAt);
    log.hashes.push(hash);
    this.table.put(slot, hash, log.seqs.length);
    if (before === 0) {
      this.table.used += 1;
      if (this.table.used * 2 > this.table.slots) this.grow();
    }
    if (seq > this.highestSeq) this.highestSeq = seq;
  }

  /**
   * Doubles the table: the log's newest copy of each key, put back in log order, so every slot is
   * where staging the log one key at a time would have put it (what rollbackTo relies on).
   */
  private grow(): void {
    const log = this.log;
    const table = new KeyTable(this.table.slots * 2);
    for (let k = 0; k < log.seqs.length; k += 1) {
      const hash = log.hashes[k]!;
      const slot = table.slotOf(log, log.eventIds[k]!, log.ruleIds[k]!, hash);
      if (table.placeAt(slot) === 0) table.used += 1;
      table.put(slot, hash, k + 1);
    }
    this.table = table;
  }

  /** A point to roll back to: the keys staged so far since the last commit. */
  mark(): number {
    return this.undoPlaces.length;
  }

  /** Takes back every key staged after `mark`, newest first. */
  rollbackTo(mark: number): void {
    // `logBase` only means something while keys are staged: with none, there is nothing to take back.
    if (mark >= this.undoPlaces.length) return;
    const log = this.log;
    while (this.undoPlaces.length > mark) {
      const before = this.undoPlaces.pop()!;
      const index = this.logBase + this.undoPlaces.length;
      const hash = log.hashes[index]!;
      // Emptying is safe newest first: no key still here was put after this one.
      this.table.put(this.table.slotHolding(index, hash), hash, before);
      if (before === 0) this.table.used -= 1;
    }
    const length = this.logBase + mark;
    log.eventIds.length = length;
    log.ruleIds.length = length;
    log.seqs.length = length;
    log.seenAts.length = length;
    log.hashes.length = length;
  }

  /** The staged keys are committed: they stay. */
  commit(): void {
    this.undoPlaces.length = 0;
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
    this.flushing = { table: this.table, log };
    const spare = this.spare;
    this.spare = null;
    this.table = spare !== null && spare.slots >= this.table.slots ? spare : new KeyTable(this.table.slots);
    this.log = emptyLog();
    return log;
  }

  /**
   * The flush of the taken log, up to `seq` (its highest), has committed: those copies are on disk
   * now. Every key staged since has a higher seq, so the whole set-aside table goes at once.
   */
  dropUpTo(seq: number): void {
    if (this.flushingUpTo > seq) throw new Error('RecentKeys: a flush committed short of the keys it took');
    if (this.flushing !== null) {
      this.flushing.table.clear();
      this.spare = this.flushing.table;
    }
    this.flushing = null;
  }

  clear(): void {
    this.table = new KeyTable(this.firstSlots);
    this.spare = null;
    this.flushing = null;
    this.log = emptyLog();
    this.commit();
  }
}
