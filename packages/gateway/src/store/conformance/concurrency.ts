import { expect, it } from 'vitest';
import type { OutboxStore } from '../../ports.js';
import { MINUTE, newEvent, T0 } from './fixtures.js';

/** Two handles on one outbox: a second gateway instance where the adapter allows one, else the same store. */
type Setup = () => { store: OutboxStore; peer: () => Promise<OutboxStore> };

export function concurrencyCases(setup: Setup): void {
  it('two claimers never get the same event', async () => {
    const { store, peer } = setup();
    const other = await peer();
    const events = Array.from({ length: 300 }, (_, i) =>
      newEvent({ account: String(1 + (i % 3)), ruleId: String(10 + (i % 2)), receivedAt: T0 + i }),
    );
    await store.enqueue(events);
    const seen = new Map<string, number>();
    const claimers = [store, other].map(async (s) => {
      for (;;) {
        const batch = await s.claim({ limit: 7, leaseMs: MINUTE, now: T0 + 1000 });
        if (!batch) {
          // The other claimer may hold the last rows; look once more after it moves on.
          const retry = await s.claim({ limit: 7, leaseMs: MINUTE, now: T0 + 1000 });
          if (!retry) return;
          for (const e of retry.events) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
          continue;
        }
        for (const e of batch.events) {
          expect(e.account).toBe(batch.account);
          expect(e.ruleId).toBe(batch.ruleId);
          seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
        }
      }
    });
    await Promise.all(claimers);
    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    expect(seen.size).toBe(events.length);
  });

  it('shares the request budget between claimers', async () => {
    const { store, peer } = setup();
    const other = await peer();
    const limits = { perMinute: 10, perDay: 1000 };
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).takeBudget('1', limits, T0 + i)),
    );
    expect(decisions.filter((d) => d.ok)).toHaveLength(10);
  });

  it('shares pauses between claimers', async () => {
    const { store, peer } = setup();
    const other = await peer();
    await store.pauseAccount('1', T0 + MINUTE, 'http_429');
    expect(await other.pausedAccounts(T0)).toEqual([
      { account: '1', until: T0 + MINUTE, reason: 'http_429' },
    ]);
  });
}
