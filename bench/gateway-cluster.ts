/**
 * Scale-out, in one run: batch ingest and end-to-end throughput on SQLite (1 instance) and on
 * PostgreSQL with 1 and with 2 instances sharing one database, each delivering to the LinkedIn
 * sandbox (own process).
 *
 *   npx tsx bench/gateway-cluster.ts
 *   BENCH_CLUSTER_SECONDS=20 CAPI_BENCH_PG_URL=postgres://… npx tsx bench/gateway-cluster.ts
 *
 * Per setup: POST /v1/events with 500 events per request on 16 connections in total (split evenly
 * across instances, as a load balancer would) for BENCH_CLUSTER_SECONDS (default 15). Measured:
 * accepted events/s (ingest), then the time until the sandbox has every accepted event, giving
 * end-to-end events/s = accepted / (load seconds + drain seconds). The budget is raised far above
 * LinkedIn's default so the figure is the gateway's, not LinkedIn's.
 *
 * On a 2-core machine two instances compete with PostgreSQL, the sandbox and the load generator for
 * the same two cores; the figure shows the coordination cost, not the capacity of two machines.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  BENCH_SOURCE_KEY,
  type BenchGateway,
  bodyFactory,
  EVENT_IDS,
  gatewayEnv,
  intFromEnv,
  load,
  machine,
  makeTempDir,
  note,
  RssSampler,
  removeTempDir,
  round,
  runIfMain,
  sandboxCounters,
  sleep,
  startGateway,
  startSandbox,
} from './_gateway.js';

const SECONDS = intFromEnv('BENCH_CLUSTER_SECONDS', 15);
const CONNECTIONS = 16;
const EVENTS_PER_REQUEST = 500;
const DRAIN_MAX_SECONDS = intFromEnv('BENCH_CLUSTER_DRAIN_MAX_SECONDS', 300);
const PG_URL = process.env.CAPI_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Setup {
  name: string;
  store: 'sqlite' | 'postgres';
  instances: number;
}

const SETUPS: Setup[] = [
  { name: 'sqlite, 1 instance', store: 'sqlite', instances: 1 },
  { name: 'postgres, 1 instance', store: 'postgres', instances: 1 },
  { name: 'postgres, 2 instances', store: 'postgres', instances: 2 },
];

async function withPg<T>(fn: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function runSetup(setup: Setup): Promise<Record<string, unknown>> {
  const dir = makeTempDir('cluster');
  const schema = `capi_bench_${randomBytes(4).toString('hex')}`;
  const sandbox = await startSandbox({ perMinute: 1_000_000, perDay: 100_000_000 });
  const gateways: BenchGateway[] = [];
  try {
    const base = gatewayEnv({
      storePath: join(dir, 'gateway.db'),
      durability: 'normal',
      sandboxUrl: sandbox.url,
      perMinute: 60_000,
      perDay: 100_000_000,
    });
    const env = setup.store === 'postgres' ? { ...base, CAPI_STORE_URL: `${PG_URL}?schema=${schema}` } : base;
    for (let i = 0; i < setup.instances; i++) gateways.push(await startGateway(env));
    const rss = gateways.map((g) => new RssSampler(g.pid).start());
    const before = (await sandboxCounters(sandbox.url)).eventsAccepted;
    const happenedAt = Date.now() - 3_600_000;
    const started = performance.now();
    const loads = await Promise.all(
      gateways.map((g, i) =>
        load({
          url: `${g.url}/v1/events`,
          connections: Math.max(1, Math.floor(CONNECTIONS / setup.instances)),
          body: bodyFactory(`cl${i}-${randomBytes(3).toString('hex')}`, EVENTS_PER_REQUEST, happenedAt),
          headers: { authorization: `Bearer ${BENCH_SOURCE_KEY}` },
          durationSeconds: SECONDS,
          maxSeconds: SECONDS + 30,
        }),
      ),
    );
    const loadSeconds = (performance.now() - started) / 1000;
    const accepted = loads.reduce((sum, l) => sum + l.status2xx, 0) * EVENTS_PER_REQUEST;
    // Drain: until the sandbox holds every accepted event.
    let delivered = 0;
    while ((performance.now() - started) / 1000 < loadSeconds + DRAIN_MAX_SECONDS) {
      delivered = (await sandboxCounters(sandbox.url)).eventsAccepted - before;
      if (delivered >= accepted) break;
      await sleep(250);
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const maxRss = rss.map((r) => r.stop().maxRssMiB);
    return {
      setup: setup.name,
      instances: setup.instances,
      store: setup.store,
      loadSeconds: round(loadSeconds, 1),
      acceptedEvents: accepted,
      non2xx: loads.reduce((sum, l) => sum + l.non2xx + l.errors, 0),
      ingestEventsPerSecond: Math.round(accepted / loadSeconds),
      deliveredEvents: delivered,
      drainedAll: delivered >= accepted,
      drainSeconds: round(totalSeconds - loadSeconds, 1),
      endToEndEventsPerSecond: Math.round(delivered / totalSeconds),
      p99LatencyMs: loads.map((l) => l.latencyMs.p99),
      maxRssMiB: maxRss,
    };
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
    await sandbox.stop();
    removeTempDir(dir);
    if (setup.store === 'postgres') {
      await withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).catch(() => undefined);
    }
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const pgReachable = await withPg(async (c) => (await c.query('SELECT 1')).rowCount === 1).catch(
    () => false,
  );
  const results: Record<string, unknown>[] = [];
  for (const setup of SETUPS) {
    if (setup.store === 'postgres' && !pgReachable) {
      results.push({ setup: setup.name, skipped: `PostgreSQL not reachable at ${PG_URL}` });
      continue;
    }
    note(`cluster: ${setup.name} …`);
    results.push(await runSetup(setup));
  }
  return {
    machine: machine(),
    parameters: {
      seconds: SECONDS,
      connections: CONNECTIONS,
      eventsPerRequest: EVENTS_PER_REQUEST,
      eventIds: EVENT_IDS,
    },
    results,
  };
}

runIfMain(import.meta.url, run);
