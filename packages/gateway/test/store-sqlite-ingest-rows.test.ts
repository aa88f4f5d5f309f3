/**
 * What crosses postMessage between the main thread and the SQLite store thread on the ingest path:
 * new events as rows (store/sqlite/ingest-rows.ts) and their statuses back. Both must be packed
 * arrays: V8 copies a holey one (`new Array(n)`, even when every index is then written) as a sparse
 * array, index by index, which measured at more than twice the cost of the same values packed.
 * v8.serialize is the same serializer postMessage uses, and its output shows which form it chose.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeClock, newEvent, T0 } from '../src/store/conformance.js';
import {
  CONSENT,
  CONTEXT,
  EVENT_ID,
  ID,
  IDENTIFIER_TYPES,
  PAYLOAD,
  ROW_WIDTH,
  rowCount,
  STATE,
  toIngestRows,
} from '../src/store/sqlite/ingest-rows.js';
import { createSqliteStore } from '../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'capi-ingest-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same values in an array built by push, which V8 always keeps packed. */
function packedCopy<T>(values: readonly T[]): T[] {
  const copy: T[] = [];
  for (const value of values) copy.push(value);
  return copy;
}

/** Whether postMessage would copy this array as densely as a packed array of the same values. */
function crossesDensely(values: readonly unknown[]): boolean {
  return serialize(values).length === serialize(packedCopy(values)).length;
}

describe('ingest rows', () => {
  it('hold each event in ROW_WIDTH values, in column order', () => {
    const events = [
      newEvent({ consent: true, context: '{"accountDomain":"example.com"}' }),
      newEvent({ state: 'suppressed', consent: false }),
    ];
    const rows = toIngestRows(events);
    expect(rows).toHaveLength(2 * ROW_WIDTH);
    expect(rowCount(rows)).toBe(2);
    expect(rows[ID]).toBe(events[0]!.id);
    expect(rows[EVENT_ID]).toBe(events[0]!.eventId);
    expect(rows[PAYLOAD]).toBe(events[0]!.payload);
    expect(rows[IDENTIFIER_TYPES]).toBe('SHA256_EMAIL');
    expect(rows[CONTEXT]).toBe('{"accountDomain":"example.com"}');
    expect(rows[ROW_WIDTH + STATE]).toBe('suppressed');
    expect(rows[ROW_WIDTH + CONSENT]).not.toBe(rows[CONSENT]);
  });

  it('cross postMessage as a packed array, not a sparse one', () => {
    const rows = toIngestRows(Array.from({ length: 50 }, () => newEvent()));
    expect(crossesDensely(rows)).toBe(true);
  });

  it('the check itself tells a holey array from a packed one', () => {
    const holey: string[] = new Array(50);
    for (let i = 0; i < holey.length; i += 1) holey[i] = `v${i}`;
    expect(crossesDensely(holey)).toBe(false);
  });
});

describe('ingest statuses from the SQLite writer', () => {
  it('come back as a packed array, duplicates included', async () => {
    const store = createSqliteStore({ path: join(dir, 'statuses.db'), clock: fakeClock(T0) });
    await store.migrate();
    try {
      const events = Array.from({ length: 120 }, () => newEvent());
      const statuses = await store.enqueue([...events, events[3]!, newEvent()]);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(1);
      expect(crossesDensely(statuses)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
