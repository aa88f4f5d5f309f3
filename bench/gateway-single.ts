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
 * LinkedIn sandbox it is configured for, a bare node:http server; autocannon runs here. Each run is
 * a warm-up and then an exact number of requests lasting at least BENCH_SINGLE_SECONDS; the
 * gateway's own count of accepted events must match the load generator's.
 *
 * Environment: BENCH_SINGLE_SECONDS (10), BENCH_SINGLE_CONNECTIONS (64), BENCH_SINGLE_DURABILITY
 * (normal), BENCH_WARMUP_SECONDS (3), BENCH_SINGLE_ROUTE (`native`: `POST /v1/events`; `segment`:
 * the same event as a Segment track call to `POST /v1/track`; `linkedin`: as LinkedIn's single
 * create to `POST /rest/conversionEvents`, answered 201).
 */
import { join } from 'node:path';
import {
  BENCH_SOURCE_KEY,
  bodyFactory,
  calibratedLoad,
  codeState,
  cpuMeter,
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

/** A warm-up, then single-event requests to `url` for at least SECONDS (calibratedLoad). */
function singleEvents(url: string, prefix: string, happenedAt: number, beforeMeasured: () => Promise<void>) {
  return calibratedLoad({
    url: `${url}${PATH}`,
    connections: CONNECTIONS,
    headers: HEADERS,
    body: ROUTE.body(prefix, happenedAt),
    warmupSeconds: WARMUP_SECONDS,
    targetSeconds: SECONDS,
    maxSeconds: SECONDS * 4 + 30,
    beforeMeasured,
  });
}

/** Microseconds of CPU per request, from a cpuMeter reading (CPU-seconds rounded to 0.1 s). */
function microsPerRequest(cpuSeconds: number | undefined, requests: number): number {
  return round(((cpuSeconds ?? 0) * 1e6) / Math.max(1, requests));
}

async function bareRun(happenedAt: number) {
  note('gateway-single: bare node:http');
  const bare = await startBareServer();
  try {
    const quiet = await waitForQuietMachine();
    let meter!: ReturnType<typeof cpuMeter>;
    const run = await singleEvents(bare.url, 'xs', happenedAt, async () => {
      meter = cpuMeter({ bare: bare.pid });
    });
    const cpu = meter.stop();
    const requests = run.measured.status2xx;
    return {
      requestsPerSecond: run.measured.requestsPerSecond,
      latencyMs: run.measured.latencyMs,
      requests,
      cpuMicrosPerRequest: { process: microsPerRequest(cpu.bareCpuSeconds, requests) },
      cpu,
      machineBeforeRun: quiet,
    };
  } finally {
    await bare.stop();
  }
}

async function gatewayRun(happenedAt: number, sandboxUrl: string, sandboxPid: number) {
  note('gateway-single: a fresh gateway');
  const dir = makeTempDir('capi-bench-single-');
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
    const quiet = await waitForQuietMachine();
    const rss = new RssSampler(gateway.pid).start();
    let meter!: ReturnType<typeof cpuMeter>;
    let before!: Awaited<ReturnType<typeof gatewayCounters>>;
    const run = await singleEvents(gateway.url, 'gs', happenedAt, async () => {
      before = await gatewayCounters(gateway.url);
      meter = cpuMeter({ gateway: gateway.pid, sandbox: sandboxPid });
    });
    const cpu = meter.stop();
    const after = await gatewayCounters(gateway.url);
    const requests = run.measured.byStatus[ROUTE.status] ?? 0;
    const accepted = after.accepted - before.accepted;
    return {
      requestsPerSecond: run.measured.requestsPerSecond,
      latencyMs: run.measured.latencyMs,
      requests,
      cpuMicrosPerRequest: {
        process: microsPerRequest(cpu.gatewayCpuSeconds, requests),
        mainThread: microsPerRequest(cpu.gatewayMainThreadCpuSeconds, requests),
        busiestOtherThread: microsPerRequest(cpu.gatewayBusiestOtherThreadCpuSeconds, requests),
      },
      verify: {
        acceptedSeenByLoadGenerator: requests,
        acceptedCountedByGateway: accepted,
        non2xx: run.measured.non2xx,
        errors: run.measured.errors,
        ok: accepted === requests && run.measured.non2xx === 0 && run.measured.errors === 0,
      },
      maxRssMiB: rss.stop().maxRssMiB,
      cpu,
      machineBeforeRun: quiet,
    };
  } finally {
    await gateway.stop();
    removeTempDir(dir);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const sandbox = await startSandbox({ perMinute: 600, perDay: 500_000 });
  try {
    const happenedAt = Date.now() - 60_000;
    const bare = await bareRun(happenedAt);
    const gateway = await gatewayRun(happenedAt, sandbox.url, sandbox.pid);
    return {
      name: 'gateway-single',
      machine: machine(),
      code: codeState(),
      parameters: {
        measuredSecondsAtLeast: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        connections: CONNECTIONS,
        durability: DURABILITY,
        route: `POST ${PATH}`,
        store: 'SQLite (temp folder), a gateway started for the run',
        delivery: 'held back: CAPI_LINKEDIN_RPM=1 (at most one LinkedIn request a minute)',
        eventMix:
          'unique eventId and email per event; email on all, liFatId on 1/2, name+company+country on 1/4, value on 2/3; 3 rules',
        eventIds: EVENT_IDS,
      },
      bareNodeHttp: bare,
      gateway,
      ratioToBare: round(gateway.requestsPerSecond / Math.max(1, bare.requestsPerSecond), 3),
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await sandbox.stop();
  }
}

runIfMain(import.meta.url, run);
