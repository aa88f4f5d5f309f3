import { expect, it } from 'vitest';
import type { OutboxStore } from '../../ports.js';
import { type ConformanceContext, DAY, ids, MINUTE, newEvent, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore; ctx: ConformanceContext };

export function enqueueCases(setup: Setup): void {
  it('inserts events and answers one status per input, in order', async () => {
    const { store } = setup();
    const events = [newEvent(), newEvent(), newEvent()];
    expect(await store.enqueue(events)).toEqual(['inserted', 'inserted', 'inserted']);
    expect(await store.enqueue([])).toEqual([]);
    expect((await store.stats()).byState.queued).toBe(3);
  });

  it('keeps every field of an event as given', async () => {
    const { store } = setup();
    const full = newEvent({
      identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
      consent: true,
      context: JSON.stringify({ stage: 'SQL', crm: 'hubspot' }),
      happenedAt: T0 - 5 * DAY,
      receivedAt: T0 + 123,
      source: 'hubspot',
    });
    const bare = newEvent({ identifierTypes: [], consent: false, context: null });
    await store.enqueue([full, bare]);
    const [stored] = await store.findByEventId(full.eventId);
    const { state: _state, ...given } = full;
    expect(stored).toEqual({
      ...given,
      state: 'queued',
      attempts: 0,
      nextAttemptAt: full.receivedAt,
      leaseUntil: null,
      deliveredAt: null,
      lastReason: null,
      lastResponse: null,
    });
    const [storedBare] = await store.findByEventId(bare.eventId);
    expect(storedBare).toMatchObject({ identifierTypes: [], consent: false, context: null });
  });

  it('dedups inside large batches wherever the repeats fall, and keeps the same eventId under another rule', async () => {
    const { store } = setup();
    // 130 events: adapters may write in chunks (SQLite: 50 rows), so repeats sit inside one chunk,
    // across a chunk boundary and far apart; one eventId is reused under a second rule.
    const events = Array.from({ length: 130 }, () => newEvent());
    const repeatOf: Record<number, number> = { 11: 10, 50: 49, 120: 3 };
    for (const [at, of] of Object.entries(repeatOf)) {
      events[Number(at)] = newEvent({ eventId: events[of]!.eventId });
    }
    events[77] = newEvent({ eventId: events[5]!.eventId, ruleId: '9002' });
    const statuses = await store.enqueue(events);
    const expected = events.map((_, i) => (i in repeatOf ? 'duplicate' : 'inserted'));
    expect(statuses).toEqual(expected);
    expect((await store.stats()).byState.queued).toBe(127);
    expect((await store.findByEventId(events[5]!.eventId)).map((e) => e.ruleId).sort()).toEqual([
      '9001',
      '9002',
    ]);
    // And across calls: the whole batch again is all duplicates.
    expect(new Set(await store.enqueue(events))).toEqual(new Set(['duplicate']));
  });

  it('reports a repeated (ruleId, eventId) within one batch as duplicate', async () => {
    const { store } = setup();
    const first = newEvent();
    const again = newEvent({ eventId: first.eventId, payload: '{"other":true}' });
    expect(await store.enqueue([first, again, newEvent()])).toEqual(['inserted', 'duplicate', 'inserted']);
    const stored = await store.findByEventId(first.eventId);
    expect(ids(stored)).toEqual([first.id]);
  });

  it('reports a duplicate across batches and keeps the first copy', async () => {
    const { store } = setup();
    const first = newEvent();
    await store.enqueue([first]);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['duplicate']);
    expect(ids(await store.findByEventId(first.eventId))).toEqual([first.id]);
  });

  it('treats the same eventId under another rule as a different event', async () => {
    const { store } = setup();
    const a = newEvent({ ruleId: '1' });
    const b = newEvent({ ruleId: '2', eventId: a.eventId });
    expect(await store.enqueue([a, b])).toEqual(['inserted', 'inserted']);
    expect(ids(await store.findByEventId(a.eventId)).sort()).toEqual([a.id, b.id].sort());
  });

  it('still reports duplicates after delivery, dead-lettering and redrive', async () => {
    const { store } = setup();
    const delivered = newEvent();
    const dead = newEvent();
    await store.enqueue([delivered, dead]);
    const batch = await store.claim({ limit: 10, leaseMs: MINUTE, now: T0 });
    expect(batch?.events).toHaveLength(2);
    await store.complete([delivered.id], T0 + 1);
    await store.kill([dead.id], 'rejected', '{"status":422}', T0 + 1);
    const again = [newEvent({ eventId: delivered.eventId }), newEvent({ eventId: dead.eventId })];
    expect(await store.enqueue(again)).toEqual(['duplicate', 'duplicate']);
    await store.redrive({ ids: [dead.id] }, T0 + 2);
    expect(await store.enqueue([newEvent({ eventId: dead.eventId })])).toEqual(['duplicate']);
  });

  it('stores suppressed events without ever claiming them, and dedups them too', async () => {
    const { store } = setup();
    const suppressed = newEvent({ state: 'suppressed', consent: false });
    expect(await store.enqueue([suppressed])).toEqual(['inserted']);
    expect(await store.claim({ limit: 10, leaseMs: MINUTE, now: T0 + DAY })).toBeNull();
    expect((await store.stats()).byState.suppressed).toBe(1);
    expect(await store.enqueue([newEvent({ eventId: suppressed.eventId })])).toEqual(['duplicate']);
  });

  it('admits exactly one copy when concurrent batches race on the same keys', async () => {
    const { store } = setup();
    const keys = Array.from({ length: 20 }, () => newEvent().eventId);
    const batches = Array.from({ length: 8 }, () => keys.map((eventId) => newEvent({ eventId })));
    const results = await Promise.all(batches.map((b) => store.enqueue(b)));
    for (let k = 0; k < keys.length; k += 1) {
      expect(results.filter((r) => r[k] === 'inserted')).toHaveLength(1);
    }
    expect((await store.stats()).byState.queued).toBe(keys.length);
  });

  it('forgets dedup keys older than expireDedup(before), and only those', async () => {
    const { store, ctx } = setup();
    const old = newEvent();
    await store.enqueue([old]);
    ctx.clock.advance(DAY);
    const recent = newEvent();
    await store.enqueue([recent]);
    expect(await store.expireDedup(T0 + DAY)).toBe(1);
    expect(await store.expireDedup(T0 + DAY)).toBe(0);
    const statuses = await store.enqueue([
      newEvent({ eventId: old.eventId }),
      newEvent({ eventId: recent.eventId }),
    ]);
    expect(statuses).toEqual(['inserted', 'duplicate']);
    expect(await store.findByEventId(old.eventId)).toHaveLength(2);
  });

  it('admits a key again once the default 90-day dedup window has passed', async () => {
    const { store, ctx } = setup();
    const first = newEvent();
    await store.enqueue([first]);
    ctx.clock.advance(90 * DAY - 1);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['duplicate']);
    ctx.clock.advance(1);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['inserted']);
    // The window restarts from the readmitted copy.
    ctx.clock.advance(DAY);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['duplicate']);
  });

  it('keeps deduplicating keys accepted after expireDedup, even with a cut-off ahead of the clock', async () => {
    const { store } = setup();
    const first = newEvent();
    await store.enqueue([first]);
    expect(await store.expireDedup(T0 + DAY)).toBe(1);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['inserted']);
    expect(await store.enqueue([newEvent({ eventId: first.eventId })])).toEqual(['duplicate']);
  });
}
