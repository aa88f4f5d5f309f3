import type { FlushLog } from './recent-keys.js';

/**
 * The keys of a flushed level 0 in key order (event id, rule id, seq), worked out a little at a
 * time. A flush writes 65,536 keys into level 1 in key order, a slice per turn of the store thread;
 * sorting them all before the first slice took 13–30 ms in one go, and every commit (and every
 * request waiting on one) waited for it. Here the log is cut into runs of one slice's size, each
 * sorted in a turn of its own (`sortRun`), and `take` then merges the runs' heads, one slice's keys
 * at a time: no step costs more than sorting or merging one slice.
 *
 * Positions index the log's columns. JavaScript compares UTF-16 units and SQLite UTF-8 bytes; they
 * differ only past U+FFFF, where the order costs locality, not correctness.
 */
export class KeyOrder {
  private readonly positions: Uint32Array;
  /** Where each run starts in `positions`; run i ends where run i + 1 starts (the last at the end). */
  private readonly starts: number[] = [];
  private sortedRuns = 0;
  /** Per run, its next position not yet taken (the merge's cursors). */
  private cursors: number[] = [];
  /** Runs with keys left, as a binary heap on their cursors' keys. */
  private heap: number[] = [];
  private taken = 0;

  constructor(
    private readonly log: FlushLog,
    runKeys: number,
  ) {
    const n = log.seqs.length;
    this.positions = new Uint32Array(n).map((_, i) => i);
    for (let at = 0; at < n; at += Math.max(1, runKeys)) this.starts.push(at);
  }

  get size(): number {
    return this.positions.length;
  }

  /** Keys not taken yet. */
  get remaining(): number {
    return this.positions.length - this.taken;
  }

  /** Whether every run is sorted, so `first`, `last` and `take` may be called. */
  get sorted(): boolean {
    return this.sortedRuns === this.starts.length;
  }

  /** Sorts the next run; call until `sorted`. */
  sortRun(): void {
    const i = this.sortedRuns;
    this.positions.subarray(this.starts[i], this.end(i)).sort(this.compare);
    this.sortedRuns += 1;
    if (this.sorted) {
      this.cursors = [...this.starts];
      this.heap = [];
      for (let run = 0; run < this.starts.length; run += 1)
        if (this.end(run) > this.starts[run]!) this.push(run);
    }
  }

  /** The position of the smallest key (every run sorted, at least one key). */
  first(): number {
    let best = this.positions[this.starts[0]!]!;
    for (const start of this.starts)
      if (this.compare(this.positions[start]!, best) < 0) best = this.positions[start]!;
    return best;
  }

  /** The position of the largest key (every run sorted, at least one key). */
  last(): number {
    let best = this.positions[this.end(0) - 1]!;
    for (let run = 1; run < this.starts.length; run += 1) {
      const candidate = this.positions[this.end(run) - 1]!;
      if (this.compare(candidate, best) > 0) best = candidate;
    }
    return best;
  }

  /** The next `max` positions in key order (fewer at the end). */
  take(max: number): Uint32Array {
    const out = new Uint32Array(Math.min(max, this.remaining));
    for (let k = 0; k < out.length; k += 1) {
      const run = this.heap[0]!;
      out[k] = this.positions[this.cursors[run]!]!;
      this.cursors[run]! += 1;
      if (this.cursors[run]! < this.end(run)) this.siftDown(0);
      else {
        const lastRun = this.heap.pop()!;
        if (this.heap.length > 0) {
          this.heap[0] = lastRun;
          this.siftDown(0);
        }
      }
    }
    this.taken += out.length;
    return out;
  }

  private end(run: number): number {
    return this.starts[run + 1] ?? this.positions.length;
  }

  private readonly compare = (a: number, b: number): number => {
    const { eventIds: e, ruleIds: r, seqs } = this.log;
    return e[a]! < e[b]!
      ? -1
      : e[a]! > e[b]!
        ? 1
        : r[a]! < r[b]!
          ? -1
          : r[a]! > r[b]!
            ? 1
            : seqs[a]! - seqs[b]!;
  };

  /** Compares two runs by the keys at their cursors. */
  private before(x: number, y: number): boolean {
    return this.compare(this.positions[this.cursors[x]!]!, this.positions[this.cursors[y]!]!) < 0;
  }

  private push(run: number): void {
    const heap = this.heap;
    heap.push(run);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private siftDown(from: number): void {
    const heap = this.heap;
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && this.before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && this.before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}
