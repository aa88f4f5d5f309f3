import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasUsableIdentifier } from '../src/event-rules.js';
import { parseBatch } from '../src/routes/conversion-events.js';
import { checkEventSchema, errorLines, type SchemaError } from '../src/validate-event.js';
import { ID_TYPES, type WireUser } from '../src/wire.js';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const text = fc.string({ minLength: 1, maxLength: 20 });

/** Arbitrary schema-valid events for version 202609. */
const validEvent = fc.record(
  {
    conversion: fc.nat().map((n) => `urn:lla:llaPartnerConversion:${n}`),
    conversionHappenedAt: fc.integer({ min: 0, max: 2 ** 42 }),
    conversionValue: fc.record({
      currencyCode: fc.constantFrom('EUR', 'USD'),
      amount: fc.float().map(String),
    }),
    eventId: text,
    user: fc.record(
      {
        userIds: fc.array(fc.record({ idType: fc.constantFrom(...ID_TYPES), idValue: text }), {
          maxLength: 4,
        }),
        userInfo: fc.record(
          {
            firstName: text,
            lastName: text,
            hashedFirstName: hex64,
            companyName: text,
            title: text,
            countryCode: fc.constantFrom('DE', 'US'),
          },
          { requiredKeys: ['firstName', 'lastName'] },
        ),
        lead: fc.uuid().map((u) => `urn:li:leadGenFormResponse:${u}`),
        externalIds: fc.array(text, { maxLength: 3 }),
      },
      { requiredKeys: ['userIds'] },
    ),
  },
  { requiredKeys: ['conversion', 'conversionHappenedAt', 'user'] },
);

describe('event schema validation', () => {
  it('accepts every well-formed event and reports nothing', () => {
    fc.assert(
      fc.property(validEvent, (ev) => {
        const errors: SchemaError[] = [];
        expect(checkEventSchema(ev, 202609, errors)).toBe(true);
        expect(errors).toEqual([]);
      }),
    );
  });

  it('reports an added unknown field at its path, whatever else the event holds', () => {
    const name = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter(
        (k) =>
          !['conversion', 'conversionHappenedAt', 'conversionValue', 'eventId', 'user', '__proto__'].includes(
            k,
          ),
      );
    fc.assert(
      fc.property(validEvent, name, (ev, key) => {
        const errors: SchemaError[] = [];
        checkEventSchema({ ...ev, [key]: 1 }, 202609, errors);
        expect(errors).toContainEqual({
          path: `/${key}`,
          reason: 'unrecognized field found but not allowed',
        });
      }),
    );
  });

  it('a non-object element is not backed by a DataMap', () => {
    const errors: SchemaError[] = [];
    checkEventSchema('x', 202609, errors);
    expect(errorLines(errors, 4)).toEqual(['Index: 4, ERROR :: / :: x is not backed by a DataMap']);
  });

  it('validates a 5,000-element batch quickly', () => {
    const elements = Array.from({ length: 5000 }, (_, i) => ({
      conversion: 'urn:lla:llaPartnerConversion:7345120',
      conversionHappenedAt: 1_795_000_000_000 + i,
      eventId: `evt-${i}`,
      conversionValue: { currencyCode: 'EUR', amount: '129.00' },
      user: {
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) },
          { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'df5gf5-gh6t7-ph4j7h-fgf6n1' },
        ],
        userInfo: { firstName: 'Jane', lastName: 'Doe', companyName: 'Example GmbH', countryCode: 'DE' },
      },
    }));
    for (let i = 0; i < 5; i++) parseBatch({ elements }, 202609); // warm up
    const started = performance.now();
    const runs = 10;
    for (let i = 0; i < runs; i++) expect('events' in parseBatch({ elements }, 202609)).toBe(true);
    const perBatch = (performance.now() - started) / runs;
    // About 2-3 ms on a developer machine; the bound only catches accidental quadratic work.
    expect(perBatch).toBeLessThan(100);
  });
});

describe('identifier rule', () => {
  const u = (x: Partial<WireUser>): WireUser => ({ userIds: [], ...x });
  it('needs one identifier and no empty one', () => {
    expect(hasUsableIdentifier(u({}))).toBe(false);
    expect(hasUsableIdentifier(u({ userIds: [{ idType: 'SHA256_EMAIL', idValue: 'x' }] }))).toBe(true);
    expect(hasUsableIdentifier(u({ userInfo: { firstName: 'a', lastName: 'b' } }))).toBe(true);
    expect(hasUsableIdentifier(u({ userInfo: { hashedFirstName: 'a', lastName: 'b' } }))).toBe(true);
    expect(hasUsableIdentifier(u({ userInfo: { firstName: '', lastName: 'b' } }))).toBe(false);
    expect(hasUsableIdentifier(u({ externalIds: [] }))).toBe(false);
    expect(hasUsableIdentifier(u({ externalIds: ['crm'] }))).toBe(true);
    expect(hasUsableIdentifier(u({ lead: 'urn:li:leadGenFormResponse:1' }))).toBe(true);
    expect(
      hasUsableIdentifier(u({ userIds: [{ idType: 'SHA256_EMAIL', idValue: '' }], externalIds: ['crm'] })),
    ).toBe(false);
  });
});
