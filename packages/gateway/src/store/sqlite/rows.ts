import type { AuditEntry, OutboxEvent, OutboxState } from '../../ports.js';

/**
 * Conversions between SQLite rows and port types. Reads use raw (array) rows in the fixed column
 * order below, so a claim of 5,000 events allocates one array and one event object per row.
 */
export const EVENT_COLUMNS = `id, account, rule_id, event_id, source,
  (SELECT payload FROM payloads WHERE payloads.seq = events.seq) AS payload, happened_at, received_at, state,
  attempts, next_attempt_at, lease_until, delivered_at, last_reason, last_response, identifier_types, consent,
  context`;

export type RawEventRow = [
  id: string,
  account: string,
  ruleId: string,
  eventId: string,
  source: string,
  payload: string,
  happenedAt: number,
  receivedAt: number,
  state: string,
  attempts: number,
  nextAttemptAt: number,
  leaseUntil: number | null,
  deliveredAt: number | null,
  lastReason: string | null,
  lastResponse: string | null,
  identifierTypes: string,
  consent: number | null,
  context: string | null,
  ...rest: unknown[],
];

export function eventFromRow(r: RawEventRow): OutboxEvent {
  return {
    id: r[0],
    account: r[1],
    ruleId: r[2],
    eventId: r[3],
    source: r[4],
    payload: r[5],
    happenedAt: r[6],
    receivedAt: r[7],
    state: r[8] as OutboxState,
    attempts: r[9],
    nextAttemptAt: r[10],
    leaseUntil: r[11],
    deliveredAt: r[12],
    lastReason: r[13],
    lastResponse: r[14],
    identifierTypes: identifierTypesOf(r[15]),
    consent: consentOf(r[16]),
    context: r[17],
  };
}

/** An event a claim has just leased: read as stored, then `sending` until `leaseUntil`. */
export function leasedEventFromRow(r: RawEventRow, leaseUntil: number): OutboxEvent {
  const event = eventFromRow(r);
  event.state = 'sending';
  event.leaseUntil = leaseUntil;
  return event;
}

/**
 * What a claim reads of a fresh row (see lanes.ts): a fresh row is never updated while it is fresh,
 * so its account and rule are its lane's and its delivery columns are still as inserted (no
 * attempts, due at its receivedAt, no lease, no outcome). Reading 10 columns instead of 18 spares
 * the claim, the busiest read of delivery, eight values per event.
 */
export const FRESH_EVENT_COLUMNS = `seq, id, event_id, source,
  (SELECT payload FROM payloads WHERE payloads.seq = events.seq) AS payload, happened_at, received_at,
  identifier_types, consent, context`;

export type RawFreshRow = [
  seq: number,
  id: string,
  eventId: string,
  source: string,
  payload: string,
  happenedAt: number,
  receivedAt: number,
  identifierTypes: string,
  consent: number | null,
  context: string | null,
];

/** Positions in a RawFreshRow that the lane code reads before it makes events. */
export const FRESH_SEQ = 0;
export const FRESH_ID = 1;
export const FRESH_RECEIVED_AT = 6;

/** A fresh row its claim has just leased, on the lane (account, rule) it was read from. */
export function leasedFreshEvent(
  r: RawFreshRow,
  account: string,
  ruleId: string,
  leaseUntil: number,
): OutboxEvent {
  return {
    id: r[1],
    account,
    ruleId,
    eventId: r[2],
    source: r[3],
    payload: r[4],
    happenedAt: r[5],
    receivedAt: r[6],
    state: 'sending',
    attempts: 0,
    nextAttemptAt: r[6],
    leaseUntil,
    deliveredAt: null,
    lastReason: null,
    lastResponse: null,
    identifierTypes: identifierTypesOf(r[7]),
    consent: consentOf(r[8]),
    context: r[9],
  };
}

/**
 * Identifier types are LinkedIn enum names (letters, digits, underscores), so a comma list is an
 * unambiguous and cheaper encoding than JSON on the ingest hot path.
 */
export function identifierTypesText(types: readonly string[]): string {
  return types.join(',');
}

/**
 * Decoded lists are shared: a claim decodes one per event (5,000 per batch), and a store holds only
 * a few distinct combinations, so each is split once and frozen. The cache forgets everything past
 * a bound, which only a store written with many unusual combinations would reach.
 */
const decodedTypes = new Map<string, readonly string[]>();
const DECODED_TYPES_MAX = 256;

export function identifierTypesOf(text: string): readonly string[] {
  let types = decodedTypes.get(text);
  if (types === undefined) {
    if (decodedTypes.size >= DECODED_TYPES_MAX) decodedTypes.clear();
    types = Object.freeze(text === '' ? [] : text.split(','));
    decodedTypes.set(text, types);
  }
  return types;
}

export function consentValue(consent: boolean | null): number | null {
  return consent === null ? null : consent ? 1 : 0;
}

export function consentOf(value: number | null): boolean | null {
  return value === null ? null : value === 1;
}

export type RawAuditRow = [
  at: number,
  account: string,
  ruleId: string,
  requestId: string | null,
  batchSize: number,
  identifierCounts: string,
  consentCounts: string,
  status: number,
  outcome: string,
  errorBody: string | null,
  durationMs: number,
  eventIds: string,
];

export const AUDIT_COLUMNS = `at, account, rule_id, request_id, batch_size, identifier_counts, consent_counts,
  status, outcome, error_body, duration_ms, event_ids`;

export function auditFromRow(r: RawAuditRow): AuditEntry {
  return {
    at: r[0],
    account: r[1],
    ruleId: r[2],
    requestId: r[3],
    batchSize: r[4],
    identifierCounts: JSON.parse(r[5]) as Record<string, number>,
    consentCounts: JSON.parse(r[6]) as Record<string, number>,
    status: r[7],
    outcome: r[8],
    errorBody: r[9],
    durationMs: r[10],
    eventIds: JSON.parse(r[11]) as string[],
  };
}

/** Where auditParams puts the JSON of the event ids (the audit links are made from the same text). */
export const AUDIT_EVENT_IDS_PARAM = 11;

export function auditParams(a: AuditEntry): unknown[] {
  return [
    a.at,
    a.account,
    a.ruleId,
    a.requestId,
    a.batchSize,
    JSON.stringify(a.identifierCounts),
    JSON.stringify(a.consentCounts),
    a.status,
    a.outcome,
    a.errorBody,
    a.durationMs,
    JSON.stringify(a.eventIds),
  ];
}
