/**
 * The alternating-slice method checked against itself: two identical bare node:http servers,
 * measured exactly as bench/gateway-single.ts and bench/gateway-ingest.ts measure the bare server
 * and the gateway (bench/_interleaved.ts). A fair method gives a ratio near 1 whichever side goes
 * first; what it gives is the noise to allow for when reading a gateway/bare ratio.
 *
 *   npx tsx bench/interleaved-baseline.ts      # prints one JSON object
 *   npm run bench -- interleaved-baseline
 *
 * Environment: BENCH_BASELINE_REPEATS (3), BENCH_SINGLE_SECONDS (10), BENCH_SINGLE_SLICES (6),
 * BENCH_WARMUP_SECONDS (3). 64 connections, as the single-event benchmarks.
 */
import {
  bodyFactory,
  intFromEnv,
  machine,
  note,
  round,
  runIfMain,
  startBareServer,
  waitForQuietMachine,
} from './_gateway.js';
import { interleavedLoads, SLICES } from './_interleaved.js';

const REPEATS = intFromEnv('BENCH_BASELINE_REPEATS', 3);
const SECONDS = intFromEnv('BENCH_SINGLE_SECONDS', 10);
const WARMUP_SECONDS = intFromEnv('BENCH_WARMUP_SECONDS', 3);
const CONNECTIONS = 64;

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const happenedAt = Date.now() - 60_000;
  const runs: Array<Record<string, unknown>> = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    note(`interleaved-baseline: two bare node:http servers, run ${repeat + 1} of ${REPEATS}`);
    const first = await startBareServer();
    const second = await startBareServer();
    try {
      const quiet = await waitForQuietMachine();
      const result = await interleavedLoads({
        sides: [
          {
            url: `${first.url}/v1/events`,
            body: bodyFactory(`a${repeat}`, 1, happenedAt),
            pids: { bare: first.pid },
          },
          {
            url: `${second.url}/v1/events`,
            body: bodyFactory(`b${repeat}`, 1, happenedAt),
            pids: { bare: second.pid },
          },
        ],
        connections: CONNECTIONS,
        headers: {},
        warmupSeconds: WARMUP_SECONDS,
        targetSeconds: SECONDS,
        slices: SLICES,
      });
      const [a, b] = result.sides;
      runs.push({
        firstRequestsPerSecond: a.measured.requestsPerSecond,
        secondRequestsPerSecond: b.measured.requestsPerSecond,
        ratio: round(b.measured.requestsPerSecond / Math.max(1, a.measured.requestsPerSecond), 3),
        ratioPerRound: result.ratioPerRound,
        p99Ms: [a.measured.latencyMs.p99, b.measured.latencyMs.p99],
        machineBeforeRun: quiet,
      });
    } finally {
      await first.stop();
      await second.stop();
    }
  }
  const ratios = runs.map((r) => r.ratio as number);
  return {
    name: 'interleaved-baseline',
    machine: machine(),
    parameters: {
      repeats: REPEATS,
      measuredSecondsAtLeast: SECONDS,
      slicesPerServer: SLICES,
      connections: CONNECTIONS,
    },
    runs,
    ratios,
    meanRatio: round(ratios.reduce((s, r) => s + r, 0) / Math.max(1, ratios.length), 3),
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
}

runIfMain(import.meta.url, run);
