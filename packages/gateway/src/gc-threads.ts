import { availableParallelism } from 'node:os';

/**
 * Whether V8's collector helper threads are off (`node --single-threaded-gc`), and whether this host
 * is one where they should be. V8 reads the flag only at start, so the gateway cannot set it itself;
 * `npm start` passes it where it pays (scripts/node-flags.mjs, whose limit this mirrors and a test
 * holds equal), and a gateway started another way says so in its log.
 */

/** At most this many vCPUs: the collector should work on the thread whose heap it is. */
export const SINGLE_THREADED_GC_MAX_CPUS = 2;

export function singleThreadedGc(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.includes('--single-threaded-gc');
}

/** The advice for a gateway on `cpus` vCPUs started without the flag where it would help, or null. */
export function singleThreadedGcAdvice(
  cpus: number = availableParallelism(),
  execArgv: readonly string[] = process.execArgv,
): string | null {
  if (cpus > SINGLE_THREADED_GC_MAX_CPUS || singleThreadedGc(execArgv)) return null;
  return `this host has ${cpus} vCPU${cpus === 1 ? '' : 's'}: start node with --single-threaded-gc (as npm start does; node scripts/node-flags.mjs prints the flags) for up to 8 % more throughput; see docs/configuration.md, "V8's collector threads"`;
}
