import { setFlagsFromString } from 'node:v8';

/**
 * Keeps a `--max-semi-space-size` the process was started with to the main thread.
 *
 * A larger young generation for the main thread is a documented trade (docs/configuration.md,
 * "More throughput for more memory"): batch ingest and end to end gain 14–18 %. But V8 reads the
 * flag whenever it creates an isolate, and it overrides a Worker's `resourceLimits`, so the SQLite
 * store thread and the checkpoint thread, which the gateway gives a 16 MiB young generation, would
 * take the larger one too: measured, about 85 MiB more resident set instead of about 40, for no
 * more speed. Clearing the flag once the main isolate exists (it keeps the size it started with)
 * lets every thread created afterwards size its young generation from its own limits again.
 *
 * Call before the store opens its threads; without the flag it changes nothing.
 */
export function confineSemiSpaceSizeToMainThread(): void {
  // 0 is V8's "not set": an isolate created from now on takes its size from its resource limits.
  setFlagsFromString('--max-semi-space-size=0');
}
