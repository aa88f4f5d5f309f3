import type Database from 'better-sqlite3';
import type { DeadLetterFilter } from '../../ports.js';
import { FINAL_STATES, LEASE_EXPIRED_REASON } from '../policy.js';
import { AUDIT_COLUMNS, EVENT_COLUMNS } from './rows.js';

/**
 * Every SQL statement of the SQLite adapter: hand-written, prepared once, reused for the life of the
 * connection. Arrays of ids travel as one JSON parameter read with json_each, so a 5,000-event
 * complete is one statement, not 5,000.
 */
const DUE = "state IN ('queued', 'retrying')";
const FINAL = `state IN (${FINAL_STATES.map((s) => `'${s}'`).join(', ')})`;
const FINISHED_AT = 'coalesce(delivered_at, dead_at, received_at)';
const ID_LIST = 'id IN (SELECT value FROM json_each(?))';
const SEQ_LIST = 'seq IN (SELECT value FROM json_each(?))';
/** The last seq whose dedup key is on disk (sqlite/key-levels.ts). */
const MERGED_SEQ = "SELECT value FROM store_meta WHERE key = 'keys_merged_seq'";

export function prepareStatements(db: Database.Database) {
  return {
    // Dedup: a key is live while some copy was seen after the threshold (see sqlite/key-levels.ts).
    archivedKeySeen: db
      .prepare('SELECT 1 FROM dedup_keys WHERE event_id = ? AND rule_id = ? AND seen_at > ?')
      .pluck(),
    anyArchivedKey: db.prepare('SELECT EXISTS (SELECT 1 FROM dedup_keys)').pluck(),
    dedupFloor: db.prepare("SELECT value FROM store_meta WHERE key = 'dedup_floor'").pluck(),
    setDedupFloor: db.prepare("UPDATE store_meta SET value = ? WHERE key = 'dedup_floor'"),
    // No index on seen_at (schema version 8): it never decreases along seq, so expireDedup bisects
    // the table's own key for where a time begins (sqlite/seen-boundary.ts) and counts between.
    lastSeenAt: db.prepare('SELECT seen_at FROM events ORDER BY seq DESC LIMIT 1').pluck(),
    // Two subqueries: SQLite answers a lone min() or max() from the end of the key, not both at once.
    seqBounds: db.prepare('SELECT (SELECT min(seq) FROM events), (SELECT max(seq) FROM events)').raw(true),
    firstSeenAtOrAfter: db
      .prepare('SELECT seq, seen_at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1')
      .raw(true),
    countSeqBetween: db.prepare('SELECT count(*) FROM events WHERE seq >= ? AND seq < ?').pluck(),
    expireArchivedKeys: db.prepare('DELETE FROM dedup_keys WHERE seen_at < ?'),

    /** The queue's lane number, the queue (and its number) made on first use. */
    laneOf: db
      .prepare(`INSERT INTO queues (account, rule_id, lane) VALUES (?, ?, (SELECT coalesce(max(lane), 0) + 1 FROM queues))
        ON CONFLICT (account, rule_id) DO UPDATE SET lane = lane RETURNING lane`)
      .pluck(),
    queues: db.prepare('SELECT account, rule_id, lane FROM queues').raw(true),

    bumpState: db.prepare('UPDATE state_counts SET n = n + ? WHERE state = ?'),
    // New events after the last fold of their counts (sqlite/new-event-counts.ts), by first state.
    countedSeq: db.prepare("SELECT value FROM store_meta WHERE key = 'counted_seq'").pluck(),
    setCountedSeq: db.prepare("UPDATE store_meta SET value = ? WHERE key = 'counted_seq'"),
    countAfter: db
      .prepare("SELECT coalesce(sum(state = 'suppressed'), 0), count(*), max(seq) FROM events WHERE seq > ?")
      .raw(true),
    stateCounts: db.prepare('SELECT state, n FROM state_counts').raw(true),

    reclaimExpired:
      db.prepare(`UPDATE events SET state = 'retrying', attempts = attempts + 1, lease_until = NULL,
      last_reason = '${LEASE_EXPIRED_REASON}' WHERE state = 'sending' AND lease_until <= ?`),
    // The oldest due head among the given queues on the per-row path (events with a state of their
    // own): one O(log n) probe of events_due per queue.
    pickQueue: db
      .prepare(`SELECT e.account, e.rule_id, e.next_attempt_at, e.seq FROM json_each(?) q
        JOIN events e ON e.seq = (
          SELECT d.seq FROM events d
          WHERE d.account = q.value ->> 0 AND d.rule_id = q.value ->> 1 AND d.${DUE} AND d.next_attempt_at <= ?
          ORDER BY d.next_attempt_at, d.seq LIMIT 1)
        ORDER BY e.next_attempt_at, e.seq LIMIT 1`)
      .raw(true),
    dueInQueue: db
      .prepare(`SELECT ${EVENT_COLUMNS}, seq FROM events
        WHERE account = ? AND rule_id = ? AND ${DUE} AND next_attempt_at <= ?
        ORDER BY next_attempt_at, seq LIMIT ?`)
      .raw(true),
    lease: db.prepare(`UPDATE events SET state = 'sending', lease_until = ? WHERE ${SEQ_LIST}`),

    complete: db.prepare(`UPDATE events SET state = 'delivered', delivered_at = ?, lease_until = NULL,
      attempts = attempts + 1 WHERE ${ID_LIST} AND state = 'sending'`),
    retryLater: db.prepare(`UPDATE events SET state = 'retrying', next_attempt_at = ?, last_reason = ?,
      lease_until = NULL, attempts = attempts + 1 WHERE ${ID_LIST} AND state = 'sending'`),
    killableStates: db
      .prepare(`SELECT state, count(*) FROM events WHERE ${ID_LIST} AND state IN ('queued', 'retrying', 'sending')
        GROUP BY state`)
      .raw(true),
    kill: db.prepare(`UPDATE events SET state = 'dead', last_reason = ?, last_response = ?, dead_at = ?,
      attempts = attempts + (state = 'sending'), lease_until = NULL
      WHERE ${ID_LIST} AND state IN ('queued', 'retrying', 'sending')`),
    release: db
      .prepare(`UPDATE events SET state = CASE WHEN attempts > 0 THEN 'retrying' ELSE 'queued' END,
        lease_until = NULL, next_attempt_at = min(next_attempt_at, ?) WHERE ${ID_LIST} AND state = 'sending'
        RETURNING state`)
      .pluck(),

    // Through events_resolved: a fresh event's state is its batch's (see sqlite/lanes.ts). The seqs
    // come from the key index's levels on disk and, for events after its last flush (its level 0, in
    // memory on the writer), from a scan of those newest rows: this way any connection can answer.
    byEventId: db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events_resolved events WHERE event_id = ? AND seq IN (
          SELECT seq FROM event_keys WHERE level IN (SELECT level FROM key_levels) AND event_id = ?
          UNION SELECT seq FROM events WHERE seq > (${MERGED_SEQ}) AND event_id = ?)
        ORDER BY seq`)
      .raw(true),

    insertAudit: db.prepare(
      `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    linkAudit: db.prepare(
      'INSERT OR IGNORE INTO audit_events (event_id, audit_seq) SELECT value, ? FROM json_each(?)',
    ),
    auditForEvent: db
      .prepare(`SELECT ${AUDIT_COLUMNS.replace(/(\w+)/g, 'a.$1')} FROM audit_events l
        JOIN audit a ON a.seq = l.audit_seq WHERE l.event_id = ? ORDER BY a.at DESC, a.seq DESC LIMIT ?`)
      .raw(true),

    oldestDue: db.prepare(`SELECT min(received_at) FROM events WHERE ${DUE}`).pluck(),
    deadByReason: db
      .prepare(
        "SELECT coalesce(last_reason, 'unknown'), count(*) FROM events WHERE state = 'dead' GROUP BY 1",
      )
      .raw(true),

    purgeChunk: db.prepare(`SELECT seq FROM events WHERE ${FINAL} AND ${FINISHED_AT} < ? LIMIT ?`).pluck(),
    // Keys still inside the window outlive their event, so a purge never re-opens the door to a resend.
    archiveKeys: db.prepare(`INSERT INTO dedup_keys (event_id, rule_id, seen_at)
      SELECT event_id, rule_id, seen_at FROM events WHERE ${SEQ_LIST} AND seen_at > ?
      ON CONFLICT (event_id, rule_id) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)`),
    deleteEvents: db.prepare(`DELETE FROM events WHERE ${SEQ_LIST} RETURNING state`).pluck(),
    deletePayloads: db.prepare(`DELETE FROM payloads WHERE ${SEQ_LIST}`),
    /**
     * Where the next event's seq starts: past both tables, so a payload row is never reused, and past
     * every lane cursor, so an event is never stored behind its lane's cursor (where no claim would
     * find it) even after purge emptied the tables' tails. The writer also keeps it past the dedup
     * key index (its seqFloor, sqlite/key-levels.ts).
     */
    lastSeq: db
      .prepare(
        `SELECT max(coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT max(seq) FROM payloads), 0),
          coalesce((SELECT max(cursor) FROM queues), 0))`,
      )
      .pluck(),
    oldAudit: db.prepare('SELECT seq FROM audit WHERE at < ? LIMIT ?').pluck(),
    // The links of these audit rows, found through each row's own ids by the primary key (no index
    // by audit row: schema version 7).
    unlinkAudit: db.prepare(`DELETE FROM audit_events WHERE (event_id, audit_seq) IN
      (SELECT j.value, a.seq FROM audit a, json_each(a.event_ids) j WHERE a.seq IN (SELECT value FROM json_each(?)))`),
    deleteAudit: db.prepare('DELETE FROM audit WHERE seq IN (SELECT value FROM json_each(?))'),

    budgetRow: db
      .prepare('SELECT day_start, day_count, recent, paused_until FROM account_limits WHERE account = ?')
      .raw(true),
    saveBudget:
      db.prepare(`INSERT INTO account_limits (account, day_start, day_count, recent) VALUES (?, ?, ?, ?)
      ON CONFLICT (account) DO UPDATE SET day_start = excluded.day_start, day_count = excluded.day_count,
      recent = excluded.recent`),
    pause: db.prepare(`INSERT INTO account_limits (account, paused_until, pause_reason) VALUES (?, ?, ?)
      ON CONFLICT (account) DO UPDATE SET
        pause_reason = CASE WHEN excluded.paused_until = 0 THEN NULL
          WHEN excluded.paused_until > paused_until THEN excluded.pause_reason ELSE pause_reason END,
        paused_until = CASE WHEN excluded.paused_until = 0 THEN 0
          ELSE max(paused_until, excluded.paused_until) END`),
    paused: db
      .prepare(`SELECT account, paused_until, coalesce(pause_reason, '') FROM account_limits
        WHERE paused_until > ? ORDER BY account`)
      .raw(true),

    idempotencyRow: db
      .prepare(
        'SELECT fingerprint, created_at, status, body FROM idempotency_keys WHERE source = ? AND key = ?',
      )
      .raw(true),
    claimIdempotency:
      db.prepare(`INSERT INTO idempotency_keys (source, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (source, key) DO UPDATE SET fingerprint = excluded.fingerprint,
        created_at = excluded.created_at, status = NULL, body = NULL`),
    answerIdempotency: db.prepare(
      'UPDATE idempotency_keys SET status = ?, body = ? WHERE source = ? AND key = ? AND status IS NULL',
    ),
    releaseIdempotency: db.prepare(
      'DELETE FROM idempotency_keys WHERE source = ? AND key = ? AND status IS NULL',
    ),
    expireIdempotency: db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?'),
  };
}

export type SqliteStatements = ReturnType<typeof prepareStatements>;

/** WHERE clause and parameters selecting dead letters; shared by listDead and redrive. */
export function deadLetterWhere(filter: DeadLetterFilter): { sql: string; params: unknown[] } {
  const clauses = ["state = 'dead'"];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    clauses.push(clause);
    params.push(value);
  };
  if (filter.ids) add(ID_LIST, JSON.stringify(filter.ids));
  if (filter.eventIds) add('event_id IN (SELECT value FROM json_each(?))', JSON.stringify(filter.eventIds));
  if (filter.ruleId !== undefined) add('rule_id = ?', filter.ruleId);
  if (filter.account !== undefined) add('account = ?', filter.account);
  if (filter.reason !== undefined) add('last_reason = ?', filter.reason);
  if (filter.since !== undefined) add('dead_at >= ?', filter.since);
  if (filter.after !== undefined) {
    clauses.push('(dead_at < ? OR (dead_at = ? AND id < ?))');
    params.push(filter.after.deadAt, filter.after.deadAt, filter.after.id);
  }
  return { sql: clauses.join(' AND '), params };
}

/** The dead letters' columns, then `dead_at` (index 18 of each raw row). */
export function listDeadSql(where: string): string {
  return `SELECT ${EVENT_COLUMNS}, dead_at FROM events WHERE ${where} ORDER BY dead_at DESC, id DESC LIMIT ?`;
}

/** A page of dead letters as a summary counts them: [account, rule_id, last_reason, dead_at, id]. */
export function deadLetterKeysSql(where: string): string {
  return `SELECT account, rule_id, last_reason, dead_at, id FROM events WHERE ${where}
    ORDER BY dead_at DESC, id DESC LIMIT ?`;
}

/** Groups of dead letters: [account, rule_id, last_reason, count, newest dead_at, oldest dead_at]. */
export function summarizeDeadSql(where: string): string {
  return `SELECT account, rule_id, last_reason, count(*) AS n, max(dead_at), min(dead_at) FROM events WHERE ${where}
    GROUP BY account, rule_id, last_reason ORDER BY n DESC, account, rule_id, last_reason`;
}

/** The dead letters a redrive moves, in the list's order: [seq, dead_at, id]. */
export function redrivePickSql(where: string): string {
  return `SELECT seq, dead_at, id FROM events WHERE ${where} ORDER BY dead_at DESC, id DESC LIMIT ?`;
}

/** Moves the picked dead letters (a JSON list of seqs) back to the queue. */
export const REDRIVE_SEQS_SQL = `UPDATE events SET state = 'queued', next_attempt_at = ?, last_reason = NULL,
  last_response = NULL, dead_at = NULL WHERE ${SEQ_LIST}`;
