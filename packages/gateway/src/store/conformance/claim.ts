import { expect, it } from 'vitest';
import { PAUSE_INDEFINITELY } from '../../domain/delivery-plan.js';
import type { ClaimedBatch, OutboxStore } from '../../ports.js';
import { ids, MINUTE, newEvent, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore };
const lease = { leaseMs: MINUTE };

export function claimCases(setup: Setup): void {
  it('returns null when nothing is due', async () => {
    const { store } = setup();
    expect(await store.claim({ limit: 10, ...lease, now: T0 })).toBeNull();
    await store.enqueue([newEvent({ receivedAt: T0 + 1000 })]);
    expect(await store.claim({ limit: 10, ...lease, now: T0 })).toBeNull();
    expect(await store.claim({ limit: 0, ...lease, now: T0 + 1000 })).toBeNull();
  });

  it('claims one account and rule per batch, starting with the oldest due event', async () => {
    const { store } = setup();
    const a1 = newEvent({ account: '1', ruleId: '10', receivedAt: T0 + 2 });
    const b1 = newEvent({ account: '2', ruleId: '20', receivedAt: T0 + 1 });
    const a2 = newEvent({ account: '1', ruleId: '11', receivedAt: T0 + 3 });
    const b2 = newEvent({ account: '2', ruleId: '20', receivedAt: T0 + 4 });
    const a3 = newEvent({ account: '1', ruleId: '10', receivedAt: T0 + 5 });
    await store.enqueue([a1, b1, a2, b2, a3]);
    const now = T0 + 10;
    const first = await store.claim({ limit: 10, ...lease, now });
    expect(first).toMatchObject({ account: '2', ruleId: '20' });
    expect(ids(first?.events ?? [])).toEqual([b1.id, b2.id]);
    const second = await store.claim({ limit: 10, ...lease, now });
    expect(second).toMatchObject({ account: '1', ruleId: '10' });
    expect(ids(second?.events ?? [])).toEqual([a1.id, a3.id]);
    const third = await store.claim({ limit: 10, ...lease, now });
    expect(ids(third?.events ?? [])).toEqual([a2.id]);
    expect(await store.claim({ limit: 10, ...lease, now })).toBeNull();
  });

  it('honours the limit and hands out the rest in order', async () => {
    const { store } = setup();
    const events = Array.from({ length: 7 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue(events);
    const now = T0 + 100;
    const first = await store.claim({ limit: 3, ...lease, now });
    const second = await store.claim({ limit: 3, ...lease, now });
    const third = await store.claim({ limit: 3, ...lease, now });
    expect(ids(first?.events ?? [])).toEqual(ids(events.slice(0, 3)));
    expect(ids(second?.events ?? [])).toEqual(ids(events.slice(3, 6)));
    expect(ids(third?.events ?? [])).toEqual(ids(events.slice(6)));
  });

  it('keeps insertion order among events due at the same time', async () => {
    const { store } = setup();
    const events = Array.from({ length: 5 }, () => newEvent({ receivedAt: T0 }));
    await store.enqueue(events.slice(0, 2));
    await store.enqueue(events.slice(2));
    const batch = await store.claim({ limit: 10, ...lease, now: T0 });
    expect(ids(batch?.events ?? [])).toEqual(ids(events));
  });

  it('releaseClaim gives back what the claim with that lease token leased, and nothing else', async () => {
    const { store } = setup();
    const mine = [newEvent({ ruleId: '10', receivedAt: T0 }), newEvent({ ruleId: '10', receivedAt: T0 + 1 })];
    const theirs = newEvent({ ruleId: '11', receivedAt: T0 + 2 });
    await store.enqueue([...mine, theirs]);
    const now = T0 + 10;
    const lost = await store.claim({ limit: 10, ...lease, now, leaseToken: 'lost-answer' });
    expect(ids(lost?.events ?? [])).toEqual(ids(mine));
    const other = await store.claim({ limit: 10, ...lease, now, leaseToken: 'other' });
    expect(ids(other?.events ?? [])).toEqual([theirs.id]);
    const stateOf = async (eventId: string) => (await store.findByEventId(eventId))[0];
    if (!store.capabilities.releasesByLeaseToken) {
      // Nothing to find by token: the call must not give any lease back.
      expect(await store.releaseClaim('lost-answer', now + 1)).toBe(0);
      expect(await stateOf(mine[0]!.eventId)).toMatchObject({ state: 'sending' });
      return;
    }
    expect(await store.releaseClaim('lost-answer', now + 1)).toBe(2);
    expect(await store.releaseClaim('lost-answer', now + 1)).toBe(0);
    expect(await store.releaseClaim('never-used', now + 1)).toBe(0);
    // Given back as release does: no attempt counted, due at once; the other claim keeps its lease.
    expect(await stateOf(mine[0]!.eventId)).toMatchObject({ state: 'queued', attempts: 0, leaseUntil: null });
    expect(await stateOf(theirs.eventId)).toMatchObject({ state: 'sending' });
    const again = await store.claim({ limit: 10, ...lease, now: now + 2, leaseToken: 'again' });
    expect(ids(again?.events ?? [])).toEqual(ids(mine));
    // Settled events are not given back: complete, then the token finds nothing still leased.
    await store.complete(ids(mine), now + 3);
    expect(await store.releaseClaim('again', now + 4)).toBe(0);
    expect(await stateOf(mine[1]!.eventId)).toMatchObject({ state: 'delivered' });
  });

  it('leases claimed events: state sending, leaseUntil set, not claimable again', async () => {
    const { store } = setup();
    const event = newEvent();
    await store.enqueue([event]);
    const batch = await store.claim({ limit: 10, leaseMs: 30_000, now: T0 + 5 });
    expect(batch?.events[0]).toMatchObject({
      id: event.id,
      state: 'sending',
      leaseUntil: T0 + 30_005,
      attempts: 0,
    });
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 29_999 })).toBeNull();
    expect((await store.stats()).byState.sending).toBe(1);
  });

  it('never claims from excluded accounts', async () => {
    const { store } = setup();
    const paused = newEvent({ account: '1', receivedAt: T0 });
    const active = newEvent({ account: '2', receivedAt: T0 + 1 });
    await store.enqueue([paused, active]);
    const now = T0 + 10;
    const batch = await store.claim({ limit: 10, ...lease, now, excludeAccounts: ['1'] });
    expect(ids(batch?.events ?? [])).toEqual([active.id]);
    expect(await store.claim({ limit: 10, ...lease, now, excludeAccounts: ['1'] })).toBeNull();
    expect(await store.claim({ limit: 10, ...lease, now, excludeAccounts: [] })).toMatchObject({
      account: '1',
    });
  });

  it('skips accounts paused at its now, until the pause ends or is lifted', async () => {
    const { store } = setup();
    const paused = newEvent({ account: '1', receivedAt: T0 });
    const active = newEvent({ account: '2', receivedAt: T0 + 1 });
    await store.enqueue([paused, active]);
    await store.pauseAccount('1', T0 + MINUTE, 'reauth');
    const batch = await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    expect(ids(batch?.events ?? [])).toEqual([active.id]);
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 10 })).toBeNull();
    // Asking for the paused account by name does not get round the pause either.
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 10, account: '1' })).toBeNull();
    const ended = await store.claim({ limit: 10, ...lease, now: T0 + MINUTE });
    expect(ids(ended?.events ?? [])).toEqual([paused.id]);
  });

  it('skips an account paused with no end until the pause is lifted', async () => {
    const { store } = setup();
    const event = newEvent({ account: '2', receivedAt: T0 });
    await store.enqueue([event]);
    await store.pauseAccount('2', PAUSE_INDEFINITELY, 'revoked');
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 10 })).toBeNull();
    await store.pauseAccount('2', 0, 'resumed');
    const lifted = await store.claim({ limit: 10, ...lease, now: T0 + 10 });
    expect(ids(lifted?.events ?? [])).toEqual([event.id]);
  });

  it('restricts a claim to one account when asked', async () => {
    const { store } = setup();
    const other = newEvent({ account: '1', receivedAt: T0 });
    const mine = newEvent({ account: '2', receivedAt: T0 + 1 });
    await store.enqueue([other, mine]);
    const batch = await store.claim({ limit: 10, ...lease, now: T0 + 10, account: '2' });
    expect(ids(batch?.events ?? [])).toEqual([mine.id]);
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 10, account: '2' })).toBeNull();
  });

  it("hands out each event's payload exactly as enqueued, whatever the lanes and the re-leases", async () => {
    const { store } = setup();
    // Two rules of one account interleaved, payloads of different lengths with multi-byte text:
    // a store that reads payloads in bulk must still give every event its own, byte for byte.
    const events = Array.from({ length: 12 }, (_, i) =>
      newEvent({
        ruleId: i % 3 === 0 ? '9002' : '9001',
        receivedAt: T0 + i,
        payload: JSON.stringify({
          eventId: `e${i}`,
          note: `café ☕ 𝄞 ${'é'.repeat(i)}`,
          pad: 'x'.repeat(i * 7),
        }),
      }),
    );
    await store.enqueue(events);
    const byId = new Map(events.map((e) => [e.id, e.payload]));
    const payloadsOf = (b: ClaimedBatch | null) => (b?.events ?? []).map((e) => e.payload);
    const expected = (b: ClaimedBatch | null) => (b?.events ?? []).map((e) => byId.get(e.id));
    const first = await store.claim({ limit: 5, ...lease, now: T0 + 100 });
    const second = await store.claim({ limit: 5, ...lease, now: T0 + 100 });
    expect(first?.events.length).toBe(4); // rule 9002 is due first: its four events
    expect(second?.events.length).toBe(5);
    expect(payloadsOf(first)).toEqual(expected(first));
    expect(payloadsOf(second)).toEqual(expected(second));
    // A whole batch retried, and one event of another set aside: the re-leases read them again.
    await store.retryLater(ids(first?.events ?? []), T0 + 200, 'http_503');
    await store.kill([second!.events[1]!.id], 'rejected', '{"status":422}', T0 + 100);
    await store.retryLater(
      ids(second?.events ?? []).filter((_, i) => i !== 1),
      T0 + 200,
      'http_503',
    );
    const seen = new Set<string>();
    for (let b = await store.claim({ limit: 3, ...lease, now: T0 + 200 }); b; ) {
      expect(payloadsOf(b)).toEqual(expected(b));
      for (const e of b.events) seen.add(e.id);
      b = await store.claim({ limit: 3, ...lease, now: T0 + 200 });
    }
    expect(seen.size).toBe(events.length - 1);
  });

  it('honours the due time of retries', async () => {
    const { store } = setup();
    const event = newEvent();
    await store.enqueue([event]);
    await store.claim({ limit: 1, ...lease, now: T0 });
    await store.retryLater([event.id], T0 + 10 * MINUTE, 'http_503');
    expect(await store.claim({ limit: 1, ...lease, now: T0 + 10 * MINUTE - 1 })).toBeNull();
    const again = await store.claim({ limit: 1, ...lease, now: T0 + 10 * MINUTE });
    expect(again?.events[0]).toMatchObject({
      id: event.id,
      state: 'sending',
      attempts: 1,
      lastReason: 'http_503',
    });
  });

  it('reclaims events whose lease expired, counting the lapsed attempt', async () => {
    const { store } = setup();
    const events = [newEvent(), newEvent()];
    await store.enqueue(events);
    await store.claim({ limit: 10, leaseMs: 30_000, now: T0 });
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 29_999 })).toBeNull();
    const reclaimed = await store.claim({ limit: 10, ...lease, now: T0 + 30_000 });
    expect(ids(reclaimed?.events ?? [])).toEqual(ids(events));
    expect(reclaimed?.events[0]).toMatchObject({
      state: 'sending',
      attempts: 1,
      lastReason: 'lease_expired',
      leaseUntil: T0 + 30_000 + MINUTE,
    });
  });

  it('reclaims an expired lease even when the claim is for another account', async () => {
    const { store } = setup();
    const event = newEvent({ account: '1' });
    await store.enqueue([event]);
    await store.claim({ limit: 10, leaseMs: 1000, now: T0 });
    expect(await store.claim({ limit: 10, ...lease, now: T0 + 2000, account: '2' })).toBeNull();
    const [stored] = await store.findByEventId(event.eventId);
    expect(stored).toMatchObject({ state: 'retrying', attempts: 1, leaseUntil: null });
  });
}
