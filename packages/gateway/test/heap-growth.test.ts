import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { applyHeapGrowth } from '../src/heap-growth.js';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const moduleUrl = pathToFileURL(fileURLToPath(new URL('../src/heap-growth.ts', import.meta.url))).href;
const dir = mkdtempSync(join(tmpdir(), 'capi-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
  const script = join(dir, 'child.mts');
  writeFileSync(script, CHILD);
  const run = spawnSync(process.execPath, ['--import', tsxLoader, script, String(percent)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout);
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
