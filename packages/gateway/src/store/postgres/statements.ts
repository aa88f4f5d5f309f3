import type { DeadLetterFilter } from '../../ports.js';
import { FINAL_STATES, LEASE_EXPIRED_REASON } from '../policy.js';
import { AUDIT_COLUMNS, eventColumns } from './rows.js';

/**
 * Every SQL statement of the PostgreSQL adapter, hand-written. Batches travel as arrays (one
 * parameter per column, unnest on the server), so a 5,000-event enqueue or complete is one
 * statement and one round trip. Named statements let the server reuse each plan per connection.
 */
const DUE = "state IN ('queued', 'retrying')";
const FINAL = `state IN (${FINAL_STATES.map((s) => `'${s}'`).join(', ')})`;

export interface Statement {
  name: string;
  text: string;
}

/**
 * Insert events whose (rule, eventId) is new or has left the dedup window. Dedup rows are inserted
 * in key order so two instances enqueueing overlapping keys lock them in the same order. Returns
 * the ids that were inserted; the rest were duplicates.
 */
export const enqueue: Statement = {
  name: 'capi_enqueue',
  text: `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
        $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::boolean[], $12::text[])
        WITH ORDINALITY AS t(id, account, rule_id, event_id, source, payload, happened_at, received_at,
          state, identifier_types, consent, context, ord)
    ),
    fresh AS (
      INSERT INTO dedup (rule_id, event_id, seen_at)
      SELECT rule_id, event_id, $13 FROM input ORDER BY rule_id, event_id
      ON CONFLICT (rule_id, event_id) DO UPDATE SET seen_at = excluded.seen_at WHERE dedup.seen_at <= $14
      RETURNING rule_id, event_id
    ),
    new_queues AS (
      INSERT INTO queues (account, rule_id) SELECT * FROM unnest($15::text[], $16::text[])
      ON CONFLICT DO NOTHING
    )
    INSERT INTO events (id, account, rule_id, event_id, source, payload, happened_at, received_at, state,
      next_attempt_at, identifier_types, consent, context)
    SELECT i.id, i.account, i.rule_id, i.event_id, i.source, i.payload, i.happened_at, i.received_at, i.state,
      i.received_at, string_to_array(i.identifier_types, ','), i.consent, i.context
    FROM input i JOIN fresh f ON f.rule_id = i.rule_id AND f.event_id = i.event_id
    ORDER BY i.ord
    RETURNING id`,
};

export const reclaimExpired: Statement = {
  name: 'capi_reclaim',
  text: `UPDATE events SET state = 'retrying', attempts = attempts + 1, lease_until = NULL,
      last_reason = '${LEASE_EXPIRED_REASON}'
    WHERE seq IN (SELECT seq FROM events WHERE state = 'sending' AND lease_until <= $1 FOR UPDATE SKIP LOCKED)`,
};

/** The queue whose due head is oldest, skipping excluded and paused accounts and queues already tried. */
export const pickQueue: Statement = {
  name: 'capi_pick_queue',
  text: `SELECT q.account, q.rule_id FROM queues q
    CROSS JOIN LATERAL (
      SELECT e.next_attempt_at, e.seq FROM events e
      WHERE e.account = q.account AND e.rule_id = q.rule_id AND e.${DUE} AND e.next_attempt_at <= $1
      ORDER BY e.next_attempt_at, e.seq LIMIT 1
    ) head
    WHERE q.account <> ALL ($2::text[])
      AND NOT EXISTS (SELECT 1 FROM account_limits l WHERE l.account = q.account AND l.paused_until > $1)
      AND ($3::text IS NULL OR q.account = $3)
      AND (q.account, q.rule_id) NOT IN (SELECT * FROM unnest($4::text[], $5::text[]))
    ORDER BY head.next_attempt_at, head.seq LIMIT 1`,
};

/** Leases up to $4 due events of one queue; rows another claimer holds are skipped, not waited for. */
export const claimQueue: Statement = {
  name: 'capi_claim',
  text: `WITH picked AS (
      SELECT seq FROM events
      WHERE account = $1 AND rule_id = $2 AND ${DUE} AND next_attempt_at <= $3
      ORDER BY next_attempt_at, seq LIMIT $4
      FOR UPDATE SKIP LOCKED
    )
    UPDATE events e SET state = 'sending', lease_until = $5, lease_token = $6 FROM picked WHERE e.seq = picked.seq
    RETURNING ${eventColumns('e')}, e.seq`,
};

export const complete: Statement = {
  name: 'capi_complete',
  text: `UPDATE events SET state = 'delivered', delivered_at = $2, lease_until = NULL, attempts = attempts + 1
    WHERE id = ANY ($1::text[]) AND state = 'sending'`,
};

export const retryLater: Statement = {
  name: 'capi_retry_later',
  text: `UPDATE events SET state = 'retrying', next_attempt_at = $2, last_reason = $3, lease_until = NULL,
      attempts = attempts + 1
    WHERE id = ANY ($1::text[]) AND state = 'sending'`,
};

export const kill: Statement = {
  name: 'capi_kill',
  text: `UPDATE events SET state = 'dead', last_reason = $2, last_response = $3, dead_at = $4,
      attempts = attempts + CASE WHEN state = 'sending' THEN 1 ELSE 0 END, lease_until = NULL
    WHERE id = ANY ($1::text[]) AND state IN ('queued', 'retrying', 'sending')`,
};

/** A lease given back without counting an attempt, due again at once ($2: now). */
const GIVE_BACK = `UPDATE events SET state = CASE WHEN attempts > 0 THEN 'retrying' ELSE 'queued' END,
      lease_until = NULL, next_attempt_at = least(next_attempt_at, $2)`;

export const release: Statement = {
  name: 'capi_release',
  text: `${GIVE_BACK} WHERE id = ANY ($1::text[]) AND state = 'sending'`,
};

/** Gives back what one claim leased, found by its token (see migration 2). */
export const releaseClaim: Statement = {
  name: 'capi_release_claim',
  text: `${GIVE_BACK} WHERE lease_token = $1 AND state = 'sending'`,
};

export const byEventId: Statement = {
  name: 'capi_by_event_id',
  text: `SELECT ${eventColumns()} FROM events WHERE event_id = $1 ORDER BY seq`,
};

export const appendAudit: Statement = {
  name: 'capi_append_audit',
  text: `WITH a AS (
      INSERT INTO audit (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      RETURNING seq
    )
    INSERT INTO audit_events (event_id, audit_seq)
    SELECT DISTINCT ids.event_id, a.seq FROM a, unnest($12::text[]) AS ids(event_id)`,
};

export const auditForEvent: Statement = {
  name: 'capi_audit_for_event',
  text: `SELECT ${AUDIT_COLUMNS.split(', ')
    .map((c) => `a.${c}`)
    .join(', ')} FROM audit_events l JOIN audit a ON a.seq = l.audit_seq
    WHERE l.event_id = $1 ORDER BY a.at DESC, a.seq DESC LIMIT $2`,
};

export const countByState: Statement = {
  name: 'capi_count_by_state',
  text: 'SELECT state, count(*)::integer AS n FROM events GROUP BY state',
};

export const oldestDue: Statement = {
  name: 'capi_oldest_due',
  text: `SELECT min(received_at) AS oldest FROM events WHERE ${DUE}`,
};

export const deadByReason: Statement = {
  name: 'capi_dead_by_reason',
  text: `SELECT coalesce(last_reason, 'unknown') AS reason, count(*)::integer AS n FROM events
    WHERE state = 'dead' GROUP BY 1`,
};

export const purgeEvents: Statement = {
  name: 'capi_purge_events',
  text: `DELETE FROM events WHERE seq IN (
      SELECT seq FROM events WHERE ${FINAL} AND coalesce(delivered_at, dead_at, received_at) < $1 LIMIT $2)`,
};

export const purgeAudit: Statement = {
  name: 'capi_purge_audit',
  text: `WITH old AS (SELECT seq FROM audit WHERE at < $1 LIMIT $2),
    links AS (DELETE FROM audit_events WHERE audit_seq IN (SELECT seq FROM old))
    DELETE FROM audit WHERE seq IN (SELECT seq FROM old)`,
};

export const expireDedup: Statement = {
  name: 'capi_expire_dedup',
  text: `DELETE FROM dedup WHERE (rule_id, event_id) IN (
      SELECT rule_id, event_id FROM dedup WHERE seen_at < $1 LIMIT $2)`,
};

/** Creates the account's row if needed and locks it: the budget is read and written under this lock. */
export const lockBudget: Statement = {
  name: 'capi_lock_budget',
  text: `INSERT INTO account_limits (account) VALUES ($1)
    ON CONFLICT (account) DO UPDATE SET account = excluded.account
    RETURNING day_start, day_count, recent, paused_until`,
};

export const saveBudget: Statement = {
  name: 'capi_save_budget',
  text: 'UPDATE account_limits SET day_start = $2, day_count = $3, recent = $4::bigint[] WHERE account = $1',
};

/** A later pause wins; 0 clears. One statement, so concurrent pauses from instances merge atomically. */
export const pause: Statement = {
  name: 'capi_pause',
  text: `INSERT INTO account_limits AS l (account, paused_until, pause_reason) VALUES ($1, $2, $3)
    ON CONFLICT (account) DO UPDATE SET
      pause_reason = CASE WHEN excluded.paused_until = 0 THEN NULL
        WHEN excluded.paused_until > l.paused_until THEN excluded.pause_reason ELSE l.pause_reason END,
      paused_until = CASE WHEN excluded.paused_until = 0 THEN 0
        ELSE greatest(l.paused_until, excluded.paused_until) END`,
};

export const paused: Statement = {
  name: 'capi_paused',
  text: `SELECT account, paused_until AS until, coalesce(pause_reason, '') AS reason FROM account_limits
    WHERE paused_until > $1 ORDER BY account`,
};

/** WHERE clause selecting dead letters, with parameters numbered from `$first`. */
export function deadLetterWhere(filter: DeadLetterFilter, first: number): { sql: string; params: unknown[] } {
  const clauses = ["state = 'dead'"];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${first + params.length - 1}`));
  };
  if (filter.ids) add((p) => `id = ANY (${p}::text[])`, filter.ids);
  if (filter.eventIds) add((p) => `event_id = ANY (${p}::text[])`, filter.eventIds);
  if (filter.ruleId !== undefined) add((p) => `rule_id = ${p}`, filter.ruleId);
  if (filter.account !== undefined) add((p) => `account = ${p}`, filter.account);
  if (filter.reason !== undefined) add((p) => `last_reason = ${p}`, filter.reason);
  if (filter.since !== undefined) add((p) => `dead_at >= ${p}`, filter.since);
  if (filter.after !== undefined) {
    const { deadAt, id } = filter.after;
    params.push(deadAt, id);
    const [at, byId] = [`$${first + params.length - 2}`, `$${first + params.length - 1}`];
    clauses.push(`(dead_at < ${at} OR (dead_at = ${at} AND id < ${byId}))`);
  }
  return { sql: clauses.join(' AND '), params };
}

/** $1 = limit (NULL for all), filter parameters from $2. */
export function listDeadSql(where: string): string {
  return `SELECT ${eventColumns()}, dead_at FROM events WHERE ${where} ORDER BY dead_at DESC, id DESC LIMIT $1`;
}

/** A page of dead letters as a summary counts them; $1 = limit, filter parameters from $2. */
export function deadLetterKeysSql(where: string): string {
  return `SELECT account, rule_id, last_reason, dead_at, id FROM events WHERE ${where}
    ORDER BY dead_at DESC, id DESC LIMIT $1`;
}

/** Groups of dead letters, the largest first; filter parameters from $1. */
export function summarizeDeadSql(where: string): string {
  return `SELECT account, rule_id, last_reason, count(*)::int AS n, max(dead_at) AS newest_at, min(dead_at) AS oldest_at
    FROM events WHERE ${where} GROUP BY account, rule_id, last_reason
    ORDER BY n DESC, account COLLATE "C", rule_id COLLATE "C", last_reason COLLATE "C" NULLS FIRST`;
}

/**
 * $1 = limit (NULL for all), $2 = now, filter parameters from $3. Returns each moved dead letter's
 * place in the list's order (`n`, from 1) with its position, so the caller can find the last.
 */
export function redriveSql(where: string): string {
  return `WITH picked AS (
      SELECT seq, dead_at, id, row_number() OVER (ORDER BY dead_at DESC, id DESC) AS n FROM events
      WHERE seq IN (SELECT seq FROM events WHERE ${where} ORDER BY dead_at DESC, id DESC LIMIT $1 FOR UPDATE))
    UPDATE events e SET state = 'queued', next_attempt_at = $2, last_reason = NULL, last_response = NULL,
      dead_at = NULL
    FROM picked WHERE e.seq = picked.seq
    RETURNING picked.n, picked.dead_at, picked.id`;
}

/** A key's row, taken if absent (the caller's transaction then holds it until commit). */
export const takeIdempotency: Statement = {
  name: 'capi_take_idempotency',
  text: `INSERT INTO idempotency_keys (source, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (source, key) DO NOTHING`,
};

export const lockIdempotency: Statement = {
  name: 'capi_lock_idempotency',
  text: `SELECT fingerprint, created_at, status, body FROM idempotency_keys
    WHERE source = $1 AND key = $2 FOR UPDATE`,
};

export const claimIdempotency: Statement = {
  name: 'capi_claim_idempotency',
  text: `UPDATE idempotency_keys SET fingerprint = $3, created_at = $4, status = NULL, body = NULL
    WHERE source = $1 AND key = $2`,
};

export const answerIdempotency: Statement = {
  name: 'capi_answer_idempotency',
  text: `UPDATE idempotency_keys SET status = $3, body = $4
    WHERE source = $1 AND key = $2 AND status IS NULL`,
};

export const releaseIdempotency: Statement = {
  name: 'capi_release_idempotency',
  text: 'DELETE FROM idempotency_keys WHERE source = $1 AND key = $2 AND status IS NULL',
};

export const expireIdempotency: Statement = {
  name: 'capi_expire_idempotency',
  text: 'DELETE FROM idempotency_keys WHERE created_at < $1',
};
