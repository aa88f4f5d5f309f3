import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeliveryOutcome } from '../src/ports.js';
import {
  ACCOUNT,
  counterValue,
  delivered,
  event,
  events,
  harnessPool,
  MINUTE,
  OTHER_ACCOUNT,
  RULE,
  rejectBad,
  STORE_KINDS,
  stateCounts,
  workerConfig,
} from './worker-harness.js';

const unavailable: DeliveryOutcome = {
  kind: 'retry',
  status: 503,
  requestId: 'req-503',
  afterMs: null,
  reason: 'http_503',
  body: '{"message":"Service Unavailable","status":503}',
};

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const pool = harnessPool(kind);
  const start = pool.start;
  afterEach(() => pool.closeAll());

  describe('delivery worker: batching', () => {
    it('sends at most batchSize events per request, one account and one rule per request', async () => {
      const h = await start({ start: false });
      await h.store.enqueue(events(h.clock, 12_000));
      await h.store.enqueue(events(h.clock, 30, { ruleId: '9002' }));
      await h.store.enqueue(events(h.clock, 20, { account: OTHER_ACCOUNT, ruleId: '9003' }));
      h.worker.start();
      await h.settle();

      const sizes = h.transport.calls.map((c) => c.payloads.length).sort((a, b) => b - a);
      expect(sizes).toEqual([5000, 5000, 2000, 30, 20]);
      for (const call of h.transport.calls) {
        expect(new Set(call.events.map((e) => e.rule)).size).toBe(1);
      }
      const byAccount = h.transport.calls.map((c) => `${c.account}:${c.events[0]?.rule}`);
      expect(byAccount).toContain(`${OTHER_ACCOUNT}:9003`);
      expect((await stateCounts(h.store)).delivered).toBe(12_050);
    });

    it('lingers on a small fresh batch and sends what arrived meanwhile in the same request', async () => {
      const h = await start({ config: workerConfig({ lingerMs: 300 }) });
      await h.store.enqueue([event(h.clock)]);
      h.worker.kick();
      await new Promise((r) => setTimeout(r, 50));
      await h.store.enqueue(events(h.clock, 4));
      await h.settle();
      expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([5]);
    });

    it('looks for company a few times, not every 20 ms, while events trickle in', async () => {
      // A linger long enough that the trickle ends inside it even on a loaded machine.
      const h = await start({ start: false, config: workerConfig({ lingerMs: 1_000 }) });
      const claim = h.store.claim.bind(h.store);
      let topUps = 0;
      h.store.claim = (options) => {
        if (options.account !== undefined) topUps += 1;
        return claim(options);
      };
      await h.store.enqueue([event(h.clock)]);
      h.worker.start();
      // About 100 events/s for 100 ms.
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 10));
        await h.store.enqueue([event(h.clock)]);
      }
      await h.settle();
      // One request with all of them. Looking every 20 ms would have made 50 top-ups; backing off
      // (to 100 ms apart) about 12.
      expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([11]);
      expect(topUps).toBeLessThanOrEqual(15);
    });

    it('sends a lingering batch as soon as it is full, not when the linger ends', async () => {
      const h = await start({ config: workerConfig({ lingerMs: 60_000, batchSize: 5 }) });
      await h.store.enqueue([event(h.clock)]);
      h.worker.kick();
      await new Promise((r) => setTimeout(r, 50));
      await h.store.enqueue(events(h.clock, 6));
      // The first five leave at once; the sixth lingers (up to a minute) on its own.
      await vi.waitFor(() => expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([5]), {
        timeout: 2_000,
      });
    });

    it('does not linger on a full batch or on a due retry', async () => {
      const h = await start({ config: workerConfig({ lingerMs: 60_000, batchSize: 3 }) });
      await h.store.enqueue(events(h.clock, 3));
      await h.settle(); // would time out if the full batch waited 60 s
      expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([3]);

      const retry = await start({ config: workerConfig({ lingerMs: 0 }), script: () => unavailable });
      await retry.store.enqueue([event(retry.clock)]);
      await retry.settle();
      await retry.worker.stop();
      // Same store, now with a long linger: the retry is due and must go out at once.
      retry.clock.advance(10 * MINUTE);
      const later = await start({
        store: retry.store,
        clock: retry.clock,
        config: workerConfig({ lingerMs: 60_000 }),
      });
      await later.settle();
      expect(later.transport.calls).toHaveLength(1);
      expect((await stateCounts(later.store)).delivered).toBe(1);
    });
  });

  describe('delivery worker: rejections', () => {
    it('sets aside the named index of a 5,000-event batch and resends the rest at once: 2 requests', async () => {
      const h = await start({ start: false, script: rejectBad(true) });
      const batch = events(h.clock, 5000);
      batch[1234] = event(h.clock, { bad: true });
      await h.store.enqueue(batch);
      h.worker.start();
      await h.settle();

      expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([5000, 4999]);
      const counts = await stateCounts(h.store);
      expect(counts.delivered).toBe(4999);
      expect(counts.dead).toBe(1);
      const [dead] = await h.store.listDead({});
      expect(dead?.id).toBe(batch[1234]!.id);
      expect(dead?.lastReason).toBe('rejected');
      expect(dead?.lastResponse).toBe('index 1234: too old');
      expect(await counterValue(h.metrics.deadLettered, { reason: 'rejected' })).toBe(1);
    });

    it('bisects a batch LinkedIn refuses without naming indices until each bad event is alone', async () => {
      const h = await start({ start: false, script: rejectBad(false) });
      const batch = events(h.clock, 64);
      for (const i of [3, 40, 41]) batch[i] = event(h.clock, { bad: true });
      await h.store.enqueue(batch);
      h.worker.start();
      await h.settle();

      const counts = await stateCounts(h.store);
      expect(counts.delivered).toBe(61);
      expect(counts.dead).toBe(3);
      const dead = await h.store.listDead({});
      expect(new Set(dead.map((d) => d.id))).toEqual(new Set([3, 40, 41].map((i) => batch[i]!.id)));
      expect(dead.every((d) => d.lastReason === 'rejected' && d.lastResponse?.includes('90 days'))).toBe(
        true,
      );
      // Bisecting costs a few requests per bad event, never one per event.
      expect(h.transport.calls.length).toBeLessThanOrEqual(1 + 3 * 2 * Math.log2(64));
      // No request ever mixed a delivered batch with a rejected one: every event was sent in ≤ 1 good request.
      const deliveredCalls = h.transport.calls.filter((c) => !c.events.some((e) => e.bad));
      expect(deliveredCalls.reduce((n, c) => n + c.payloads.length, 0)).toBe(61);
    });

    it('finishes a bisection the budget interrupts: the halves handed back are not merged again', async () => {
      // 3 requests a minute: 16 refused, 8 refused, 4 refused, then the budget is spent with the
      // halves [2, 2], 4 and 8 unsent. Merged again on the next claim, they would start the
      // bisection over every minute and never corner the bad event.
      const h = await start({ start: false, script: rejectBad(false), config: workerConfig({}, 3) });
      const batch = events(h.clock, 16);
      batch[0] = event(h.clock, { bad: true });
      await h.store.enqueue(batch);
      h.worker.start();
      for (let minute = 0; minute < 10 && (await stateCounts(h.store)).delivered < 15; minute += 1) {
        await h.settle();
        h.clock.advance(MINUTE);
      }
      await h.settle();
      const counts = await stateCounts(h.store);
      expect(counts.delivered).toBe(15);
      expect(counts.dead).toBe(1);
      expect((await h.store.listDead({}))[0]?.id).toBe(batch[0]!.id);
      // 16, 8, 4, 2, 1 refused, and the halves 1, 2, 4 and 8 delivered: each sent once.
      const sizes = h.transport.calls.map((c) => c.payloads.length);
      expect(sizes.slice(0, 5)).toEqual([16, 8, 4, 2, 1]);
      expect(sizes.slice(5).sort((a, b) => a - b)).toEqual([1, 2, 4, 8]);
    });

    it('dead-letters a whole batch for an unknown rule and keeps the account sending its other rules', async () => {
      const h = await start({
        start: false,
        script: (call) =>
          call.events[0]?.rule === '7777'
            ? {
                kind: 'forbidden',
                status: 403,
                requestId: 'req-403',
                unknownRule: true,
                body: '{"message":"No ad accounts found","status":403}',
              }
            : delivered(),
      });
      await h.store.enqueue(events(h.clock, 5, { ruleId: '7777' }));
      await h.store.enqueue(events(h.clock, 5));
      h.worker.start();
      await h.settle();
      const dead = await h.store.listDead({ reason: 'unknown_rule' });
      expect(dead).toHaveLength(5);
      expect(dead[0]?.lastResponse).toContain('No ad accounts found');
      expect((await stateCounts(h.store)).delivered).toBe(5);
      expect(await h.store.pausedAccounts(h.clock.now())).toEqual([]);
    });
  });

  describe('delivery worker: audit and metrics', () => {
    it('audits every request with counts of identifier types and consent, never values', async () => {
      const h = await start({ start: false, script: rejectBad(true) });
      const secret = 'f'.repeat(64);
      const batch = [
        event(h.clock, {
          identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
          consent: true,
        }),
        event(h.clock, { identifierTypes: ['SHA256_EMAIL'], bad: true }),
        event(h.clock, { identifierTypes: ['LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'], consent: null }),
      ].map((e) => ({ ...e, payload: e.payload.replace('}', `,"idValue":"${secret}"}`) }));
      await h.store.enqueue(batch);
      h.worker.start();
      await h.settle();

      const rows = await h.store.auditForEvent(batch[0]!.id);
      expect(rows).toHaveLength(2);
      const [second, first] = rows;
      expect(first).toMatchObject({
        account: ACCOUNT,
        ruleId: RULE,
        batchSize: 3,
        status: 400,
        outcome: 'rejected',
        identifierCounts: { SHA256_EMAIL: 2, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID: 2 },
        consentCounts: { granted: 1, denied: 0, unknown: 2 },
        eventIds: batch.map((e) => e.id),
      });
      expect(first?.requestId).toMatch(/^req-/);
      expect(first?.errorBody).toContain('indices [1]');
      expect(second).toMatchObject({ batchSize: 2, status: 200, outcome: 'delivered', errorBody: null });
      expect(JSON.stringify(rows)).not.toContain(secret);
    });

    it('counts requests, attempts per event, lag and the budget left', async () => {
      const h = await start({ start: false });
      await h.store.enqueue(events(h.clock, 7));
      h.clock.advance(2_000);
      h.worker.start();
      await h.settle();
      expect(await counterValue(h.metrics.linkedinRequests, { outcome: 'delivered' })).toBe(1);
      expect(await counterValue(h.metrics.deliveryAttempts, { outcome: 'delivered' })).toBe(7);
      const lag = await h.metrics.deliveryLag.get();
      expect(lag.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(7);
      expect(lag.values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(14);
      expect(await counterValue(h.metrics.budgetLeft, { account: ACCOUNT, window: 'minute' })).toBe(599);
    });

    it('counts lag only for the events a partly failed 200 delivered', async () => {
      const h = await start({
        start: false,
        script: (call) =>
          call.events.length === 7
            ? {
                kind: 'delivered',
                status: 200,
                requestId: 'r-1',
                elementErrors: [
                  { index: 2, status: 500, message: 'try again' },
                  { index: 5, status: 400, message: 'bad time' },
                ],
              }
            : delivered(),
      });
      await h.store.enqueue(events(h.clock, 7));
      h.clock.advance(2_000);
      h.worker.start();
      await h.settle();
      const lag = await h.metrics.deliveryLag.get();
      expect(lag.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(5);
      expect(lag.values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(10);
    });

    it('reports every outcome to listeners', async () => {
      const h = await start({ start: false, script: rejectBad(true) });
      const batch = [event(h.clock), event(h.clock, { bad: true })];
      await h.store.enqueue(batch);
      h.worker.start();
      await h.settle();
      expect(h.reports.map((r) => [r.kind, r.delivered.length, r.dead.length, r.resent.length])).toEqual([
        ['rejected', 0, 1, 1],
        ['delivered', 1, 0, 0],
      ]);
      expect(h.reports[0]?.resent).toEqual([batch[0]!.id]);
    });
  });
});
