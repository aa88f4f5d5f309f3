import type { OutboxEvent } from '../../ports.js';

/** Event views of the admin routes: an outbox event without its payload, times as ISO-8601. */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function parseContext(context: string | null): Record<string, unknown> | null {
  if (context === null) return null;
  try {
    return JSON.parse(context) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** What the admin routes show of an event: never the payload, only which identifier types it holds. */
export function eventView(e: OutboxEvent) {
  return {
    id: e.id,
    eventId: e.eventId,
    ruleId: e.ruleId,
    account: e.account,
    source: e.source,
    state: e.state,
    attemptCount: e.attempts,
    happenedAt: new Date(e.happenedAt).toISOString(),
    receivedAt: new Date(e.receivedAt).toISOString(),
    nextAttemptAt: e.state === 'queued' || e.state === 'retrying' ? iso(e.nextAttemptAt) : null,
    deliveredAt: iso(e.deliveredAt),
    lastReason: e.lastReason,
    lastResponse: e.lastResponse,
    identifierTypes: e.identifierTypes,
    consent: e.consent,
    context: parseContext(e.context),
  };
}
