import { randomUUID } from 'node:crypto';
import type { AuditEntry, Clock, NewOutboxEvent, OutboxStore } from '../../ports.js';

/** A settable clock: the suite moves time instead of sleeping. */
export interface FakeClock extends Clock {
  set(now: number): void;
  advance(ms: number): void;
}

export function fakeClock(start: number): FakeClock {
  let current = start;
  return {
    now: () => current,
    set: (now) => {
      current = now;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** What the suite hands each adapter's factory: the clock the store must use for `enqueue`. */
export interface ConformanceContext {
  clock: FakeClock;
}

export interface StoreUnderTest {
  store: OutboxStore;
  cleanup: () => Promise<void>;
  /**
   * Opens another store on the same database, as a second gateway instance would. Only for adapters
   * with `capabilities.multiInstance`; the suite closes what it opens.
   */
  openPeer?: () => Promise<OutboxStore>;
}

export type StoreFactory = (context: ConformanceContext) => Promise<StoreUnderTest>;

/** 2030-01-01T00:00:00Z: a fixed, readable epoch for every case. */
export const T0 = Date.UTC(2030, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

let counter = 0;

/** A hashed, PII-free event as the HTTP layer would hand it over. */
export function newEvent(overrides: Partial<NewOutboxEvent> = {}): NewOutboxEvent {
  counter += 1;
  return {
    id: randomUUID(),
    account: '500100',
    ruleId: '9001',
    eventId: `evt-${counter}-${randomUUID().slice(0, 8)}`,
    source: 'web',
    payload: JSON.stringify({
      conversion: 'urn:lla:llaPartnerConversion:9001',
      conversionHappenedAt: T0,
      user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }] },
    }),
    happenedAt: T0 - MINUTE,
    receivedAt: T0,
    state: 'queued',
    identifierTypes: ['SHA256_EMAIL'],
    consent: null,
    context: null,
    ...overrides,
  };
}

export function ids(events: Array<{ id: string }>): string[] {
  return events.map((e) => e.id);
}

/** An audit row of a delivered request, as the worker writes one; override what a case needs. */
export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0,
    account: '500100',
    ruleId: '9001',
    requestId: 'li-req-1',
    batchSize: 2,
    identifierCounts: { SHA256_EMAIL: 2, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID: 1 },
    consentCounts: { granted: 1, denied: 0, unknown: 1 },
    status: 201,
    outcome: 'delivered',
    errorBody: null,
    durationMs: 84,
    eventIds: ['e-1', 'e-2'],
    ...overrides,
  };
}
