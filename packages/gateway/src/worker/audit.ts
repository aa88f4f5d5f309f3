/**
 * The audit row for one LinkedIn request. Built from what the outbox already knows about each
 * event (identifier types, consent), never from the payloads: an audit row holds counts, never an
 * identifier value.
 */
import type { AuditEntry, DeliveryOutcome, OutboxEvent } from '../ports.js';

/** LinkedIn error bodies are short, but a proxy's HTML error page is not. */
export const AUDIT_BODY_MAX_CHARS = 4_000;

export interface AuditInput {
  at: number;
  account: string;
  ruleId: string;
  events: readonly Pick<OutboxEvent, 'id' | 'identifierTypes' | 'consent'>[];
  outcome: DeliveryOutcome;
  durationMs: number;
}

export function buildAuditEntry(input: AuditInput): AuditEntry {
  const { outcome, events } = input;
  return {
    at: input.at,
    account: input.account,
    ruleId: input.ruleId,
    requestId: outcome.requestId,
    batchSize: events.length,
    identifierCounts: countIdentifierTypes(events),
    consentCounts: countConsent(events),
    status: outcome.status,
    outcome: outcome.kind,
    errorBody: outcome.kind === 'delivered' ? null : truncate(outcome.body),
    durationMs: Math.max(0, Math.round(input.durationMs)),
    eventIds: events.map((e) => e.id),
  };
}

/** Events carrying each identifier type; an event listing a type twice counts once. */
export function countIdentifierTypes(
  events: readonly Pick<OutboxEvent, 'identifierTypes'>[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  // Stores hand out one shared list per combination of types (see identifierTypesOf), and events of
  // a batch mostly share theirs, so each run of the same list is counted once and added as a run.
  let run: readonly string[] | null = null;
  let runLength = 0;
  for (const { identifierTypes: types } of events) {
    if (types === run) {
      runLength += 1;
      continue;
    }
    if (run) addRun(counts, run, runLength);
    run = types;
    runLength = 1;
  }
  if (run) addRun(counts, run, runLength);
  return counts;
}

function addRun(counts: Record<string, number>, types: readonly string[], events: number): void {
  // A handful of types per event: a look back is cheaper than a Set.
  for (let i = 0; i < types.length; i += 1) {
    const type = types[i]!;
    if (i === 0 || types.lastIndexOf(type, i - 1) === -1) counts[type] = (counts[type] ?? 0) + events;
  }
}

export function countConsent(events: readonly Pick<OutboxEvent, 'consent'>[]): Record<string, number> {
  const counts = { granted: 0, denied: 0, unknown: 0 };
  for (const { consent } of events) {
    if (consent === true) counts.granted += 1;
    else if (consent === false) counts.denied += 1;
    else counts.unknown += 1;
  }
  return counts;
}

function truncate(body: string | null): string | null {
  if (body === null || body.length <= AUDIT_BODY_MAX_CHARS) return body;
  return `${body.slice(0, AUDIT_BODY_MAX_CHARS)}… (${body.length - AUDIT_BODY_MAX_CHARS} more characters)`;
}
