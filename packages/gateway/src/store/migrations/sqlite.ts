import type { Migration } from './types.js';

/**
 * SQLite schema, newest last. Times are epoch milliseconds (INTEGER). Payloads are stored as the
 * TEXT they arrive as, never parsed. `seq` (the rowid) gives claims a stable insertion order and
 * keeps the table clustered by arrival, so a backlog drains from the front of the file.
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
      // Claims: the head of each (account, rule) queue in O(log n); only due rows are indexed, so the
      // index shrinks as the backlog drains. The rowid appended to every index entry breaks ties.
      `CREATE INDEX events_due ON events (account, rule_id, next_attempt_at)
        WHERE state IN ('queued', 'retrying')`,
      "CREATE INDEX events_lease ON events (lease_until) WHERE state = 'sending'",
      // Stats per state and the oldest due event.
      'CREATE INDEX events_state ON events (state, received_at)',
      // Purge: final rows by the time they became final.
      `CREATE INDEX events_final ON events (coalesce(delivered_at, dead_at, received_at))
        WHERE state IN ('delivered', 'dead', 'suppressed')`,
      "CREATE INDEX events_dead ON events (dead_at) WHERE state = 'dead'",
      'CREATE INDEX events_event_id ON events (event_id)',
      // Dedup keys outlive their events (purge keeps them) and expire on their own clock.
      `CREATE TABLE dedup (
        rule_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (rule_id, event_id)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX dedup_seen ON dedup (seen_at)',
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
];
