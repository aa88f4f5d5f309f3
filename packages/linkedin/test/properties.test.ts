import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildConversionEvent,
  type ConversionInput,
  decodeRestli,
  decodeRestliQuery,
  encodeRestli,
  encodeRestliQuery,
  hashEmail,
  normalizeEmail,
  normalizeName,
  type RestliDecoded,
  serializeConversionEvent,
  validateConversionEvent,
} from '../src/index.js';
import { eventConversionUrn } from '../src/urns.js';
import { DAY, NOW } from './fixtures.js';

const runs = { numRuns: 300 };

/** Random upper/lower case per character, plus random surrounding whitespace. */
const recased = (email: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }),
      fc.constantFrom('', ' ', '\t', '  \n', '\u00a0'),
      fc.constantFrom('', ' ', '\r\n', '\t '),
    )
    .map(
      ([upper, before, after]) =>
        before + [...email].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + after,
    );

describe('normalisation properties', () => {
  it('normalizeEmail is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), fc.string()), (raw) => {
        const once = normalizeEmail(raw);
        if (!once.ok) return;
        expect(normalizeEmail(once.value)).toEqual(once);
      }),
      runs,
    );
  });

  it('hashEmail never hashes twice: hashing its own output returns it unchanged', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (raw) => {
        const once = hashEmail(raw);
        if (!once.ok) return;
        expect(hashEmail(once.value)).toEqual(once);
      }),
      runs,
    );
  });

  it('the same email in any casing or surrounding whitespace hashes the same', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().chain((e) => fc.tuple(fc.constant(e), recased(e))),
        ([email, variant]) => {
          expect(hashEmail(variant)).toEqual(hashEmail(email.toLowerCase()));
        },
      ),
      runs,
    );
  });

  it('normalizeName is idempotent and leaves no spaces or punctuation', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (raw) => {
        const once = normalizeName(raw);
        expect(normalizeName(once)).toBe(once);
        expect(once).not.toMatch(/[\p{P}\s]/u);
      }),
      runs,
    );
  });
});

/** Rest.li values with string leaves: what decoding gives back. */
const restliValue: fc.Arbitrary<RestliDecoded> = fc.letrec<{ value: RestliDecoded }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('', 'List', "''", 'a,b', '(x:y)', 'List(1)', 'urn:li:sponsoredAccount:1', '%', '100%'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('Rest.li encoding round-trips', () => {
  it('decode(encode(v)) equals v for string leaves', () => {
    fc.assert(
      fc.property(restliValue, (v) => {
        expect(decodeRestli(encodeRestli(v))).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('numbers and booleans come back as their text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
        (v) => {
          expect(decodeRestli(encodeRestli({ k: [v] }))).toEqual({ k: [String(Object.is(v, -0) ? 0 : v)] });
        },
      ),
      runs,
    );
  });

  it('encoded values never contain characters that would break a URL or the structure', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), (s) => {
        const encoded = encodeRestli(s);
        expect(encoded).not.toMatch(/[(),:'&=?#/\s]/);
      }),
      runs,
    );
  });

  it('query strings round-trip', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), restliValue, { maxKeys: 5 }),
        (params) => {
          expect(decodeRestliQuery(encodeRestliQuery(params))).toEqual(params);
        },
      ),
      runs,
    );
  });
});

describe('builder and validator agree', () => {
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const identifiers = fc.record(
    {
      email: maybe(fc.oneof(fc.emailAddress(), fc.constantFrom('unknown', '', 'noreply@x.com', ' A@B.CO '))),
      liFatId: maybe(fc.string({ maxLength: 10 })),
      ip: maybe(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 8 }))),
      googleAid: maybe(fc.uuid()),
      firstName: maybe(fc.string({ maxLength: 8 })),
      lastName: maybe(fc.string({ maxLength: 8 })),
      companyName: maybe(fc.string({ maxLength: 8 })),
      countryCode: maybe(fc.constantFrom('de', 'US', 'uk', 'XX', '')),
      externalId: maybe(fc.string({ maxLength: 8 })),
      leadId: maybe(fc.oneof(fc.uuid(), fc.string({ maxLength: 8 }))),
    },
    { requiredKeys: [] },
  );
  const inputs: fc.Arbitrary<ConversionInput> = fc.record({
    conversion: fc.oneof(
      fc.integer({ min: 1 }),
      fc.constantFrom('123', 'urn:lla:llaPartnerConversion:9', 'x'),
    ),
    happenedAt: fc.integer({ min: NOW - 100 * DAY, max: NOW + DAY }),
    value: maybe(
      fc.record({
        amount: fc.oneof(
          fc.double({ min: -1e6, max: 1e9, noNaN: true }),
          fc.constantFrom('19.90', '1e3', '7'),
        ),
        currency: fc.constantFrom('EUR', 'usd', 'EURO'),
      }),
    ),
    user: identifiers,
  });
  const versions = fc.constantFrom('202601', '202608', '202609');

  it('every event the builder accepts serialises like JSON.stringify and passes the validator', () => {
    fc.assert(
      fc.property(inputs, versions, fc.boolean(), fc.boolean(), (input, version, hashNames, hashIp) => {
        const opts = { version, now: NOW, hashNames, hashIp };
        const r = buildConversionEvent(input, opts);
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          return;
        }
        const json = serializeConversionEvent(r.event);
        // The fast serialiser must give exactly what JSON.stringify gives for built events.
        expect(json).toBe(JSON.stringify(r.event));
        const errors = validateConversionEvent(JSON.parse(json), opts).filter((f) => f.severity === 'error');
        expect(errors).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('serializeConversionEvent', () => {
  const text = fc.string({ unit: 'binary', maxLength: 10 });
  const events = fc.record({
    conversion: text,
    conversionHappenedAt: fc.integer({ min: 0 }),
    conversionValue: fc.option(fc.record({ currencyCode: text, amount: text }), { nil: undefined }),
    eventId: fc.option(text, { nil: undefined }),
    user: fc.record(
      {
        userIds: fc.array(fc.record({ idType: fc.constant('ACXIOM_ID' as const), idValue: text }), {
          maxLength: 3,
        }),
        userInfo: fc.record({ firstName: text, lastName: text, title: text }, { requiredKeys: [] }),
        lead: text,
        externalIds: fc.array(text, { maxLength: 2 }),
      },
      { requiredKeys: ['userIds'] },
    ),
  });

  it('always writes exactly what JSON.stringify writes, whatever the strings hold', () => {
    fc.assert(
      fc.property(events, (event) => {
        const json = serializeConversionEvent(event);
        expect(json).toBe(JSON.stringify(event));
        const parsed: unknown = JSON.parse(json);
        expect(parsed).toEqual(JSON.parse(JSON.stringify(event)));
      }),
      runs,
    );
  });

  it('writes every string exactly as JSON.stringify does, at each edge of what needs escaping', () => {
    // Each side of every boundary: controls (0x00-0x1f), quote, backslash, surrogates (paired or
    // lone), and their neighbours, mixed with plain text.
    const edges = [
      0x00, 0x1f, 0x20, 0x21, 0x22, 0x5b, 0x5c, 0x5d, 0x7f, 0xe9, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff,
      0xe000, 0xffff,
    ];
    const unit = fc.oneof(
      fc.constantFrom(...edges.map((c) => String.fromCharCode(c))),
      fc.constantFrom('a', '7', '\ud83d\ude00'),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 6 }), (value) => {
        const event = {
          conversion: value,
          conversionHappenedAt: 1,
          eventId: value,
          user: { userIds: [{ idType: 'ACXIOM_ID' as const, idValue: value }] },
        };
        expect(serializeConversionEvent(event)).toBe(JSON.stringify(event));
      }),
      runs,
    );
  });

  it('escapes quotes, backslashes, control characters and lone surrogates like JSON.stringify', () => {
    const event = {
      conversion: 'urn:lla:llaPartnerConversion:1',
      conversionHappenedAt: 1,
      eventId: 'a"b\\c\n\u0001\ud800',
      user: { userIds: [] },
    };
    expect(serializeConversionEvent(event)).toBe(JSON.stringify(event));
  });
});

describe('eventConversionUrn', () => {
  it('is the rule URN for every rule id, also past the cache bound and for ids sharing digits', () => {
    const ruleId = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ruleId, fc.constantFrom('1', '12', '123', '1234')), { maxLength: 3000 }),
        (ids) => {
          for (const id of ids) expect(eventConversionUrn(id)).toBe(`urn:lla:llaPartnerConversion:${id}`);
        },
      ),
      { numRuns: 20 },
    );
  });
});
