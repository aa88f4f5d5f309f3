import { expect, it } from 'vitest';
import { countDeadLetters } from '../../domain/dead-letter-groups.js';
import type { DeadLetterPosition, NewOutboxEvent, OutboxEvent, OutboxStore } from '../../ports.js';
import { ids, MINUTE, newEvent, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore };
const lease = { leaseMs: MINUTE };

async function stored(store: OutboxStore, event: NewOutboxEvent): Promise<OutboxEvent | undefined> {
  return (await store.findByEventId(event.eventId)).find((e) => e.id === event.id);
}

/** Enqueues `count` events and claims them all (one account, one rule). */
async function claimed(store: OutboxStore, count: number, now = T0): Promise<NewOutboxEvent[]> {
  const events = Array.from({ length: count }, (_, i) => newEvent({ receivedAt: now - count + i }));
  await store.enqueue(events);
  const batch = await store.claim({ limit: count, ...lease, now });
  expect(batch?.events).toHaveLength(count);
  return events;
}

export function lifecycleCases(setup: Setup): void {
  it('complete: delivered, counted as an attempt, never claimed again', async () => {
    const { store } = setup();
    const [event] = (await claimed(store, 1)) as [NewOutboxEvent];
    await store.complete([event.id], T0 + 7);
    expect(await stored(store, event)).toMatchObject({
      state: 'delivered',
      deliveredAt: T0 + 7,
      attempts: 1,
      leaseUntil: null,
    });
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 10 * MINUTE })).toBeNull();
  });

  it('complete, retryLater and release only act on leased events', async () => {
    const { store } = setup();
    const queued = newEvent({ receivedAt: T0 + MINUTE });
    await store.enqueue([queued]);
    await store.complete([queued.id], T0);
    await store.retryLater([queued.id], T0 + MINUTE, 'x');
    await store.release([queued.id], T0);
    expect(await stored(store, queued)).toMatchObject({ state: 'queued', attempts: 0, deliveredAt: null });
    // A late answer from a worker whose lease lapsed must not undo another worker's delivery.
    const [event] = (await claimed(store, 1, T0 + 1)) as [NewOutboxEvent];
    await store.complete([event.id], T0 + 2);
    await store.retryLater([event.id], T0 + MINUTE, 'late');
    await store.kill([event.id], 'late', null, T0 + 3);
    expect(await stored(store, event)).toMatchObject({ state: 'delivered', attempts: 1, lastReason: null });
  });

  it('retryLater: retrying, attempts + 1, reason kept, due at the given time', async () => {
    const { store } = setup();
    const [event] = (await claimed(store, 1)) as [NewOutboxEvent];
    await store.retryLater([event.id], T0 + 5 * MINUTE, 'http_429');
    expect(await stored(store, event)).toMatchObject({
      state: 'retrying',
      attempts: 1,
      nextAttemptAt: T0 + 5 * MINUTE,
      lastReason: 'http_429',
      leaseUntil: null,
    });
    await store.claim({ limit: 1, ...lease, now: T0 + 5 * MINUTE });
    await store.retryLater([event.id], T0 + 6 * MINUTE, 'http_500');
    expect(await stored(store, event)).toMatchObject({ attempts: 2, lastReason: 'http_500' });
  });

  it('kill: dead with reason and response; counts the attempt only when leased', async () => {
    const { store } = setup();
    const [sent] = (await claimed(store, 1)) as [NewOutboxEvent];
    const waiting = newEvent();
    await store.enqueue([waiting]);
    await store.kill([sent.id], 'rejected', '{"message":"bad value"}', T0 + 1);
    await store.kill([waiting.id], 'expired', 'conversionHappenedAt is older than 90 days', T0 + 1);
    expect(await stored(store, sent)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastReason: 'rejected',
      lastResponse: '{"message":"bad value"}',
      leaseUntil: null,
    });
    expect(await stored(store, waiting)).toMatchObject({ state: 'dead', attempts: 0, lastReason: 'expired' });
    expect(await store.claim({ limit: 10, ...lease, now: T0 + MINUTE })).toBeNull();
  });

  it('release: gives the lease back without counting an attempt', async () => {
    const { store } = setup();
    const events = await claimed(store, 2);
    await store.release(ids(events), T0 + 1);
    expect(await stored(store, events[0]!)).toMatchObject({ state: 'queued', attempts: 0, leaseUntil: null });
    const again = await store.claim({ limit: 10, ...lease, now: T0 + 1 });
    expect(ids(again?.events ?? [])).toEqual(ids(events));
    await store.retryLater(ids(events), T0 + 2, 'http_500');
    await store.claim({ limit: 10, ...lease, now: T0 + 2 });
    await store.release(ids(events), T0 + 3);
    expect(await stored(store, events[1]!)).toMatchObject({ state: 'retrying', attempts: 1 });
  });

  it('redrive: dead letters back to queued, attempts kept, reason cleared', async () => {
    const { store } = setup();
    const events = await claimed(store, 3);
    await store.kill(ids(events), 'rejected', '{"status":400}', T0 + 1);
    expect((await store.redrive({ ids: [events[0]!.id] }, T0 + MINUTE)).redriven).toBe(1);
    expect(await stored(store, events[0]!)).toMatchObject({
      state: 'queued',
      attempts: 1,
      lastReason: null,
      lastResponse: null,
      nextAttemptAt: T0 + MINUTE,
    });
    expect((await store.redrive({ ids: [events[0]!.id] }, T0 + MINUTE)).redriven).toBe(0);
    expect((await store.redrive({}, T0 + MINUTE)).redriven).toBe(2);
    const batch = await store.claim({ limit: 10, ...lease, now: T0 + MINUTE });
    expect(batch?.events).toHaveLength(3);
  });

  it('redrive honours filters and a limit', async () => {
    const { store } = setup();
    const a = newEvent({ ruleId: '1', account: '7' });
    const b = newEvent({ ruleId: '2', account: '7' });
    const c = newEvent({ ruleId: '2', account: '8' });
    await store.enqueue([a, b, c]);
    await store.kill([a.id], 'rejected', null, T0);
    await store.kill([b.id, c.id], 'expired', null, T0);
    expect((await store.redrive({ reason: 'rejected', ruleId: '2' }, T0)).redriven).toBe(0);
    expect((await store.redrive({ reason: 'expired', account: '8' }, T0)).redriven).toBe(1);
    expect((await store.redrive({ limit: 1 }, T0)).redriven).toBe(1);
    expect((await store.redrive({ eventIds: [a.eventId, b.eventId] }, T0)).redriven).toBe(1);
    expect((await store.stats()).byState).toMatchObject({ dead: 0, queued: 3 });
  });

  it('redrive: pages in the list order, each after the last one of the page before', async () => {
    const { store } = setup();
    const events = Array.from({ length: 7 }, () => newEvent());
    await store.enqueue(events);
    // Two at each time, so ties on the time are ordered by id, as the list orders them.
    for (const [i, e] of events.entries()) await store.kill([e.id], 'rejected', null, T0 + Math.floor(i / 2));
    const listed = await store.listDead({});
    const counts: number[] = [];
    const lasts: Array<DeadLetterPosition | null> = [];
    let after: DeadLetterPosition | undefined;
    for (;;) {
      const moved = await store.redrive({ limit: 3, ...(after ? { after } : {}) }, T0 + MINUTE);
      if (moved.last === null) {
        expect(moved.redriven).toBe(0);
        break;
      }
      counts.push(moved.redriven);
      lasts.push(moved.last);
      // What is still dead is the rest of the list, in order: the page took the newest.
      const done = counts.reduce((a, b) => a + b, 0);
      expect((await store.listDead({})).map((d) => d.id)).toEqual(listed.slice(done).map((d) => d.id));
      after = moved.last;
    }
    expect(counts).toEqual([3, 3, 1]);
    expect(lasts).toEqual([2, 5, 6].map((i) => ({ deadAt: listed[i]!.deadAt, id: listed[i]!.id })));
    expect((await store.stats()).byState).toMatchObject({ dead: 0, queued: 7 });
  });

  it('listDead: newest first, each filter narrows, limit applies', async () => {
    const { store } = setup();
    const a = newEvent({ ruleId: '1', account: '7' });
    const b = newEvent({ ruleId: '2', account: '7' });
    const c = newEvent({ ruleId: '2', account: '8' });
    const live = newEvent({ ruleId: '2', account: '8' });
    await store.enqueue([a, b, c, live]);
    await store.kill([a.id], 'rejected', '{"e":1}', T0 + 1);
    await store.kill([b.id], 'expired', null, T0 + 2);
    await store.kill([c.id], 'rejected', null, T0 + 3);
    expect(ids(await store.listDead({}))).toEqual([c.id, b.id, a.id]);
    expect(ids(await store.listDead({ reason: 'rejected' }))).toEqual([c.id, a.id]);
    expect(ids(await store.listDead({ ruleId: '2' }))).toEqual([c.id, b.id]);
    expect(ids(await store.listDead({ account: '7' }))).toEqual([b.id, a.id]);
    expect(ids(await store.listDead({ since: T0 + 2 }))).toEqual([c.id, b.id]);
    expect(ids(await store.listDead({ ids: [a.id, live.id] }))).toEqual([a.id]);
    expect(ids(await store.listDead({ eventIds: [b.eventId, live.eventId] }))).toEqual([b.id]);
    expect(ids(await store.listDead({ limit: 2 }))).toEqual([c.id, b.id]);
    expect(ids(await store.listDead({ reason: 'rejected', account: '8', ruleId: '2' }))).toEqual([c.id]);
    expect((await store.listDead({ ids: [a.id] }))[0]).toMatchObject({
      state: 'dead',
      lastResponse: '{"e":1}',
    });
  });

  it('listDead: says when each was dead-lettered, and pages through all of them once from the last row of each page', async () => {
    const { store } = setup();
    const events = Array.from({ length: 7 }, () => newEvent());
    await store.enqueue(events);
    // Three share a dead-letter time, two another: the id orders each tie.
    await store.kill(ids(events.slice(0, 3)), 'rejected', null, T0 + 1);
    await store.kill(ids(events.slice(3, 5)), 'expired', null, T0 + 2);
    await store.kill(ids(events.slice(5)), 'rejected', null, T0 + 3);
    const all = await store.listDead({});
    expect(all.map((d) => d.deadAt)).toEqual([T0 + 3, T0 + 3, T0 + 2, T0 + 2, T0 + 1, T0 + 1, T0 + 1]);
    expect(new Set(ids(all))).toEqual(new Set(ids(events)));
    for (const limit of [1, 2, 3]) {
      const paged: string[] = [];
      let after: { deadAt: number; id: string } | undefined;
      for (let pages = 0; pages <= all.length; pages += 1) {
        const page = await store.listDead({ limit, ...(after ? { after } : {}) });
        paged.push(...ids(page));
        const last = page.at(-1);
        if (page.length < limit || !last) break;
        after = { deadAt: last.deadAt, id: last.id };
      }
      expect(paged).toEqual(ids(all));
    }
    const first = all[0]!;
    expect(
      ids(await store.listDead({ reason: 'rejected', after: { deadAt: first.deadAt, id: first.id } })),
    ).toEqual(ids(all.slice(1).filter((d) => d.lastReason === 'rejected')));
  });

  it('summarizeDead: counts by account, rule and reason, largest first, with the newest and oldest times', async () => {
    const { store } = setup();
    const a = [newEvent({ ruleId: '1', account: '7' }), newEvent({ ruleId: '1', account: '7' })];
    const b = [newEvent({ ruleId: '2', account: '7' }), newEvent({ ruleId: '2', account: '7' })];
    const c = newEvent({ ruleId: '2', account: '8' });
    const live = newEvent({ ruleId: '1', account: '7' });
    await store.enqueue([...a, ...b, c, live]);
    await store.kill([a[0]!.id], 'rejected', null, T0 + 1);
    await store.kill([a[1]!.id], 'rejected', null, T0 + 5);
    await store.kill(ids(b), 'expired', null, T0 + 3);
    await store.kill([c.id], 'rejected', null, T0 + 4);
    expect((await store.summarizeDead({})).groups).toEqual([
      { account: '7', ruleId: '1', reason: 'rejected', count: 2, newestAt: T0 + 5, oldestAt: T0 + 1 },
      { account: '7', ruleId: '2', reason: 'expired', count: 2, newestAt: T0 + 3, oldestAt: T0 + 3 },
      { account: '8', ruleId: '2', reason: 'rejected', count: 1, newestAt: T0 + 4, oldestAt: T0 + 4 },
    ]);
    expect((await store.summarizeDead({})).last).toBeNull();
    // The list's filters narrow it.
    expect((await store.summarizeDead({ reason: 'rejected', since: T0 + 2 })).groups).toEqual([
      { account: '7', ruleId: '1', reason: 'rejected', count: 1, newestAt: T0 + 5, oldestAt: T0 + 5 },
      { account: '8', ruleId: '2', reason: 'rejected', count: 1, newestAt: T0 + 4, oldestAt: T0 + 4 },
    ]);
    expect((await store.summarizeDead({ account: '9' })).groups).toEqual([]);
    const total = countDeadLetters((await store.summarizeDead({})).groups);
    expect(total).toBe((await store.listDead({ limit: 1000 })).length);
  });

  it('summarizeDead: a page counts the first `limit` after `after`, in the list order, and says where it ended', async () => {
    const { store } = setup();
    const events = Array.from({ length: 5 }, (_, i) =>
      newEvent({ ruleId: String(1 + (i % 2)), account: '7' }),
    );
    await store.enqueue(events);
    for (const [i, e] of events.entries()) await store.kill([e.id], 'rejected', null, T0 + Math.floor(i / 2));
    const listed = await store.listDead({});
    const first = await store.summarizeDead({ limit: 3 });
    expect(first.last).toEqual({ deadAt: listed[2]!.deadAt, id: listed[2]!.id });
    const counted = (s: { groups: Array<{ ruleId: string; count: number }> }) =>
      Object.fromEntries(s.groups.map((g) => [g.ruleId, g.count]));
    const ruleCounts = (slice: typeof listed) => {
      const out: Record<string, number> = {};
      for (const d of slice) out[d.ruleId] = (out[d.ruleId] ?? 0) + 1;
      return out;
    };
    expect(counted(first)).toEqual(ruleCounts(listed.slice(0, 3)));
    const second = await store.summarizeDead({ limit: 3, after: first.last! });
    expect(counted(second)).toEqual(ruleCounts(listed.slice(3)));
    expect(second.last).toEqual({ deadAt: listed[4]!.deadAt, id: listed[4]!.id });
    expect(await store.summarizeDead({ limit: 3, after: second.last! })).toEqual({ groups: [], last: null });
  });

  it('findByEventId: every rule sharing an eventId, unknown ids give nothing', async () => {
    const { store } = setup();
    const a = newEvent({ ruleId: '1' });
    const b = newEvent({ ruleId: '2', eventId: a.eventId });
    await store.enqueue([a, newEvent(), b]);
    expect(ids(await store.findByEventId(a.eventId)).sort()).toEqual([a.id, b.id].sort());
    expect(await store.findByEventId('no-such-event')).toEqual([]);
  });
}
