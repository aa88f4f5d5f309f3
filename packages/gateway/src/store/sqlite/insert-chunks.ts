import type Database from 'better-sqlite3';
import type { NewOutboxEvent } from '../../ports.js';
import { FRESH } from './lanes.js';
import { consentValue, identifierTypesText } from './rows.js';

/**
 * Multi-row statements for the ingest path. Each better-sqlite3 call has a fixed cost (binding,
 * stepping, resetting) that one-row statements pay per event; sending up to CHUNK_ROWS rows per
 * call pays it once per chunk. Statements are prepared per row count on first use and kept.
 */
export const CHUNK_ROWS = 50;

const INSERT_COLUMNS = `(seq, id, account, rule_id, event_id, source, happened_at, received_at, seen_at,
  state, next_attempt_at, identifier_types, consent, context)`;
const ROW_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const COLUMNS_PER_ROW = 14;

export interface ChunkStatements {
  /** Live copies of these eventIds seen after a threshold: [event_id, rule_id] rows. */
  seen(eventIds: string[], threshold: number): Array<[string, string]>;
  /** Inserts the rows with seqs firstSeq, firstSeq + 1, …, and their payloads under the same seqs. */
  insert(rows: NewOutboxEvent[], seenAt: number, firstSeq: number): void;
}

export function prepareChunkStatements(db: Database.Database): ChunkStatements {
  const probes = new Map<number, Database.Statement>();
  const inserts = new Map<number, Database.Statement>();
  const payloadInserts = new Map<number, Database.Statement>();
  const insertPayloads = (n: number) => {
    let statement = payloadInserts.get(n);
    if (!statement) {
      statement = db.prepare(
        `INSERT INTO payloads (seq, payload) VALUES ${new Array(n).fill('(?, ?)').join(', ')}`,
      );
      payloadInserts.set(n, statement);
    }
    return statement;
  };
  const probe = (n: number) => {
    let statement = probes.get(n);
    if (!statement) {
      // The IN list walks events_key (event_id, rule_id, seen_at) once per id.
      statement = db
        .prepare(
          `SELECT event_id, rule_id FROM events WHERE event_id IN (${new Array(n).fill('?').join(', ')}) AND seen_at > ?`,
        )
        .raw(true);
      probes.set(n, statement);
    }
    return statement;
  };
  const insert = (n: number) => {
    let statement = inserts.get(n);
    if (!statement) {
      statement = db.prepare(
        `INSERT INTO events ${INSERT_COLUMNS} VALUES ${new Array(n).fill(ROW_PLACEHOLDERS).join(', ')}`,
      );
      inserts.set(n, statement);
    }
    return statement;
  };
  return {
    seen(eventIds, threshold) {
      return probe(eventIds.length).all(...eventIds, threshold) as Array<[string, string]>;
    },
    insert(rows, seenAt, firstSeq) {
      const params: unknown[] = new Array(rows.length * COLUMNS_PER_ROW);
      const payloads: unknown[] = new Array(rows.length * 2);
      let p = 0;
      let q = 0;
      let seq = firstSeq;
      for (const e of rows) {
        payloads[q++] = seq;
        payloads[q++] = e.payload;
        params[p++] = seq++;
        params[p++] = e.id;
        params[p++] = e.account;
        params[p++] = e.ruleId;
        params[p++] = e.eventId;
        params[p++] = e.source;
        params[p++] = e.happenedAt;
        params[p++] = e.receivedAt;
        params[p++] = seenAt;
        // A deliverable event starts on its lane (see lanes.ts); a suppressed one is final at once.
        params[p++] = e.state === 'queued' ? FRESH : e.state;
        params[p++] = e.receivedAt;
        params[p++] = identifierTypesText(e.identifierTypes);
        params[p++] = consentValue(e.consent);
        params[p++] = e.context;
      }
      insert(rows.length).run(params);
      insertPayloads(rows.length).run(payloads);
    },
  };
}
