import { expect, it } from 'vitest';
import type { OutboxStore } from '../../ports.js';
import { auditEntry, DAY, ids, MINUTE, newEvent, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore };
const lease = { leaseMs: MINUTE };

export function recordCases(setup: Setup): void {
  it('appends audit rows and finds them per event, newest first, with a limit', async () => {
    const { store } = setup();
    const first = auditEntry({ at: T0, eventIds: ['e-1', 'e-2'] });
    const second = auditEntry({
      at: T0 + 1000,
      eventIds: ['e-2', 'e-3'],
      status: 429,
      outcome: 'retry',
      errorBody: '{"message":"Too many requests"}',
      requestId: null,
    });
    const third = auditEntry({ at: T0 + 2000, eventIds: ['e-2'] });
    await store.appendAudit(first);
    await store.appendAudit(second);
    await store.appendAudit(third);
    expect(await store.auditForEvent('e-1')).toEqual([first]);
    expect(await store.auditForEvent('e-2')).toEqual([third, second, first]);
    expect(await store.auditForEvent('e-2', 2)).toEqual([third, second]);
    expect(await store.auditForEvent('e-9')).toEqual([]);
  });

  it('stats: counts per state, oldest due event, dead letters per reason', async () => {
    const { store } = setup();
    const empty = await store.stats();
    expect(empty).toEqual({
      byState: { queued: 0, sending: 0, retrying: 0, delivered: 0, dead: 0, suppressed: 0 },
      oldestQueuedAt: null,
      deadByReason: {},
    });
    const events = Array.from({ length: 6 }, (_, i) => newEvent({ receivedAt: T0 + i }));
    await store.enqueue([...events, newEvent({ state: 'suppressed', receivedAt: T0 - DAY })]);
    await store.claim({ limit: 4, ...lease, now: T0 + 10 });
    await store.complete([events[0]!.id], T0 + 11);
    await store.retryLater([events[1]!.id], T0 + MINUTE, 'http_500');
    await store.kill([events[2]!.id], 'rejected', null, T0 + 11);
    await store.kill([events[4]!.id, events[5]!.id], 'expired', null, T0 + 11);
    expect(await store.stats()).toEqual({
      byState: { queued: 0, sending: 1, retrying: 1, delivered: 1, dead: 3, suppressed: 1 },
      oldestQueuedAt: T0 + 1,
      deadByReason: { rejected: 1, expired: 2 },
    });
  });

  it('purge deletes only final events and audit rows older than the cut-off', async () => {
    const { store } = setup();
    const delivered = newEvent({ receivedAt: T0 - 3 * DAY });
    const dead = newEvent({ receivedAt: T0 - 3 * DAY });
    const recentDead = newEvent({ receivedAt: T0 - 3 * DAY });
    const queued = newEvent({ receivedAt: T0 - 30 * DAY });
    // Arrives after rule 9001's events, so the first claim takes rule 9001 on every adapter: a queue
    // hands out new events in arrival order and claims compare the queues' heads.
    const sending = newEvent({ ruleId: '2', receivedAt: T0 - 3 * DAY });
    const suppressed = newEvent({ state: 'suppressed', receivedAt: T0 - 3 * DAY });
    const freshSuppressed = newEvent({ state: 'suppressed', receivedAt: T0 });
    await store.enqueue([delivered, dead, recentDead, queued, sending, suppressed, freshSuppressed]);
    const batch = await store.claim({ limit: 10, ...lease, now: T0 - 2 * DAY, account: '500100' });
    expect(batch?.ruleId).toBe('9001');
    await store.complete([delivered.id], T0 - 2 * DAY);
    await store.kill([dead.id], 'rejected', null, T0 - 2 * DAY);
    await store.kill([recentDead.id], 'rejected', null, T0);
    await store.release([queued.id], T0 - 2 * DAY);
    await store.claim({ limit: 10, leaseMs: 10 * DAY, now: T0 - 2 * DAY, account: '500100' });
    const sendingNow = await store.claim({ limit: 10, leaseMs: 10 * DAY, now: T0 - 2 * DAY });
    expect(ids(sendingNow?.events ?? [])).toEqual([sending.id]);
    await store.appendAudit(auditEntry({ at: T0 - 2 * DAY }));
    await store.appendAudit(auditEntry({ at: T0 }));

    // A dead letter's retention runs from when it died, not from when it was received.
    expect(await store.purge(T0 - DAY)).toEqual({ events: 3, audit: 1 });
    expect(await store.purge(T0 - DAY)).toEqual({ events: 0, audit: 0 });
    const left = await store.stats();
    expect(left.byState).toEqual({
      queued: 0,
      sending: 2,
      retrying: 0,
      delivered: 0,
      dead: 1,
      suppressed: 1,
    });
    expect(await store.findByEventId(delivered.eventId)).toEqual([]);
    expect(await store.auditForEvent('e-1')).toHaveLength(1);
  });

  it('purge keeps the dedup keys of purged events while their window is open', async () => {
    const { store } = setup();
    const event = newEvent({ state: 'suppressed', receivedAt: T0 - 3 * DAY });
    await store.enqueue([event]);
    expect(await store.purge(T0)).toEqual({ events: 1, audit: 0 });
    expect(await store.findByEventId(event.eventId)).toEqual([]);
    expect(await store.enqueue([newEvent({ eventId: event.eventId })])).toEqual(['duplicate']);
    expect(await store.expireDedup(T0 + 1)).toBe(1);
    expect(await store.enqueue([newEvent({ eventId: event.eventId })])).toEqual(['inserted']);
  });
}
