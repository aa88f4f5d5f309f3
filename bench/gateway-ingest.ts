/**
 * Ingest throughput of a real gateway process (`capi start`, SQLite store), for durability normal
 * and strict.
 *
 *   npx tsx bench/gateway-ingest.ts          # prints one JSON object
 *   npm run bench -- gateway-ingest          # through the harness
 *
 * Three processes plus this one: the gateway, the LinkedIn sandbox it is configured to deliver to,
 * and (for the baseline) a bare node:http server; autocannon runs here. Delivery is held back on
 * purpose (CAPI_LINKEDIN_RPM=1: one LinkedIn request a minute), so the figures are the ingest path
 * alone: HTTP, auth, validation, normalise + hash, group commit to SQLite. bench/gateway-e2e.ts
 * measures ingest and delivery together.
 *
 * (1) Batch ingest: POST /v1/events with 500 events per request on BENCH_INGEST_BATCH_CONNECTIONS
 *     (default 16) keep-alive connections, a warm-up, then an exact number of requests sized to
 *     last at least BENCH_INGEST_SECONDS (default 10). Every eventId is new. Afterwards the
 *     gateway's own counters are checked: capigw_events_ingested_total{status="accepted"} must
 *     have grown by exactly 500 × the 200 answers the load generator saw, and non-2xx must be 0.
 * (2) Single-event requests on 64 keep-alive connections, against the gateway and against a bare
 *     node:http server answering 202 to the same requests, measured in the same run, in
 *     BENCH_SINGLE_SLICES (default 6) alternating slices each (bench/_interleaved.ts): req/s,
 *     ratio gateway/bare, p99 latency.
 * (3) Max RSS of the gateway process (VmRSS, sampled every 250 ms) during these loads.
 * Finally the gateway is killed with SIGKILL and the store file is opened directly: every event
 * the gateway acknowledged must be in it.
 *
 * Environment: BENCH_INGEST_MODES (default "normal,strict"), BENCH_INGEST_SECONDS,
 * BENCH_INGEST_BATCH_CONNECTIONS, BENCH_WARMUP_SECONDS (default 3).
 */
import { join } from 'node:path';
import { openStore } from '../packages/gateway/src/store/open.js';
import {
  BENCH_SOURCE_KEY,
  bodyFactory,
  calibratedLoad,
  codeState,
  cpuMeter,
  EVENT_IDS,
  type GatewayCounters,
  gatewayCounters,
  gatewayEnv,
  intFromEnv,
  type LoadResult,
  machine,
  makeTempDir,
  note,
  RSS_GOAL_MIB,
  RssSampler,
  removeTempDir,
  round,
  runIfMain,
  type ScriptProcess,
  sleep,
  startBareServer,
  startGateway,
  startSandbox,
  waitForQuietMachine,
  writesPerEvent,
} from './_gateway.js';
import { type InterleavedResult, interleavedLoads, SLICES as SINGLE_SLICES } from './_interleaved.js';

const MODES = (process.env.BENCH_INGEST_MODES ?? 'normal,strict')
  .split(',')
  .map((m) => m.trim())
  .filter((m): m is 'normal' | 'strict' => m === 'normal' || m === 'strict');
const SECONDS = intFromEnv('BENCH_INGEST_SECONDS', 10);
const WARMUP_SECONDS = intFromEnv('BENCH_WARMUP_SECONDS', 3);
const BATCH_EVENTS = 500;
const BATCH_CONNECTIONS = intFromEnv('BENCH_INGEST_BATCH_CONNECTIONS', 16);
const SINGLE_CONNECTIONS = 64;

const GOALS = {
  batchEventsPerSecond: 100_000,
  singleRatioToBare: 0.5,
  singleP99Ms: 20,
  maxRssMiB: RSS_GOAL_MIB,
};

const HEADERS = { authorization: `Bearer ${BENCH_SOURCE_KEY}` };

function summary(load: LoadResult) {
  return {
    seconds: load.seconds,
    requests: load.answered,
    requestsPerSecond: load.requestsPerSecond,
    latencyMs: load.latencyMs,
    byStatus: load.byStatus,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    stoppedByTimeLimit: load.stoppedByTimeLimit,
  };
}

function warmupSummary(run: { warmup: LoadResult }, eventsPerRequest: number) {
  const w = run.warmup;
  return {
    seconds: w.seconds,
    requestsPerSecond: w.requestsPerSecond,
    eventsPerSecond: Math.round((w.status2xx * eventsPerRequest) / Math.max(0.01, w.seconds)),
  };
}

/** Accepted events the load generator saw: every 200 answer carries `eventsPerRequest` accepted. */
function checkAccepted(
  load: LoadResult,
  eventsPerRequest: number,
  before: GatewayCounters,
  after: GatewayCounters,
) {
  const client = (load.byStatus['200'] ?? 0) * eventsPerRequest;
  const gateway = after.accepted - before.accepted;
  return {
    acceptedSeenByLoadGenerator: client,
    acceptedCountedByGateway: gateway,
    rejectedCountedByGateway: after.rejected - before.rejected,
    duplicateCountedByGateway: after.duplicate - before.duplicate,
    non2xx: load.non2xx,
    errors: load.errors,
    ok: client === gateway && load.non2xx === 0 && load.errors === 0 && after.rejected === before.rejected,
  };
}

async function runMode(durability: 'normal' | 'strict', sandbox: ScriptProcess) {
  const dir = makeTempDir(`capi-bench-ingest-${durability}-`);
  const storePath = join(dir, 'gateway.db');
  note(`gateway-ingest: ${durability}: starting gateway`);
  const gateway = await startGateway(
    gatewayEnv({ storePath, durability, sandboxUrl: sandbox.url, perMinute: 1, perDay: 500_000 }),
  );
  try {
    const happenedAt = Date.now() - 60_000;
    const idleRssMiB = round(new RssSampler(gateway.pid).sample() ?? 0);
    const pids = { gateway: gateway.pid, sandbox: sandbox.pid };

    // (1) Batch ingest.
    note(
      `gateway-ingest: ${durability}: batch ingest, ${BATCH_EVENTS} events/request, ${BATCH_CONNECTIONS} connections`,
    );
    const batchQuiet = await waitForQuietMachine();
    const batchRss = new RssSampler(gateway.pid).start();
    let before!: GatewayCounters;
    let cpu!: ReturnType<typeof cpuMeter>;
    const batch = await calibratedLoad({
      url: `${gateway.url}/v1/events`,
      connections: BATCH_CONNECTIONS,
      headers: HEADERS,
      body: bodyFactory(`b${durability[0]}`, BATCH_EVENTS, happenedAt),
      warmupSeconds: WARMUP_SECONDS,
      targetSeconds: SECONDS,
      maxSeconds: SECONDS * 4 + 30,
      beforeMeasured: async () => {
        before = await gatewayCounters(gateway.url);
        cpu = cpuMeter(pids);
      },
    });
    const batchCpu = cpu.stop();
    await sleep(500);
    const afterBatch = await gatewayCounters(gateway.url);
    const batchRssStats = batchRss.stop();
    const batchAccepted = (batch.measured.byStatus['200'] ?? 0) * BATCH_EVENTS;
    const batchEventsPerSecond = Math.round(batchAccepted / batch.measured.seconds);

    // (2) Single events: the gateway and a bare node:http server, in alternating slices of one run.
    note(`gateway-ingest: ${durability}: single events, gateway and bare node:http in alternating slices`);
    const bare = await startBareServer();
    let interleaved: InterleavedResult;
    let singleQuiet: Awaited<ReturnType<typeof waitForQuietMachine>>;
    let beforeSingle!: GatewayCounters;
    const singleRss = new RssSampler(gateway.pid).start();
    try {
      singleQuiet = await waitForQuietMachine();
      interleaved = await interleavedLoads({
        sides: [
          {
            url: `${bare.url}/v1/events`,
            body: bodyFactory(`x${durability[0]}`, 1, happenedAt),
            pids: { bare: bare.pid },
          },
          { url: `${gateway.url}/v1/events`, body: bodyFactory(`s${durability[0]}`, 1, happenedAt), pids },
        ],
        connections: SINGLE_CONNECTIONS,
        headers: HEADERS,
        warmupSeconds: WARMUP_SECONDS,
        targetSeconds: SECONDS,
        slices: SINGLE_SLICES,
        beforeMeasured: async () => {
          beforeSingle = await gatewayCounters(gateway.url);
        },
      });
    } finally {
      await bare.stop();
    }
    const [bareRun, single] = interleaved.sides;
    const singleCpu = single.cpu;
    await sleep(500);
    const afterSingle = await gatewayCounters(gateway.url);
    const singleRssStats = singleRss.stop();

    // Durability: after SIGKILL, every acknowledged event must be in the file.
    note(`gateway-ingest: ${durability}: SIGKILL, then counting the store's rows`);
    await gateway.kill9();
    const store = await openStore(`sqlite:${storePath}`, { durability });
    let storedRows = 0;
    try {
      const stats = await store.stats();
      storedRows = Object.values(stats.byState).reduce((a, b) => a + b, 0);
    } finally {
      await store.close();
    }

    const ratio =
      bareRun.measured.requestsPerSecond > 0
        ? round(single.measured.requestsPerSecond / bareRun.measured.requestsPerSecond, 3)
        : 0;
    const maxRssMiB = Math.max(batchRssStats.maxRssMiB, singleRssStats.maxRssMiB);
    return {
      durability,
      idleRssMiB,
      batch: {
        eventsPerRequest: BATCH_EVENTS,
        connections: BATCH_CONNECTIONS,
        eventsAccepted: batchAccepted,
        eventsPerSecond: batchEventsPerSecond,
        // Contention-free view on a shared machine: events per CPU-second the gateway got.
        eventsPerGatewayCpuSecond: Math.round(
          batchAccepted / Math.max(0.01, batchCpu.gatewayCpuSeconds ?? 0),
        ),
        // Disk writes per accepted event: the gateway's own (WAL, checkpoints) and the machine's.
        diskWrites: writesPerEvent(batchCpu, 'gateway', batchAccepted),
        ...summary(batch.measured),
        warmup: warmupSummary(batch, BATCH_EVENTS),
        verify: checkAccepted(batch.measured, BATCH_EVENTS, before, afterBatch),
        maxRssMiB: batchRssStats.maxRssMiB,
        cpu: batchCpu,
        machineBeforeRun: batchQuiet,
      },
      single: {
        connections: SINGLE_CONNECTIONS,
        gateway: {
          ...summary(single.measured),
          requestsPerGatewayCpuSecond: Math.round(
            (single.measured.byStatus['200'] ?? 0) / Math.max(0.01, singleCpu.gatewayCpuSeconds ?? 0),
          ),
          diskWrites: writesPerEvent(singleCpu, 'gateway', single.measured.byStatus['200'] ?? 0),
          warmup: warmupSummary(single, 1),
          sliceRequestsPerSecond: single.sliceRequestsPerSecond,
          verify: checkAccepted(single.measured, 1, beforeSingle, afterSingle),
          cpu: singleCpu,
        },
        bareNodeHttp: {
          ...summary(bareRun.measured),
          warmup: warmupSummary(bareRun, 1),
          sliceRequestsPerSecond: bareRun.sliceRequestsPerSecond,
          cpu: bareRun.cpu,
        },
        ratioToBare: ratio,
        ratioPerRound: interleaved.ratioPerRound,
        rounds: interleaved.rounds,
        machineBeforeRun: singleQuiet,
        maxRssMiB: singleRssStats.maxRssMiB,
      },
      maxRssMiB,
      durableAfterSigkill: {
        acceptedTotal: afterSingle.accepted,
        storedRowsBeforeKill: afterSingle.storedRows,
        storedRowsAfterKill: storedRows,
        ok: storedRows === afterSingle.accepted,
      },
      meetsGoal: {
        batchEventsPerSecond: batchEventsPerSecond >= GOALS.batchEventsPerSecond,
        singleRatioToBare: ratio >= GOALS.singleRatioToBare,
        singleP99Ms: single.measured.latencyMs.p99 <= GOALS.singleP99Ms,
        maxRss: maxRssMiB <= GOALS.maxRssMiB,
      },
    };
  } finally {
    await gateway.stop();
    removeTempDir(dir);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  // Default LinkedIn limits: the gateway's own budget (1/min) is what holds delivery back.
  const sandbox = await startSandbox({ perMinute: 600, perDay: 500_000 });
  const results: Record<string, unknown> = {};
  try {
    for (const mode of MODES) results[mode] = await runMode(mode, sandbox);
  } finally {
    await sandbox.stop();
  }
  return {
    name: 'gateway-ingest',
    machine: machine(),
    code: codeState(),
    parameters: {
      modes: MODES,
      measuredSecondsAtLeast: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      batch: { eventsPerRequest: BATCH_EVENTS, connections: BATCH_CONNECTIONS },
      single: {
        connections: SINGLE_CONNECTIONS,
        slicesPerServer: SINGLE_SLICES,
        measurement: 'the gateway and bare node:http in alternating slices (A B, B A, …) of one run',
      },
      store: 'SQLite (temp folder), one gateway process per mode',
      delivery: 'held back: CAPI_LINKEDIN_RPM=1 (at most one LinkedIn request a minute)',
      rssSampling: 'VmRSS of the gateway process every 250 ms, warm-up included',
      eventMix:
        'unique eventId and email per event; email on all, liFatId on 1/2, name+company+country on 1/4, value on 2/3; 3 rules',
      eventIds: EVENT_IDS,
    },
    goals: GOALS,
    ...results,
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
}

runIfMain(import.meta.url, run);
