#!/usr/bin/env node
/**
 * The flags `node` runs the gateway with on this host: `npm start` puts them before
 * `dist/capi.js start`, and the end-to-end tests and benchmarks start the gateway with the same.
 *
 *   node scripts/node-flags.mjs      # prints them, space-separated (nothing when there are none)
 *
 * `--single-threaded-gc` on hosts with two vCPUs or fewer: V8 otherwise runs its collections'
 * marking and scavenging on four helper threads as well, which on two vCPUs only take turns with the
 * gateway's own two busy threads (the main thread and the SQLite store's) and add their
 * coordination; measured, they took about a third of a vCPU under end to end. Collecting on the
 * thread whose heap it is gave up to 8 % more events/s for batch ingest and end to end (0–8 % in
 * interleaved pairs), the same single-event rate and p99, and 10–17 MiB more peak resident set
 * (docs/configuration.md, "V8's collector threads"). V8 reads the flag only at start, so `capi start` cannot set it itself. On
 * larger hosts the helpers run beside the gateway's threads and shorten its pauses: no flag.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * At most this many vCPUs: the collector works on the thread whose heap it is. The gateway mirrors
 * it (packages/gateway/src/gc-threads.ts) to advise the flag when started without it; a test holds
 * the two equal.
 */
export const SINGLE_THREADED_GC_MAX_CPUS = 2;

/** The node flags for a host with `cpus` vCPUs (default: this host's). */
export function gatewayNodeFlags(cpus = availableParallelism()) {
  return cpus <= SINGLE_THREADED_GC_MAX_CPUS ? ['--single-threaded-gc'] : [];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${gatewayNodeFlags().join(' ')}\n`);
}
