import { DEFAULT_KEY_LEVELS, levelForSql } from '../sqlite/key-plan.js';
import type { Migration } from './types.js';

/**
 * SQLite schema, newest last. Times are epoch milliseconds (INTEGER). Payloads are stored as the
 * TEXT they arrive as, never parsed. `seq` (the rowid) gives claims a stable insertion order and
 * keeps the table clustered by arrival, so a backlog drains from the front of the file.
 *
 * Ingest speed is decided by how many B-trees each new row touches, and above all by those with
 * random keys (every commit rewrites the leaf pages they dirty). So the dedup keys are written in
 * key order, many at a time (version 4, `event_keys`); `seen_at` stays on the event, and
 * `dedup_keys` only keeps the keys of events purged while still inside the dedup window. Per-state
 * counts live in `state_counts`, maintained in the same transactions, so stats() stays O(1) on a
 * backlog of millions of rows instead of scanning an index on every health check.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox',
    statements: [
      `CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        account TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        source TEXT NOT NULL,
        payload TEXT NOT NULL,
        happened_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        delivered_at INTEGER,
        dead_at INTEGER,
        last_reason TEXT,
        last_response TEXT,
        identifier_types TEXT NOT NULL,
        consent INTEGER,
        context TEXT
      ) STRICT`,
      'CREATE UNIQUE INDEX events_id ON events (id)',
      // Dedup probe (eventId, rule, newer than the cut-off) and findByEventId, in one index.
      'CREATE INDEX events_key ON events (event_id, rule_id, seen_at)',
      // Append-only (seen_at is the store clock): counts keys as expireDedup moves the floor.
      'CREATE INDEX events_seen ON events (seen_at)',
      // Claims: the head of each (account, rule) queue in O(log n); only due rows are indexed, so the
      // index shrinks as the backlog drains. The rowid appended to every index entry breaks ties.
      `CREATE INDEX events_due ON events (account, rule_id, next_attempt_at)
        WHERE state IN ('queued', 'retrying')`,
      // The oldest due event, for lag.
      "CREATE INDEX events_age ON events (received_at) WHERE state IN ('queued', 'retrying')",
      "CREATE INDEX events_lease ON events (lease_until) WHERE state = 'sending'",
      // Purge: final rows by the time they became final.
      `CREATE INDEX events_final ON events (coalesce(delivered_at, dead_at, received_at))
        WHERE state IN ('delivered', 'dead', 'suppressed')`,
      "CREATE INDEX events_dead ON events (dead_at) WHERE state = 'dead'",
      // Keys of events purged while their dedup window was still open (empty with the defaults:
      // retention 180 days outlives the 90-day window).
      `CREATE TABLE dedup_keys (
        event_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (event_id, rule_id)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX dedup_keys_seen ON dedup_keys (seen_at)',
      // Small settings the store keeps for itself; `dedup_floor`: keys seen before it are forgotten.
      `CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID`,
      "INSERT INTO store_meta (key, value) VALUES ('dedup_floor', 0)",
      `CREATE TABLE state_counts (
        state TEXT PRIMARY KEY,
        n INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID`,
      `INSERT INTO state_counts (state, n) VALUES
        ('queued', 0), ('sending', 0), ('retrying', 0), ('delivered', 0), ('dead', 0), ('suppressed', 0)`,
      // Every (account, rule) pair that ever had an event: what a claim looks through for the oldest head.
      `CREATE TABLE queues (
        account TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        PRIMARY KEY (account, rule_id)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        account TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        request_id TEXT,
        batch_size INTEGER NOT NULL,
        identifier_counts TEXT NOT NULL,
        consent_counts TEXT NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error_body TEXT,
        duration_ms INTEGER NOT NULL,
        event_ids TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX audit_at ON audit (at)',
      `CREATE TABLE audit_events (
        event_id TEXT NOT NULL,
        audit_seq INTEGER NOT NULL,
        PRIMARY KEY (event_id, audit_seq)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX audit_events_seq ON audit_events (audit_seq)',
      // Shared limiter state. `recent` is the JSON array of request times in the last minute.
      `CREATE TABLE account_limits (
        account TEXT PRIMARY KEY,
        day_start INTEGER NOT NULL DEFAULT 0,
        day_count INTEGER NOT NULL DEFAULT 0,
        recent TEXT NOT NULL DEFAULT '[]',
        paused_until INTEGER NOT NULL DEFAULT 0,
        pause_reason TEXT
      ) STRICT, WITHOUT ROWID`,
    ],
  },
  {
    // Payloads in a table of their own, keyed by the event's seq. They never change after ingest,
    // while the event row is rewritten by every claim, complete and retry: with the ~700-byte
    // payload inline, each of those rewrote it too (8.6 kB of disk per delivered event, measured).
    version: 2,
    name: 'payloads_apart',
    statements: [
      `CREATE TABLE payloads (
        seq INTEGER PRIMARY KEY,
        payload TEXT NOT NULL
      ) STRICT`,
      'INSERT INTO payloads (seq, payload) SELECT seq, payload FROM events',
      'ALTER TABLE events DROP COLUMN payload',
    ],
  },
  {
    // Lanes: a new event is stored as 'fresh' and never rewritten on its way out. Each (account,
    // rule) queue keeps a cursor; a claim leases the fresh events after it as one `batches` row and
    // moves the cursor, and the batch's outcome (delivered, retrying, released) is one row update.
    // An event takes a state of its own (its row's columns, as before) only when it leaves its batch
    // alone: a rejected index, a partial complete, an expiry, a redrive. Before, every event paid for
    // two row rewrites and about seven index changes between claim and delivery; now a batch of
    // 5,000 pays for two small rows. `events_resolved` is the one definition of an event's state.
    version: 3,
    name: 'lanes',
    statements: [
      'ALTER TABLE queues ADD COLUMN cursor INTEGER NOT NULL DEFAULT 0',
      `CREATE TABLE batches (
        seq INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        live INTEGER NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_until INTEGER,
        delivered_at INTEGER,
        last_reason TEXT,
        received_at INTEGER NOT NULL
      ) STRICT`,
      // A lane's batches cover disjoint seq ranges: the first batch ending at or after a seq is the
      // only one that can hold it.
      'CREATE INDEX batches_lane ON batches (account, rule_id, last_seq)',
      // next_attempt_at NULL: each event keeps its own (its receivedAt), and the batch is due when
      // its oldest event is. Only a retry gives a batch one schedule for all its events.
      `CREATE INDEX batches_due ON batches (coalesce(next_attempt_at, received_at), first_seq)
        WHERE state IN ('queued', 'retrying')`,
      "CREATE INDEX batches_lease ON batches (lease_until) WHERE state = 'sending'",
      "CREATE INDEX batches_delivered ON batches (delivered_at) WHERE state = 'delivered'",
      "CREATE INDEX events_fresh ON events (account, rule_id, seq) WHERE state = 'fresh'",
      `CREATE VIEW events_resolved AS
        SELECT e.seq, e.id, e.account, e.rule_id, e.event_id, e.source, e.happened_at, e.received_at, e.seen_at,
          CASE WHEN e.state <> 'fresh' THEN e.state WHEN b.seq IS NULL THEN 'queued' ELSE b.state END AS state,
          coalesce(b.attempts, e.attempts) AS attempts,
          coalesce(b.next_attempt_at, e.next_attempt_at) AS next_attempt_at,
          CASE WHEN b.seq IS NULL THEN e.lease_until ELSE b.lease_until END AS lease_until,
          CASE WHEN b.seq IS NULL THEN e.delivered_at ELSE b.delivered_at END AS delivered_at,
          e.dead_at,
          CASE WHEN b.seq IS NULL THEN e.last_reason ELSE b.last_reason END AS last_reason,
          e.last_response, e.identifier_types, e.consent, e.context, b.seq AS batch
        FROM events e LEFT JOIN batches b ON e.state = 'fresh' AND b.seq = (
          SELECT x.seq FROM batches x WHERE x.account = e.account AND x.rule_id = e.rule_id AND x.last_seq >= e.seq
          ORDER BY x.last_seq LIMIT 1) AND b.first_seq <= e.seq`,
    ],
  },
  {
    // The dedup keys leave the events table for a small log-structured merge (sqlite/key-levels.ts,
    // sqlite/key-plan.ts): `events_key` took each new key where it sorts, so with random event ids
    // (UUIDs, ids from many systems) every commit rewrote about one index page per event (~9 kB of
    // disk per event against ~1.5 kB for ids in order). `event_keys` is written only in key order,
    // many keys at a time. Keys already stored go to the level their number fits, in key order.
    version: 4,
    name: 'key_levels',
    statements: [
      `CREATE TABLE event_keys (
        level INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (level, event_id, rule_id, seq)
      ) STRICT, WITHOUT ROWID`,
      // Keys per level: what decides when a level moves down. A level is probed once it has a row.
      `CREATE TABLE key_levels (
        level INTEGER PRIMARY KEY,
        n INTEGER NOT NULL
      ) STRICT`,
      `INSERT INTO key_levels (level, n) SELECT ${levelForSql('count(*)', DEFAULT_KEY_LEVELS)}, count(*)
        FROM events HAVING count(*) > 0`,
      `INSERT INTO event_keys (level, event_id, rule_id, seq)
        SELECT (SELECT level FROM key_levels), event_id, rule_id, seq FROM events
        ORDER BY event_id, rule_id, seq`,
      // Every event up to here has its key on disk; the writer keeps the keys of later ones in memory.
      `INSERT INTO store_meta (key, value) VALUES ('keys_merged_seq', coalesce((SELECT max(seq) FROM events), 0))`,
      'DROP INDEX events_key',
    ],
  },
  {
    // Lanes by number: `events_fresh` was keyed by (account, rule_id, seq), about 45 bytes of text
    // per entry with a shared prefix compared on every step down the tree, and new events of
    // interleaved lanes went into the middle of it, splitting pages in half. Keyed by a small lane
    // number it holds ~6 bytes per entry: measured on the insert path alone, the index cost 1.8 µs
    // per event before and 0.6 after. Each queue gets its number once; events carry it.
    version: 5,
    name: 'lane_numbers',
    statements: [
      'ALTER TABLE queues ADD COLUMN lane INTEGER NOT NULL DEFAULT 0',
      `UPDATE queues SET lane = (SELECT count(*) FROM queues q
        WHERE q.account < queues.account OR (q.account = queues.account AND q.rule_id <= queues.rule_id))`,
      'CREATE UNIQUE INDEX queues_lane ON queues (lane)',
      'ALTER TABLE events ADD COLUMN lane INTEGER NOT NULL DEFAULT 0',
      // Only events on a lane are in the index, so only they need their number.
      `UPDATE events SET lane = (SELECT q.lane FROM queues q WHERE q.account = events.account
        AND q.rule_id = events.rule_id) WHERE state = 'fresh'`,
      'DROP INDEX events_fresh',
      "CREATE INDEX events_fresh ON events (lane, seq) WHERE state = 'fresh'",
    ],
  },
  {
    // Ingest counts its new events in memory and folds them into `state_counts` about once a
    // second instead of on every commit (sqlite/new-event-counts.ts); the events after
    // `counted_seq` are the ones not folded yet, counted again at open. Every event so far is counted.
    version: 6,
    name: 'counted_seq',
    statements: [
      `INSERT INTO store_meta (key, value) VALUES ('counted_seq', coalesce((SELECT max(seq) FROM events), 0))`,
    ],
  },
  {
    // Every delivered event wrote two entries into audit_events: its link (event id, audit row) and
    // the same again in `audit_events_seq`, whose only use was deleting an old audit row's links.
    // Purge now finds those links through the row's own list of ids, by the primary key.
    version: 7,
    name: 'audit_links_by_key',
    statements: ['DROP INDEX audit_events_seq'],
  },
  {
    // `events_seen` cost every new event one more B-tree insert, and only expireDedup's count of
    // forgotten keys read it. The writer now never stamps an event earlier than the one before it,
    // so seen_at never decreases along seq and the count bisects the table's own key instead
    // (sqlite/seen-boundary.ts). Rows written while the clock once stepped back are raised to the
    // latest seen_at before them: their keys live a little longer, none shorter.
    version: 8,
    name: 'seen_by_seq',
    statements: [
      `UPDATE events SET seen_at = w.latest FROM (
        SELECT seq, max(seen_at) OVER (ORDER BY seq) AS latest FROM events) w
        WHERE w.seq = events.seq AND events.seen_at < w.latest`,
      'DROP INDEX events_seen',
    ],
  },
  {
    // Idempotency keys of POST /v1/events (domain/idempotency.ts): the first answer to each
    // (source, key), kept for replays for a day by default; expiry finds old keys by time.
    version: 9,
    name: 'idempotency_keys',
    statements: [
      `CREATE TABLE idempotency_keys (
        source TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status INTEGER,
        body TEXT,
        PRIMARY KEY (source, key)
      ) STRICT`,
      'CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)',
    ],
  },
  {
    // Idempotency keys are kept as a digest of (source, key) from now on, never as sent: a key is
    // free text and may be personal data. The rows written before held keys as sent; no request
    // finds them any more (it looks up the digest), so they go rather than wait for expiry, and
    // secure_delete overwrites their bytes: a plain DELETE leaves them readable in the file's pages.
    version: 10,
    name: 'idempotency_key_digests',
    statements: ['PRAGMA secure_delete = ON', 'DELETE FROM idempotency_keys', 'PRAGMA secure_delete = OFF'],
  },
];
