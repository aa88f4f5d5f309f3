import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAuditEntry, countConsent, countIdentifierTypes } from '../src/worker/audit.js';

const TYPES = ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', 'ACXIOM_ID', 'ORACLE_MOAT_ID'];

describe('audit counts', () => {
  it('counts each event once per identifier type it carries, however often it lists it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...TYPES), { maxLength: 6 }), { maxLength: 50, size: 'max' }),
        (lists) => {
          const expected: Record<string, number> = {};
          for (const list of lists)
            for (const type of new Set(list)) expected[type] = (expected[type] ?? 0) + 1;
          expect(countIdentifierTypes(lists.map((identifierTypes) => ({ identifierTypes })))).toEqual(
            expected,
          );
        },
      ),
    );
  });

  it('counts the same when events share their lists, as events read from a store do', () => {
    // A few lists, each event pointing at one of them: runs of one list, and lists that come back.
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...TYPES), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 60, size: 'max' }),
        (shared, picks) => {
          const events = picks.map((p) => ({ identifierTypes: shared[p % shared.length]! }));
          const copies = events.map((e) => ({ identifierTypes: [...e.identifierTypes] }));
          expect(countIdentifierTypes(events)).toEqual(countIdentifierTypes(copies));
        },
      ),
    );
  });

  it('counts consent as granted, denied or unknown', () => {
    expect(
      countConsent([{ consent: true }, { consent: null }, { consent: false }, { consent: null }]),
    ).toEqual({
      granted: 1,
      denied: 1,
      unknown: 2,
    });
  });

  it('builds an audit row of counts and ids only: no payload, no identifier value', () => {
    const entry = buildAuditEntry({
      at: 1,
      account: '5',
      ruleId: '7',
      events: [
        { id: 'a', identifierTypes: ['SHA256_EMAIL', 'SHA256_EMAIL'], consent: true },
        { id: 'b', identifierTypes: [], consent: null },
      ],
      outcome: { kind: 'delivered', status: 201, requestId: 'r' },
      durationMs: 12.6,
    });
    expect(entry).toEqual({
      at: 1,
      account: '5',
      ruleId: '7',
      requestId: 'r',
      batchSize: 2,
      identifierCounts: { SHA256_EMAIL: 1 },
      consentCounts: { granted: 1, denied: 0, unknown: 1 },
      status: 201,
      outcome: 'delivered',
      errorBody: null,
      durationMs: 13,
      eventIds: ['a', 'b'],
    });
  });
});
