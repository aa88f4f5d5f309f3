/**
 * What to do with a batch after LinkedIn answered: a pure decision, so every branch can be tested
 * exhaustively without a store or a network. The worker carries the plan out; it adds no rules of
 * its own.
 *
 * A 200 whose body still lists failed elements completes the rest and settles only those.
 *
 * Invariant (property-tested): every event of the batch ends in exactly one of `complete`,
 * `retry`, `kill` or `release`, or in exactly one `resend` sub-batch, and every sub-batch is
 * non-empty and strictly smaller than the batch, so resending always terminates.
 */
import type { DeliveryOutcome } from '../ports.js';
import { isExpired, nextRetryAt, THROTTLE_FLOOR_MS } from './retry-policy.js';

/** The fields of an outbox event the plan looks at. */
export interface PlanEvent {
  id: string;
  happenedAt: number;
  attempts: number;
}

/** Why an event was dead-lettered. Stable: operators filter and redrive by it. */
export type DeadReason = 'rejected' | 'unknown_rule' | 'expired';

/** Why an account (or all sending, for `config`) was paused. Shown to operators as is. */
export type PauseReason = 'throttled' | 'reauth' | 'revoked' | 'forbidden' | 'config';

/**
 * "Until further notice", for a 401: only a new token (or an operator) lifts it, through
 * `resumeAccount`. 9999-12-31 is still a valid date for every store and dashboard.
 */
export const PAUSE_INDEFINITELY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A permission 403 is fixed in Campaign Manager, where the gateway gets no signal: after this long
 * one request probes whether access is back (each failed probe pauses again and logs again).
 */
export const FORBIDDEN_PROBE_MS = 3_600_000;

/**
 * A setup error (sunset API version, wrong base URL) is normally fixed by a restart with a new
 * configuration; the probe only guards against a LinkedIn blip being mistaken for one.
 */
export const CONFIG_PROBE_MS = 15 * 60_000;

export interface KillGroup {
  ids: string[];
  reason: DeadReason;
  /** LinkedIn's answer for these events, or our explanation. Never PII. */
  response: string | null;
}

export interface PauseOrder {
  /** `all` stops every account: the problem (API version) is not any one account's. */
  scope: 'account' | 'all';
  until: number;
  reason: PauseReason;
}

export interface DeliveryPlan<E extends PlanEvent> {
  complete: string[];
  retry: { ids: string[]; at: number; reason: string } | null;
  kill: KillGroup[];
  /** Back to the queue without counting an attempt: the account is paused, the events are fine. */
  release: string[];
  /** Sub-batches to send again at once (rejected batch minus the offenders, or bisected halves). */
  resend: E[][];
  pause: PauseOrder | null;
}

/**
 * An element a 200 BATCH_CREATE reported as failed. LinkedIn documents batches as all-or-nothing,
 * but the SDK reports such elements when a body lists them; the transport attaches them to a
 * `delivered` outcome (ports.ts does not carry the field yet), and the other elements were accepted
 * and must not be resent.
 */
export interface ElementError {
  index: number;
  status: number;
  message: string | null;
}

export type DeliveredOutcome = Extract<DeliveryOutcome, { kind: 'delivered' }> & {
  elementErrors?: ElementError[];
};

/** What a plan reads: a port outcome, possibly a `delivered` one carrying element errors. */
export type PlanOutcome = DeliveryOutcome | DeliveredOutcome;

export interface PlanSettings {
  now: number;
  retryBaseMs: number;
  retryMaxMs: number;
  random: () => number;
}

export function planDelivery<E extends PlanEvent>(
  events: readonly E[],
  outcome: PlanOutcome,
  settings: PlanSettings,
): DeliveryPlan<E> {
  const plan = emptyPlan<E>();
  const ids = events.map((e) => e.id);
  switch (outcome.kind) {
    case 'delivered':
      return planDelivered(events, outcome, settings);
    case 'retry': {
      const throttled = outcome.status === 429;
      const { retry, kill, at } = scheduleRetry(events, outcome, settings);
      plan.retry = retry;
      plan.kill = kill;
      // A 429 is about the token, not these events: every instance backs off until the same moment.
      if (throttled) plan.pause = { scope: 'account', until: at, reason: 'throttled' };
      return plan;
    }
    case 'reauth':
      plan.release = ids;
      plan.pause = {
        scope: 'account',
        until: PAUSE_INDEFINITELY,
        reason: outcome.revoked ? 'revoked' : 'reauth',
      };
      return plan;
    case 'forbidden':
      if (outcome.unknownRule) {
        // LinkedIn does not know the rule: no retry or new token fixes that, and only this rule's
        // events are affected, so the account keeps sending its other rules.
        plan.kill = [{ ids, reason: 'unknown_rule', response: outcome.body }];
        return plan;
      }
      plan.release = ids;
      plan.pause = { scope: 'account', until: settings.now + FORBIDDEN_PROBE_MS, reason: 'forbidden' };
      return plan;
    case 'config':
      plan.release = ids;
      plan.pause = { scope: 'all', until: settings.now + CONFIG_PROBE_MS, reason: 'config' };
      return plan;
    case 'rejected':
      return planRejected(events, outcome);
  }
}

/**
 * Claim-time triage: events that can no longer reach LinkedIn within its 90-day limit are
 * dead-lettered instead of spending a request on a certain refusal.
 */
export function splitExpired<E extends PlanEvent>(
  events: readonly E[],
  now: number,
): { live: E[]; expired: E[] } {
  const live: E[] = [];
  const expired: E[] = [];
  for (const event of events) (isExpired(event.happenedAt, now) ? expired : live).push(event);
  return { live, expired };
}

export const EXPIRED_AT_CLAIM = JSON.stringify({
  message:
    "Not sent: conversionHappenedAt is past LinkedIn's 90-day limit (less the gateway's safety margin).",
});

/** Statuses LinkedIn may answer differently next time (the same rule the SDK's classifier uses). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 423 || status === 429 || (status >= 500 && status !== 501);
}

interface RetryCause {
  status: number;
  afterMs: number | null;
  reason: string;
  body: string | null;
}

function scheduleRetry<E extends PlanEvent>(events: readonly E[], cause: RetryCause, settings: PlanSettings) {
  const at = nextRetryAt({
    attempts: Math.max(0, ...events.map((e) => e.attempts)),
    now: settings.now,
    baseMs: settings.retryBaseMs,
    maxMs: settings.retryMaxMs,
    random: settings.random,
    retryAfterMs: cause.afterMs,
    floorMs: cause.status === 429 ? THROTTLE_FLOOR_MS : 0,
  });
  // An event whose next attempt would fall past its expiry is dead-lettered now, with the failure
  // that stopped it, rather than waiting for a retry LinkedIn would refuse anyway.
  const expired = events.filter((e) => isExpired(e.happenedAt, at));
  const waiting = events.filter((e) => !isExpired(e.happenedAt, at));
  const kill: KillGroup[] =
    expired.length > 0
      ? [{ ids: expired.map((e) => e.id), reason: 'expired', response: expiredBeforeRetry(cause) }]
      : [];
  const retry = waiting.length > 0 ? { ids: waiting.map((e) => e.id), at, reason: cause.reason } : null;
  return { retry, kill, at };
}

function planDelivered<E extends PlanEvent>(
  events: readonly E[],
  outcome: DeliveredOutcome,
  settings: PlanSettings,
): DeliveryPlan<E> {
  const plan = emptyPlan<E>();
  const failed = new Map<number, ElementError>();
  for (const error of outcome.elementErrors ?? []) {
    if (Number.isInteger(error.index) && error.index >= 0 && error.index < events.length) {
      failed.set(error.index, error);
    }
  }
  if (failed.size === 0) {
    plan.complete = events.map((e) => e.id);
    return plan;
  }
  plan.complete = events.filter((_, i) => !failed.has(i)).map((e) => e.id);
  const transient = events.filter((_, i) => isTransientStatus(failed.get(i)?.status ?? 200));
  if (transient.length > 0) {
    const { retry, kill } = scheduleRetry(
      transient,
      { status: 200, afterMs: null, reason: 'element_failed', body: null },
      settings,
    );
    plan.retry = retry;
    plan.kill.push(...kill);
  }
  for (const [index, error] of failed) {
    if (isTransientStatus(error.status)) continue;
    plan.kill.push({
      ids: [events[index]!.id],
      reason: 'rejected',
      response: JSON.stringify({ status: error.status, message: error.message }),
    });
  }
  return plan;
}

function planRejected<E extends PlanEvent>(
  events: readonly E[],
  outcome: Extract<DeliveryOutcome, { kind: 'rejected' }>,
): DeliveryPlan<E> {
  const plan = emptyPlan<E>();
  const named = namedOffenders(events.length, outcome);
  if (named.size === 0) {
    if (events.length === 1) {
      plan.kill = [{ ids: [events[0]!.id], reason: 'rejected', response: outcome.body }];
      return plan;
    }
    // LinkedIn refused the whole batch without saying which events: bisect until each refusal is
    // pinned to one event. A batch with one bad event costs about 2·log2(n) extra requests.
    const middle = Math.ceil(events.length / 2);
    plan.resend = [events.slice(0, middle), events.slice(middle)];
    return plan;
  }
  const byResponse = new Map<string | null, string[]>();
  for (const [index, response] of named) {
    const group = byResponse.get(response) ?? [];
    group.push(events[index]!.id);
    byResponse.set(response, group);
  }
  plan.kill = [...byResponse].map(([response, ids]) => ({ ids, reason: 'rejected' as const, response }));
  const rest = events.filter((_, index) => !named.has(index));
  if (rest.length > 0) plan.resend = [rest];
  return plan;
}

/** Index → LinkedIn's reason for it (or the whole body). Ignores indices outside the batch. */
function namedOffenders(
  size: number,
  outcome: Extract<DeliveryOutcome, { kind: 'rejected' }>,
): Map<number, string | null> {
  const named = new Map<number, string | null>();
  outcome.indices.forEach((index, k) => {
    if (!Number.isInteger(index) || index < 0 || index >= size || named.has(index)) return;
    const reason = outcome.reasons[k];
    named.set(index, reason !== undefined && reason !== '' ? reason : outcome.body);
  });
  return named;
}

function expiredBeforeRetry(cause: RetryCause): string {
  return JSON.stringify({
    message: "Not retried: the next attempt would fall past LinkedIn's 90-day limit.",
    lastStatus: cause.status,
    lastReason: cause.reason,
    lastResponse: cause.body,
  });
}

function emptyPlan<E extends PlanEvent>(): DeliveryPlan<E> {
  return { complete: [], retry: null, kill: [], release: [], resend: [], pause: null };
}
