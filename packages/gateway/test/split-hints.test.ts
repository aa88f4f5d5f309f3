import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SplitHints } from '../src/domain/split-hints.js';

const ids = (n: number, prefix = 'e') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

describe('SplitHints', () => {
  it('keeps everything together when nothing was split', () => {
    const events = ids(5);
    expect(new SplitHints().partition(events)).toEqual([events]);
  });

  it('cuts a claim along the remembered halves, newcomers together, and forgets the hints', () => {
    const hints = new SplitHints();
    hints.remember([['e0', 'e1'], ['e2'], ['e3', 'e4', 'e5']]);
    const claim = [...ids(6), { id: 'new' }];
    expect(hints.partition(claim).map((part) => part.map((e) => e.id))).toEqual([
      ['e0', 'e1'],
      ['e2'],
      ['e3', 'e4', 'e5'],
      ['new'],
    ]);
    expect(hints.size).toBe(0);
    expect(hints.partition(claim)).toEqual([claim]);
  });

  it('forgets every hint rather than grow past its bound', () => {
    const hints = new SplitHints(4);
    hints.remember([['a', 'b', 'c']]);
    hints.remember([['d', 'e']]);
    expect(hints.size).toBe(2);
    expect(hints.partition([{ id: 'a' }, { id: 'd' }, { id: 'e' }]).map((p) => p.length)).toEqual([2, 1]);
  });

  it('is a partition: every event once, order kept inside each part, remembered groups never mixed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (groupOfEvent, claimed) => {
          const events = groupOfEvent.map((_, i) => ({ id: `e${i}` }));
          const hints = new SplitHints();
          // Group 0 stands for "never split"; groups 1-4 are remembered halves.
          hints.remember(
            [1, 2, 3, 4].map((g) => events.filter((_, i) => groupOfEvent[i] === g).map((e) => e.id)),
          );
          const claim = events.filter((_, i) => claimed[i] ?? true);
          const parts = hints.partition(claim);
          const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
          expect(parts.flat().sort(byId)).toEqual([...claim].sort(byId));
          for (const part of parts) {
            expect(part.length).toBeGreaterThan(0);
            const positions = part.map((e) => claim.indexOf(e));
            expect(positions).toEqual([...positions].sort((a, b) => a - b));
            expect(new Set(part.map((e) => groupOfEvent[Number(e.id.slice(1))])).size).toBe(1);
          }
        },
      ),
    );
  });
});
