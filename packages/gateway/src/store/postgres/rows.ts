import type { AuditEntry, OutboxEvent, OutboxState } from '../../ports.js';

/** Columns read back as an OutboxEvent, in SELECT/RETURNING lists (optionally table-qualified). */
export function eventColumns(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return [
    'id',
    'account',
    'rule_id',
    'event_id',
    'source',
    'payload',
    'happened_at',
    'received_at',
    'state',
    'attempts',
    'next_attempt_at',
    'lease_until',
    'delivered_at',
    'last_reason',
    'last_response',
    'identifier_types',
    'consent',
    'context',
  ]
    .map((c) => p + c)
    .join(', ');
}

export interface EventRow {
  id: string;
  account: string;
  rule_id: string;
  event_id: string;
  source: string;
  payload: string;
  happened_at: number;
  received_at: number;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  delivered_at: number | null;
  last_reason: string | null;
  last_response: string | null;
  identifier_types: string[];
  consent: boolean | null;
  context: string | null;
}

export function eventFromRow(r: EventRow): OutboxEvent {
  return {
    id: r.id,
    account: r.account,
    ruleId: r.rule_id,
    eventId: r.event_id,
    source: r.source,
    payload: r.payload,
    happenedAt: r.happened_at,
    receivedAt: r.received_at,
    state: r.state as OutboxState,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until,
    deliveredAt: r.delivered_at,
    lastReason: r.last_reason,
    lastResponse: r.last_response,
    identifierTypes: r.identifier_types,
    consent: r.consent,
    context: r.context,
  };
}

export const AUDIT_COLUMNS =
  'at, account, rule_id, request_id, batch_size, identifier_counts, consent_counts, status, outcome, error_body, duration_ms, event_ids';

export interface AuditRow {
  at: number;
  account: string;
  rule_id: string;
  request_id: string | null;
  batch_size: number;
  identifier_counts: Record<string, number>;
  consent_counts: Record<string, number>;
  status: number;
  outcome: string;
  error_body: string | null;
  duration_ms: number;
  event_ids: string[];
}

export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    at: r.at,
    account: r.account,
    ruleId: r.rule_id,
    requestId: r.request_id,
    batchSize: r.batch_size,
    identifierCounts: r.identifier_counts,
    consentCounts: r.consent_counts,
    status: r.status,
    outcome: r.outcome,
    errorBody: r.error_body,
    durationMs: r.duration_ms,
    eventIds: r.event_ids,
  };
}

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
    a.eventIds,
  ];
}
