import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeInPages } from '../src/dead-letter-summary.js';
import {
  compareGroups,
  countDeadLetters,
  groupOf,
  mergeDeadLetterGroups,
} from '../src/domain/dead-letter-groups.js';
import type { DeadLetterFilter, DeadLetterGroup, OutboxStore } from '../src/ports.js';
import {
  events,
  type FakeClock,
  fakeClock,
  makeDeadLetters,
  openStore,
  RULE,
  removeTempDirs,
  STORE_KINDS,
  T0,
} from './worker-harness.js';

const deadLetter = fc.record({
  account: fc.constantFrom('7', '8', '10'),
  ruleId: fc.constantFrom('1', '2'),
  reason: fc.constantFrom<string | null>('rejected', 'expired', null),
  deadAt: fc.integer({ min: 0, max: 1_000 }),
});

describe('mergeDeadLetterGroups', () => {
  it('adds up groups of the same key, keeps the newest and oldest, in the summary order', () => {
    expect(
      mergeDeadLetterGroups([
        groupOf('7', '1', 'rejected', 5),
        groupOf('8', '1', null, 9),
        groupOf('7', '1', 'rejected', 2),
        groupOf('7', '1', null, 1),
      ]),
    ).toEqual([
      { account: '7', ruleId: '1', reason: 'rejected', count: 2, newestAt: 5, oldestAt: 2 },
      { account: '7', ruleId: '1', reason: null, count: 1, newestAt: 1, oldestAt: 1 },
      { account: '8', ruleId: '1', reason: null, count: 1, newestAt: 9, oldestAt: 9 },
    ]);
  });

  it('gives the same summary however the dead letters are split into pages', () => {
    fc.assert(
      fc.property(
        fc.array(deadLetter, { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (letters, size) => {
          const all = mergeDeadLetterGroups(
            letters.map((d) => groupOf(d.account, d.ruleId, d.reason, d.deadAt)),
          );
          const pages: DeadLetterGroup[] = [];
          for (let i = 0; i < letters.length; i += size) {
            const page = letters.slice(i, i + size);
            pages.push(
              ...mergeDeadLetterGroups(page.map((d) => groupOf(d.account, d.ruleId, d.reason, d.deadAt))),
            );
          }
          expect(mergeDeadLetterGroups(pages)).toEqual(all);
          expect(countDeadLetters(all)).toBe(letters.length);
          for (let i = 1; i < all.length; i += 1) expect(compareGroups(all[i - 1]!, all[i]!)).toBeLessThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe.each(STORE_KINDS)('the summary in pages on the %s store', (kind) => {
  let store: OutboxStore;
  let clock: FakeClock;
  afterEach(async () => {
    await store.close();
    removeTempDirs();
  });

  it('counts every dead letter once, a page per store call, as one call would', async () => {
    clock = fakeClock(T0);
    store = await openStore(kind, clock);
    await makeDeadLetters(store, events(clock, 13), (i) => ({
      reason: i % 3 === 0 ? 'expired' : 'rejected',
      at: T0 + Math.floor(i / 2),
    }));
    const limits: Array<number | undefined> = [];
    const noting = {
      summarizeDead: (f: DeadLetterFilter) => {
        limits.push(f.limit);
        return store.summarizeDead(f);
      },
    };
    const paged = await summarizeInPages(noting, { ruleId: RULE }, { page: 4 });
    expect(paged).toEqual((await store.summarizeDead({ ruleId: RULE })).groups);
    expect(countDeadLetters(paged)).toBe(13);
    expect(limits).toEqual([4, 4, 4, 4]);
  });
});
