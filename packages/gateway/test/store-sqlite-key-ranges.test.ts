import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idSpan, KeyRanges } from '../src/store/sqlite/key-ranges.js';
import { compareUtf8 } from '../src/store/utf8-order.js';

/** Strings made of the characters where UTF-16 and UTF-8 orders part, and a few ordinary ones. */
const tricky = fc
  .array(
    fc.constantFrom('a', 'z', 'é', '\uE000', '\uFFFD', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'),
    {
      maxLength: 4,
    },
  )
  .map((chars) => chars.join(''));

describe('compareUtf8 (utf8-order.ts)', () => {
  it('orders strings as SQLite orders them', () => {
    const db = new Database(':memory:');
    try {
      const sqliteOrder = db.prepare('SELECT value FROM json_each(?) ORDER BY value').pluck();
      fc.assert(
        fc.property(fc.array(fc.oneof(tricky, fc.string()), { maxLength: 12 }), (values) => {
          const ids = values.filter(
            (v) => !/[\uD800-\uDFFF]/.test(v.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
          );
          const expected = sqliteOrder.all(JSON.stringify(ids)) as string[];
          expect([...ids].sort(compareUtf8)).toEqual(expected);
        }),
        { numRuns: 500 },
      );
    } finally {
      db.close();
    }
  });
});

describe('idSpan', () => {
  it('is the smallest and largest id in SQLite order', () => {
    expect(idSpan(['b', '\u{1F600}', '\uFFFD', 'a'])).toEqual(['a', '\u{1F600}']);
    expect(idSpan([])).toBeNull();
  });
  it('is the first and last id as SQLite orders them, past U+FFFF or not', () => {
    const db = new Database(':memory:');
    try {
      const ends = db.prepare('SELECT min(value), max(value) FROM json_each(?)').raw(true);
      fc.assert(
        fc.property(
          fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme-ascii' })), { minLength: 1, maxLength: 12 }),
          (ids) => {
            expect(idSpan(ids)).toEqual(ends.get(JSON.stringify(ids)));
          },
        ),
        { numRuns: 500 },
      );
    } finally {
      db.close();
    }
  });
  it('gives up on an id with a lone surrogate, which SQLite would store as U+FFFD', () => {
    expect(idSpan(['a', 'b\uD800'])).toBeNull();
    expect(idSpan(['a', '\uDE00b'])).toBeNull();
  });
});

describe('KeyRanges', () => {
  it('probes a level it knows nothing of, and skips an empty one', () => {
    const r = new KeyRanges();
    expect(r.mayHold(1, 'a', 'b')).toBe(true);
    r.set(1, null, null);
    expect(r.mayHold(1, 'a', 'b')).toBe(false);
  });
  it('asks a level only for spans that meet its range, the ends included', () => {
    const r = new KeyRanges();
    r.set(1, 'ord-0010', 'ord-0020');
    expect(r.mayHold(1, 'ord-0021', 'ord-0030')).toBe(false);
    expect(r.mayHold(1, 'ord-0001', 'ord-0009')).toBe(false);
    expect(r.mayHold(1, 'ord-0020', 'ord-0030')).toBe(true);
    expect(r.mayHold(1, 'ord-0001', 'ord-0010')).toBe(true);
    expect(r.mayHold(1, 'ord-0001', 'ord-0099')).toBe(true);
  });
  it('only ever widens a range, and a move widens its destination by the whole source', () => {
    const r = new KeyRanges();
    r.set(1, 'm', 'n');
    r.widen(1, 'p', 'q');
    expect(r.mayHold(1, 'o', 'o')).toBe(true);
    r.empty(2);
    r.widenBy(2, 1);
    expect([r.mayHold(2, 'm', 'm'), r.mayHold(2, 'q', 'q'), r.mayHold(2, 'r', 'z')]).toEqual([
      true,
      true,
      false,
    ]);
  });
  it('keeps a level it knows nothing of unknown, whatever is added to it', () => {
    const r = new KeyRanges();
    r.widen(3, 'a', 'b');
    expect(r.mayHold(3, 'x', 'y')).toBe(true);
    r.set(1, 'a', 'b');
    r.unknown(1);
    expect(r.mayHold(1, 'x', 'y')).toBe(true);
    r.widenBy(1, 4);
    expect(r.mayHold(1, 'x', 'y')).toBe(true);
  });
});
