/**
 * Outage: LinkedIn (the sandbox) answers 503, then a mix of 429 and 500, for a while. Everything is
 * delivered after recovery, nothing is dead-lettered for a transient error, and the request rate
 * never exceeds the configured budget in any 60-second window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type GatewayProcess, sleep, spawnGateway } from '../support/processes.js';
import {
  admin,
  deliveredAt,
  gatewayEnv,
  makeEvents,
  maxInAnyMinute,
  postUntilAnswered,
  type SandboxHandle,
  startSandbox,
  tempDir,
} from './harness.js';

const RPM = 20;
const TOTAL = 20_000;

describe('outage: 429 and 5xx for a while', () => {
  let sb: SandboxHandle;
  let tmp: ReturnType<typeof tempDir>;
  let gw: GatewayProcess;

  beforeAll(async () => {
    sb = await startSandbox({ limits: { perMinute: 100_000, perDay: 10_000_000 } });
    tmp = tempDir('outage');
    gw = await spawnGateway(
      gatewayEnv(sb.url, `sqlite:${tmp.dir}/gateway.db`, {
        CAPI_LINKEDIN_RPM: String(RPM),
        CAPI_DELIVERY_RETRY_BASE_MS: '200',
        CAPI_DELIVERY_RETRY_MAX_MS: '2000',
      }),
    );
  });

  afterAll(async () => {
    await gw?.kill9().catch(() => undefined);
    await sb?.stop();
    tmp?.cleanup();
  });

  it('delivers everything after recovery without exceeding the budget', async () => {
    sb.sandbox.setFaults({ errorRates: { '503': 1 } });
    const happenedAt = Date.now() - 60_000;
    for (let r = 0; r < TOTAL / 1000; r++) {
      await postUntilAnswered(
        () => gw.url,
        makeEvents(`outage-${r}`, 1000, happenedAt, r % 2 ? 'lead' : 'purchase'),
      );
    }
    await sleep(2_500);
    sb.sandbox.setFaults({ errorRates: { '429': 0.5, '500': 0.3 } });
    await sleep(2_500);
    sb.sandbox.setFaults({});

    await eventually(() => deliveredAt(sb.sandbox).distinct.size >= TOTAL, 150_000, 'all events delivered');
    expect(deliveredAt(sb.sandbox).distinct.size).toBe(TOTAL);

    const requests = sb.sandbox.requests({ path: '/rest/conversionEvents' });
    const failed = requests.filter((r) => r.status !== 200);
    // The outage really happened: requests were refused, and retried.
    expect(failed.length).toBeGreaterThan(0);
    expect(maxInAnyMinute(requests.map((r) => r.at))).toBeLessThanOrEqual(RPM);

    const dead = await admin<{ count: number }>(gw.url, '/v1/dead-letters');
    expect(dead.count).toBe(0);
  }, 240_000);
});
