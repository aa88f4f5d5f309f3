import { describe, expect, it } from 'vitest';
import { LeaseBook } from '../src/store/sqlite/lanes/lease-book.js';

describe('SQLite lease book', () => {
  it('vouches only for whole batches, in their leased order, each once', () => {
    const book = new LeaseBook();
    book.leased(1, ['a', 'b', 'c']);
    book.leased(2, ['d']);
    expect(book.wholeBatches(['a', 'b', 'c'])).toEqual(new Map([[1, 3]]));
    expect(book.wholeBatches(['a', 'b', 'c', 'd'])).toEqual(
      new Map([
        [1, 3],
        [2, 1],
      ]),
    );
    expect(book.wholeBatches(['d', 'a', 'b', 'c'])).toEqual(
      new Map([
        [2, 1],
        [1, 3],
      ]),
    );
    expect(book.wholeBatches(['a', 'b']), 'part of a batch').toBeNull();
    expect(book.wholeBatches(['b', 'c']), 'a batch without its first').toBeNull();
    expect(book.wholeBatches(['c', 'a', 'b']), 'another order').toBeNull();
    expect(book.wholeBatches(['a', 'b', 'c', 'x']), 'an id it does not know').toBeNull();
    expect(book.wholeBatches(['a', 'b', 'c', 'a', 'b', 'c']), 'a batch twice').toBeNull();
    expect(book.wholeBatches([]), 'nothing').toBeNull();
  });

  it('forgets a batch, and a new lease of a batch replaces what it was leased with before', () => {
    const book = new LeaseBook();
    book.leased(1, ['a', 'b', 'c']);
    book.forget(1);
    expect(book.wholeBatches(['a', 'b', 'c'])).toBeNull();
    expect(book.size).toBe(0);
    book.leased(1, ['a', 'b', 'c']);
    // Leased again after a split: only the first two are its members now.
    book.leased(1, ['a', 'b']);
    expect(book.wholeBatches(['a', 'b'])).toEqual(new Map([[1, 2]]));
    expect(book.wholeBatches(['a', 'b', 'c'])).toBeNull();
    book.leased(2, ['c']);
    expect(book.wholeBatches(['c'])).toEqual(new Map([[2, 1]]));
    book.forget(1);
    expect(book.wholeBatches(['c'])).toEqual(new Map([[2, 1]]));
    expect(book.size).toBe(1);
  });
});
