/**
 * Crash: kill -9 the gateway repeatedly during a 100,000-event ingest while clients retry
 * unanswered requests with the same eventIds. Every acknowledged event must reach LinkedIn (the
 * sandbox), and an eventId may reach it twice only if it was in flight when a kill landed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, type GatewayProcess, sleep, spawnGateway } from '../support/processes.js';
import {
  admin,
  deliveredAt,
  gatewayEnv,
  ingestAll,
  makeBatches,
  type SandboxHandle,
  startSandbox,
  tempDir,
} from './harness.js';

const TOTAL = 100_000;
const PER_REQUEST = 500;
const CLIENTS = 8;
const KILLS = 4;
const BATCH = 5000;
const CONCURRENCY = 4;

describe('crash: kill -9 during ingest', () => {
  let sb: SandboxHandle;
  let tmp: ReturnType<typeof tempDir>;
  let gw: GatewayProcess;
  let env: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    sb = await startSandbox({ limits: { perMinute: 100_000, perDay: 10_000_000 } });
    tmp = tempDir('crash');
    port = await freePort();
    env = gatewayEnv(sb.url, `sqlite:${tmp.dir}/gateway.db`, {
      CAPI_LINKEDIN_RPM: '100000',
      CAPI_DELIVERY_CONCURRENCY: String(CONCURRENCY),
      // A killed gateway's claims come back when their lease ends; 10 s (not the default 60 s)
      // keeps the test short while staying far above a sandbox round trip.
      CAPI_DELIVERY_LEASE_MS: '10000',
      // A request may take at most half the lease (config.ts).
      CAPI_LINKEDIN_TIMEOUT_MS: '5000',
    });
    gw = await spawnGateway(env, { port });
  });

  afterAll(async () => {
    await gw?.kill9().catch(() => undefined);
    await sb?.stop();
    tmp?.cleanup();
  });

  it('loses no acknowledged event and delivers none twice outside the crash windows', async () => {
    const batches = makeBatches('crash', TOTAL, PER_REQUEST, Date.now() - 3_600_000);
    let ingestDone = false;
    let kills = 0;
    const killer = async () => {
      while (!ingestDone && kills < KILLS) {
        await sleep(700 + Math.floor(Math.random() * 800));
        if (ingestDone) break;
        await gw.kill9();
        kills++;
        gw = await spawnGateway(env, { port });
      }
    };

    const ingest = ingestAll(batches, () => gw.url, CLIENTS).finally(() => {
      ingestDone = true;
    });
    const [acknowledged] = await Promise.all([ingest, killer()]);
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(acknowledged.size).toBe(TOTAL);

    await eventually(() => deliveredAt(sb.sandbox).distinct.size >= TOTAL, 120_000, 'all events delivered');
    const { distinct, total } = deliveredAt(sb.sandbox);
    // 0 acknowledged events lost.
    for (const id of acknowledged) expect(distinct.has(id)).toBe(true);
    expect(distinct.size).toBe(TOTAL);
    // Repeats only inside crash windows: at most what could be in flight at each kill.
    expect(total - distinct.size).toBeLessThanOrEqual(kills * BATCH * CONCURRENCY);

    const dead = await admin<{ deadLetters: unknown[]; count: number }>(gw.url, '/v1/dead-letters');
    expect(dead.count).toBe(0);
    expect(dead.deadLetters).toEqual([]);

    // Graceful stop after the storm: exit code 0.
    expect(await gw.terminate()).toBe(0);
  }, 300_000);
});
