import { afterEach, describe, expect, it } from 'vitest';
import type { DeadLetterFilter, OutboxStore } from '../src/ports.js';
import { redriveInPages } from '../src/redrive.js';
import {
  events,
  type FakeClock,
  fakeClock,
  makeDeadLetters,
  openStore,
  RULE,
  removeTempDirs,
  STORE_KINDS,
  T0,
} from './worker-harness.js';

describe.each(STORE_KINDS)('a redrive in pages on the %s store', (kind) => {
  let store: OutboxStore;
  let clock: FakeClock;
  afterEach(async () => {
    await store.close();
    removeTempDirs();
  });

  /** `count` dead letters, one a millisecond from T0 on, their reasons taking turns from `reasons`. */
  async function deadLetters(count: number, reasons = ['rejected']) {
    clock = fakeClock(T0);
    store = await openStore(kind, clock);
    const all = events(clock, count);
    await makeDeadLetters(store, all, (i) => ({ reason: reasons[i % reasons.length]!, at: T0 + i }));
    return all;
  }

  /** The store, with each redrive call it gets noted: its page size and where it starts. */
  function noting(calls: string[]) {
    return {
      redrive: (f: DeadLetterFilter, now: number) => {
        calls.push(`redrive ${f.limit}${f.after ? ' after' : ''}`);
        return store.redrive(f, now);
      },
    };
  }

  it('moves every match back to the queue, a page at a time', async () => {
    await deadLetters(12);
    const calls: string[] = [];
    const progress: number[] = [];
    const moved = await redriveInPages(noting(calls), { ruleId: RULE }, T0 + 100, {
      page: 5,
      onPage: (n) => progress.push(n),
    });
    expect(moved).toBe(12);
    expect(calls).toEqual(['redrive 5', 'redrive 5 after', 'redrive 5 after']);
    expect(progress).toEqual([5, 10, 12]);
    expect(await store.listDead({})).toEqual([]);
    expect((await store.stats()).byState.queued).toBe(12);
  });

  it('takes only what the filter matches, however the matches are spread', async () => {
    const all = await deadLetters(11, ['rejected', 'expired', 'expired']);
    const moved = await redriveInPages(store, { reason: 'rejected' }, T0 + 100, { page: 2 });
    expect(moved).toBe(4);
    const left = await store.listDead({});
    expect(left.map((d) => d.lastReason)).toEqual(Array(7).fill('expired'));
    expect(left).toHaveLength(all.length - 4);
  });

  it("keeps to a filter's limit, the newest first", async () => {
    const all = await deadLetters(7);
    expect(await redriveInPages(store, { ruleId: RULE, limit: 3 }, T0 + 100, { page: 2 })).toBe(3);
    const left = (await store.listDead({})).map((d) => d.id);
    expect(left).toEqual(
      all
        .slice(0, 4)
        .map((e) => e.id)
        .reverse(),
    );
  });

  it('does not take again a dead letter that died again during the redrive', async () => {
    const all = await deadLetters(6);
    const newest = all[5]!;
    let pages = 0;
    const dyingAgain = {
      async redrive(f: DeadLetterFilter, now: number) {
        const moved = await store.redrive(f, now);
        pages += 1;
        if (pages === 1) {
          // The first page (the newest) is sent and refused again before the next page is moved.
          const claimed = await store.claim({ limit: 2, leaseMs: 60_000, now: T0 + 200 });
          expect(claimed?.events.map((e) => e.id)).toContain(newest.id);
          await store.kill([newest.id], 'rejected', null, T0 + 300);
          await store.release(
            claimed!.events.map((e) => e.id).filter((id) => id !== newest.id),
            T0 + 300,
          );
        }
        return moved;
      },
    };
    expect(await redriveInPages(dyingAgain, { ruleId: RULE }, T0 + 100, { page: 2 })).toBe(6);
    // Three pages of two, then a call that finds none left after the last of them.
    expect(pages).toBe(4);
    expect((await store.listDead({})).map((d) => d.id)).toEqual([newest.id]);
  });
});
