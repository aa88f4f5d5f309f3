import type { NewOutboxEvent } from '../../ports.js';
import { consentValue, identifierTypesText } from './rows.js';

/**
 * New events as one flat array, ROW_WIDTH values per event in the order below: the form the SQLite
 * writer reads, and the form the main thread posts to the store thread. postMessage writes every
 * key of every object it copies; an array of values has no keys, and crosses at about half the
 * cost of twelve-key events (measured with 1,000-event messages: 0.9 against 1.7 µs per event,
 * packing included). Identifier types and consent travel as the table stores them (rows.ts).
 */
export type IngestRows = Array<string | number | null>;

export const ROW_WIDTH = 12;
export const ID = 0;
export const ACCOUNT = 1;
export const RULE_ID = 2;
export const EVENT_ID = 3;
export const SOURCE = 4;
export const PAYLOAD = 5;
export const HAPPENED_AT = 6;
export const RECEIVED_AT = 7;
export const STATE = 8;
export const IDENTIFIER_TYPES = 9;
export const CONSENT = 10;
export const CONTEXT = 11;

export function toIngestRows(events: readonly NewOutboxEvent[]): IngestRows {
  // Pushed in column order (the constants above), not written into `new Array(n)`: that array is
  // holey, and postMessage copies a holey array as a sparse one, index by index, at more than twice
  // the cost (store-sqlite-ingest-rows.test.ts holds both directions of the ingest path to this).
  const rows: IngestRows = [];
  for (const e of events) {
    rows.push(
      e.id,
      e.account,
      e.ruleId,
      e.eventId,
      e.source,
      e.payload,
      e.happenedAt,
      e.receivedAt,
      e.state,
      identifierTypesText(e.identifierTypes),
      consentValue(e.consent),
      e.context,
    );
  }
  return rows;
}

export function rowCount(rows: IngestRows): number {
  return rows.length / ROW_WIDTH;
}

/** A string column of row `i`. */
export function text(rows: IngestRows, i: number, column: number): string {
  return rows[i * ROW_WIDTH + column] as string;
}
