/**
 * A backlog of N queued events drains with no memory growth.
 *
 *   npx tsx bench/gateway-backlog.ts                    # N = 10,000,000
 *   BENCH_BACKLOG=2000000 npx tsx bench/gateway-backlog.ts
 *
 * (1) Fill: a SQLite store is filled directly through the store API (`openStore('sqlite:…')`,
 *     `store.enqueue` in batches of 5,000 from 4 concurrent callers, so group commit merges them),
 *     with rows as the ingest path makes them: every payload built and serialised by the SDK
 *     (`buildConversionEvent`, `serializeConversionEvent`) from a distinct email (SHA-256 hashed),
 *     half with a click id, a quarter with a name pair and company, three rules; internal ids from
 *     the store's own `newOutboxId` (time-ordered UUID v7). Free disk is checked first (about 600 bytes per event plus room for the WAL);
 *     N is scaled down, with a note, when the temp folder's disk cannot hold it.
 * (2) Drain: a gateway process is started on that file, delivering to the LinkedIn sandbox in its
 *     own process, with the per-minute budget raised in both (BENCH_BACKLOG_RPM, default 60,000)
 *     so the figure is the gateway's. Measured: drain rate (events/s at the sandbox), RSS of the
 *     gateway every 250 ms (reported at 10 %, 50 %, 90 % drained and max), CPU per process, and
 *     the time /readyz and /metrics take with the full backlog and after it.
 *     "No growth": the median RSS while the last decile before 90 % drains (80-90 %) is within
 *     noise of the median while 10-20 % drains; noise = max(16 MiB, p10..p90 spread of the latter),
 *     since a drain's garbage makes RSS saw-tooth. GET /healthz is timed every 200 ms during the
 *     drain: how long the gateway's event loop makes any request wait.
 *
 * Environment: BENCH_BACKLOG (N), BENCH_BACKLOG_RPM, BENCH_BACKLOG_MAX_SECONDS (drain bound,
 * default 900), BENCH_BACKLOG_DURABILITY (normal|strict, default normal).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BuildOptions,
  buildConversionEvent,
  type ConversionInput,
  serializeConversionEvent,
} from '@capi-gateway/linkedin';
import type { NewOutboxEvent } from '../packages/gateway/src/ports.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { openStore } from '../packages/gateway/src/store/open.js';
import {
  ACCOUNT,
  codeState,
  cpuMeter,
  freeDiskBytes,
  gatewayCounters,
  gatewayEnv,
  getText,
  healthProbe,
  intFromEnv,
  logSummary,
  MiB,
  machine,
  makeTempDir,
  nearestRank,
  note,
  RSS_GOAL_MIB,
  RssSampler,
  RULES,
  removeTempDir,
  round,
  runIfMain,
  sandboxCounters,
  sleep,
  startGateway,
  startSandbox,
  waitForQuietMachine,
  writesPerEvent,
} from './_gateway.js';

const REQUESTED = intFromEnv('BENCH_BACKLOG', 10_000_000);
const RPM = intFromEnv('BENCH_BACKLOG_RPM', 60_000);
const PER_DAY = 10_000_000;
const MAX_SECONDS = intFromEnv('BENCH_BACKLOG_MAX_SECONDS', 900);
const DURABILITY = process.env.BENCH_BACKLOG_DURABILITY === 'strict' ? 'strict' : 'normal';
const BATCH = 5_000;
const CALLERS = 4;
/** Disk per event, estimated generously: row, indexes, WAL head-room. */
const DISK_BYTES_PER_EVENT = 1_200;
const DISK_RESERVE = 2 * 1024 * MiB;

const GOALS = {
  maxRssMiB: RSS_GOAL_MIB,
  noRssGrowth:
    'median RSS while 80-90 % is drained ≤ median RSS while 10-20 % is drained + max(16 MiB, p10..p90 spread of the latter)',
};

const FIRST = ['Jane', 'Sam', 'Zoë', 'Mary Ann', 'Jörg', 'Li'];
const LAST = ['Doe', 'Lee', 'Müller', 'Smith-Jones', 'Nguyen', 'García'];
const COMPANIES = ['Acme GmbH', 'Example Inc.', 'Widgets LLC', 'Foo Co., Ltd.'];
const RULE_IDS = [RULES.lead, RULES.qualifiedLead, RULES.purchase];

/** Rows exactly as the ingest path makes them: built, hashed and serialised by the SDK, v7 ids. */
function makeRows(from: number, count: number, now: number, opts: BuildOptions): NewOutboxEvent[] {
  const rows: NewOutboxEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const ruleId = RULE_IDS[i % RULE_IDS.length]!;
    const eventId = `backlog-${i}`;
    const input: ConversionInput = {
      conversion: ruleId,
      eventId,
      happenedAt: now - 60_000 - (i % 3_600) * 1_000,
      user: {
        email: `buyer.${i}@example.com`,
        liFatId: i % 2 === 0 ? `li-${i.toString(36)}-${(i * 7919).toString(36)}` : undefined,
        ...(i % 4 === 1
          ? {
              firstName: FIRST[i % FIRST.length],
              lastName: LAST[i % LAST.length],
              companyName: COMPANIES[i % COMPANIES.length],
              countryCode: 'DE',
            }
          : {}),
      },
      ...(i % 3 !== 2 ? { value: { amount: `${(i % 500) + 10}.00`, currency: 'EUR' } } : {}),
    };
    const built = buildConversionEvent(input, opts);
    if (!built.ok) throw new Error(`backlog event ${i} did not build: ${JSON.stringify(built.errors)}`);
    rows.push({
      // The internal id exactly as the ingest path makes it (time-ordered UUID v7).
      id: newOutboxId(),
      account: ACCOUNT,
      ruleId,
      eventId,
      source: 'bench',
      payload: serializeConversionEvent(built.event),
      happenedAt: built.event.conversionHappenedAt,
      receivedAt: now,
      state: 'queued',
      identifierTypes: built.identifierTypes,
      consent: null,
      context: null,
    });
  }
  return rows;
}

async function fill(path: string, n: number) {
  const now = Date.now();
  const opts: BuildOptions = { version: '202609', now };
  const store = await openStore(`sqlite:${path}`, { durability: DURABILITY });
  const started = performance.now();
  let next = 0;
  let lastNote = started;
  try {
    await store.migrate();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < n) {
          const from = next;
          const count = Math.min(BATCH, n - from);
          next += count;
          const statuses = await store.enqueue(makeRows(from, count, now, opts));
          if (statuses.some((s) => s !== 'inserted')) throw new Error('backlog fill: a row was not inserted');
          if (performance.now() - lastNote > 15_000) {
            lastNote = performance.now();
            note(`gateway-backlog: filled ${next.toLocaleString('en')} of ${n.toLocaleString('en')}`);
          }
        }
      }),
    );
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = fileBytes(path);
  return {
    events: n,
    seconds: round(seconds),
    eventsPerSecond: Math.round(n / seconds),
    fileMiB: round(bytes / MiB),
    bytesPerEvent: Math.round(bytes / n),
  };
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // not there
    }
  }
  return total;
}

async function timed(url: string): Promise<number> {
  const started = performance.now();
  await getText(url);
  return round(performance.now() - started);
}

export async function run(): Promise<Record<string, unknown>> {
  const started = Date.now();
  const dir = makeTempDir('capi-bench-backlog-');
  const storePath = join(dir, 'gateway.db');

  const free = freeDiskBytes(dir);
  let n = REQUESTED;
  let scaledNote: string | null = null;
  if (n * DISK_BYTES_PER_EVENT + DISK_RESERVE > free) {
    n = Math.max(BATCH, Math.floor((free - DISK_RESERVE) / DISK_BYTES_PER_EVENT / BATCH) * BATCH);
    scaledNote = `N scaled down from ${REQUESTED} to ${n}: ${round(free / 2 ** 30)} GiB free in the temp folder`;
    note(`gateway-backlog: ${scaledNote}`);
  }

  let sandbox: Awaited<ReturnType<typeof startSandbox>> | null = null;
  let gateway: Awaited<ReturnType<typeof startGateway>> | null = null;
  try {
    note(`gateway-backlog: filling ${n.toLocaleString('en')} events through the store API`);
    const filled = await fill(storePath, n);

    sandbox = await startSandbox({ perMinute: RPM, perDay: PER_DAY });
    const quiet = await waitForQuietMachine();
    note('gateway-backlog: starting the gateway on the filled store');
    const spawnedAt = performance.now();
    gateway = await startGateway(
      gatewayEnv({
        storePath,
        durability: DURABILITY,
        sandboxUrl: sandbox.url,
        perMinute: RPM,
        perDay: PER_DAY,
      }),
    );
    const gw = gateway;
    const readySeconds = round((performance.now() - spawnedAt) / 1000, 2);
    const rss = new RssSampler(gw.pid).start();
    const cpu = cpuMeter({ gateway: gw.pid, sandbox: sandbox.pid });
    // With the whole backlog in the store: what a health check and a scrape cost.
    const probesFull = {
      readyzMs: await timed(`${gw.url}/readyz`),
      metricsMs: await timed(`${gw.url}/metrics`),
    };
    const health = healthProbe(gw.url);

    const marks = [0.1, 0.5, 0.9];
    const atMark: Record<string, { seconds: number; rssMiB: number; delivered: number }> = {};
    const timeline: Array<{ second: number; delivered: number; rssMiB: number }> = [];
    /** (time since the RSS sampler started, delivered) at each poll, to place RSS samples by progress. */
    const polls: Array<{ atMs: number; delivered: number }> = [];
    let delivered = 0;
    let lastTimeline = 0;
    const deadline = spawnedAt + MAX_SECONDS * 1000;
    while (performance.now() < deadline) {
      delivered = (await sandboxCounters(sandbox.url)).eventsAccepted;
      polls.push({ atMs: performance.now() - rss.startedAt, delivered });
      const seconds = (performance.now() - spawnedAt) / 1000;
      const rssNow = rss.samples.at(-1)?.rssMiB ?? 0;
      for (const mark of marks) {
        const key = `${Math.round(mark * 100)}%`;
        if (!atMark[key] && delivered >= n * mark) {
          atMark[key] = { seconds: round(seconds), rssMiB: round(rssNow), delivered };
        }
      }
      if (seconds - lastTimeline >= 15) {
        lastTimeline = seconds;
        timeline.push({ second: Math.round(seconds), delivered, rssMiB: round(rssNow) });
      }
      if (delivered >= n) break;
      await sleep(500);
    }
    const drainSeconds = (performance.now() - spawnedAt) / 1000;
    const cpuDrain = cpu.stop();
    const rssStats = rss.stop();
    const healthDuringDrain = await health.stop();
    const drained = delivered >= n;
    await sleep(500);
    const probesDrained = {
      readyzMs: await timed(`${gw.url}/readyz`),
      metricsMs: await timed(`${gw.url}/metrics`),
    };
    const g = await gatewayCounters(gw.url);
    const s = await sandboxCounters(sandbox.url);

    // RSS by drain progress: each 250 ms sample goes to the decile of the backlog drained by then.
    const byDecile: number[][] = Array.from({ length: 10 }, () => []);
    let p = 0;
    for (const sample of rss.samples) {
      while (p + 1 < polls.length && polls[p + 1]!.atMs <= sample.atMs) p++;
      const done = polls[p] && polls[p]!.atMs <= sample.atMs ? polls[p]!.delivered : 0;
      byDecile[Math.min(9, Math.floor((done / n) * 10))]!.push(sample.rssMiB);
    }
    const quantile = (xs: number[], q: number) => {
      const value = nearestRank(
        [...xs].sort((a, b) => a - b),
        q,
      );
      return value === undefined ? null : round(value);
    };
    const decileMedians = byDecile.map((xs) => quantile(xs, 0.5));
    const early = byDecile[1]!; // 10-20 % drained
    const late = byDecile[8]!; // 80-90 % drained
    const earlyMedian = quantile(early, 0.5);
    const lateMedian = quantile(late, 0.5);
    const growth = earlyMedian !== null && lateMedian !== null ? round(lateMedian - earlyMedian) : null;
    // Noise: the spread (p10..p90) of RSS while 10-20 % was drained (GC saw-tooth).
    const noise = early.length > 0 ? round((quantile(early, 0.9) ?? 0) - (quantile(early, 0.1) ?? 0)) : null;
    const allowed = noise !== null ? Math.max(16, noise) : null;
    const segment = (a: string, b: string) => {
      const x = atMark[a];
      const y = atMark[b];
      return x && y && y.seconds > x.seconds
        ? Math.round((y.delivered - x.delivered) / (y.seconds - x.seconds))
        : null;
    };
    return {
      name: 'gateway-backlog',
      machine: machine(),
      code: codeState(),
      parameters: {
        requestedEvents: REQUESTED,
        events: n,
        scaledDown: scaledNote,
        fill: `store API, batches of ${BATCH}, ${CALLERS} concurrent callers, SDK-built payloads`,
        durability: DURABILITY,
        budgetPerMinute: { gateway: RPM, sandbox: RPM, linkedinDefault: 600 },
        drainMaxSeconds: MAX_SECONDS,
        rssSampling: 'VmRSS of the gateway process every 250 ms',
      },
      goals: GOALS,
      fill: filled,
      machineBeforeDrain: quiet,
      drain: {
        drained,
        delivered,
        seconds: round(drainSeconds, 1),
        gatewayStartSeconds: readySeconds,
        eventsPerSecond: Math.round(delivered / drainSeconds),
        // Contention-free view on a shared machine: events per CPU-second the gateway got.
        eventsPerGatewayCpuSecond: Math.round(delivered / Math.max(0.01, cpuDrain.gatewayCpuSeconds ?? 0)),
        // Disk writes per delivered event (state updates, audit, WAL): the gateway's and the machine's.
        diskWrites: writesPerEvent(cpuDrain, 'gateway', delivered),
        eventsPerSecond10to50: segment('10%', '50%'),
        eventsPerSecond50to90: segment('50%', '90%'),
        cpu: cpuDrain,
        every15s: timeline,
      },
      rss: {
        atDrained: atMark,
        maxMiB: rssStats.maxRssMiB,
        medianByDecileDrainedMiB: decileMedians,
        median10to20MiB: earlyMedian,
        median80to90MiB: lateMedian,
        growthMiB: growth,
        noiseMiB: noise,
        allowedGrowthMiB: allowed,
      },
      probes: {
        withFullBacklog: probesFull,
        afterDrain: probesDrained,
        healthzDuringDrain: healthDuringDrain,
      },
      finalState: {
        gatewayQueueDepth: g.byState,
        linkedinRequests: g.linkedinRequests,
        sandboxByStatus: s.byStatus,
        sandboxEventsAccepted: s.eventsAccepted,
        gatewayLog: logSummary(gw.output()),
      },
      meetsGoal: {
        drained,
        noRssGrowth: growth !== null && allowed !== null && growth <= allowed,
        maxRss: rssStats.maxRssMiB <= GOALS.maxRssMiB,
      },
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await gateway?.stop();
    await sandbox?.stop();
    removeTempDir(dir);
  }
}

runIfMain(import.meta.url, run);
