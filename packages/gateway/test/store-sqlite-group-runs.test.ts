/**
 * Small batches of one group commit are written together in one savepoint (store/sqlite/enqueue.ts),
 * and alone only if that fails. Whatever the mix, the outcome must be the one of writing each batch
 * in its own transaction, one after the other: the same statuses, the same rejected batches, the
 * same rows stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewOutboxEvent } from '../src/ports.js';
import { fakeClock, newEvent, T0 } from '../src/store/conformance.js';
import { createSqliteStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'capi-group-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Event ids come from a small pool, so repeats within and across batches are common. */
const POOL = ['a', 'b', 'c', 'd', 'e', 'f'];
const RULES = ['9001', '9002'];

const eventSpec = fc.record({
  key: fc.integer({ min: 0, max: POOL.length - 1 }),
  rule: fc.integer({ min: 0, max: 1 }),
});
/** Mostly small batches (they share a savepoint), sometimes one past the 50-event line. */
const batchSpec = fc.record({
  events: fc.oneof(
    { weight: 6, arbitrary: fc.array(eventSpec, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(eventSpec, { minLength: 50, maxLength: 55 }) },
  ),
  /** A batch that reuses the internal id of an event already stored: SQLite refuses it whole. */
  clashes: fc.boolean(),
});

type Outcome = string[] | 'rejected';

async function openStore(seed: NewOutboxEvent) {
  files += 1;
  const store = createSqliteStore({ path: join(dir, `s${files}.db`), clock: fakeClock(T0) });
  await store.migrate();
  await store.enqueue([seed]);
  return store;
}

async function storedIds(store: Awaited<ReturnType<typeof openStore>>): Promise<string[]> {
  const found = await Promise.all(POOL.map((e) => store.findByEventId(`pool-${e}`)));
  return found
    .flat()
    .map((e) => `${e.eventId}/${e.ruleId}/${e.id}`)
    .sort();
}

describe('SQLite group commit: small batches written together', () => {
  it('answers and stores exactly what writing each batch alone, in order, would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchSpec, { minLength: 2, maxLength: 12 }), async (specs) => {
        const seed = newEvent({ eventId: 'seed' });
        const batches = specs.map((spec) => {
          const events = spec.events.map(({ key, rule }) =>
            newEvent({ eventId: `pool-${POOL[key]}`, ruleId: RULES[rule]! }),
          );
          if (spec.clashes) events.push(newEvent({ id: seed.id }));
          return events;
        });

        const together = await openStore(seed);
        const alone = await openStore(seed);
        try {
          const flushesBefore = together.writeStats().flushes;
          const settle = (p: Promise<string[]>): Promise<Outcome> => p.catch(() => 'rejected' as const);
          // Together: every batch in one turn, so in one flush.
          const grouped = await Promise.all(batches.map((b) => settle(together.enqueue(b))));
          expect(together.writeStats().flushes - flushesBefore).toBe(1);
          // Alone: one flush per batch.
          const sequential: Outcome[] = [];
          for (const b of batches) sequential.push(await settle(alone.enqueue(b)));

          expect(grouped).toEqual(sequential);
          expect(grouped.filter((o) => o === 'rejected')).toHaveLength(specs.filter((s) => s.clashes).length);
          expect(await storedIds(together)).toEqual(await storedIds(alone));
          expect((await together.stats()).byState).toEqual((await alone.stats()).byState);
        } finally {
          await together.close();
          await alone.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
