/**
 * Idempotency keys of `POST /v1/events` (docs/api.md, "Idempotency-Key"): what a store decides when
 * a request arrives with a key, given the row it holds for (source, key). Pure, so the three stores
 * share one rule and it is tested once; each store applies the decision atomically.
 *
 * Rules: a key is remembered for a window (24 h by default) from when its request began. A request
 * whose key is unknown (or forgotten) runs and its answer is kept; the same request again gets that
 * answer back; another request with the same key is refused; a request arriving while the first is
 * still running is told to retry. A request that never finished (its process died) does not hold the
 * key forever: after `staleMs` the next request with it runs again, which is safe, since eventIds
 * keep the events themselves from being stored twice.
 */

/** A request with an Idempotency-Key, as the HTTP layer hands it to the store. */
export interface IdempotencyStart {
  source: string;
  /**
   * A digest of the source and the client's Idempotency-Key (http/idempotency.ts), never the key
   * itself: stores keep it as an opaque string.
   */
  key: string;
  /** SHA-256 (hex) of what the request asks: the same key with another request is refused. */
  fingerprint: string;
  now: number;
  /** How long a key is remembered. */
  windowMs: number;
  /** How long a started request may hold its key without an answer. */
  staleMs: number;
}

/** What the store holds for (source, key). `status` null: the request has not answered yet. */
export interface IdempotencyRow {
  fingerprint: string;
  createdAt: number;
  status: number | null;
  body: string | null;
}

export type IdempotencyBegin =
  /** The caller now holds the key: it must end with `finishIdempotent`. */
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'mismatch' }
  | { kind: 'pending' };

/** The decision, and whether the store must (re)write the row as a new, unanswered one. */
export function decideIdempotency(
  row: IdempotencyRow | null,
  start: IdempotencyStart,
): { begin: IdempotencyBegin; claim: boolean } {
  if (row === null || row.createdAt <= start.now - start.windowMs) {
    return { begin: { kind: 'new' }, claim: true };
  }
  if (row.fingerprint !== start.fingerprint) return { begin: { kind: 'mismatch' }, claim: false };
  if (row.status !== null) {
    return { begin: { kind: 'replay', status: row.status, body: row.body ?? '' }, claim: false };
  }
  if (row.createdAt <= start.now - start.staleMs) return { begin: { kind: 'new' }, claim: true };
  return { begin: { kind: 'pending' }, claim: false };
}
