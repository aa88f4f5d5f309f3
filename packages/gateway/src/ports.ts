/**
 * The gateway's seams. Everything else depends on these interfaces, never on a concrete adapter:
 * the worker knows neither SQL nor HTTP, the HTTP layer knows no SQL, and each store adapter
 * (SQLite, PostgreSQL) must pass the one conformance suite in `store/conformance.ts`.
 */
import type { IdempotencyBegin, IdempotencyStart } from './domain/idempotency.js';

/** Injected wherever time matters (90-day window, retention, leases, budgets, token expiry). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * An event's life: received → (rejected | duplicate | suppressed) → queued → sending →
 * delivered | retrying | dead. Rejected and duplicate events are never stored as rows of their own;
 * everything else is.
 */
export const OUTBOX_STATES = ['queued', 'sending', 'retrying', 'delivered', 'dead', 'suppressed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** What the HTTP layer hands to the store: already normalised, hashed, validated. No raw PII. */
export interface NewOutboxEvent {
  /** Internal id (UUID v4 or similar), unique across the store. */
  id: string;
  /** Ad account id (digits only) this event's rule belongs to; selects token and budget. */
  account: string;
  /** Conversion rule id (digits only). Dedup key is (ruleId, eventId). */
  ruleId: string;
  eventId: string;
  /** Name of the source (from its key) that sent the event. */
  source: string;
  /** The exact LinkedIn `conversionEvents` element to send, serialised JSON, identifiers hashed. */
  payload: string;
  /** conversionHappenedAt, epoch ms. Used for expiry (90 days). */
  happenedAt: number;
  receivedAt: number;
  /** 'queued' for deliverable events, 'suppressed' when consent was withheld. */
  state: 'queued' | 'suppressed';
  /** Identifier types present, e.g. ['SHA256_EMAIL','LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID']. */
  identifierTypes: readonly string[];
  /** Consent as received: true, false, or null when not stated. */
  consent: boolean | null;
  /** Optional B2B envelope (JSON), kept for reconciliation and never sent to LinkedIn. No PII. */
  context: string | null;
}

export interface OutboxEvent extends Omit<NewOutboxEvent, 'state'> {
  state: OutboxState;
  attempts: number;
  /** When the event may next be claimed (epoch ms). */
  nextAttemptAt: number;
  /** Lease expiry while `sending`; null otherwise. */
  leaseUntil: number | null;
  deliveredAt: number | null;
  /** Short machine reason for the last failure or dead-lettering (e.g. 'expired', 'rejected'). */
  lastReason: string | null;
  /** LinkedIn's response body or our explanation, for dead letters. Never contains PII. */
  lastResponse: string | null;
}

export type EnqueueStatus = 'inserted' | 'duplicate';

export interface ClaimRequest {
  /** Claim at most this many events. */
  limit: number;
  /** How long the claim holds before another worker may take the events. */
  leaseMs: number;
  now: number;
  /** Restrict to one account (token); omit to take the account with the oldest due event. */
  account?: string;
  /**
   * Accounts not to claim from: the caller's own holds (a spent budget, a lingering batch). Accounts
   * paused in the store at `now` (401, 429 pause, by any instance) are skipped by the claim itself.
   */
  excludeAccounts?: string[];
  /**
   * A unique id the caller picks for this claim. If the claim fails without an answer (the store
   * may have committed it), `releaseClaim(leaseToken)` gives back whatever it leased.
   */
  leaseToken?: string;
}

/**
 * A claimed group: events of one account and one rule, due now, leased to the caller. The worker
 * sends a group as one BATCH_CREATE (a group is at most `limit` events).
 */
export interface ClaimedBatch {
  account: string;
  ruleId: string;
  events: OutboxEvent[];
}

export interface DeadLetterFilter {
  ids?: string[];
  eventIds?: string[];
  ruleId?: string;
  account?: string;
  reason?: string;
  /** Dead-lettered at or after (epoch ms). */
  since?: number;
  limit?: number;
  /**
   * Only the dead letters listed after this one (the list is newest first: by dead-letter time,
   * then by id, both descending): the next page of a list whose last row it was.
   */
  after?: DeadLetterPosition;
}

/** What a redrive moved: how many, and the last of them in the list's order (the oldest). */
export interface RedriveResult {
  redriven: number;
  /** Where the next page starts (`DeadLetterFilter.after`); null when nothing moved. */
  last: DeadLetterPosition | null;
}

/** Where a dead letter stands in the list's order. */
export interface DeadLetterPosition {
  deadAt: number;
  id: string;
}

/** A summary of dead letters: its groups, and the last dead letter counted when it was one page. */
export interface DeadLetterSummary {
  groups: DeadLetterGroup[];
  /** Where the next page starts (`DeadLetterFilter.after`); null without a limit or a match. */
  last: DeadLetterPosition | null;
}

/** Dead letters of one account, rule and reason, counted. */
export interface DeadLetterGroup {
  account: string;
  ruleId: string;
  reason: string | null;
  count: number;
  /** Dead-letter times of the newest and the oldest in the group (epoch ms). */
  newestAt: number;
  oldestAt: number;
}

/** A dead letter as listed: the event, and when it was dead-lettered (epoch ms). */
export interface DeadLetter extends OutboxEvent {
  deadAt: number;
}

/** One row per LinkedIn request: the audit log. Counts of identifier types, never values. */
export interface AuditEntry {
  at: number;
  account: string;
  ruleId: string;
  /** LinkedIn's request id (X-LI-UUID) when present. */
  requestId: string | null;
  batchSize: number;
  /** e.g. { SHA256_EMAIL: 4980, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID: 1200 } */
  identifierCounts: Record<string, number>;
  /** e.g. { granted: 10, denied: 0, unknown: 4990 } (denied events are never sent, so 0) */
  consentCounts: Record<string, number>;
  /** HTTP status, or 0 when no response came (network error, or no token configured: nothing sent). */
  status: number;
  /** 'delivered' | 'retry' | 'reauth' | 'forbidden' | 'rejected' | 'config' */
  outcome: string;
  /** LinkedIn's error body, truncated; null on success. */
  errorBody: string | null;
  durationMs: number;
  /** Internal ids of the events in this request, to show attempts per event. */
  eventIds: string[];
}

export interface OutboxStats {
  byState: Record<OutboxState, number>;
  /** Oldest due (queued/retrying) event's receivedAt, for lag; null when empty. */
  oldestQueuedAt: number | null;
  deadByReason: Record<string, number>;
}

/** Outcome of asking the shared limiter for one LinkedIn request. */
export type BudgetDecision =
  | { ok: true; minuteLeft: number; dayLeft: number }
  | { ok: false; retryAt: number };

export interface BudgetLimits {
  perMinute: number;
  perDay: number;
}

export interface StoreCapabilities {
  /** Several gateway processes may share this store. */
  multiInstance: boolean;
  /** Claims use SELECT … FOR UPDATE SKIP LOCKED. */
  skipLocked: boolean;
  /**
   * `releaseClaim` finds a claim's events by its lease token. False where a claim's answer cannot
   * be lost (in-process SQLite): there `releaseClaim` has nothing to do and returns 0.
   */
  releasesByLeaseToken: boolean;
}

/**
 * The durable outbox. Operations, not SQL. Every method is atomic. `enqueue` returns only after the
 * events are committed (WAL; fsync per commit in strict mode).
 *
 * Attempts: `complete` and `retryLater` count one; `kill` counts one only if the event was leased;
 * `release` counts none; a lease that expires counts one (reason `lease_expired`). `complete`,
 * `retryLater` and `release` act only on events still being sent, so a late answer cannot undo
 * another worker's delivery. `purge` keeps dedup keys until their window closes. `listDead` returns
 * at most 1,000 rows unless a limit says otherwise.
 */
export interface OutboxStore {
  readonly capabilities: StoreCapabilities;
  /** Creates or upgrades the schema. Idempotent. */
  migrate(): Promise<void>;
  /** Atomic; dedup on (ruleId, eventId) within the dedup window. One status per input, same order. */
  enqueue(events: NewOutboxEvent[]): Promise<EnqueueStatus[]>;
  /** Leases due events (queued/retrying with nextAttemptAt ≤ now, or sending with an expired lease). */
  claim(request: ClaimRequest): Promise<ClaimedBatch | null>;
  complete(ids: string[], now: number): Promise<void>;
  /** Back to 'retrying', attempts+1, claimable again at `at`. */
  retryLater(ids: string[], at: number, reason: string): Promise<void>;
  /** Dead-letter with a reason and LinkedIn's response (or our explanation). */
  kill(ids: string[], reason: string, response: string | null, now: number): Promise<void>;
  /** Give the lease back without counting an attempt (shutdown, paused token). */
  release(ids: string[], now: number): Promise<void>;
  /**
   * Gives back, as `release` does, the events still leased by the claim with this `leaseToken`
   * (one whose answer was lost: they would otherwise wait for their lease to end). Returns how
   * many. A store whose claim answers cannot be lost (in-process SQLite: `releasesByLeaseToken`
   * false) returns 0.
   */
  releaseClaim(leaseToken: string, now: number): Promise<number>;
  /**
   * Dead letters back to 'queued' (attempts kept, reason cleared), in the list's order (newest
   * first) and up to the filter's limit: with `after` set to the `last` of one call, the next call
   * moves the next page.
   */
  redrive(filter: DeadLetterFilter, now: number): Promise<RedriveResult>;
  /** Dead letters, newest first (see `DeadLetterFilter.after`). */
  listDead(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  /**
   * Dead letters grouped by account, rule and reason, the largest group first, then by those keys.
   * With a `limit`, only the first `limit` matches after `after` in the list's order are counted,
   * and `last` says where they ended, so a summary can go in pages; without one, every match after
   * `after`, and `last` is null.
   */
  summarizeDead(filter: DeadLetterFilter): Promise<DeadLetterSummary>;
  /** Looks up by the business eventId; several rules may share one eventId. */
  findByEventId(eventId: string): Promise<OutboxEvent[]>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Audit rows that include this internal event id, newest first. */
  auditForEvent(id: string, limit?: number): Promise<AuditEntry[]>;
  stats(): Promise<OutboxStats>;
  /** The cheapest round trip that proves the store answers (readiness probes); rejects if not. */
  ping(): Promise<void>;
  /** Deletes events (final states only: delivered, dead, suppressed) and audit rows older than `before`. */
  purge(before: number): Promise<{ events: number; audit: number }>;
  /** Forgets dedup keys older than `before` so a very old eventId may be sent again. */
  expireDedup(before: number): Promise<number>;
  /**
   * Shared request budget per account: takes one request from the per-minute and per-day budgets
   * (the day resets at 00:00 UTC) or says when to come back. Honours `pausedUntil`.
   */
  takeBudget(account: string, limits: BudgetLimits, now: number): Promise<BudgetDecision>;
  /** Pause an account's sending (429 back-off, 401 reauth) for every instance; 0 clears it. */
  pauseAccount(account: string, until: number, reason: string): Promise<void>;
  pausedAccounts(now: number): Promise<Array<{ account: string; until: number; reason: string }>>;
  /**
   * Idempotency keys (domain/idempotency.ts): atomically decides what a request sent with a key
   * gets, and on `new` records the key as taken by this request (for every instance).
   */
  beginIdempotent(start: IdempotencyStart): Promise<IdempotencyBegin>;
  /**
   * Ends the request that took the key: keeps its answer for replays, or (null) gives the key back
   * so a retry runs again (the request failed in a way worth retrying: 503). Only an unanswered key
   * is touched.
   */
  finishIdempotent(
    source: string,
    key: string,
    answer: { status: number; body: string } | null,
  ): Promise<void>;
  /** Forgets keys whose request began before `before`. Returns how many. */
  expireIdempotency(before: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * How one BATCH_CREATE request ended, as a value. Batches are all-or-nothing at LinkedIn: on
 * `rejected` the worker sets aside the named indices (or bisects when none are named) and resends
 * the rest at once.
 */
export type DeliveryOutcome =
  | {
      kind: 'delivered';
      status: number;
      requestId: string | null;
      /** Elements a 200 reported as failed (Rest.li allows it; LinkedIn has not been seen doing it). */
      elementErrors?: Array<{ index: number; status: number; message: string | null }>;
    }
  | {
      kind: 'retry';
      status: number;
      requestId: string | null;
      afterMs: number | null;
      reason: string;
      body: string | null;
    }
  | { kind: 'reauth'; status: number; requestId: string | null; revoked: boolean; body: string | null }
  | { kind: 'forbidden'; status: number; requestId: string | null; unknownRule: boolean; body: string | null }
  | {
      kind: 'rejected';
      status: number;
      requestId: string | null;
      /** Offending element indices; empty when LinkedIn named none. */
      indices: number[];
      /** Reason per index when known (same order as `indices`). */
      reasons: string[];
      body: string | null;
    }
  | { kind: 'config'; status: number; requestId: string | null; code: string; body: string | null };

/** Sends prepared LinkedIn event payloads (JSON strings, already hashed) for one account. */
export interface LinkedInTransport {
  sendBatch(account: string, payloads: string[], signal?: AbortSignal): Promise<DeliveryOutcome>;
}
