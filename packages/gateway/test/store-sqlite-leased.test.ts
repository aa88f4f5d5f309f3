import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimedBatch } from '../src/ports.js';
import { claimedBatchOf } from '../src/store/sqlite/leased.js';
import { identifierTypesOf, identifierTypesText, type RawFreshRow } from '../src/store/sqlite/rows.js';

const row = (seq: number, overrides: Partial<Record<number, unknown>> = {}): RawFreshRow => {
  const r: RawFreshRow = [
    seq,
    `id-${seq}`,
    `order-${seq}`,
    'web',
    `{"eventId":"order-${seq}"}`,
    1_000 + seq,
    2_000 + seq,
    'SHA256_EMAIL,LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
    null,
    null,
  ];
  for (const [i, v] of Object.entries(overrides)) (r as unknown[])[Number(i)] = v;
  return r;
};

describe('claimedBatchOf: a claim leased as rows becomes the events the port promises', () => {
  it('gives fresh rows their lane, the lease, and the state of an event never sent', () => {
    const batch = claimedBatchOf({
      kind: 'rows',
      account: '508000123',
      ruleId: '17000001',
      leaseUntil: 9_999,
      history: null,
      rows: [row(1), row(2, { 7: '', 8: 1, 9: '{"crmAccountId":"A-1"}' })],
    });
    expect(batch).toEqual({
      account: '508000123',
      ruleId: '17000001',
      events: [
        {
          id: 'id-1',
          account: '508000123',
          ruleId: '17000001',
          eventId: 'order-1',
          source: 'web',
          payload: '{"eventId":"order-1"}',
          happenedAt: 1_001,
          receivedAt: 2_001,
          state: 'sending',
          attempts: 0,
          nextAttemptAt: 2_001,
          leaseUntil: 9_999,
          deliveredAt: null,
          lastReason: null,
          lastResponse: null,
          identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
          consent: null,
          context: null,
        },
        expect.objectContaining({
          id: 'id-2',
          identifierTypes: [],
          consent: true,
          context: '{"crmAccountId":"A-1"}',
        }),
      ],
    });
  });

  it("lays a re-leased batch's shared history over each row", () => {
    const leased = {
      kind: 'rows' as const,
      account: '1',
      ruleId: '2',
      leaseUntil: 50,
      rows: [row(1), row(2)],
    };
    const retried = claimedBatchOf({
      ...leased,
      history: { attempts: 3, nextAttemptAt: 40, lastReason: 'status_503' },
    });
    for (const e of retried.events) {
      expect(e).toMatchObject({ attempts: 3, nextAttemptAt: 40, lastReason: 'status_503', state: 'sending' });
    }
    // A released batch has no schedule of its own: each event stays due at its receivedAt.
    const released = claimedBatchOf({
      ...leased,
      history: { attempts: 1, nextAttemptAt: null, lastReason: null },
    });
    expect(released.events.map((e) => [e.attempts, e.nextAttemptAt])).toEqual([
      [1, 2_001],
      [1, 2_002],
    ]);
  });

  it('hands per-row claims through as they are', () => {
    const batch: ClaimedBatch = { account: '1', ruleId: '2', events: [] };
    expect(claimedBatchOf({ kind: 'events', batch })).toBe(batch);
  });
});

describe('identifier types column: encode and decode', () => {
  const typeName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,30}$/);

  it('decodes what it encodes, into one shared frozen list per text, past the cache bound too', () => {
    fc.assert(
      fc.property(fc.array(typeName, { maxLength: 6 }), (types) => {
        const text = identifierTypesText(types);
        const decoded = identifierTypesOf(text);
        expect(decoded).toEqual(types);
        expect(Object.isFrozen(decoded)).toBe(true);
        expect(identifierTypesOf(text)).toBe(decoded);
      }),
      { numRuns: 1_000 },
    );
  });
});
