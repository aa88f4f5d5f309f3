import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIngestGate, permitWeight } from '../src/http/ingest-gate.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('ingest gate', () => {
  it('weighs a request by its body size, between 1 KiB and half the budget', () => {
    expect(permitWeight(200_000, 1_000_000)).toBe(200_000);
    expect(permitWeight(10, 1_000_000)).toBe(1024);
    expect(permitWeight(0, 1_000_000)).toBe(1024);
    expect(permitWeight(Number.NaN, 1_000_000)).toBe(1024);
    expect(permitWeight(5_000_000, 1_000_000)).toBe(500_000);
  });

  it('holds requests beyond the budget until earlier ones are released, first come first served', async () => {
    const gate = createIngestGate(100_000);
    const order: string[] = [];
    const a = await gate.acquire(40_000);
    const b = await gate.acquire(40_000);
    const c = gate.acquire(40_000).then((release) => {
      order.push('c');
      return release;
    });
    // d is small enough to fit now, but c came first and is not overtaken.
    const d = gate.acquire(2_000).then((release) => {
      order.push('d');
      return release;
    });
    await flush();
    expect(order).toEqual([]);
    expect(gate.state()).toEqual({ inFlightBytes: 80_000, inFlight: 2, waiting: 2 });
    a();
    await flush();
    expect(order).toEqual(['c', 'd']);
    b();
    (await c)();
    (await d)();
    expect(gate.state()).toEqual({ inFlightBytes: 0, inFlight: 0, waiting: 0 });
  });

  it('lets a request larger than the budget through when nothing else is in flight', async () => {
    const gate = createIngestGate(1_000);
    const release = await gate.acquire(50_000_000);
    expect(gate.state().inFlight).toBe(1);
    release();
    release(); // a second release is harmless
    expect(gate.state()).toEqual({ inFlightBytes: 0, inFlight: 0, waiting: 0 });
  });

  it('never exceeds the budget with two or more in flight, and grants every request in the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2_048, max: 200_000 }),
        fc.array(fc.integer({ min: 0, max: 400_000 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (budget, sizes, releaseOrder) => {
          const gate = createIngestGate(budget);
          const held: Array<() => void> = [];
          let granted = 0;
          const all = sizes.map((size) =>
            gate.acquire(size).then((release) => {
              granted += 1;
              const { inFlight, inFlightBytes } = gate.state();
              if (inFlight > 1) expect(inFlightBytes).toBeLessThanOrEqual(budget);
              held.push(release);
            }),
          );
          let pick = 0;
          while (granted < sizes.length) {
            await flush();
            if (held.length === 0) continue;
            const i = (releaseOrder[pick++ % Math.max(1, releaseOrder.length)] ?? 0) % held.length;
            held.splice(i, 1)[0]!();
          }
          await Promise.all(all);
          for (const release of held) release();
          expect(gate.state()).toEqual({ inFlightBytes: 0, inFlight: 0, waiting: 0 });
        },
      ),
      { numRuns: 200 },
    );
  });
});
