/**
 * The LinkedIn sandbox in a process of its own, for the gateway benchmarks: the gateway delivers to
 * it over a real socket and it does not share an event loop with the gateway or the load generator.
 *
 *   node --import tsx bench/_sandbox-process.ts
 *
 * Settings come from the environment:
 *   BENCH_SANDBOX_PORT   port on 127.0.0.1 (default 0: any free port)
 *   BENCH_SANDBOX_RPM    requests per minute per token (default 600, LinkedIn's)
 *   BENCH_SANDBOX_RPD    requests per day per token (default 500,000, LinkedIn's)
 *
 * The recorder keeps no bodies and only a few entries, and the event log keeps only the newest few
 * events, so what a benchmark measures is the gateway, not the sandbox's memory. The counters that
 * the benchmarks read (`GET /__sandbox/stats`: eventsAccepted, byStatus) count every event.
 *
 * Prints one JSON line `{"url": ..., "pid": ...}` once listening. Stops on SIGTERM or SIGINT, and
 * also when its stdin closes, so it never outlives the benchmark that started it.
 */
import { createSandbox } from '@capi-gateway/sandbox';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

const sandbox = createSandbox({
  limits: {
    perMinute: intFromEnv('BENCH_SANDBOX_RPM', 600),
    perDay: intFromEnv('BENCH_SANDBOX_RPD', 500_000),
  },
  recorder: { maxEntries: 20, recordBodies: 'none', maxTotalChars: 1024 * 1024 },
  keepEvents: 100,
});

const { url } = await sandbox.start({ port: intFromEnv('BENCH_SANDBOX_PORT', 0), host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(code), 2_000);
  timer.unref();
  sandbox.stop().then(
    () => process.exit(code),
    () => process.exit(1),
  );
}
process.once('SIGTERM', () => stop(0));
process.once('SIGINT', () => stop(0));
// The parent holds our stdin open; when it goes away (even killed), so do we.
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();
