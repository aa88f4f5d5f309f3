/**
 * The worker when its own store fails for a while (a full disk being freed, a database failover):
 * what LinkedIn answered is still recorded, so nothing is sent twice, and a claim that fails is
 * retried with back-off instead of stopping delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { CLAIM_BACKOFF_MAX_MS, claimBackoffMs, RELEASE_AGAIN_MS } from '../src/worker/worker.js';
import { events, harnessPool, MINUTE, STORE_KINDS, stateCounts, workerConfig } from './worker-harness.js';

type Method = 'complete' | 'takeBudget' | 'claim' | 'release' | 'retryLater' | 'appendAudit';

/** What better-sqlite3 raises when the disk is full. */
function diskFull(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
}

/**
 * Makes `method` fail its next `times` calls (Infinity: until `heal()`), then behave again.
 * Returns how many calls failed.
 */
function failFor(store: OutboxStore, method: Method, times: number) {
  const target = store as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
  const real = target[method].bind(store);
  let left = times;
  let failed = 0;
  target[method] = (...args: unknown[]) => {
    if (left > 0) {
      left -= 1;
      failed += 1;
      return Promise.reject(diskFull());
    }
    return real(...args);
  };
  return {
    failed: () => failed,
    heal: () => {
      left = 0;
    },
  };
}

describe('claim back-off', () => {
  it('starts at the poll interval, doubles, and stops growing at the cap', () => {
    expect([1, 2, 3, 4].map((n) => claimBackoffMs(100, n))).toEqual([100, 200, 400, 800]);
    expect(claimBackoffMs(100, 7)).toBe(CLAIM_BACKOFF_MAX_MS);
    expect(claimBackoffMs(100, 10_000)).toBe(CLAIM_BACKOFF_MAX_MS);
  });
});

describe.each(STORE_KINDS)('on the %s store: store writes that fail for a while', (kind) => {
  const pool = harnessPool(kind);
  afterEach(() => pool.closeAll());

  it('records a delivery whose complete failed three times, and sends it once', async () => {
    const h = await pool.start({ start: false });
    await h.store.enqueue(events(h.clock, 10));
    const complete = failFor(h.store, 'complete', 3);
    h.worker.start();
    await h.settle();
    expect(complete.failed()).toBe(3);
    expect(h.transport.calls).toHaveLength(1);
    const counts = await stateCounts(h.store);
    expect(counts.delivered).toBe(10);
    expect(counts.sending).toBe(0);
  });

  it('writes the audit row of a request even when the first tries fail', async () => {
    const h = await pool.start({ start: false });
    const batch = events(h.clock, 10);
    await h.store.enqueue(batch);
    const audit = failFor(h.store, 'appendAudit', 2);
    h.worker.start();
    await h.settle();
    expect(audit.failed()).toBe(2);
    expect(await h.store.auditForEvent(batch[0]!.id)).toEqual([
      expect.objectContaining({ status: 200, outcome: 'delivered', batchSize: 10 }),
    ]);
  });

  it('sends once a budget that could not be taken for a while is taken', async () => {
    const h = await pool.start({ start: false });
    await h.store.enqueue(events(h.clock, 10));
    const budget = failFor(h.store, 'takeBudget', 2);
    h.worker.start();
    await h.settle();
    expect(budget.failed()).toBe(2);
    expect(h.transport.calls).toHaveLength(1);
    expect((await stateCounts(h.store)).delivered).toBe(10);
  });

  it('records a retry whose write failed twice, with LinkedIn’s schedule', async () => {
    const h = await pool.start({
      start: false,
      script: () => ({
        kind: 'retry',
        status: 503,
        requestId: 'req-503',
        afterMs: 120_000,
        reason: 'http_503',
        body: '{"status":503}',
      }),
    });
    await h.store.enqueue(events(h.clock, 1));
    const retry = failFor(h.store, 'retryLater', 2);
    h.worker.start();
    await h.settle();
    expect(retry.failed()).toBe(2);
    expect(h.transport.calls).toHaveLength(1);
    expect((await stateCounts(h.store)).retrying).toBe(1);
  });

  it('keeps claiming after claims failed, and delivers everything', async () => {
    const h = await pool.start({ start: false });
    await h.store.enqueue(events(h.clock, 10));
    const claim = failFor(h.store, 'claim', 3);
    h.worker.start();
    await h.settle();
    expect(claim.failed()).toBe(3);
    expect((await stateCounts(h.store)).delivered).toBe(10);
    expect(h.transport.calls).toHaveLength(1);
  });

  it('gives back by lease token what a claim leased when its answer was lost, then sends it', async () => {
    const h = await pool.start({ start: false });
    await h.store.enqueue(events(h.clock, 10));
    // The first claim commits, then its answer is lost (a connection cut after the commit).
    const target = h.store as unknown as { claim: OutboxStore['claim'] };
    const realClaim = h.store.claim.bind(h.store);
    const tokens: Array<string | undefined> = [];
    target.claim = async (request) => {
      tokens.push(request.leaseToken);
      const batch = await realClaim(request);
      if (tokens.length === 1)
        throw Object.assign(new Error('Connection terminated unexpectedly'), { batch });
      return batch;
    };
    h.worker.start();
    await h.settle();
    expect(new Set(tokens).size, 'a token of its own per claim').toBe(tokens.length);
    if (h.store.capabilities.releasesByLeaseToken) {
      // Sent without waiting for the lease (the fake clock never moved), once.
      expect(h.transport.calls).toHaveLength(1);
      expect((await stateCounts(h.store)).delivered).toBe(10);
      return;
    }
    // In-process SQLite cannot lose an answer; were it to, the lease ending would free the events.
    expect(h.transport.calls).toHaveLength(0);
    expect((await stateCounts(h.store)).sending).toBe(10);
    h.clock.advance(MINUTE + 1);
    await h.settle();
    expect(h.transport.calls).toHaveLength(1);
    expect((await stateCounts(h.store)).delivered).toBe(10);
  });

  it('gives back a claim that reaches the store only after the first give-back, well before its lease ends', async () => {
    const h = await pool.start({ start: false });
    await h.store.enqueue(events(h.clock, 10));
    const target = h.store as unknown as {
      claim: OutboxStore['claim'];
      releaseClaim: OutboxStore['releaseClaim'];
    };
    const realClaim = h.store.claim.bind(h.store);
    const realRelease = h.store.releaseClaim.bind(h.store);
    // The first claim times out on the client while it is still on its way to the database.
    let heldUp: (() => Promise<unknown>) | null = null;
    let claims = 0;
    target.claim = async (request) => {
      claims += 1;
      if (claims === 1) {
        heldUp = () => realClaim(request);
        throw Object.assign(new Error('Query read timeout'), { code: 'STORE_TIMEOUT' });
      }
      return realClaim(request);
    };
    const released: number[] = [];
    target.releaseClaim = async (token, now) => {
      const n = await realRelease(token, now);
      released.push(n);
      // It lands right after the worker's first give-back found nothing under its token.
      const land = heldUp;
      heldUp = null;
      if (land) await land();
      return n;
    };
    h.worker.start();
    await h.settle();
    if (!h.store.capabilities.releasesByLeaseToken) {
      // In-process SQLite keeps no tokens (it cannot lose an answer): the claim that failed never ran.
      expect(released).toEqual([]);
      expect(h.transport.calls).toHaveLength(1);
      return;
    }
    expect(released).toEqual([0]);
    expect(h.transport.calls, 'leased under the lost token').toHaveLength(0);
    h.clock.advance(RELEASE_AGAIN_MS);
    await h.settle();
    expect(released).toEqual([0, 10]);
    expect(h.transport.calls).toHaveLength(1);
    expect((await stateCounts(h.store)).delivered).toBe(10);
  });

  it('gives up near the end of the lease; the events stay leased and go out again after it', async () => {
    // A 500 ms lease: retries stop after 450 ms of trying (90 %).
    const h = await pool.start({ start: false, config: workerConfig({ leaseMs: 500 }) });
    await h.store.enqueue(events(h.clock, 10));
    const complete = failFor(h.store, 'complete', Number.POSITIVE_INFINITY);
    h.worker.start();
    await h.settle();
    expect(complete.failed()).toBeGreaterThan(1);
    expect(h.transport.calls).toHaveLength(1);
    expect((await stateCounts(h.store)).sending).toBe(10);

    // The store is back; once the lease has ended the batch is claimed and sent again.
    complete.heal();
    h.clock.advance(MINUTE);
    await h.settle();
    expect(h.transport.calls).toHaveLength(2);
    const counts = await stateCounts(h.store);
    expect(counts.delivered).toBe(10);
    expect(counts.sending).toBe(0);
  });
});
