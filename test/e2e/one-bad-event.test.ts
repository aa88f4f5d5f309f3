/**
 * One bad event: a 5,000-event batch in which LinkedIn refuses exactly one element (here: the
 * sandbox's clock runs six hours ahead, so one event that the gateway still finds inside the 90-day
 * window is past it at LinkedIn). LinkedIn refuses the whole batch naming that index; the gateway
 * dead-letters that one event with LinkedIn's answer and resends the other 4,999 at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type GatewayProcess, spawnGateway } from '../support/processes.js';
import {
  admin,
  deliveredAt,
  gatewayEnv,
  makeEvents,
  postUntilAnswered,
  type SandboxHandle,
  startSandbox,
  tempDir,
} from './harness.js';

const DAY = 86_400_000;

describe('one bad event in a full batch', () => {
  let sb: SandboxHandle;
  let tmp: ReturnType<typeof tempDir>;
  let gw: GatewayProcess;

  beforeAll(async () => {
    sb = await startSandbox();
    tmp = tempDir('bad');
    gw = await spawnGateway(
      gatewayEnv(sb.url, `sqlite:${tmp.dir}/gateway.db`, { CAPI_DELIVERY_LINGER_MS: '500' }),
    );
  });

  afterAll(async () => {
    await gw?.kill9().catch(() => undefined);
    await sb?.stop();
    tmp?.cleanup();
  });

  it('delivers 4,999, dead-letters 1 with LinkedIn’s reason, and redrives it once fixed', async () => {
    const now = Date.now();
    sb.sandbox.clock.setOffset(6 * 3_600_000);
    const events = makeEvents('bad', 5000, now - 3_600_000);
    events[2500]!.happenedAt = now - 90 * DAY + 3 * 3_600_000;
    const results = await postUntilAnswered(() => gw.url, events);
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(5000);

    await eventually(() => deliveredAt(sb.sandbox).distinct.size >= 4999, 60_000, '4,999 delivered');
    await eventually(
      async () => (await admin<{ count: number }>(gw.url, '/v1/dead-letters')).count === 1,
      30_000,
      'one dead letter',
    );
    const dead = await admin<{
      deadLetters: Array<{ eventId: string; lastReason: string; lastResponse: string }>;
    }>(gw.url, '/v1/dead-letters');
    expect(dead.deadLetters[0]?.eventId).toBe('bad-2500');
    expect(dead.deadLetters[0]?.lastReason).toBe('rejected');
    expect(dead.deadLetters[0]?.lastResponse).toMatch(/90 days/);
    expect(deliveredAt(sb.sandbox).distinct.has('bad-2500')).toBe(false);

    const sent = sb.sandbox.requests({ path: '/rest/conversionEvents' });
    expect(sent.map((r) => r.status)).toEqual([400, 200]);
    expect(sent[0]?.bodyLength).toBeGreaterThan(sent[1]?.bodyLength ?? 0);

    // The fix (here: LinkedIn's clock back in line), then a redrive by eventId.
    sb.sandbox.clock.setOffset(0);
    const redriven = await admin<{ redriven: number }>(gw.url, '/v1/dead-letters/redrive', {
      method: 'POST',
      body: JSON.stringify({ eventIds: ['bad-2500'] }),
    });
    expect(redriven.redriven).toBe(1);
    await eventually(
      () => deliveredAt(sb.sandbox).distinct.has('bad-2500'),
      30_000,
      'redriven event delivered',
    );
    expect(deliveredAt(sb.sandbox).total).toBe(5000);
  }, 120_000);
});
