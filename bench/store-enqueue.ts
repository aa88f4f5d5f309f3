/**
 * Store throughput: batch ingest (enqueue) and drain (claim + complete) per adapter.
 *
 *   npx tsx bench/store-enqueue.ts            # prints one JSON object
 *
 * Ingest writes 100,000 events in batches of 500 from several concurrent callers, the way the HTTP
 * layer hands over batch requests, so group commit can merge them. Drain claims 5,000-event batches
 * (LinkedIn's batch size) and completes them until the outbox is empty. PostgreSQL runs when
 * CAPI_BENCH_PG_URL (or the test default) is reachable, and is reported as skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NewOutboxEvent, OutboxStore } from '../packages/gateway/src/ports.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { createPostgresStore } from '../packages/gateway/src/store/postgres.js';
import { createSqliteStore } from '../packages/gateway/src/store/sqlite.js';

const EVENTS = Number(process.env.CAPI_BENCH_EVENTS ?? 100_000);
const BATCH = 500;
const CALLERS = 16;
const CLAIM_BATCH = 5_000;
const PG_URL =
  process.env.CAPI_BENCH_PG_URL ?? process.env.CAPI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type IdKind = 'uuid-v4' | 'uuid-v7';

/** Realistic, PII-free events: a hashed email and a first-party cookie id, ~450 bytes of payload. */
function makeEvents(count: number, now: number, ids: IdKind): NewOutboxEvent[] {
  const hash = 'b'.repeat(64);
  return Array.from({ length: count }, (_, i) => {
    const eventId = `bench-${i}-${randomUUID()}`;
    return {
      id: ids === 'uuid-v7' ? newOutboxId(now) : randomUUID(),
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
 * Claims and completes 5,000-event batches until nothing is due. (Memory during a long drain is a
 * matter for a bigger backlog than this benchmark keeps: see bench/gateway-backlog.ts.)
 */
async function drain(store: OutboxStore, now: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let drained = 0;
  for (;;) {
    const batch = await store.claim({ limit: CLAIM_BATCH, leaseMs: 60_000, now });
    if (!batch) break;
    await store.complete(
      batch.events.map((e) => e.id),
      now,
    );
    drained += batch.events.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(cpu);
  return {
    events: drained,
    batch: CLAIM_BATCH,
    seconds: round(seconds),
    eventsPerSecond: Math.round(drained / seconds),
    ...cpuFigures(drained, cpuSeconds),
  };
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
    batch: BATCH,
    callers: CALLERS,
    node: process.version,
    sqliteNormal: await sqlite('normal'),
    sqliteStrict: await sqlite('strict'),
    postgres: await postgres(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
