/**
 * Two servers measured in alternating slices of one run, for the single-event goal ("at least 50 %
 * of the requests/s of a bare node:http server, measured in the same run").
 *
 * Why: on the shared 2-vCPU hosts these benchmarks run on, the host's speed drifts by 2–4× within
 * an hour and sometimes within a minute (docs/benchmarks.md, "Reading the figures"). Measuring the
 * bare server for 10 s and then the gateway for 10 s put any drift between them straight into the
 * ratio: one run gave 0.73 in its first mode and 0.29 in its second, on the same code. Alternating
 * short slices (A B, B A, A B, …, an even number of rounds) spreads the drift over both sides, so
 * the ratio compares the servers rather than two moments of the host.
 *
 * Each slice is an exact number of requests sized from the side's last rate, so every request sent
 * is answered inside its slice and the servers' own counts can still be checked one for one. Each
 * slice's CPU meter keeps running for a short settle after the last answer, so work a server does
 * after answering (a checkpoint, a collection) is charged to it and not to the next slice.
 */
import { cpuMeter, intFromEnv, type LoadResult, load, nearestRank, round, sleep } from './_gateway.js';

/** Slices per server in every benchmark that uses this (BENCH_SINGLE_SLICES); even, see `sliceOrder`. */
export const SLICES = intFromEnv('BENCH_SINGLE_SLICES', 6);

export interface InterleavedSide {
  /** The full URL the requests go to. */
  url: string;
  body: (n: number) => string;
  /** The processes whose CPU is charged to this side's slices. */
  pids: Record<string, number>;
}

export interface InterleavedSideResult {
  warmup: LoadResult;
  /** Every measured slice as one run; latency percentiles over every answer of every slice. */
  measured: LoadResult;
  /** CPU readings summed over the side's slices (cpuMeter's fields). */
  cpu: Record<string, number>;
  sliceRequestsPerSecond: number[];
}

export interface InterleavedResult {
  sides: [InterleavedSideResult, InterleavedSideResult];
  /** The second side's requests/s over the first's, round by round (adjacent slices). */
  ratioPerRound: number[];
  rounds: number;
}

export interface InterleavedOptions {
  sides: [InterleavedSide, InterleavedSide];
  connections: number;
  headers: Record<string, string>;
  warmupSeconds: number;
  /** Measured seconds per side, at least (more rounds are run until both sides have them). */
  targetSeconds: number;
  /** Slices per side (rounds); at least 2, and an odd number is rounded up to the next even one. */
  slices: number;
  /** Runs after the warm-ups have settled, before the first measured slice. */
  beforeMeasured?: () => Promise<void>;
}

/** How long a slice's meter keeps running after its last answer, for the server's trailing work. */
const SETTLE_MS = 300;

export async function interleavedLoads(o: InterleavedOptions): Promise<InterleavedResult> {
  // An even number of rounds, so each side leads as often as it follows (see `sliceOrder`).
  const slices = Math.max(2, o.slices + (o.slices % 2));
  const sliceSeconds = o.targetSeconds / slices;
  const common = { connections: o.connections, headers: o.headers, maxSeconds: sliceSeconds * 8 + 30 };
  const warmups: LoadResult[] = [];
  for (const side of o.sides) {
    warmups.push(
      await load({
        ...common,
        url: side.url,
        body: side.body,
        durationSeconds: o.warmupSeconds,
        maxSeconds: o.warmupSeconds + 30,
      }),
    );
  }
  // Requests cut off when a warm-up ended may still be committing: let the servers settle.
  await sleep(1_500);
  await o.beforeMeasured?.();

  const rates = warmups.map((w) => Math.max(1, w.status2xx / Math.max(0.1, w.seconds)));
  const runs: LoadResult[][] = [[], []];
  const latencies: number[][] = [[], []];
  const cpus: Array<Record<string, number>> = [{}, {}];
  const ratioPerRound: number[] = [];
  const measuredSeconds = () => runs.map((r) => r.reduce((s, run) => s + run.seconds, 0));
  let rounds = 0;
  const short = () => Math.min(...measuredSeconds()) < o.targetSeconds && rounds < slices * 2;
  while (rounds < slices || short() || rounds % 2 === 1) {
    const order = sliceOrder(rounds);
    const rps: number[] = [0, 0];
    for (const i of order) {
      const side = o.sides[i]!;
      const meter = cpuMeter(side.pids);
      // A little over the slice, so the sides seldom need a round more to reach targetSeconds.
      const amount = Math.max(o.connections * 4, Math.ceil(rates[i]! * sliceSeconds * 1.1));
      const sink = latencies[i]!;
      const run = await load({
        ...common,
        url: side.url,
        body: side.body,
        amount,
        onResponse: (_status, ms) => void sink.push(ms),
      });
      await sleep(SETTLE_MS);
      addReadings(cpus[i]!, meter.stop());
      runs[i]!.push(run);
      rps[i] = run.requestsPerSecond;
      rates[i] = Math.max(1, run.status2xx / Math.max(0.1, run.seconds));
    }
    ratioPerRound.push(round(rps[1]! / Math.max(1, rps[0]!), 3));
    rounds += 1;
  }
  const result = (i: 0 | 1): InterleavedSideResult => ({
    warmup: warmups[i]!,
    measured: combineSlices(runs[i]!, latencies[i]!),
    cpu: cpus[i]!,
    sliceRequestsPerSecond: runs[i]!.map((r) => r.requestsPerSecond),
  });
  return { sides: [result(0), result(1)], ratioPerRound, rounds };
}

/**
 * Which side goes first in round `round`: A B, then B A, and so on, so neither always leads. With an
 * odd number of rounds one side leads once more than the other, and the side that follows reads
 * lower: two identical servers measured in five rounds came out at 0.894–1.023 (mean 0.955), in six
 * at 0.926–1.029 (mean 0.996; docs/benchmarks.md, "Single events measured in alternating slices").
 */
export function sliceOrder(round: number): [0 | 1, 0 | 1] {
  return round % 2 === 0 ? [0, 1] : [1, 0];
}

/** Sums cpuMeter readings; machineCpus is a count, not an amount, so it is kept as read. */
export function addReadings(total: Record<string, number>, reading: Record<string, number>): void {
  for (const [key, value] of Object.entries(reading)) {
    total[key] = key === 'machineCpus' ? value : round((total[key] ?? 0) + value);
  }
}

/** Slices as one run: counts and seconds added, latency percentiles over every answer. */
export function combineSlices(runs: readonly LoadResult[], latencies: number[]): LoadResult {
  const byStatus: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, n] of Object.entries(run.byStatus)) byStatus[code] = (byStatus[code] ?? 0) + n;
  }
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((s, r) => s + pick(r), 0);
  const seconds = sum((r) => r.seconds);
  const status2xx = sum((r) => r.status2xx);
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => round(nearestRank(sorted, q) ?? 0, 2);
  const mean = sorted.length === 0 ? 0 : sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    seconds: round(seconds, 2),
    bodiesBuilt: sum((r) => r.bodiesBuilt),
    answered: sum((r) => r.answered),
    status2xx,
    byStatus,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    requestsPerSecond: seconds > 0 ? round(status2xx / seconds) : 0,
    latencyMs: { mean: round(mean, 2), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
    stoppedByTimeLimit: runs.some((r) => r.stoppedByTimeLimit),
  };
}
