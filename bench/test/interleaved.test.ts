import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../_gateway.js';
import { addReadings, combineSlices, sliceOrder } from '../_interleaved.js';

function slice(overrides: Partial<LoadResult>): LoadResult {
  return {
    seconds: 2,
    bodiesBuilt: 100,
    answered: 100,
    status2xx: 100,
    byStatus: { '200': 100 },
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    requestsPerSecond: 50,
    latencyMs: { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 },
    stoppedByTimeLimit: false,
    ...overrides,
  };
}

describe('alternating slices', () => {
  it('alternate which side goes first, round by round', () => {
    expect([0, 1, 2, 3].map(sliceOrder)).toEqual([
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('add up as one run: counts, seconds, statuses, and the rate over the summed time', () => {
    const run = combineSlices(
      [
        slice({ seconds: 2, status2xx: 300, answered: 301, byStatus: { '200': 300, '503': 1 }, non2xx: 1 }),
        slice({
          seconds: 3,
          status2xx: 200,
          answered: 200,
          byStatus: { '200': 200 },
          stoppedByTimeLimit: true,
        }),
      ],
      [1, 2, 3],
    );
    expect(run).toMatchObject({
      seconds: 5,
      status2xx: 500,
      answered: 501,
      byStatus: { '200': 500, '503': 1 },
      non2xx: 1,
      requestsPerSecond: 100,
      stoppedByTimeLimit: true,
    });
  });

  it('take latency percentiles by nearest rank over every answer of every slice', () => {
    // 990 fast answers (1.000 to 1.989 ms) and slow ones at 50 ms, in no order: 10 slow answers in
    // 1,000 reach the p99; 9 in 999 do not, and the p99 is the slowest fast answer.
    const fast = Array.from({ length: 990 }, (_, i) => 1 + i / 1000);
    const slow = Array.from({ length: 10 }, () => 50);
    const run = combineSlices([slice({}), slice({})], [...slow, ...fast]);
    expect(run.latencyMs).toEqual({
      mean: 1.98, // (990 + 0.001 × (0 + 1 + … + 989) + 10 × 50) / 1,000
      p50: 1.5,
      p90: 1.9,
      p99: 50,
      max: 50,
    });
    expect(combineSlices([slice({})], [...slow.slice(1), ...fast]).latencyMs.p99).toBe(1.99);
  });

  it('sum CPU readings and keep the machine size as read', () => {
    const total: Record<string, number> = {};
    addReadings(total, { machineCpus: 2, gatewayCpuSeconds: 1.25, wallSeconds: 2 });
    addReadings(total, { machineCpus: 2, gatewayCpuSeconds: 0.5, wallSeconds: 2.1 });
    expect(total).toEqual({ machineCpus: 2, gatewayCpuSeconds: 1.8, wallSeconds: 4.1 });
  });
});
