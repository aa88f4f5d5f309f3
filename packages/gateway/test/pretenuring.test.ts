import { describe, expect, it } from 'vitest';
import { applyAllocationSitePretenuring } from '../src/pretenuring.js';
import { runChildScript, sourceUrl } from './support/child-script.js';

const moduleUrl = sourceUrl('pretenuring.ts');

// An allocation site whose objects survive young-generation collections: the pattern V8 pretenures.
// Run under --trace-pretenuring-statistics, V8 prints a line per site each time it weighs one; with
// pretenuring off it weighs none.
const CHILD = `
import { applyAllocationSitePretenuring } from '${moduleUrl}';
applyAllocationSitePretenuring(process.argv[2] === 'on');
const make = (i) => ({ i, twice: i * 2, label: 'event', nested: { i } });
let held = [];
for (let i = 0; i < 1_000_000; i++) held.push(make(i));
process.stdout.write('held ' + held.length + '\\n');
held = null;
`;

/** The pretenuring decisions V8 printed while the child ran. */
function decisionsWith(pretenuring: 'on' | 'off'): string[] {
  const stdout = runChildScript(CHILD, [pretenuring], ['--trace-pretenuring-statistics']);
  expect(stdout).toContain('held 1000000');
  return stdout.split('\n').filter((line) => line.includes('pretenuring: AllocationSite'));
}

describe('allocation-site pretenuring (server.allocationSitePretenuring)', () => {
  it('off: V8 stops weighing allocation sites for pretenuring, though set after start', () => {
    expect(decisionsWith('on').length).toBeGreaterThan(0);
    expect(decisionsWith('off')).toEqual([]);
  });

  it('on: leaves V8 alone', () => {
    expect(applyAllocationSitePretenuring(true)).toBe(false);
  });
});
