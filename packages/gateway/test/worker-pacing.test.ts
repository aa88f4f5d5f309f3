import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  DAY,
  delivered,
  events,
  type Harness,
  harnessPool,
  MINUTE,
  OTHER_ACCOUNT,
  STORE_KINDS,
  stateCounts,
  T0,
  workerConfig,
} from './worker-harness.js';

/** One event per rule, so each becomes its own request. */
async function enqueueRules(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1)
    await h.store.enqueue(events(h.clock, 1, { ruleId: String(10_000 + i) }));
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const pool = harnessPool(kind);
  const start = pool.start;
  afterEach(() => pool.closeAll());

  describe('delivery worker: pacing inside the request budget', () => {
    it('never sends more than perMinute requests in any 60-second window', async () => {
      const h = await start({ start: false, config: workerConfig({ concurrency: 4 }, 5) });
      await enqueueRules(h, 40);
      h.worker.start();
      for (let step = 0; step < 200 && (await stateCounts(h.store)).delivered < 40; step += 1) {
        await h.settle();
        h.clock.advance(7_000);
      }
      const times = h.transport.calls.map((c) => c.at).sort((a, b) => a - b);
      expect(times).toHaveLength(40);
      for (const start of times) {
        expect(times.filter((t) => t >= start && t < start + MINUTE).length).toBeLessThanOrEqual(5);
      }
      // Paced, not starved: 40 requests at 5 a minute take about 8 minutes of clock.
      expect(times.at(-1)! - times[0]!).toBeLessThan(9 * MINUTE);
    });

    it.each([
      ['share one token', 'shared', 4],
      ['have tokens of their own', 'own', 8],
    ])(
      'two accounts that %s send at most their budget a minute (%s tokens: %i)',
      async (_what, tokens, perWindow) => {
        // LinkedIn counts per access token: two accounts on one token share its 4 a minute.
        const config = workerConfig({ concurrency: 4 }, 4);
        config.accounts = config.accounts.map((a, i) => ({
          ...a,
          token: tokens === 'shared' ? 'one-token' : `token-${i}`,
        }));
        const h = await start({ start: false, config });
        for (let i = 0; i < 8; i += 1) {
          await h.store.enqueue(events(h.clock, 1, { ruleId: String(10_000 + i) }));
          await h.store.enqueue(events(h.clock, 1, { account: OTHER_ACCOUNT, ruleId: String(20_000 + i) }));
        }
        h.worker.start();
        for (let step = 0; step < 100 && (await stateCounts(h.store)).delivered < 16; step += 1) {
          await h.settle();
          h.clock.advance(7_000);
        }
        const times = h.transport.calls.map((c) => c.at).sort((a, b) => a - b);
        expect(times).toHaveLength(16);
        const busiest = Math.max(
          ...times.map((t0) => times.filter((t) => t >= t0 && t < t0 + MINUTE).length),
        );
        expect(busiest).toBe(perWindow);
      },
    );

    it('pauses every account of a token LinkedIn throttles, each listed as itself', async () => {
      const config = workerConfig({ concurrency: 1 });
      config.accounts = config.accounts.map((a) => ({ ...a, token: 'one-token' }));
      const h = await start({
        start: false,
        config,
        script: () => ({
          kind: 'retry',
          status: 429,
          requestId: 'req-429',
          afterMs: 30_000,
          reason: 'throttled',
          body: '{"status":429}',
        }),
      });
      await h.store.enqueue(events(h.clock, 1));
      h.worker.start();
      await h.settle();
      const paused = await h.store.pausedAccounts(h.clock.now());
      expect(paused.map((p) => [p.account, p.reason]).sort()).toEqual([
        [ACCOUNT, 'throttled'],
        [OTHER_ACCOUNT, 'throttled'],
      ]);
    });

    it('stops at the daily budget and starts again at 00:00 UTC', async () => {
      const config = workerConfig();
      config.accounts = config.accounts.map((a) => ({ ...a, limits: { perMinute: 600, perDay: 3 } }));
      const h = await start({ start: false, config });
      h.clock.set(T0 + 20 * 3_600_000); // 20:00 UTC
      await enqueueRules(h, 5);
      h.worker.start();
      await h.settle();
      expect(h.transport.calls).toHaveLength(3);

      h.clock.advance(3_600_000); // 21:00: same day, still spent
      await h.settle();
      expect(h.transport.calls).toHaveLength(3);
      expect((await stateCounts(h.store)).queued).toBe(2);

      h.clock.set(T0 + DAY); // next day 00:00 UTC
      await h.settle();
      expect(h.transport.calls).toHaveLength(5);
    });

    it('keeps at most `concurrency` requests in flight', async () => {
      const h = await start({ start: false, config: workerConfig({ concurrency: 3 }) });
      let inFlight = 0;
      let peak = 0;
      h.transport.setScript(async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight -= 1;
        return delivered();
      });
      await enqueueRules(h, 30);
      h.worker.start();
      await h.settle();
      expect(h.transport.calls).toHaveLength(30);
      expect(peak).toBe(3);
    });
  });
});
