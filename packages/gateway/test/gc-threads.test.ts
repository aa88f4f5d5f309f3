import { describe, expect, it } from 'vitest';
import { SINGLE_THREADED_GC_MAX_CPUS as LAUNCH_LIMIT } from '../../../scripts/node-flags.mjs';
import { SINGLE_THREADED_GC_MAX_CPUS, singleThreadedGc, singleThreadedGcAdvice } from '../src/gc-threads.js';

describe('single-threaded collection', () => {
  it('uses the same vCPU limit as the start command', () => {
    expect(SINGLE_THREADED_GC_MAX_CPUS).toBe(LAUNCH_LIMIT);
  });

  it('reads the flag from node’s own arguments', () => {
    expect(singleThreadedGc(['--single-threaded-gc'])).toBe(true);
    expect(singleThreadedGc(['--max-semi-space-size=32'])).toBe(false);
    expect(singleThreadedGc([])).toBe(false);
  });

  it('advises the flag on two vCPUs or fewer when it is missing, and only then', () => {
    expect(singleThreadedGcAdvice(2, [])).toMatch(
      /^this host has 2 vCPUs: start node with --single-threaded-gc \(as npm start does;/,
    );
    expect(singleThreadedGcAdvice(1, [])).toMatch(/^this host has 1 vCPU: /);
    expect(singleThreadedGcAdvice(2, ['--single-threaded-gc'])).toBeNull();
    expect(singleThreadedGcAdvice(3, [])).toBeNull();
    expect(singleThreadedGcAdvice(64, [])).toBeNull();
  });
});
