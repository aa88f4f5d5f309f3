/**
 * Freshness at a steady, modest rate: how long a producer waits for its answer, and how long an
 * event takes from that answer to LinkedIn, when the gateway is not busy. This is the everyday
 * case (a website back end and a CRM sending a few events a second), which throughput benchmarks
 * say nothing about.
 *
 *   npx tsx bench/gateway-freshness.ts
 *   npm run bench -- gateway-freshness
 *
 * One event per request at BENCH_FRESHNESS_RATE requests/s (default 100, the default capacity of
 * Meta's CAPI Gateway) for BENCH_FRESHNESS_SECONDS (default 120), paced on a fixed schedule (a slow
 * answer does not delay the next request). The gateway runs as `capi start` does, with its default
 * delivery settings (linger 200 ms), against a LinkedIn sandbox in this process that keeps every
 * event with the time it arrived. Figures:
 * - ingest latency: request sent → 2xx received, per request;
 * - time to LinkedIn: 2xx received → the sandbox has the event, per event;
 * - the gateway's CPU and max RSS over the window.
 * Reference points (proposals in the reliability notes, not issue goals): ingest p99 ≤ 100 ms,
 * time to LinkedIn p95 ≤ 60 s and p99 ≤ 5 min.
 */
import { join } from 'node:path';
import { createSandbox, DEMO_SEED } from '@capi-gateway/sandbox';
import {
  BENCH_SOURCE_KEY,
  codeState,
  cpuMeter,
  gatewayEnv,
  intFromEnv,
  machine,
  makeTempDir,
  nearestRank,
  note,
  RssSampler,
  removeTempDir,
  round,
  runIfMain,
  sleep,
  startGateway,
} from './_gateway.js';

const RATE = intFromEnv('BENCH_FRESHNESS_RATE', 100);
const SECONDS = intFromEnv('BENCH_FRESHNESS_SECONDS', 120);
const REFERENCE = { ingestP99Ms: 100, toLinkedInP95Ms: 60_000, toLinkedInP99Ms: 300_000 };

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => nearestRank(sorted, q) ?? 0;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = makeTempDir('capi-bench-fresh-');
  const sandbox = createSandbox({ keepEvents: true, recorder: { maxEntries: 10, recordBodies: 'none' } });
  const { url: sandboxUrl } = await sandbox.start({ port: 0, host: '127.0.0.1' });
  let gateway: Awaited<ReturnType<typeof startGateway>> | null = null;
  try {
    gateway = await startGateway(
      gatewayEnv({
        storePath: join(dir, 'gateway.db'),
        durability: 'normal',
        sandboxUrl,
        perMinute: 600,
        perDay: 500_000,
      }),
    );
    const gw = gateway;
    const total = RATE * SECONDS;
    const ackedAt = new Map<string, number>();
    const ingestMs: number[] = [];
    let failures = 0;
    note(`gateway-freshness: ${RATE} events/s, one per request, for ${SECONDS} s`);

    const rss = new RssSampler(gw.pid).start();
    const cpu = cpuMeter({ gateway: gw.pid });
    const startedAt = performance.now();
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      const due = startedAt + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const eventId = `fresh-${i}`;
      const body = JSON.stringify({
        conversion: 'lead',
        eventId,
        happenedAt: Date.now() - 60_000,
        user: { email: `fresh-${i}@example.com` },
      });
      const sent = performance.now();
      sends.push(
        fetch(`${gw.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BENCH_SOURCE_KEY}`, 'content-type': 'application/json' },
          body,
        }).then(
          async (res) => {
            await res.arrayBuffer();
            if (res.status !== 200) {
              failures += 1;
              return;
            }
            ingestMs.push(performance.now() - sent);
            ackedAt.set(eventId, Date.now());
          },
          () => {
            failures += 1;
          },
        ),
      );
    }
    await Promise.all(sends);
    const loadSeconds = (performance.now() - startedAt) / 1000;

    // Every acknowledged event at LinkedIn (a minute at most once the load has stopped).
    const deadline = Date.now() + 60_000;
    while (sandbox.events().length < ackedAt.size && Date.now() < deadline) await sleep(100);
    const usage = cpu.stop();
    const memory = rss.stop();

    const toLinkedInMs: number[] = [];
    let deliveredTwice = 0;
    const seen = new Set<string>();
    for (const e of sandbox.events({ rule: DEMO_SEED.rules.lead })) {
      if (!e.eventId) continue;
      if (seen.has(e.eventId)) deliveredTwice += 1;
      seen.add(e.eventId);
      const acked = ackedAt.get(e.eventId);
      if (acked !== undefined) toLinkedInMs.push(e.receivedAt - acked);
    }
    const ingest = percentiles(ingestMs);
    const toLinkedIn = percentiles(toLinkedInMs);
    return {
      name: 'gateway-freshness',
      machine: machine(),
      code: codeState(),
      parameters: {
        requestsPerSecond: RATE,
        eventsPerRequest: 1,
        seconds: SECONDS,
        delivery: 'defaults (linger 200 ms, batches up to 5,000)',
        durability: 'normal',
      },
      reference: REFERENCE,
      sent: total,
      acknowledged: ackedAt.size,
      failures,
      loadSeconds: round(loadSeconds),
      deliveredDistinct: seen.size,
      deliveredTwice,
      ingestLatencyMs: ingest,
      toLinkedInMs: toLinkedIn,
      gateway: { cpuSeconds: usage, maxRssMiB: memory.maxRssMiB },
      meetsReference: {
        ingestP99: ingest.p99 <= REFERENCE.ingestP99Ms,
        toLinkedInP95: toLinkedIn.p95 <= REFERENCE.toLinkedInP95Ms,
        toLinkedInP99: toLinkedIn.p99 <= REFERENCE.toLinkedInP99Ms,
        everyAcknowledgedDelivered: seen.size === ackedAt.size && failures === 0,
      },
    };
  } finally {
    await gateway?.stop();
    await sandbox.stop();
    removeTempDir(dir);
  }
}

runIfMain(import.meta.url, run);
