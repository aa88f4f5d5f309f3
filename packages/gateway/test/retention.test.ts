import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createRetentionJob } from '../src/retention.js';
import { auditEntry } from '../src/store/conformance.js';
import {
  DAY,
  event,
  type FakeClock,
  fakeClock,
  openStore,
  removeTempDirs,
  STORE_KINDS,
  silentLogger,
  T0,
} from './worker-harness.js';

const RETENTION = 180 * DAY;
const DEDUP = 90 * DAY;

const audit = (at: number, eventIds: string[]) => auditEntry({ at, eventIds, batchSize: eventIds.length });

describe.each(STORE_KINDS)('retention on the %s store', (kind) => {
  let store: OutboxStore;
  let clock: FakeClock;
  afterEach(async () => {
    await store.close();
    removeTempDirs();
  });

  const job = (intervalMs = 3_600_000) =>
    createRetentionJob({
      store,
      clock,
      retentionMs: RETENTION,
      dedupWindowMs: DEDUP,
      idempotencyWindowMs: DAY,
      intervalMs,
      logger: silentLogger,
    });

  /** Three events at T0: one delivered, one dead, one still queued; one audit row. */
  async function seed() {
    clock = fakeClock(T0);
    store = await openStore(kind, clock);
    const [done, dead, live] = [event(clock), event(clock), event(clock)];
    await store.enqueue([done!, dead!, live!]);
    const claimed = await store.claim({ limit: 2, leaseMs: 60_000, now: T0 });
    expect(claimed?.events.map((e) => e.id)).toEqual([done!.id, dead!.id]);
    await store.complete([done!.id], T0);
    await store.kill([dead!.id], 'rejected', 'bad', T0);
    await store.appendAudit(audit(T0, [done!.id, dead!.id]));
    return { done: done!, dead: dead!, live: live! };
  }

  it('keeps everything inside the retention period', async () => {
    const { done } = await seed();
    clock.set(T0 + RETENTION - 1);
    expect(await job().runOnce()).toMatchObject({ events: 0, audit: 0 });
    expect(await store.findByEventId(done.eventId)).toHaveLength(1);
  });

  it('deletes finished events and audit rows past retention, never a live event', async () => {
    const { done, dead, live } = await seed();
    clock.set(T0 + RETENTION + 1);
    expect(await job().runOnce()).toMatchObject({ events: 2, audit: 1 });
    expect(await store.findByEventId(done.eventId)).toEqual([]);
    expect(await store.findByEventId(dead.eventId)).toEqual([]);
    expect((await store.findByEventId(live.eventId))[0]?.state).toBe('queued');
    expect(await store.auditForEvent(done.id)).toEqual([]);
  });

  it('forgets dedup keys past the dedup window, so a very old eventId may be sent again', async () => {
    const { done } = await seed();
    clock.set(T0 + DEDUP - 1);
    expect((await job().runOnce()).dedupKeys).toBe(0);
    expect(await store.enqueue([event(clock, { eventId: done.eventId })])).toEqual(['duplicate']);

    clock.set(T0 + DEDUP + 1);
    expect((await job().runOnce()).dedupKeys).toBeGreaterThanOrEqual(3);
    expect(await store.enqueue([event(clock, { eventId: done.eventId })])).toEqual(['inserted']);
  });

  it('runs on start and on every interval, one pass at a time, and stop waits for the pass', async () => {
    await seed();
    clock.set(T0 + RETENTION + 1);
    const purge = vi.spyOn(store, 'purge');
    const retention = job(20);
    retention.start();
    retention.start(); // idempotent
    await vi.waitFor(() => expect(purge.mock.calls.length).toBeGreaterThanOrEqual(3));
    await retention.stop();
    const calls = purge.mock.calls.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(purge.mock.calls.length).toBe(calls);
    expect(purge.mock.calls[0]?.[0]).toBe(T0 + 1);
  });

  it('keeps running after a failed pass', async () => {
    await seed();
    const expire = vi.spyOn(store, 'expireDedup').mockRejectedValueOnce(new Error('disk I/O error'));
    const retention = job(20);
    retention.start();
    await vi.waitFor(() => expect(expire.mock.calls.length).toBeGreaterThanOrEqual(2));
    await retention.stop();
  });
});
