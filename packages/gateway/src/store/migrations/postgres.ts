import type { Migration } from './types.js';

/**
 * PostgreSQL schema, newest last; the runner applies it inside the configured schema (search_path).
 * Version 1 mirrors SQLite's first version column for column; since then each went its own way
 * (SQLite's lanes and key index, PostgreSQL's lease token). Times are epoch milliseconds (bigint), payloads the
 * TEXT they arrived as; `seq` gives claims a stable insertion order.
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox',
    statements: [
      `CREATE TABLE events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL,
        account text NOT NULL,
        rule_id text NOT NULL,
        event_id text NOT NULL,
        source text NOT NULL,
        payload text NOT NULL,
        happened_at bigint NOT NULL,
        received_at bigint NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        lease_until bigint,
        delivered_at bigint,
        dead_at bigint,
        last_reason text,
        last_response text,
        identifier_types text[] NOT NULL,
        consent boolean,
        context text
      )`,
      // A queue table churns: vacuum after 1 % of rows change instead of the default 20 %, so dead
      // tuples from state changes are reclaimed while the table is still small enough to stay cached.
      'ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)',
      'CREATE UNIQUE INDEX events_id ON events (id)',
      // Claims: the head of each (account, rule) queue in O(log n), only due rows indexed.
      `CREATE INDEX events_due ON events (account, rule_id, next_attempt_at, seq)
        WHERE state IN ('queued', 'retrying')`,
      "CREATE INDEX events_lease ON events (lease_until) WHERE state = 'sending'",
      'CREATE INDEX events_state ON events (state, received_at)',
      `CREATE INDEX events_final ON events ((coalesce(delivered_at, dead_at, received_at)))
        WHERE state IN ('delivered', 'dead', 'suppressed')`,
      "CREATE INDEX events_dead ON events (dead_at) WHERE state = 'dead'",
      'CREATE INDEX events_event_id ON events (event_id)',
      `CREATE TABLE dedup (
        rule_id text NOT NULL,
        event_id text NOT NULL,
        seen_at bigint NOT NULL,
        PRIMARY KEY (rule_id, event_id)
      )`,
      'CREATE INDEX dedup_seen ON dedup (seen_at)',
      `CREATE TABLE queues (
        account text NOT NULL,
        rule_id text NOT NULL,
        PRIMARY KEY (account, rule_id)
      )`,
      `CREATE TABLE audit (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at bigint NOT NULL,
        account text NOT NULL,
        rule_id text NOT NULL,
        request_id text,
        batch_size integer NOT NULL,
        identifier_counts jsonb NOT NULL,
        consent_counts jsonb NOT NULL,
        status integer NOT NULL,
        outcome text NOT NULL,
        error_body text,
        duration_ms integer NOT NULL,
        event_ids text[] NOT NULL
      )`,
      'CREATE INDEX audit_at ON audit (at)',
      `CREATE TABLE audit_events (
        event_id text NOT NULL,
        audit_seq bigint NOT NULL,
        PRIMARY KEY (event_id, audit_seq)
      )`,
      'CREATE INDEX audit_events_seq ON audit_events (audit_seq)',
      // Shared limiter state, one row per ad account, updated under its row lock.
      `CREATE TABLE account_limits (
        account text PRIMARY KEY,
        day_start bigint NOT NULL DEFAULT 0,
        day_count integer NOT NULL DEFAULT 0,
        recent bigint[] NOT NULL DEFAULT '{}',
        paused_until bigint NOT NULL DEFAULT 0,
        pause_reason text
      )`,
    ],
  },
  {
    // A claim writes the caller's lease token into the rows it leases, so a claim whose answer was
    // lost (a connection cut after the commit) can be given back by that token at once, instead of
    // its events waiting for the lease to end. Only leased rows are indexed.
    version: 2,
    name: 'lease_token',
    statements: [
      'ALTER TABLE events ADD COLUMN lease_token text',
      "CREATE INDEX events_lease_token ON events (lease_token) WHERE state = 'sending'",
    ],
  },
  {
    // Idempotency keys of POST /v1/events (domain/idempotency.ts), as in SQLite's version 9.
    version: 3,
    name: 'idempotency_keys',
    statements: [
      `CREATE TABLE idempotency_keys (
        source text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        created_at bigint NOT NULL,
        status integer,
        body text,
        PRIMARY KEY (source, key)
      )`,
      'CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)',
    ],
  },
  {
    // Keys kept as digests from now on, as in SQLite's version 10: the rows with keys as sent go.
    version: 4,
    name: 'idempotency_key_digests',
    statements: ['DELETE FROM idempotency_keys'],
  },
];
