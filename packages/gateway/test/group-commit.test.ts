import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../src/store/group-commit.js';

/** A writer whose flushes stay open until the test releases them, recording each group it got. */
function gatedWriter() {
  const groups: number[][][] = [];
  const gates: Array<() => void> = [];
  const write = (batches: number[][]) => {
    groups.push(batches);
    return new Promise<Array<number[] | Error>>((resolve) => {
      gates.push(() => resolve(batches.map((b) => b.map((n) => n * 10))));
    });
  };
  const releaseOne = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { groups, write, releaseOne };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('merges the batches of one turn into one write and answers each caller with its own results', async () => {
    const w = gatedWriter();
    const group = createGroupCommit<number, number>({ write: w.write, maxPendingRows: 1000, maxInFlight: 1 });
    const a = group.submit([1, 2]);
    const b = group.submit([3]);
    await turn();
    expect(w.groups).toEqual([[[1, 2], [3]]]);
    await w.releaseOne();
    expect(await a).toEqual([10, 20]);
    expect(await b).toEqual([30]);
  });

  it('holds small groups back while mayFlush says so, and lets them grow into one write', async () => {
    const w = gatedWriter();
    const group = createGroupCommit<number, number>({
      write: w.write,
      maxPendingRows: 1000,
      maxInFlight: 8,
      mayFlush: (rows, inFlight) => inFlight < 2 || rows >= 3,
    });
    const results: Array<Promise<number[]>> = [];
    for (let i = 0; i < 2; i += 1) {
      results.push(group.submit([i]));
      await turn();
    }
    expect(w.groups).toHaveLength(2);
    // Two in flight: single rows wait and accumulate…
    results.push(group.submit([7]));
    await turn();
    results.push(group.submit([8]));
    await turn();
    expect(w.groups).toHaveLength(2);
    // …until the group is big enough to go anyway,
    results.push(group.submit([9]));
    await turn();
    expect(w.groups).toHaveLength(3);
    expect(w.groups[2]).toEqual([[7], [8], [9]]);
    // or until writes come back and fewer than two are out.
    results.push(group.submit([4]));
    await turn();
    await w.releaseOne();
    expect(w.groups).toHaveLength(3);
    await w.releaseOne();
    expect(w.groups).toHaveLength(4);
    expect(w.groups[3]).toEqual([[4]]);
    await w.releaseOne();
    await w.releaseOne();
    expect((await Promise.all(results)).flat()).toEqual([0, 10, 70, 80, 90, 40]);
  });

  it('rejects only the batch the writer failed', async () => {
    const group = createGroupCommit<number, number>({
      write: (batches) => batches.map((b) => (b.includes(13) ? new Error('unlucky') : b)),
      maxPendingRows: 1000,
      maxInFlight: 1,
    });
    const good = group.submit([1]);
    const bad = group.submit([13]);
    await expect(bad).rejects.toThrow('unlucky');
    expect(await good).toEqual([1]);
  });
});
