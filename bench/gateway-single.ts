/**
 * Single-event requests on a fresh gateway: what one request costs, in CPU per thread, next to a
 * bare node:http server answering the same requests in the same run.
 *
 *   npx tsx bench/gateway-single.ts          # prints one JSON object
 *   npm run bench -- gateway-single          # through the harness
 *
 * bench/gateway-ingest.ts measures single events too, but after its batch phase, on a gateway that
 * has just stored 600,000 or more events; this one starts a gateway for the purpose, so the figure
 * is the request path alone. Its main use is comparing code: the CPU time per request of the
 * gateway's main thread and of its busiest other thread (the SQLite store's) moves less with the
 * host's speed than requests per second do (docs/benchmarks.md, "The direct lane").
 *
 * Processes: the gateway (`capi start`, SQLite, delivery held back with CAPI_LINKEDIN_RPM=1), the
 * LinkedIn sandbox it is configured for, a bare node:http server; autocannon runs here. Both
 * servers are warmed up, then measured in BENCH_SINGLE_SLICES alternating slices each (bare,
 * gateway; gateway, bare; …), each an exact number of requests, together lasting at least
 * BENCH_SINGLE_SECONDS per server (bench/_interleaved.ts says why); the gateway's own count of
 * accepted events must match the load generator's.
 *
 * Environment: BENCH_SINGLE_SECONDS (10), BENCH_SINGLE_SLICES (6), BENCH_SINGLE_CONNECTIONS (64), BENCH_SINGLE_DURABILITY
 * (normal), BENCH_WARMUP_SECONDS (3), BENCH_SINGLE_ROUTE (`native`: `POST /v1/events`; `segment`:
 * the same event as a Segment track call to `POST /v1/track`; `linkedin`: as LinkedIn's single
 * create to `POST /rest/conversionEvents`, answered 201).
 */
import { join } from 'node:path';
import {
  BENCH_SOURCE_KEY,
  bodyFactory,
  codeState,
  EVENT_IDS,
  gatewayCounters,
  gatewayEnv,
  intFromEnv,
  linkedInEventFactory,
  machine,
  makeTempDir,
  note,
  RssSampler,
  removeTempDir,
  round,
  runIfMain,
  segmentTrackFactory,
  startBareServer,
  startGateway,
  startSandbox,
  waitForQuietMachine,
} from './_gateway.js';
import { interleavedLoads, SLICES } from './_interleaved.js';

const SECONDS = intFromEnv('BENCH_SINGLE_SECONDS', 10);
const CONNECTIONS = intFromEnv('BENCH_SINGLE_CONNECTIONS', 64);
const WARMUP_SECONDS = intFromEnv('BENCH_WARMUP_SECONDS', 3);
const DURABILITY = process.env.BENCH_SINGLE_DURABILITY === 'strict' ? 'strict' : 'normal';
const HEADERS = { authorization: `Bearer ${BENCH_SOURCE_KEY}` };
const ROUTES = {
  native: {
    path: '/v1/events',
    body: (prefix: string, happenedAt: number) => bodyFactory(prefix, 1, happenedAt),
    status: '200',
  },
  segment: { path: '/v1/track', body: segmentTrackFactory, status: '200' },
  linkedin: { path: '/rest/conversionEvents', body: linkedInEventFactory, status: '201' },
} as const;
const ROUTE = ROUTES[(process.env.BENCH_SINGLE_ROUTE ?? 'native') as keyof typeof ROUTES] ?? ROUTES.native;
const PATH = ROUTE.path;

/** Microseconds of CPU per request, from a cpuMeter reading (CPU-seconds rounded to 0.1 s). */
function microsPerRequest(cpuSeconds: number | undefined, requests: number): number {
  return round(((cpuSeconds ?? 0) * 1e6) / Math.max(1, requests));
}

/**
 * Both servers up at once, then measured in alternating slices (bench/_interleaved.ts): the bare
 * server's figures and the gateway's come from the same minutes of the host.
 */
async function interleavedRun(happenedAt: number, sandboxUrl: string) {
  const dir = makeTempDir('capi-bench-single-');
  const bare = await startBareServer();
  const gateway = await startGateway(
    gatewayEnv({
      storePath: join(dir, 'gateway.db'),
      durability: DURABILITY,
      sandboxUrl,
      perMinute: 1,
      perDay: 500_000,
    }),
  );
  try {
    note(`gateway-single: bare node:http and a fresh gateway, ${SLICES} alternating slices each`);
    const quiet = await waitForQuietMachine();
    const rss = new RssSampler(gateway.pid).start();
    let before!: Awaited<ReturnType<typeof gatewayCounters>>;
    const run = await interleavedLoads({
      sides: [
        { url: `${bare.url}${PATH}`, body: ROUTE.body('xs', happenedAt), pids: { bare: bare.pid } },
        { url: `${gateway.url}${PATH}`, body: ROUTE.body('gs', happenedAt), pids: { gateway: gateway.pid } },
      ],
      connections: CONNECTIONS,
      headers: HEADERS,
      warmupSeconds: WARMUP_SECONDS,
      targetSeconds: SECONDS,
      slices: SLICES,
      beforeMeasured: async () => {
        before = await gatewayCounters(gateway.url);
      },
    });
    const after = await gatewayCounters(gateway.url);
    const [bareSide, gatewaySide] = run.sides;
    const bareRequests = bareSide.measured.status2xx;
    const requests = gatewaySide.measured.byStatus[ROUTE.status] ?? 0;
    const accepted = after.accepted - before.accepted;
    const { cpu } = gatewaySide;
    return {
      bareNodeHttp: {
        requestsPerSecond: bareSide.measured.requestsPerSecond,
        latencyMs: bareSide.measured.latencyMs,
        requests: bareRequests,
        sliceRequestsPerSecond: bareSide.sliceRequestsPerSecond,
        cpuMicrosPerRequest: { process: microsPerRequest(bareSide.cpu.bareCpuSeconds, bareRequests) },
        cpu: bareSide.cpu,
      },
      gateway: {
        requestsPerSecond: gatewaySide.measured.requestsPerSecond,
        latencyMs: gatewaySide.measured.latencyMs,
        requests,
        sliceRequestsPerSecond: gatewaySide.sliceRequestsPerSecond,
        cpuMicrosPerRequest: {
          process: microsPerRequest(cpu.gatewayCpuSeconds, requests),
          mainThread: microsPerRequest(cpu.gatewayMainThreadCpuSeconds, requests),
          busiestOtherThread: microsPerRequest(cpu.gatewayBusiestOtherThreadCpuSeconds, requests),
        },
        verify: {
          acceptedSeenByLoadGenerator: requests,
          acceptedCountedByGateway: accepted,
          non2xx: gatewaySide.measured.non2xx,
          errors: gatewaySide.measured.errors,
          ok: accepted === requests && gatewaySide.measured.non2xx === 0 && gatewaySide.measured.errors === 0,
        },
        maxRssMiB: rss.stop().maxRssMiB,
        cpu,
      },
      ratioPerRound: run.ratioPerRound,
      rounds: run.rounds,
      machineBeforeRun: quiet,
    };
  } finally {
    await gateway.stop();
    await bare.stop();
    removeTempDir(dir);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const sandbox = await startSandbox({ perMinute: 600, perDay: 500_000 });
  try {
    const happenedAt = Date.now() - 60_000;
    const { bareNodeHttp, gateway, ratioPerRound, rounds, machineBeforeRun } = await interleavedRun(
      happenedAt,
      sandbox.url,
    );
    return {
      name: 'gateway-single',
      machine: machine(),
      code: codeState(),
      parameters: {
        measuredSecondsAtLeast: SECONDS,
        slicesPerServer: SLICES,
        warmupSeconds: WARMUP_SECONDS,
        connections: CONNECTIONS,
        durability: DURABILITY,
        route: `POST ${PATH}`,
        store: 'SQLite (temp folder), a gateway started for the run',
        delivery: 'held back: CAPI_LINKEDIN_RPM=1 (at most one LinkedIn request a minute)',
        measurement: 'bare node:http and the gateway in alternating slices (A B, B A, …) of one run',
        eventMix:
          'unique eventId and email per event; email on all, liFatId on 1/2, name+company+country on 1/4, value on 2/3; 3 rules',
        eventIds: EVENT_IDS,
      },
      bareNodeHttp,
      gateway,
      ratioToBare: round(gateway.requestsPerSecond / Math.max(1, bareNodeHttp.requestsPerSecond), 3),
      ratioPerRound,
      rounds,
      machineBeforeRun,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await sandbox.stop();
  }
}

runIfMain(import.meta.url, run);
