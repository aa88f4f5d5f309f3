import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_PROBE_MS, FORBIDDEN_PROBE_MS } from '../src/domain/delivery-plan.js';
import { EXPIRY_MARGIN_MS, MAX_EVENT_AGE_MS } from '../src/domain/retry-policy.js';
import type { DeliveryOutcome } from '../src/ports.js';
import { ALL_ACCOUNTS } from '../src/worker/index.js';
import {
  ACCOUNT,
  counterValue,
  DAY,
  delivered,
  event,
  events,
  harnessPool,
  OTHER_ACCOUNT,
  STORE_KINDS,
  stateCounts,
  workerConfig,
} from './worker-harness.js';

const reauth = (revoked: boolean): DeliveryOutcome => ({
  kind: 'reauth',
  status: 401,
  requestId: 'req-401',
  revoked,
  body: '{"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"Invalid access token"}',
});
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

  describe('delivery worker: credentials and configuration', () => {
    it('on 401 pauses only that account, keeps its events queued, and resumes on resumeAccount', async () => {
      const h = await start({
        start: false,
        script: (call) => (call.account === ACCOUNT ? reauth(false) : delivered()),
      });
      const mine = events(h.clock, 10);
      await h.store.enqueue(mine);
      await h.store.enqueue(events(h.clock, 10, { account: OTHER_ACCOUNT }));
      h.worker.start();
      await h.settle();

      expect(h.transport.calls.filter((c) => c.account === ACCOUNT)).toHaveLength(1);
      const paused = await h.store.pausedAccounts(h.clock.now() + 365 * DAY);
      expect(paused).toEqual([expect.objectContaining({ account: ACCOUNT, reason: 'reauth' })]);
      const counts = await stateCounts(h.store);
      expect(counts.delivered).toBe(10);
      expect(counts.queued).toBe(10);
      expect(counts.dead).toBe(0);
      const [kept] = await h.store.findByEventId(mine[0]!.eventId);
      expect(kept?.attempts).toBe(0);

      h.transport.setScript(delivered);
      await h.worker.resumeAccount(ACCOUNT);
      await h.settle();
      expect((await stateCounts(h.store)).delivered).toBe(20);
      expect(await h.store.pausedAccounts(h.clock.now())).toEqual([]);
    });

    it('records a revoked token as such', async () => {
      const h = await start({ script: () => reauth(true) });
      await h.store.enqueue(events(h.clock, 2));
      await h.settle();
      expect((await h.store.pausedAccounts(h.clock.now()))[0]?.reason).toBe('revoked');
      expect((await stateCounts(h.store)).queued).toBe(2);
    });

    it('on a 403 permission problem pauses the account as forbidden and keeps its events', async () => {
      const h = await start({
        script: () => ({
          kind: 'forbidden',
          status: 403,
          requestId: null,
          unknownRule: false,
          body: '{"status":403,"code":"USER_NOT_AUTHORIZED"}',
        }),
      });
      await h.store.enqueue(events(h.clock, 3));
      await h.settle();
      expect((await h.store.pausedAccounts(h.clock.now()))[0]).toMatchObject({
        account: ACCOUNT,
        reason: 'forbidden',
        until: h.clock.now() + FORBIDDEN_PROBE_MS,
      });
      expect((await stateCounts(h.store)).queued).toBe(3);

      // Access is fixed outside the gateway; the hourly probe finds out.
      h.transport.setScript(delivered);
      h.clock.advance(FORBIDDEN_PROBE_MS);
      await h.settle();
      expect((await stateCounts(h.store)).delivered).toBe(3);
    });

    it('on a version error pauses every account, keeps every event, and resumes when told', async () => {
      const h = await start({
        start: false,
        script: () => ({
          kind: 'config',
          status: 426,
          requestId: null,
          code: 'NONEXISTENT_VERSION',
          body: '{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 202509 is not active"}',
        }),
        config: workerConfig({ concurrency: 1 }),
      });
      await h.store.enqueue(events(h.clock, 3));
      await h.store.enqueue(events(h.clock, 3, { account: OTHER_ACCOUNT }));
      h.worker.start();
      await h.settle();
      expect(h.transport.calls).toHaveLength(1);
      expect((await stateCounts(h.store)).queued).toBe(6);
      // The pause is this process's (its configuration is at fault), not written to the store.
      expect(await h.store.pausedAccounts(h.clock.now())).toEqual([]);

      // After the probe interval one request checks again; still refused, still paused.
      h.clock.advance(CONFIG_PROBE_MS);
      await h.settle();
      expect(h.transport.calls).toHaveLength(2);
      expect((await stateCounts(h.store)).queued).toBe(6);

      h.transport.setScript(delivered);
      await h.worker.resumeAccount(ALL_ACCOUNTS);
      await h.settle();
      expect((await stateCounts(h.store)).delivered).toBe(6);
    });
  });

  describe('delivery worker: retries', () => {
    it('persists a jittered back-off on 5xx and retries when it is due', async () => {
      const h = await start({ script: () => unavailable, random: () => 0.5 });
      const [e] = [event(h.clock)];
      await h.store.enqueue([e!]);
      await h.settle();
      const [row] = await h.store.findByEventId(e!.eventId);
      expect(row).toMatchObject({ state: 'retrying', attempts: 1, lastReason: 'http_503' });
      // First failure: uniform between base (1 s) and base·2⁰ = 1 s → exactly 1 s.
      expect(row?.nextAttemptAt).toBe(h.clock.now() + 1_000);

      h.clock.advance(1_000);
      await h.settle();
      const [second] = await h.store.findByEventId(e!.eventId);
      // Second failure: between 1 s and 2 s; random 0.5 → 1.5 s.
      expect(second?.nextAttemptAt).toBe(h.clock.now() + 1_500);
      expect(second?.attempts).toBe(2);

      h.transport.setScript(delivered);
      h.clock.advance(1_500);
      await h.settle();
      expect((await h.store.findByEventId(e!.eventId))[0]?.state).toBe('delivered');
      expect(await counterValue(h.metrics.deliveryAttempts, { outcome: 'retry' })).toBe(2);
      expect(await counterValue(h.metrics.deliveryAttempts, { outcome: 'delivered' })).toBe(1);
    });

    it('on 429 pauses the account for every worker sharing the store, and no one sends before it ends', async () => {
      const a = await start({
        script: () => ({ ...unavailable, status: 429, reason: 'throttled', requestId: 'r429' }),
      });
      await a.store.enqueue(events(a.clock, 4));
      await a.settle();
      const [pause] = await a.store.pausedAccounts(a.clock.now());
      expect(pause).toMatchObject({ account: ACCOUNT, reason: 'throttled' });
      expect(pause!.until).toBeGreaterThanOrEqual(a.clock.now() + 10_000);

      // A second instance on the same store: events of the paused account become due meanwhile
      // (new ones), yet nobody sends for that account until the pause ends; other accounts flow.
      const b = await start({ store: a.store, clock: a.clock });
      a.transport.setScript(delivered);
      await a.store.enqueue(events(a.clock, 2));
      await a.store.enqueue(events(a.clock, 2, { account: OTHER_ACCOUNT }));
      a.clock.advance(5_000);
      await Promise.all([a.settle(), b.settle()]);
      const sentDuringPause = [...a.transport.calls.slice(1), ...b.transport.calls];
      expect(sentDuringPause.every((c) => c.account === OTHER_ACCOUNT)).toBe(true);

      a.clock.set(pause!.until);
      await Promise.all([a.settle(), b.settle()]);
      expect((await stateCounts(a.store)).delivered).toBe(8);
    });

    it('honours a Retry-After when LinkedIn sends one', async () => {
      const h = await start({ script: () => ({ ...unavailable, afterMs: 120_000 }) });
      const e = event(h.clock);
      await h.store.enqueue([e]);
      await h.settle();
      expect((await h.store.findByEventId(e.eventId))[0]?.nextAttemptAt).toBe(h.clock.now() + 120_000);
    });

    it('treats a throwing transport as a retry, never as a loss', async () => {
      const h = await start({
        script: () => {
          throw new Error('socket hang up');
        },
      });
      const e = event(h.clock);
      await h.store.enqueue([e]);
      await h.settle();
      expect((await h.store.findByEventId(e.eventId))[0]).toMatchObject({
        state: 'retrying',
        lastReason: 'transport_error',
      });
      const [audit] = await h.store.auditForEvent(e.id);
      expect(audit).toMatchObject({ status: 0, outcome: 'retry', errorBody: 'socket hang up' });
    });
  });

  describe('delivery worker: the 90-day limit', () => {
    it('dead-letters an event already past the limit at claim time without a request', async () => {
      const h = await start();
      const old = event(h.clock, { happenedAt: h.clock.now() - MAX_EVENT_AGE_MS + EXPIRY_MARGIN_MS - 1 });
      const fresh = event(h.clock);
      await h.store.enqueue([old, fresh]);
      await h.settle();
      expect(h.transport.calls.map((c) => c.payloads.length)).toEqual([1]);
      const [dead] = await h.store.listDead({ reason: 'expired' });
      expect(dead?.id).toBe(old.id);
      expect(h.reports.find((r) => r.kind === 'expired')?.dead).toEqual([old.id]);
      expect(await counterValue(h.metrics.deadLettered, { reason: 'expired' })).toBe(1);
    });

    it('dead-letters as expired instead of scheduling a retry that would fall past the limit', async () => {
      const h = await start({ script: () => unavailable });
      const closeCall = event(h.clock, {
        happenedAt: h.clock.now() - MAX_EVENT_AGE_MS + EXPIRY_MARGIN_MS + 500,
      });
      const fine = event(h.clock);
      await h.store.enqueue([closeCall, fine]);
      await h.settle();
      const [dead] = await h.store.listDead({});
      expect(dead).toMatchObject({ id: closeCall.id, lastReason: 'expired' });
      expect(JSON.parse(dead!.lastResponse!)).toMatchObject({ lastStatus: 503, lastReason: 'http_503' });
      expect((await h.store.findByEventId(fine.eventId))[0]?.state).toBe('retrying');
    });
  });
});
