import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LOOK_MS, MIN_LOOK_MS, nextLookMs } from '../src/domain/linger.js';

const look = fc.record({
  found: fc.nat({ max: 5_000 }),
  coveredMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
  missing: fc.integer({ min: -10, max: 5_000 }),
  leftMs: fc.double({ min: -100, max: 60_000, noNaN: true }),
  lastWaitMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
});

describe('nextLookMs', () => {
  it('stops when the linger is over or the batch is full', () => {
    fc.assert(
      fc.property(look, (l) => {
        if (l.leftMs <= 0 || l.missing <= 0) expect(nextLookMs(l)).toBe(0);
      }),
    );
  });

  it('never waits past the linger, nor longer than MAX_LOOK_MS, nor (with time left) shorter than MIN_LOOK_MS', () => {
    fc.assert(
      fc.property(look, (l) => {
        fc.pre(l.leftMs > 0 && l.missing > 0);
        const wait = nextLookMs(l);
        expect(wait).toBeLessThanOrEqual(Math.min(l.leftMs, MAX_LOOK_MS));
        expect(wait).toBeGreaterThanOrEqual(Math.min(l.leftMs, MIN_LOOK_MS));
      }),
    );
  });

  it('looks every MIN_LOOK_MS while the rate seen could fill the batch in time', () => {
    fc.assert(
      fc.property(look, (l) => {
        fc.pre(l.leftMs > 0 && l.missing > 0 && l.found > 0 && l.coveredMs > 0);
        fc.pre((l.missing * l.coveredMs) / l.found <= l.leftMs);
        expect(nextLookMs(l)).toBe(Math.min(l.leftMs, MIN_LOOK_MS));
      }),
    );
  });

  it('never waits more than twice as long as last time', () => {
    fc.assert(
      fc.property(look, (l) => {
        expect(nextLookMs(l)).toBeLessThanOrEqual(2 * Math.max(MIN_LOOK_MS, l.lastWaitMs));
      }),
    );
  });

  it('looks sooner the faster events arrive', () => {
    fc.assert(
      fc.property(look, fc.integer({ min: 1, max: 1_000 }), (l, more) => {
        fc.pre(l.leftMs > 0 && l.missing > 0 && l.coveredMs > 0);
        expect(nextLookMs({ ...l, found: l.found + more })).toBeLessThanOrEqual(nextLookMs(l));
      }),
    );
  });

  it('backs off on a trickle: 100 events/s cannot fill 5,000 in 200 ms', () => {
    const waits: number[] = [];
    let wait = MIN_LOOK_MS;
    let left = 200 - wait;
    let missing = 4_999;
    while (wait > 0) {
      const found = Math.round(wait / 10);
      missing -= found;
      wait = nextLookMs({ found, coveredMs: wait, missing, leftMs: left, lastWaitMs: wait });
      left -= wait;
      waits.push(wait);
    }
    // Looks at 20, 60, 140 and 200 ms (then stop): four claims where one every 20 ms made ten.
    expect(waits).toEqual([40, 80, 60, 0]);
  });

  it('doubles the wait while nothing arrives, up to the ceiling', () => {
    const waits: number[] = [];
    let wait = MIN_LOOK_MS;
    for (let i = 0; i < 5; i++) {
      wait = nextLookMs({ found: 0, coveredMs: wait, missing: 100, leftMs: 10_000, lastWaitMs: wait });
      waits.push(wait);
    }
    expect(waits).toEqual([40, 80, MAX_LOOK_MS, MAX_LOOK_MS, MAX_LOOK_MS]);
  });
});
