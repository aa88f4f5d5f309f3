import { describe, expect, it } from 'vitest';
import { runChildScript, sourceUrl } from './support/child-script.js';

const moduleUrl = sourceUrl('young-generation.ts');

// A process started with a 32 MiB semi-space starts a worker limited to a 16 MiB young generation,
// as the store thread is, with or without the call first. Both threads then allocate enough to grow
// their young generations to the most they may reach; prints each one's new-space size in MiB.
const CHILD = `
import { Worker } from 'node:worker_threads';
import { getHeapSpaceStatistics } from 'node:v8';
import { confineSemiSpaceSizeToMainThread } from '${moduleUrl}';
const churn = \`
  const { getHeapSpaceStatistics } = require('node:v8');
  let keep = [];
  for (let i = 0; i < 3_000_000; i++) { keep.push({ i }); if (keep.length > 200_000) keep = []; }
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  globalThis.newSpaceMiB = s.space_size / 1048576;
\`;
if (process.argv[2] === 'confined') confineSemiSpaceSizeToMainThread();
const worker = new Worker(churn + 'require("node:worker_threads").parentPort.postMessage(globalThis.newSpaceMiB);', {
  eval: true,
  resourceLimits: { maxYoungGenerationSizeMb: 16 },
});
const workerMiB = await new Promise((resolve) => worker.once('message', resolve));
await worker.terminate();
new Function('require', churn)((await import('node:module')).createRequire(import.meta.url));
process.stdout.write(JSON.stringify({ main: globalThis.newSpaceMiB, worker: workerMiB }));
`;

function newSpaces(mode: 'confined' | 'as started'): { main: number; worker: number } {
  return JSON.parse(runChildScript(CHILD, [mode], ['--max-semi-space-size=32'])) as {
    main: number;
    worker: number;
  };
}

describe('a --max-semi-space-size the process started with', () => {
  it('stays with the main thread: threads started afterwards keep their own young-generation limit', () => {
    const asStarted = newSpaces('as started');
    const confined = newSpaces('confined');
    // The main thread keeps the size it started with either way (two 32 MiB semi-spaces).
    expect(asStarted.main).toBe(64);
    expect(confined.main).toBe(64);
    // Without the call the flag overrides the worker's 16 MiB limit; with it the limit holds.
    expect(asStarted.worker).toBe(64);
    expect(confined.worker).toBeLessThanOrEqual(16);
  });
});
