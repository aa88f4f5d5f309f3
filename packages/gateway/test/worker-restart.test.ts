/**
 * What survives a restart on the SQLite file: the retry schedule, pauses, and leases left by a
 * process that died mid-batch. Each case stops a worker, closes the store, reopens the same file
 * and starts a new worker, as `capi start` would after a crash or a deploy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryOutcome, OutboxStore } from '../src/ports.js';
import {
  ACCOUNT,
  delivered,
  events,
  fakeClock,
  type Harness,
  harness,
  openStore,
  removeTempDirs,
  stateCounts,
  T0,
  tempDbPath,
  workerConfig,
} from './worker-harness.js';

const open: Array<{ h: Harness; store: OutboxStore }> = [];
afterEach(async () => {
  for (const { h, store } of open.splice(0)) {
    await h.worker.stop();
    await store.close();
  }
  removeTempDirs();
});

const unavailable: DeliveryOutcome = {
  kind: 'retry',
  status: 503,
  requestId: null,
  afterMs: null,
  reason: 'http_503',
  body: null,
};

/** One "process": a store on `path` and a worker on it. */
async function boot(path: string, clock = fakeClock(T0), options: Parameters<typeof harness>[0] = {}) {
  const store = await openStore('sqlite', clock, path);
  const h = harness({ ...options, store, clock });
  open.push({ h, store });
  return h;
}

async function shutDown(h: Harness): Promise<void> {
  const entry = open.findIndex((o) => o.h === h);
  const [{ store }] = open.splice(entry, 1) as [{ h: Harness; store: OutboxStore }];
  await h.worker.stop();
  await store.close();
}

describe('delivery worker across restarts (SQLite file)', () => {
  it('keeps the jittered retry schedule: the next process retries when it is due, not before', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const first = await boot(path, clock, { script: () => unavailable, random: () => 0.25 });
    const batch = events(clock, 10);
    await first.store.enqueue(batch);
    await first.settle();
    const [before] = await first.store.findByEventId(batch[0]!.eventId);
    expect(before).toMatchObject({ state: 'retrying', attempts: 1, nextAttemptAt: T0 + 1_000 });
    await shutDown(first);

    clock.advance(500);
    const second = await boot(path, clock);
    await second.settle();
    expect(second.transport.calls).toHaveLength(0);
    const [after] = await second.store.findByEventId(batch[0]!.eventId);
    expect(after).toMatchObject({
      state: 'retrying',
      attempts: 1,
      nextAttemptAt: T0 + 1_000,
      lastReason: 'http_503',
    });

    clock.set(T0 + 1_000);
    await second.settle();
    expect(second.transport.calls.map((c) => c.payloads.length)).toEqual([10]);
    expect((await stateCounts(second.store)).delivered).toBe(10);
    expect(await second.store.auditForEvent(batch[0]!.id)).toHaveLength(2);
  });

  it('keeps a 429 pause: the next process waits for it to end', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const first = await boot(path, clock, {
      script: () => ({ ...unavailable, status: 429, reason: 'throttled' }),
    });
    await first.store.enqueue(events(clock, 2));
    await first.settle();
    const [pause] = await first.store.pausedAccounts(clock.now());
    await shutDown(first);

    const second = await boot(path, clock);
    await second.store.enqueue(events(clock, 2));
    await second.settle();
    expect(second.transport.calls).toHaveLength(0);
    clock.set(pause!.until);
    await second.settle();
    expect((await stateCounts(second.store)).delivered).toBe(4);
  });

  it('keeps a 401 pause and its events; a restart tries the token once, a resume lifts the pause', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const refused = () =>
      ({ kind: 'reauth', status: 401, requestId: null, revoked: false, body: null }) as const;
    const first = await boot(path, clock, { script: refused });
    await first.store.enqueue(events(clock, 3));
    await first.settle();
    expect(first.transport.calls).toHaveLength(1);
    await first.settle();
    expect(first.transport.calls).toHaveLength(1);
    await shutDown(first);

    // Restarted with the token still refused: one request tries it, and the account pauses again.
    clock.advance(3_600_000);
    const second = await boot(path, clock, { script: refused });
    await second.settle();
    expect(second.transport.calls).toHaveLength(1);
    expect((await second.store.pausedAccounts(clock.now())).map((p) => p.reason)).toEqual(['reauth']);
    expect((await stateCounts(second.store)).queued).toBe(3);
    // The token is replaced while the process runs: a resume sends the events.
    second.transport.setScript(delivered);
    await second.settle();
    expect(second.transport.calls).toHaveLength(1);
    await second.worker.resumeAccount(ACCOUNT);
    await second.settle();
    expect((await stateCounts(second.store)).delivered).toBe(3);
  });

  it('keeps a config pause in its process: a restarted process (new configuration) sends again', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const first = await boot(path, clock, {
      script: () => ({
        kind: 'config',
        status: 426,
        requestId: null,
        code: 'NONEXISTENT_VERSION',
        body: null,
      }),
    });
    await first.store.enqueue(events(clock, 2));
    await first.settle();
    expect(first.transport.calls).toHaveLength(1);
    expect(await first.store.pausedAccounts(clock.now())).toEqual([]);
    await shutDown(first);

    const second = await boot(path, clock, { script: delivered });
    await second.settle();
    expect((await stateCounts(second.store)).delivered).toBe(2);
  });

  it('reclaims a batch whose process died holding the lease, once the lease has run out', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const config = workerConfig({ leaseMs: 30_000 });
    const crashed = await openStore('sqlite', clock, path);
    await crashed.enqueue(events(clock, 4));
    expect((await crashed.claim({ limit: 10, leaseMs: 30_000, now: clock.now() }))?.events).toHaveLength(4);
    await crashed.close(); // died before sending or releasing

    const next = await boot(path, clock, { config });
    await next.settle();
    expect(next.transport.calls).toHaveLength(0);
    clock.advance(30_000);
    await next.settle();
    expect(next.transport.calls.map((c) => c.payloads.length)).toEqual([4]);
    expect((await stateCounts(next.store)).delivered).toBe(4);
  });
});
