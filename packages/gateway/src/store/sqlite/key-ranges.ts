/**
 * The smallest and largest event id each level of the key index holds (key-levels.ts), so a dedup
 * probe skips the levels whose range its ids miss. Event ids that rise over time (order numbers,
 * time-ordered UUIDs, ids a CRM counts up) are newer than every key on disk, and their probe then
 * asks SQLite nothing; scattered ids still probe every level, as before.
 *
 * A range may be wider than its level's keys, never narrower: keys a move or a purge takes out
 * leave it as it was. A level whose range is not known is always probed.
 */
import { compareUtf8 } from '../utf8-order.js';

type Range = readonly [min: string, max: string] | 'empty';

export class KeyRanges {
  readonly #ranges = new Map<number, Range>();

  /** What SQLite said of a level: its smallest and largest event id, or null when it has none. */
  set(level: number, min: string | null, max: string | null): void {
    this.#ranges.set(level, min === null || max === null ? 'empty' : [min, max]);
  }

  /** The level holds no key: not made yet, or a move that emptied it has committed. */
  empty(level: number): void {
    this.#ranges.set(level, 'empty');
  }

  /** Keys from `min` to `max` are going into the level. */
  widen(level: number, min: string, max: string): void {
    const range = this.#ranges.get(level);
    if (range === undefined) return; // unknown stays unknown: probed
    if (range === 'empty') {
      this.#ranges.set(level, [min, max]);
      return;
    }
    const lo = compareUtf8(min, range[0]) < 0 ? min : range[0];
    const hi = compareUtf8(max, range[1]) > 0 ? max : range[1];
    this.#ranges.set(level, [lo, hi]);
  }

  /** Every key of `from` is (or may be) going into `to`. */
  widenBy(to: number, from: number): void {
    const range = this.#ranges.get(from);
    if (range === undefined) this.unknown(to);
    else if (range !== 'empty') this.widen(to, range[0], range[1]);
  }

  /** The level's range is not known any more: it is probed from now on. */
  unknown(level: number): void {
    this.#ranges.delete(level);
  }

  forget(): void {
    this.#ranges.clear();
  }

  /** Whether a level may hold an id between `min` and `max`, the ends included. */
  mayHold(level: number, min: string, max: string): boolean {
    const range = this.#ranges.get(level);
    if (range === undefined) return true;
    if (range === 'empty') return false;
    return compareUtf8(max, range[0]) >= 0 && compareUtf8(min, range[1]) <= 0;
  }
}

/** Any surrogate: a character past U+FFFF, or a lone half of one. */
const SURROGATE = /[\uD800-\uDFFF]/;
/** A surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The smallest and largest of these ids in SQLite's order, or null when there are none or one holds
 * a lone surrogate: SQLite stores it as U+FFFD, so such an id may sort differently on disk than
 * here, and the caller must then treat the span as unknown (probe, or forget the range).
 *
 * Ids without surrogates (nearly all) are ordered by JavaScript's own comparison, which agrees with
 * code point order for them and costs a seventh of compareUtf8 (measured on 50-id chunks).
 */
export function idSpan(ids: ArrayLike<string>): [string, string] | null {
  if (ids.length === 0) return null;
  let min = ids[0]!;
  let max = min;
  for (let i = 0; i < ids.length; i += 1) {
    const id = ids[i]!;
    if (SURROGATE.test(id)) return spanPastFfff(ids);
    if (id < min) min = id;
    else if (id > max) max = id;
  }
  return [min, max];
}

function spanPastFfff(ids: ArrayLike<string>): [string, string] | null {
  let min = ids[0]!;
  let max = min;
  for (let i = 0; i < ids.length; i += 1) {
    const id = ids[i]!;
    if (LONE_SURROGATE.test(id)) return null;
    if (compareUtf8(id, min) < 0) min = id;
    else if (compareUtf8(id, max) > 0) max = id;
  }
  return [min, max];
}
