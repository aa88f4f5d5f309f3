/**
 * Every adapter against a model of the port's rules (ports.ts, docs/stores.md), under random
 * sequences of operations. The adapters store events very differently (SQLite keeps new events on
 * lanes and settles whole batches with one row; PostgreSQL and memory move each event), but the port
 * speaks of events one by one. After every step each event's state, attempts, schedule, lease,
 * reason and delivery time must be what the rules say, the per-state counts and the oldest due event
 * must match, a claim may only hand out due events of one queue, and a claim may only come back empty
 * when nothing is due.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { NewOutboxEvent, OutboxState, OutboxStore } from '../../ports.js';
import { emptyStateCounts } from '../policy.js';
import { fakeClock, newEvent, type StoreFactory, T0 } from './fixtures.js';

const LANES: Array<[string, string]> = [
  ['1', '10'],
  ['1', '11'],
  ['2', '20'],
];

type Op =
  | { kind: 'enqueue'; lane: number; count: number; suppressed: boolean }
  | { kind: 'claim'; limit: number; account: string | null; leaseMs: number }
  | { kind: 'settle'; how: 'complete' | 'retry' | 'release' | 'kill'; batch: number; pick: boolean[] }
  | { kind: 'advance'; ms: number }
  | { kind: 'redrive' }
  | { kind: 'purge'; ageMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('enqueue' as const),
      lane: fc.nat(2),
      count: fc.integer({ min: 1, max: 6 }),
      suppressed: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      limit: fc.integer({ min: 1, max: 8 }),
      account: fc.constantFrom(null, '1', '2'),
      leaseMs: fc.constantFrom(1_000, 60_000),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      how: fc.constantFrom('complete' as const, 'retry' as const, 'release' as const, 'kill' as const),
      // 0 is the newest claim, and the whole of it: the worker's common case (settled as one row).
      // Older claims may be stale, and a random subset makes events leave their batch.
      batch: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
      pick: fc.oneof(
        { weight: 3, arbitrary: fc.constant(new Array<boolean>(8).fill(true)) },
        { weight: 2, arbitrary: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.constantFrom(1, 500, 2_000, 70_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redrive' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('purge' as const), ageMs: fc.constantFrom(0, 1_000, 100_000) }),
  },
);

interface Modelled {
  event: NewOutboxEvent;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastReason: string | null;
  deliveredAt: number | null;
  deadAt: number | null;
}

const RETRY_AFTER_MS = 1_000;
async function run(makeStore: StoreFactory, ops: Op[]): Promise<void> {
  const clock = fakeClock(T0);
  const made = await makeStore({ clock });
  const { store } = made;
  await store.migrate();
  const model = new Map<string, Modelled>();
  const claimed: string[][] = [];
  try {
    for (const op of ops) {
      // Every enqueue a millisecond later than the last step: batches then mix receive times.
      if (op.kind === 'enqueue') clock.advance(1);
      const now = clock.now();
      switch (op.kind) {
        case 'enqueue': {
          const [account, ruleId] = LANES[op.lane]!;
          const events = Array.from({ length: op.count }, () =>
            newEvent({ account, ruleId, receivedAt: now, state: op.suppressed ? 'suppressed' : 'queued' }),
          );
          expect(await store.enqueue(events)).toEqual(events.map(() => 'inserted'));
          for (const event of events) {
            model.set(event.id, {
              event,
              state: event.state,
              attempts: 0,
              nextAttemptAt: now,
              leaseUntil: null,
              lastReason: null,
              deliveredAt: null,
              deadAt: null,
            });
          }
          break;
        }
        case 'claim': {
          for (const m of model.values()) {
            if (m.state === 'sending' && m.leaseUntil! <= now) {
              Object.assign(m, {
                state: 'retrying',
                attempts: m.attempts + 1,
                leaseUntil: null,
                lastReason: 'lease_expired',
              });
            }
          }
          const allowed = (m: Modelled) => op.account === null || m.event.account === op.account;
          const due = (m: Modelled) =>
            (m.state === 'queued' || m.state === 'retrying') && m.nextAttemptAt <= now;
          const batch = await store.claim({
            limit: op.limit,
            leaseMs: op.leaseMs,
            now,
            ...(op.account ? { account: op.account } : {}),
          });
          if (!batch) {
            expect(
              [...model.values()].filter((m) => allowed(m) && due(m)),
              'claim came back empty',
            ).toEqual([]);
            break;
          }
          expect(batch.events.length).toBeGreaterThan(0);
          expect(batch.events.length).toBeLessThanOrEqual(op.limit);
          expect(new Set(batch.events.map((e) => e.id)).size).toBe(batch.events.length);
          for (const e of batch.events) {
            const m = model.get(e.id)!;
            expect(m.event.account, 'one account').toBe(batch.account);
            expect(m.event.ruleId, 'one rule').toBe(batch.ruleId);
            expect(allowed(m) && due(m), `claimed ${m.state} event that is not due`).toBe(true);
            Object.assign(m, { state: 'sending', leaseUntil: now + op.leaseMs });
            expect(e).toMatchObject({
              state: 'sending',
              attempts: m.attempts,
              leaseUntil: m.leaseUntil,
              lastReason: m.lastReason,
              payload: m.event.payload,
            });
          }
          claimed.push(batch.events.map((e) => e.id));
          break;
        }
        case 'settle': {
          const from = claimed[claimed.length - 1 - (op.batch % Math.max(1, claimed.length))] ?? [];
          const ids = from.filter((_, i) => op.pick[i % op.pick.length]);
          if (ids.length === 0) break;
          if (op.how === 'complete') await store.complete(ids, now);
          if (op.how === 'retry') await store.retryLater(ids, now + RETRY_AFTER_MS, 'http_500');
          if (op.how === 'release') await store.release(ids, now);
          if (op.how === 'kill') await store.kill(ids, 'rejected', '{"status":422}', now);
          for (const id of ids) {
            const m = model.get(id);
            if (!m) continue;
            const leased = m.state === 'sending';
            if (op.how === 'kill') {
              if (leased || m.state === 'queued' || m.state === 'retrying') {
                Object.assign(m, {
                  state: 'dead',
                  attempts: m.attempts + (leased ? 1 : 0),
                  leaseUntil: null,
                  lastReason: 'rejected',
                  deadAt: now,
                });
              }
              continue;
            }
            if (!leased) continue;
            if (op.how === 'complete')
              Object.assign(m, {
                state: 'delivered',
                attempts: m.attempts + 1,
                leaseUntil: null,
                deliveredAt: now,
              });
            if (op.how === 'retry') {
              Object.assign(m, {
                state: 'retrying',
                attempts: m.attempts + 1,
                leaseUntil: null,
                nextAttemptAt: now + RETRY_AFTER_MS,
                lastReason: 'http_500',
              });
            }
            if (op.how === 'release') {
              Object.assign(m, {
                state: m.attempts > 0 ? 'retrying' : 'queued',
                leaseUntil: null,
                nextAttemptAt: Math.min(m.nextAttemptAt, now),
              });
            }
          }
          break;
        }
        case 'advance':
          clock.advance(op.ms);
          break;
        case 'redrive': {
          const dead = [...model.values()].filter((m) => m.state === 'dead');
          expect((await store.redrive({}, now)).redriven).toBe(dead.length);
          for (const m of dead)
            Object.assign(m, { state: 'queued', nextAttemptAt: now, lastReason: null, deadAt: null });
          break;
        }
        case 'purge': {
          const before = now - op.ageMs;
          const finishedAt = (m: Modelled) =>
            m.state === 'delivered'
              ? m.deliveredAt
              : m.state === 'dead'
                ? m.deadAt
                : m.state === 'suppressed'
                  ? m.event.receivedAt
                  : null;
          const gone = [...model.values()].filter((m) => {
            const at = finishedAt(m);
            return at !== null && at < before;
          });
          expect((await store.purge(before)).events).toBe(gone.length);
          for (const m of gone) model.delete(m.event.id);
          break;
        }
      }
      await expectModel(store, model);
    }
  } finally {
    await made.cleanup();
  }
}

async function expectModel(store: OutboxStore, model: Map<string, Modelled>): Promise<void> {
  const counts = emptyStateCounts();
  let oldest: number | null = null;
  for (const m of model.values()) {
    counts[m.state] += 1;
    if (m.state === 'queued' || m.state === 'retrying')
      oldest = Math.min(oldest ?? Number.POSITIVE_INFINITY, m.event.receivedAt);
    const [stored] = await store.findByEventId(m.event.eventId);
    expect(stored, m.event.id).toMatchObject({
      id: m.event.id,
      state: m.state,
      attempts: m.attempts,
      nextAttemptAt: m.nextAttemptAt,
      leaseUntil: m.leaseUntil,
      lastReason: m.lastReason,
      deliveredAt: m.deliveredAt,
    });
  }
  const stats = await store.stats();
  expect(stats.byState).toEqual(counts);
  expect(stats.oldestQueuedAt).toBe(oldest);
}

/**
 * Random sequences of operations against a fresh store each, checked step by step against the
 * port's rules. `runs` trades depth for time (a PostgreSQL store costs a schema per run).
 */
export function modelCases(makeStore: StoreFactory, runs: number): void {
  it('keeps every event where the rules put it, under random operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), (ops) =>
        run(makeStore, ops),
      ),
      { numRuns: runs },
    );
  }, 300_000);
}
