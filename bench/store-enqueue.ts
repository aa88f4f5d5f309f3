/**
 * Store throughput: batch ingest (enqueue) and drain (claim + complete) per adapter.
 *
 *   npx tsx bench/store-enqueue.ts            # prints one JSON object
 *   CAPI_BENCH_STORES=sqlite-normal CAPI_BENCH_EVENTS=1000000 CAPI_BENCH_EVENT_IDS=scattered \
 *     npx tsx bench/store-enqueue.ts          # the dedup index with random ids
 *
 * Ingest writes 100,000 events in batches of 500 from several concurrent callers, the way the HTTP
 * layer hands over batch requests, so group commit can merge them. Drain works as the delivery worker
 * does: 5,000-event batches (LinkedIn's batch size), DRAIN_IN_FLIGHT of them leased at once, each
 * with its audit row, then completed, until the outbox is empty; it reports the time per event of
 * each step (claim, audit, complete), so a change to one of them is seen apart. PostgreSQL runs when
 * CAPI_BENCH_PG_URL (or the test default) is reachable, and is reported as skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditEntry, ClaimedBatch, NewOutboxEvent, OutboxStore } from '../packages/gateway/src/ports.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { createPostgresStore } from '../packages/gateway/src/store/postgres.js';
import { createSqliteStore } from '../packages/gateway/src/store/sqlite.js';
import { buildAuditEntry } from '../packages/gateway/src/worker/audit.js';

const EVENTS = Number(process.env.CAPI_BENCH_EVENTS ?? 100_000);
const BATCH = 500;
const CALLERS = 16;
const CLAIM_BATCH = 5_000;
/** Batches leased at once while draining: the worker's default `delivery.concurrency`. */
const DRAIN_IN_FLIGHT = Number(process.env.CAPI_BENCH_DRAIN_IN_FLIGHT ?? 4);
/** Ingest's pace for time-ordered ids: events made per millisecond (50,000 events/s). */
const EVENTS_PER_MS = 50;
/** Which stores to measure (comma-separated): sqlite-normal, sqlite-strict, postgres. */
const STORES = new Set(
  (process.env.CAPI_BENCH_STORES ?? 'sqlite-normal,sqlite-strict,postgres').split(',').map((s) => s.trim()),
);
/**
 * How event ids fall in the dedup index: `sequential` (the default: a counter prefix, nearly in
 * index order, like an order-id export) or `scattered` (random UUIDs, like client-generated ids),
 * which touch a different index page per event once the index outgrows the cache (docs/benchmarks.md,
 * "Scattered event ids"). Set CAPI_BENCH_EVENTS to 1,000,000 or more to see it.
 */
const EVENT_IDS = process.env.CAPI_BENCH_EVENT_IDS === 'scattered' ? 'scattered' : 'sequential';
const PG_URL =
  process.env.CAPI_BENCH_PG_URL ?? process.env.CAPI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type IdKind = 'uuid-v4' | 'uuid-v7';

/** Realistic, PII-free events: a hashed email and a first-party cookie id, ~450 bytes of payload. */
function makeEvents(count: number, now: number, ids: IdKind): NewOutboxEvent[] {
  const hash = 'b'.repeat(64);
  return Array.from({ length: count }, (_, i) => {
    const eventId = EVENT_IDS === 'scattered' ? randomUUID() : `bench-${i}-${randomUUID()}`;
    return {
      // Ids carry the time they are made at, as under real ingest; all in one millisecond, v7 ids
      // would share their time prefix and land on random index pages like v4 ids.
      id: ids === 'uuid-v7' ? newOutboxId(now + Math.floor(i / EVENTS_PER_MS)) : randomUUID(),
      account: '508000123',
      ruleId: String(17_000_000 + (i % 4)),
      eventId,
      source: 'web',
      payload: JSON.stringify({
        conversion: `urn:lla:llaPartnerConversion:${17_000_000 + (i % 4)}`,
        conversionHappenedAt: now - 60_000,
        conversionValue: { currencyCode: 'USD', amount: '125.00' },
        eventId,
        user: {
          userIds: [
            { idType: 'SHA256_EMAIL', idValue: hash },
            { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: randomUUID() },
          ],
          userInfo: { companyName: 'Acme', countryCode: 'US' },
        },
      }),
      happenedAt: now - 60_000,
      receivedAt: now,
      state: 'queued',
      identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
      consent: null,
      context: null,
    };
  });
}

type BenchStore = OutboxStore & { writeStats(): { flushes: number; batches: number } };

async function ingest(store: BenchStore, events: NewOutboxEvent[], callers: number) {
  const batches: NewOutboxEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
  const writesBefore = store.writeStats();
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await store.enqueue(batch);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  const writes = store.writeStats();
  const flushes = writes.flushes - writesBefore.flushes;
  return {
    events: events.length,
    callers,
    seconds: round(seconds),
    eventsPerSecond: Math.round(events.length / seconds),
    ...cpuFigures(events.length, cpuSeconds),
    batchesPerCommit: round((writes.batches - writesBefore.batches) / flushes),
  };
}

/**
 * Claims, audits and completes 5,000-event batches, DRAIN_IN_FLIGHT at a time, until nothing is
 * due. (Memory during a long drain is a matter for a bigger backlog than this benchmark keeps: see
 * bench/gateway-backlog.ts.)
 */
async function drain(store: OutboxStore, now: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const spent = { claim: 0, audit: 0, complete: 0 };
  const timed = async <T>(step: keyof typeof spent, work: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const result = await work();
    spent[step] += performance.now() - at;
    return result;
  };
  const leased: ClaimedBatch[] = [];
  let drained = 0;
  for (;;) {
    const batch = await timed('claim', () => store.claim({ limit: CLAIM_BATCH, leaseMs: 600_000, now }));
    if (batch) leased.push(batch);
    if (batch && leased.length < DRAIN_IN_FLIGHT) continue;
    const oldest = leased.shift();
    if (!oldest) break;
    const ids = oldest.events.map((e) => e.id);
    await timed('audit', () => store.appendAudit(deliveredAudit(oldest, now)));
    await timed('complete', () => store.complete(ids, now));
    drained += ids.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  const perEvent = (ms: number) => round((ms * 1000) / Math.max(1, drained));
  return {
    events: drained,
    batch: CLAIM_BATCH,
    inFlight: DRAIN_IN_FLIGHT,
    seconds: round(seconds),
    eventsPerSecond: Math.round(drained / seconds),
    ...cpuFigures(drained, cpuSeconds),
    microsecondsPerEvent: {
      claim: perEvent(spent.claim),
      audit: perEvent(spent.audit),
      complete: perEvent(spent.complete),
    },
  };
}

/** The audit row the worker writes for a delivered batch (worker/audit.ts). */
function deliveredAudit(batch: ClaimedBatch, now: number): AuditEntry {
  return buildAuditEntry({
    at: now,
    account: batch.account,
    ruleId: batch.ruleId,
    events: batch.events,
    outcome: { kind: 'delivered', status: 200, requestId: 'bench' },
    durationMs: 40,
  });
}

/**
 * Each ingest runs on a fresh, empty store, so the id kinds are compared on equal terms; the drain
 * then empties the second store (100,000 + 25,000 events).
 */
async function benchStore(open: () => Promise<BenchStore>, discard: () => Promise<void>) {
  const now = Date.now();
  const first = await open();
  await first.migrate();
  const v4 = await ingest(first, makeEvents(EVENTS, now, 'uuid-v4'), CALLERS);
  await first.close();
  await discard();
  const store = await open();
  await store.migrate();
  const v7 = await ingest(store, makeEvents(EVENTS, now, 'uuid-v7'), CALLERS);
  const single = await ingest(store, makeEvents(EVENTS / 4, now, 'uuid-v7'), 1);
  const drained = await drain(store, now + 1);
  await store.close();
  await discard();
  return { ingestUuidV4: v4, ingestUuidV7: v7, ingestSingleCaller: single, claimComplete: drained };
}

async function sqlite(durability: 'normal' | 'strict') {
  const dir = mkdtempSync(join(tmpdir(), 'capi-bench-'));
  const path = join(dir, 'bench.db');
  try {
    return await benchStore(
      async () => createSqliteStore({ path, durability }),
      async () => {
        for (const suffix of ['', '-wal', '-shm', '.lock']) rmSync(`${path}${suffix}`, { force: true });
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres() {
  const schema = `capi_bench_${Date.now().toString(36)}`;
  try {
    return await benchStore(
      () => createPostgresStore({ connectionString: PG_URL, schema, poolSize: 8 }),
      () => dropSchema(schema),
    );
  } catch (err) {
    return {
      skipped: `PostgreSQL not usable at ${PG_URL}: ${err instanceof Error ? err.message : String(err)}`,
    };
  } finally {
    await dropSchema(schema).catch(() => undefined);
  }
}

async function dropSchema(schema: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * CPU time of this process (for PostgreSQL, the gateway side only). On a shared or busy machine,
 * events per CPU-second is the steadier figure: wall-clock rates move with whatever else runs.
 */
function cpuFigures(events: number, cpuSeconds: number) {
  return { cpuSeconds: round(cpuSeconds), eventsPerCpuSecond: Math.round(events / cpuSeconds) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export async function run(): Promise<Record<string, unknown>> {
  return {
    name: 'store-enqueue',
    events: EVENTS,
    eventIds: EVENT_IDS,
    batch: BATCH,
    callers: CALLERS,
    node: process.version,
    sqliteNormal: STORES.has('sqlite-normal') ? await sqlite('normal') : { skipped: 'CAPI_BENCH_STORES' },
    sqliteStrict: STORES.has('sqlite-strict') ? await sqlite('strict') : { skipped: 'CAPI_BENCH_STORES' },
    postgres: STORES.has('postgres') ? await postgres() : { skipped: 'CAPI_BENCH_STORES' },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
