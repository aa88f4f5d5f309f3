import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyOrder } from '../src/store/sqlite/key-order.js';
import type { FlushLog } from '../src/store/sqlite/recent-keys.js';

/** A log as level 0 keeps it: any ids and rules, repeats included, seqs unique and rising. */
const logArb: fc.Arbitrary<FlushLog> = fc
  .array(fc.record({ eventId: fc.string({ maxLength: 3 }), ruleId: fc.constantFrom('7', '22', '305') }), {
    minLength: 1,
    maxLength: 80,
  })
  .map((keys) => ({
    eventIds: keys.map((k) => k.eventId),
    ruleIds: keys.map((k) => k.ruleId),
    seqs: keys.map((_, i) => 100 + i * 3),
  }));

/** The log's positions sorted at once, as the flush did before it sorted in runs. */
function sortedAtOnce(log: FlushLog): number[] {
  const { eventIds: e, ruleIds: r, seqs } = log;
  return log.seqs
    .map((_, i) => i)
    .sort((a, b) =>
      e[a]! < e[b]! ? -1 : e[a]! > e[b]! ? 1 : r[a]! < r[b]! ? -1 : r[a]! > r[b]! ? 1 : seqs[a]! - seqs[b]!,
    );
}

describe('flush key order (key-order.ts)', () => {
  it('gives the keys in the order one sort gives, in runs of any size and takes of any size', () => {
    fc.assert(
      fc.property(
        logArb,
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }),
        (log, runKeys, takes) => {
          const order = new KeyOrder(log, runKeys);
          let steps = 0;
          while (!order.sorted) {
            order.sortRun();
            steps += 1;
          }
          // One step per run: no step sorts more than a run's keys.
          expect(steps).toBe(Math.ceil(log.seqs.length / runKeys));
          const expected = sortedAtOnce(log);
          expect(order.first()).toBe(expected[0]);
          expect(order.last()).toBe(expected[expected.length - 1]);
          const got: number[] = [];
          for (let i = 0; order.remaining > 0; i += 1) {
            const slice = order.take(takes[i % takes.length]!);
            expect(slice.length).toBeGreaterThan(0);
            got.push(...slice);
            expect(order.remaining).toBe(log.seqs.length - got.length);
          }
          expect(got).toEqual(expected);
          expect(order.take(5).length).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
