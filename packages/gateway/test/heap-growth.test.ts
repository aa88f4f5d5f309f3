import { describe, expect, it } from 'vitest';
import { applyHeapGrowth } from '../src/heap-growth.js';
import { runChildScript, sourceUrl } from './support/child-script.js';

const moduleUrl = sourceUrl('heap-growth.ts');

// The gateway's pattern in miniature: a working set that lives long enough to be promoted and is
// replaced continuously. Prints the peak of the used heap.
const CHILD = `
import { applyHeapGrowth } from '${moduleUrl}';
applyHeapGrowth(Number(process.argv[2]));
const ring = new Array(64).fill(null);
let peak = 0;
for (let i = 0; i < 3000; i++) {
  ring[i % 64] = Array.from({ length: 2000 }, (_, j) => ({ i, j, s: 'v' + j }));
  if (i % 25 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
}
process.stdout.write(String(peak));
`;

function peakHeapWith(percent: number): number {
  return Number(runChildScript(CHILD, [String(percent)]));
}

describe('heap growth (server.heapGrowthPercent)', () => {
  it('keeps the heap of a churning working set well below what V8 left alone lets it reach', () => {
    const own = peakHeapWith(0);
    const capped = peakHeapWith(20);
    expect(own).toBeGreaterThan(0);
    expect(capped).toBeLessThan(own * 0.8);
  });

  it('treats 0 and anything but a positive integer as "leave V8 alone"', () => {
    expect(applyHeapGrowth(0)).toBe(false);
    expect(applyHeapGrowth(-5)).toBe(false);
    expect(applyHeapGrowth(2.5)).toBe(false);
  });
});
