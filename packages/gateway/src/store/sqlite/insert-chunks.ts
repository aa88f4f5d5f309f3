import type Database from 'better-sqlite3';
import {
  ACCOUNT,
  CONSENT,
  CONTEXT,
  EVENT_ID,
  HAPPENED_AT,
  ID,
  IDENTIFIER_TYPES,
  type IngestRows,
  PAYLOAD,
  RECEIVED_AT,
  ROW_WIDTH,
  RULE_ID,
  SOURCE,
  STATE,
} from './ingest-rows.js';
import { FRESH } from './lanes.js';

/**
 * Multi-row statements for the ingest path. Each better-sqlite3 call has a fixed cost (binding,
 * stepping, resetting) that one-row statements pay per event; sending up to CHUNK_ROWS rows per
 * call pays it once per chunk. Statements are prepared per row count on first use and kept.
 */
export const CHUNK_ROWS = 50;

const INSERT_COLUMNS = `(seq, id, account, rule_id, event_id, source, happened_at, received_at, seen_at,
  state, next_attempt_at, identifier_types, consent, context, lane)`;
const ROW_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const COLUMNS_PER_ROW = 15;

export interface ChunkStatements {
  /**
   * Inserts the rows at these indices with seqs firstSeq, firstSeq + 1, …, and their payloads under
   * the same seqs; `lanes[k]` is the lane number of the row at `indices[k]`.
   */
  insert(
    rows: IngestRows,
    indices: readonly number[],
    lanes: readonly number[],
    seenAt: number,
    firstSeq: number,
  ): void;
}

export function prepareChunkStatements(db: Database.Database): ChunkStatements {
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
    insert(rows, indices, lanes, seenAt, firstSeq) {
      const params: unknown[] = new Array(indices.length * COLUMNS_PER_ROW);
      const payloads: unknown[] = new Array(indices.length * 2);
      let p = 0;
      let q = 0;
      let seq = firstSeq;
      for (let k = 0; k < indices.length; k += 1) {
        const at = indices[k]! * ROW_WIDTH;
        payloads[q++] = seq;
        payloads[q++] = rows[at + PAYLOAD];
        params[p++] = seq++;
        params[p++] = rows[at + ID];
        params[p++] = rows[at + ACCOUNT];
        params[p++] = rows[at + RULE_ID];
        params[p++] = rows[at + EVENT_ID];
        params[p++] = rows[at + SOURCE];
        params[p++] = rows[at + HAPPENED_AT];
        params[p++] = rows[at + RECEIVED_AT];
        params[p++] = seenAt;
        // A deliverable event starts on its lane (see lanes.ts); a suppressed one is final at once.
        params[p++] = rows[at + STATE] === 'queued' ? FRESH : rows[at + STATE];
        params[p++] = rows[at + RECEIVED_AT];
        params[p++] = rows[at + IDENTIFIER_TYPES];
        params[p++] = rows[at + CONSENT];
        params[p++] = rows[at + CONTEXT];
        params[p++] = lanes[k];
      }
      // Spread, not the array: better-sqlite3 reads an array's elements through the generic
      // property lookup, arguments directly (~0.5 µs less per 15-value row, measured).
      insert(indices.length).run(...params);
      insertPayloads(indices.length).run(...payloads);
    },
  };
}
