import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../ports.js';
import { budgetCases } from './conformance/budget.js';
import { claimCases } from './conformance/claim.js';
import { concurrencyCases } from './conformance/concurrency.js';
import { enqueueCases } from './conformance/enqueue.js';
import { type ConformanceContext, fakeClock, type StoreFactory, T0 } from './conformance/fixtures.js';
import { idempotencyCases, idempotencyConcurrencyCases } from './conformance/idempotency.js';
import { lifecycleCases } from './conformance/lifecycle.js';
import { modelCases } from './conformance/model.js';
import { recordCases } from './conformance/records.js';
import { isStoreError } from './errors.js';

const DEFAULT_MODEL_RUNS = 100;

export type { ConformanceContext, FakeClock, StoreFactory, StoreUnderTest } from './conformance/fixtures.js';
export { auditEntry, fakeClock, newEvent, T0 } from './conformance/fixtures.js';

/**
 * The behaviour every OutboxStore adapter must show, as one Vitest suite. Each adapter's test file
 * calls this with a factory that opens a fresh, empty store (a new file, a new schema) using the
 * given clock and the default dedup window, and a cleanup that removes it.
 */
export interface ConformanceOptions {
  /** Random operation sequences checked against the port's model (conformance/model.ts); default 100. */
  modelRuns?: number;
}

export function outboxStoreConformance(
  name: string,
  makeStore: StoreFactory,
  options: ConformanceOptions = {},
): void {
  describe(`OutboxStore conformance: ${name}`, () => {
    let current: { store: OutboxStore; ctx: ConformanceContext } | null = null;
    let cleanups: Array<() => Promise<void>> = [];
    let openPeer: (() => Promise<OutboxStore>) | undefined;

    beforeEach(async () => {
      const ctx: ConformanceContext = { clock: fakeClock(T0) };
      const made = await makeStore(ctx);
      await made.store.migrate();
      current = { store: made.store, ctx };
      openPeer = made.openPeer;
      cleanups = [made.cleanup];
    });

    afterEach(async () => {
      // Peers first, then the store and its database.
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups = [];
      current = null;
    });

    const setup = () => {
      if (!current) throw new Error('conformance store not set up');
      return current;
    };
    const withPeer = () => {
      const { store } = setup();
      return {
        store,
        peer: async () => {
          if (!openPeer) return store;
          const peer = await openPeer();
          cleanups.push(() => peer.close());
          return peer;
        },
      };
    };

    describe('ping', () => {
      it('answers while open and fails with STORE_CLOSED once closed (a second close is harmless)', async () => {
        const { store } = setup();
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await store.close();
        await expect(store.ping()).rejects.toSatisfy((err: unknown) => isStoreError(err, 'STORE_CLOSED'));
      });
    });
    describe('enqueue and dedup', () => enqueueCases(setup));
    describe('claim', () => claimCases(setup));
    describe('lifecycle', () => lifecycleCases(setup));
    describe('audit, stats, purge', () => recordCases(setup));
    describe('request budget and pauses', () => budgetCases(setup));
    describe('concurrency', () => concurrencyCases(withPeer));
    describe('idempotency keys', () => {
      idempotencyCases(setup);
      idempotencyConcurrencyCases(withPeer);
    });
    describe("the port's rules under random operations", () =>
      modelCases(makeStore, options.modelRuns ?? DEFAULT_MODEL_RUNS));
  });
}
