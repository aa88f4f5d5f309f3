import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeliveryOutcome } from '../src/ports.js';
import type { DeliveryReport } from '../src/worker/index.js';
import {
  delivered,
  event,
  events,
  harnessPool,
  rejectBad,
  STORE_KINDS,
  stateCounts,
  workerConfig,
} from './worker-harness.js';

/** A transport answer the test releases by hand. */
function gate() {
  let open: (outcome: DeliveryOutcome) => void = () => {};
  const answer = new Promise<DeliveryOutcome>((resolve) => {
    open = resolve;
  });
  return { answer, open };
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const pool = harnessPool(kind);
  const start = pool.start;
  afterEach(() => pool.closeAll());

  describe('delivery worker: graceful stop', () => {
    it('lets an in-flight request finish and records its outcome before resolving', async () => {
      const g = gate();
      const h = await start({ script: () => g.answer });
      await h.store.enqueue(events(h.clock, 3));
      await vi.waitFor(() => expect(h.transport.calls).toHaveLength(1));

      let stopped = false;
      const stopping = h.worker.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 30));
      expect(stopped).toBe(false);
      g.open(delivered());
      await stopping;
      expect(await stateCounts(h.store)).toMatchObject({ delivered: 3, sending: 0 });
    });

    it('aborts requests still in flight after the grace period and hands their events back unsent', async () => {
      const config = { ...workerConfig(), shutdownGraceMs: 50 };
      const h = await start({
        config,
        script: (call) =>
          new Promise<DeliveryOutcome>((_, reject) => {
            call.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          }),
      });
      const batch = events(h.clock, 2);
      await h.store.enqueue(batch);
      await vi.waitFor(() => expect(h.transport.calls).toHaveLength(1));
      await h.worker.stop();

      expect(h.transport.calls[0]?.signal?.aborted).toBe(true);
      const [row] = await h.store.findByEventId(batch[0]!.eventId);
      expect(row).toMatchObject({ state: 'queued', attempts: 0, leaseUntil: null });
      expect(h.reports.at(-1)).toMatchObject({ kind: 'deferred', released: batch.map((e) => e.id) });
      // The cut request is still in the audit log: LinkedIn may have it.
      expect(await h.store.auditForEvent(batch[0]!.id)).toEqual([
        expect.objectContaining({ status: 0, outcome: 'retry', batchSize: 2 }),
      ]);
    });

    it('records the outcome and the audit row of the last answer before resolving', async () => {
      const g = gate();
      const h = await start({ script: () => g.answer });
      const batch = events(h.clock, 2);
      await h.store.enqueue(batch);
      await vi.waitFor(() => expect(h.transport.calls).toHaveLength(1));
      const stopping = h.worker.stop();
      g.open(delivered());
      await stopping;
      expect(await h.store.auditForEvent(batch[1]!.id)).toEqual([
        expect.objectContaining({ status: 200, outcome: 'delivered', batchSize: 2 }),
      ]);
    });

    it('releases a lingering batch instead of sending it', async () => {
      const h = await start({ config: workerConfig({ lingerMs: 60_000 }) });
      await h.store.enqueue([event(h.clock)]);
      await vi.waitFor(async () => expect((await stateCounts(h.store)).sending).toBe(1));
      await h.worker.stop();
      expect(h.transport.calls).toHaveLength(0);
      expect(await stateCounts(h.store)).toMatchObject({ queued: 1, sending: 0 });
    });

    it('hands back the sub-batches of a rejected batch it has not sent yet', async () => {
      const g = gate();
      const bisect = rejectBad(false);
      const h = await start({
        start: false,
        script: (call, index) => (index === 0 ? bisect(call, index) : g.answer),
      });
      const batch = events(h.clock, 4);
      batch[3] = event(h.clock, { bad: true });
      await h.store.enqueue(batch);
      h.worker.start();
      await vi.waitFor(() => expect(h.transport.calls).toHaveLength(2));
      const stopping = h.worker.stop();
      g.open(delivered());
      await stopping;
      // First half delivered; the second half (holding the bad event) was never sent and is queued.
      expect(h.transport.calls).toHaveLength(2);
      expect(await stateCounts(h.store)).toMatchObject({ delivered: 2, queued: 2, sending: 0, dead: 0 });
    });

    it('is idempotent and quick when nothing is in flight', async () => {
      const h = await start();
      const t = Date.now();
      await Promise.all([h.worker.stop(), h.worker.stop()]);
      expect(Date.now() - t).toBeLessThan(1_000);
    });
  });

  describe('delivery worker: kick', () => {
    it('wakes the worker at once instead of waiting for the next poll', async () => {
      const h = await start({ config: workerConfig({ pollMs: 60_000 }) });
      await h.settle(); // the loop is now asleep for a minute
      const first = new Promise<DeliveryReport>((resolve) => h.worker.onOutcome(resolve));
      await h.store.enqueue([event(h.clock)]);
      const t = Date.now();
      h.worker.kick();
      expect((await first).kind).toBe('delivered');
      expect(Date.now() - t).toBeLessThan(2_000);
    });

    it('coalesces a storm of kicks when nothing is claimable: at most one look per 20 ms', async () => {
      const h = await start({ config: workerConfig({ pollMs: 60_000 }) });
      await h.settle();
      let claims = 0;
      const claim = h.store.claim.bind(h.store);
      h.store.claim = (query) => {
        claims += 1;
        return claim(query);
      };
      // One kick per accepted request, as ingest does: 1,000 kicks over about 200 ms.
      const started = performance.now();
      for (let i = 0; i < 1_000; i++) {
        h.worker.kick();
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      const elapsed = performance.now() - started;
      await new Promise((r) => setTimeout(r, 50));
      expect(claims).toBeGreaterThanOrEqual(1);
      expect(claims).toBeLessThanOrEqual(Math.ceil((elapsed + 50) / 20) + 2);
      // Work that arrives is still picked up promptly.
      const first = new Promise<DeliveryReport>((resolve) => h.worker.onOutcome(resolve));
      await h.store.enqueue([event(h.clock)]);
      h.worker.kick();
      expect((await first).kind).toBe('delivered');
    });
  });
});
