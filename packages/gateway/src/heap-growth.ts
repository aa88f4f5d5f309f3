import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again (`server.heapGrowthPercent`, default 15).
 *
 * Why the gateway sets it: under load, request data in flight survives a few young-generation
 * collections and is promoted; it dies soon after, but V8's own factor (up to 4×) lets that garbage
 * pile up for seconds, and the resident set follows it. Measured on the 2-core reference machine
 * (docs/benchmarks.md): peak RSS under batch ingest ~298 → ~220 MiB, and end to end ~337 → ~267
 * MiB, for a few more full collections (about 4 % of the main thread) and no loss of batch
 * throughput. Unlike a heap ceiling (`--max-old-space-size`) it never makes the process run out of
 * memory: the heap still grows as far as the live data needs.
 *
 * Process-wide: the flag covers every isolate, so the store thread too. V8 reads the factor each
 * time it sets the next collection threshold, so setting it at start covers the whole run.
 * 0 leaves V8's own heuristic.
 */
export function applyHeapGrowth(percent: number): boolean {
  if (!Number.isInteger(percent) || percent <= 0) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
