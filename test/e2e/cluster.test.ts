/**
 * Scale-out: three gateway processes share one PostgreSQL while 100,000 events arrive and one
 * instance is killed with SIGKILL every few seconds. No acknowledged event is lost, an eventId
 * reaches LinkedIn twice only inside a crash window, and the cluster as a whole never sends more
 * requests than the configured per-minute budget in any 60-second window.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPg, dropSchema, freshSchemaName } from '../../packages/gateway/test/support/pg.js';
import {
  eventually,
  freePort,
  type GatewayProcess,
  ROOT,
  sleep,
  spawnGateway,
} from '../support/processes.js';
import {
  busiestMinute,
  deliveredAt,
  gatewayEnv,
  ingestAll,
  makeBatches,
  type SandboxHandle,
  startSandbox,
} from './harness.js';

const TOTAL = 100_000;
const PER_REQUEST = 500;
const INSTANCES = 3;
const KILLS = 4;
const RPM = 100;
const BATCH = 5000;
const CONCURRENCY = 4;

await describeWithPg('cluster: 3 instances on one PostgreSQL, kill -9 every few seconds', (pgUrl) => {
  let sb: SandboxHandle;
  const schema = freshSchemaName('capi_cluster');
  const storeUrl = `${pgUrl}?schema=${schema}`;
  const gateways: GatewayProcess[] = [];
  const ports: number[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandbox({ limits: { perMinute: 100_000, perDay: 10_000_000 } });
    env = gatewayEnv(sb.url, storeUrl, {
      CAPI_LINKEDIN_RPM: String(RPM),
      CAPI_DELIVERY_LEASE_MS: '5000',
      // A request may take at most half the lease (config.ts).
      CAPI_LINKEDIN_TIMEOUT_MS: '2500',
      CAPI_DELIVERY_LINGER_MS: '300',
      CAPI_DELIVERY_CONCURRENCY: String(CONCURRENCY),
    });
    // The schema is created by `capi migrate`, as an operator would before a rolling start.
    const migrate = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/gateway/src/cli.ts'), 'migrate'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
    );
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('schema is up to date');
    for (let i = 0; i < INSTANCES; i++) {
      ports.push(await freePort());
      gateways.push(await spawnGateway(env, { port: ports[i] }));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.kill9().catch(() => undefined)));
    await sb?.stop();
    await dropSchema(pgUrl, schema).catch(() => undefined);
  });

  it('loses nothing, repeats only in crash windows and keeps the cluster inside the budget', async () => {
    const batches = makeBatches('cl', TOTAL, PER_REQUEST, Date.now() - 3_600_000);
    // Round-robin like a load balancer; a retry after a failure lands on the next instance.
    let turn = 0;
    let kills = 0;
    const killer = async () => {
      while (kills < KILLS) {
        await sleep(2_000 + Math.floor(Math.random() * 1_000));
        const victim = kills % INSTANCES;
        await gateways[victim]!.kill9();
        kills++;
        gateways[victim] = await spawnGateway(env, { port: ports[victim] });
      }
    };
    const [acknowledged] = await Promise.all([
      ingestAll(batches, () => gateways[turn++ % INSTANCES]!.url, 8),
      killer(),
    ]);
    expect(acknowledged.size).toBe(TOTAL);

    await eventually(() => deliveredAt(sb.sandbox).distinct.size >= TOTAL, 180_000, 'all events delivered');
    const { distinct, total } = deliveredAt(sb.sandbox);
    for (const id of acknowledged) expect(distinct.has(id)).toBe(true);
    expect(total - distinct.size).toBeLessThanOrEqual(kills * BATCH * CONCURRENCY);

    const times = sb.sandbox.requests({ path: '/rest/conversionEvents' }).map((r) => r.at);
    expect(times.length).toBeGreaterThan(0);
    const busiest = busiestMinute(times);
    const t0 = busiest.window[0] ?? 0;
    expect(
      busiest.count,
      `busiest minute (ms from its first request): ${busiest.window.map((t) => t - t0).join(',')}`,
    ).toBeLessThanOrEqual(RPM);
  }, 420_000);
});
