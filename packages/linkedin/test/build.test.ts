import { describe, expect, it } from 'vitest';
import {
  type BuildOptions,
  type BuildResult,
  buildConversionEvent,
  type ConversionInput,
  validateConversionEvent,
} from '../src/index.js';
import { DAY, HOUR, IP_HASH, JANE_DOE_HASH, NOW } from './fixtures.js';

const OPTS: BuildOptions = { version: '202609', now: NOW };
const JANE = '81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2';
const DOE = '799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f';

function input(user: ConversionInput['user'], extra: Partial<ConversionInput> = {}): ConversionInput {
  return { conversion: '7345120', happenedAt: NOW - HOUR, user, ...extra };
}
function built(r: BuildResult) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r;
}
function failed(r: BuildResult) {
  if (r.ok) throw new Error('expected a failure');
  return r;
}
const codes = (fs: Array<{ code: string; path: string }>) => fs.map((f) => [f.code, f.path]);

describe('buildConversionEvent: the happy path', () => {
  it('builds the LinkedIn shape with hashed email, click id and plain IP', () => {
    const r = built(
      buildConversionEvent(
        input(
          { email: ' Jane.Doe@Example.com ', liFatId: 'a1b2c3', ip: '203.0.113.7' },
          { eventId: 'ord-1', value: { amount: '249.00', currency: 'eur' } },
        ),
        OPTS,
      ),
    );
    expect(r.event).toEqual({
      conversion: 'urn:lla:llaPartnerConversion:7345120',
      conversionHappenedAt: NOW - HOUR,
      conversionValue: { currencyCode: 'EUR', amount: '249.00' },
      eventId: 'ord-1',
      user: {
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH },
          { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'a1b2c3' },
          { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '203.0.113.7' },
        ],
      },
    });
    expect(r.identifierTypes).toEqual([
      'SHA256_EMAIL',
      'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
      'PLAINTEXT_IP_ADDRESS',
    ]);
    expect(r.warnings).toEqual([]);
    expect(validateConversionEvent(r.event, OPTS)).toEqual([]);
  });

  it('accepts a rule URN as conversion and every other identifier type', () => {
    const r = built(
      buildConversionEvent(
        input(
          {
            acxiomId: ' AX-1 ',
            googleAid: '38400000-8cf0-11bd-b23e-10b96e40000d',
            externalId: 'crm-1',
            leadId: 'lead-9',
          },
          { conversion: 'urn:lla:llaPartnerConversion:42' },
        ),
        OPTS,
      ),
    );
    expect(r.event.conversion).toBe('urn:lla:llaPartnerConversion:42');
    expect(r.event.user).toEqual({
      userIds: [
        { idType: 'ACXIOM_ID', idValue: 'AX-1' },
        { idType: 'GOOGLE_AID', idValue: '38400000-8cf0-11bd-b23e-10b96e40000d' },
      ],
      lead: 'urn:li:leadGenFormResponse:lead-9',
      externalIds: ['crm-1'],
    });
    expect(r.identifierTypes).toEqual(['ACXIOM_ID', 'GOOGLE_AID', 'LEAD', 'EXTERNAL_ID']);
  });

  it('always sends userIds, empty when only names identify the person', () => {
    const r = built(buildConversionEvent(input({ firstName: 'Sam', lastName: 'Lee' }), OPTS));
    expect(r.event.user).toEqual({ userIds: [], userInfo: { firstName: 'Sam', lastName: 'Lee' } });
    expect(r.identifierTypes).toEqual(['NAME']);
  });
});

describe('buildConversionEvent: value', () => {
  it.each([
    [19.9, '19.9'],
    [100, '100'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [' 12.50 ', '12.50'],
  ])('amount %j → %j', (amount, expected) => {
    const r = built(
      buildConversionEvent(input({ liFatId: 'x' }, { value: { amount, currency: 'USD' } }), OPTS),
    );
    expect(r.event.conversionValue).toEqual({ currencyCode: 'USD', amount: expected });
  });
  it('refuses non-finite and non-decimal amounts and bad currencies', () => {
    expect(
      codes(
        failed(
          buildConversionEvent(
            input({ liFatId: 'x' }, { value: { amount: Number.NaN, currency: 'USD' } }),
            OPTS,
          ),
        ).errors,
      ),
    ).toEqual([['VALUE_AMOUNT_INVALID', '/value/amount']]);
    expect(
      codes(
        failed(
          buildConversionEvent(input({ liFatId: 'x' }, { value: { amount: 5e-324, currency: 'USD' } }), OPTS),
        ).errors,
      ),
    ).toEqual([['VALUE_AMOUNT_INVALID', '/value/amount']]);
    expect(
      codes(
        failed(
          buildConversionEvent(input({ liFatId: 'x' }, { value: { amount: '1,5', currency: 'USD' } }), OPTS),
        ).errors,
      ),
    ).toEqual([['VALUE_AMOUNT_INVALID', '/value/amount']]);
    expect(
      codes(
        failed(
          buildConversionEvent(
            input({ liFatId: 'x' }, { value: { amount: '1', currency: 'dollars' } }),
            OPTS,
          ),
        ).errors,
      ),
    ).toEqual([['CURRENCY_INVALID', '/value/currency']]);
  });
  it('needs both amount and currency', () => {
    const value = { amount: '1' } as unknown as ConversionInput['value'];
    expect(codes(failed(buildConversionEvent(input({ liFatId: 'x' }, { value }), OPTS)).errors)).toEqual([
      ['VALUE_INCOMPLETE', '/value/currency'],
    ]);
  });
  it('warns about a negative amount without refusing it', () => {
    const r = built(
      buildConversionEvent(input({ liFatId: 'x' }, { value: { amount: -5, currency: 'USD' } }), OPTS),
    );
    expect(codes(r.warnings)).toEqual([['VALUE_AMOUNT_NEGATIVE', '/value/amount']]);
  });
});

describe('buildConversionEvent: time and conversion', () => {
  it('refuses seconds with a hint', () => {
    const r = failed(
      buildConversionEvent(input({ liFatId: 'x' }, { happenedAt: Math.floor((NOW - HOUR) / 1000) }), OPTS),
    );
    expect(codes(r.errors)).toEqual([['HAPPENED_AT_SECONDS', '/happenedAt']]);
    expect(r.errors[0]?.message).toMatch(/Multiply it by 1000/);
  });
  it('refuses the future and anything older than maxAgeMs', () => {
    expect(
      codes(failed(buildConversionEvent(input({ liFatId: 'x' }, { happenedAt: NOW + 1000 }), OPTS)).errors),
    ).toEqual([['HAPPENED_AT_FUTURE', '/happenedAt']]);
    expect(
      codes(
        failed(buildConversionEvent(input({ liFatId: 'x' }, { happenedAt: NOW - 91 * DAY }), OPTS)).errors,
      ),
    ).toEqual([['HAPPENED_AT_TOO_OLD', '/happenedAt']]);
    expect(
      buildConversionEvent(input({ liFatId: 'x' }, { happenedAt: NOW - 2 * DAY }), { ...OPTS, maxAgeMs: DAY })
        .ok,
    ).toBe(false);
  });
  it('refuses a conversion that is neither a rule id nor a rule URN', () => {
    const r = failed(
      buildConversionEvent(input({ liFatId: 'x' }, { conversion: 'urn:li:sponsoredConversion:1' }), OPTS),
    );
    expect(codes(r.errors)).toEqual([['CONVERSION_URN_INVALID', '/conversion']]);
  });
  it('refuses an empty eventId', () => {
    expect(
      codes(failed(buildConversionEvent(input({ liFatId: 'x' }, { eventId: '' }), OPTS)).errors),
    ).toEqual([['EVENT_ID_EMPTY', '/eventId']]);
  });
});

describe('buildConversionEvent: dropping unusable identifiers', () => {
  it('drops a placeholder email with a warning and keeps the rest', () => {
    const r = built(buildConversionEvent(input({ email: 'noreply@shop.example', liFatId: 'abc' }), OPTS));
    expect(codes(r.warnings)).toEqual([['EMAIL_PLACEHOLDER', '/user/email']]);
    expect(r.identifierTypes).toEqual(['LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID']);
  });
  it('fails with NO_IDENTIFIER when everything was dropped, pointing at the warnings', () => {
    const r = failed(
      buildConversionEvent(input({ email: 'unknown', ip: '10.0.0.1', liFatId: 'null' }), OPTS),
    );
    expect(codes(r.errors)).toEqual([['NO_IDENTIFIER', '/user']]);
    expect(r.errors[0]?.message).toMatch(/warnings/);
    expect(codes(r.warnings)).toEqual([
      ['EMAIL_PLACEHOLDER', '/user/email'],
      ['IDENTIFIER_PLACEHOLDER', '/user/liFatId'],
      ['IP_NOT_PUBLIC', '/user/ip'],
    ]);
  });
  it('fails with NO_IDENTIFIER for an empty user', () => {
    expect(codes(failed(buildConversionEvent(input({}), OPTS)).errors)).toEqual([['NO_IDENTIFIER', '/user']]);
  });
  it('drops IPv6 and invalid IPs, and warns when a hashed IP is the only identifier', () => {
    expect(
      codes(built(buildConversionEvent(input({ ip: '2001:db8::1', liFatId: 'a' }), OPTS)).warnings),
    ).toEqual([['IP_V6_UNSUPPORTED', '/user/ip']]);
    const r = built(buildConversionEvent(input({ ip: '203.0.113.7' }), { ...OPTS, hashIp: true }));
    expect(r.event.user.userIds).toEqual([{ idType: 'SHA256_IP_ADDRESS', idValue: IP_HASH }]);
    expect(codes(r.warnings)).toEqual([['HASHED_IP_ONLY', '/user/ip']]);
  });
  it('names the field the only hashed IP came from', () => {
    const warned = (user: ConversionInput['user'], hashIp = false) =>
      codes(built(buildConversionEvent(input(user), { ...OPTS, hashIp })).warnings);
    expect(warned({ sha256Ip: IP_HASH })).toEqual([['HASHED_IP_ONLY', '/user/sha256Ip']]);
    expect(warned({ sha256Ip: IP_HASH }, true)).toEqual([['HASHED_IP_ONLY', '/user/sha256Ip']]);
    expect(warned({ ip: '10.0.0.1', sha256Ip: IP_HASH }, true)).toEqual([
      ['IP_NOT_PUBLIC', '/user/ip'],
      ['HASHED_IP_ONLY', '/user/sha256Ip'],
    ]);
    expect(warned({ ip: '203.0.113.7', sha256Ip: IP_HASH }, true)).toEqual([['HASHED_IP_ONLY', '/user/ip']]);
  });
  it('uses a pre-hashed email and IP, preferring values derived from plain input', () => {
    const r = built(
      buildConversionEvent(input({ sha256Email: JANE_DOE_HASH.toUpperCase(), sha256Ip: IP_HASH }), OPTS),
    );
    expect(r.event.user.userIds).toEqual([
      { idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH },
      { idType: 'SHA256_IP_ADDRESS', idValue: IP_HASH },
    ]);
    const both = built(
      buildConversionEvent(input({ email: 'other@example.com', sha256Email: JANE_DOE_HASH }), OPTS),
    );
    expect(both.event.user.userIds).toHaveLength(1);
    expect(codes(both.warnings)).toEqual([['EMAIL_CONFLICT', '/user/sha256Email']]);
  });
  it('never puts a submitted value into a finding', () => {
    const r = buildConversionEvent(
      input({
        email: 'zebediah@@nowhere',
        ip: '10.9.8.7',
        firstName: 'Zebediah',
        countryCode: 'Narnia',
        leadId: 'urn:li:x:zebediah',
      }),
      OPTS,
    );
    const all = r.ok ? r.warnings : [...r.errors, ...r.warnings];
    expect(all.length).toBeGreaterThan(3);
    for (const f of all) expect(f.message).not.toMatch(/zebediah|10\.9\.8\.7|Narnia/i);
  });
});

describe('buildConversionEvent: names and userInfo', () => {
  it('sends plain names and company details on any version', () => {
    const r = built(
      buildConversionEvent(
        input({
          firstName: ' Jane ',
          lastName: 'Doe',
          companyName: 'Acme, Inc.',
          title: 'CFO',
          countryCode: 'de',
        }),
        { ...OPTS, version: '202601', cleanCompanySuffix: true },
      ),
    );
    expect(r.event.user.userInfo).toEqual({
      firstName: 'Jane',
      lastName: 'Doe',
      companyName: 'Acme',
      title: 'CFO',
      countryCode: 'DE',
    });
  });
  it('keeps the company name as given unless asked to clean it', () => {
    const r = built(
      buildConversionEvent(input({ firstName: 'a', lastName: 'b', companyName: 'Acme, Inc.' }), OPTS),
    );
    expect(r.event.user.userInfo?.companyName).toBe('Acme, Inc.');
  });
  it('hashes names into the hashed fields from 202609', () => {
    const r = built(
      buildConversionEvent(input({ firstName: 'Jane', lastName: ' DOE ' }), { ...OPTS, hashNames: true }),
    );
    expect(r.event.user.userInfo).toEqual({ hashedFirstName: JANE, hashedLastName: DOE });
    expect(validateConversionEvent(r.event, OPTS)).toEqual([]);
  });
  it('refuses name hashing before 202609 rather than sending plain names', () => {
    const r = failed(
      buildConversionEvent(input({ firstName: 'Jane', lastName: 'Doe', liFatId: 'x' }), {
        ...OPTS,
        version: '202608',
        hashNames: true,
      }),
    );
    expect(codes(r.errors)).toEqual([['HASHED_NAME_VERSION', '/user/firstName']]);
  });
  it('drops userInfo when one name is missing, with one warning', () => {
    const r = built(
      buildConversionEvent(input({ firstName: 'Jane', companyName: 'Acme', liFatId: 'x' }), OPTS),
    );
    expect(r.event.user.userInfo).toBeUndefined();
    expect(codes(r.warnings)).toEqual([['NAME_PAIR_INCOMPLETE', '/user/lastName']]);
    expect(r.warnings[0]?.message).toBe(
      'LinkedIn needs both names whenever userInfo is sent, so the names, company name, title and country code were not sent.',
    );
  });
  it('says in one sentence why a lone first name was not sent', () => {
    const r = built(buildConversionEvent(input({ firstName: 'Jane', liFatId: 'x' }), OPTS));
    expect(r.warnings).toEqual([
      {
        code: 'NAME_PAIR_INCOMPLETE',
        path: '/user/lastName',
        message: 'LinkedIn needs both a first and a last name, so the name that was given was not sent.',
        severity: 'warning',
      },
    ]);
  });
  it('drops a name that is only punctuation when hashing', () => {
    const r = built(
      buildConversionEvent(input({ firstName: '...', lastName: 'Doe', liFatId: 'x' }), {
        ...OPTS,
        hashNames: true,
      }),
    );
    expect(codes(r.warnings)).toEqual([
      ['NAME_INVALID', '/user/firstName'],
      ['NAME_PAIR_INCOMPLETE', '/user/firstName'],
    ]);
  });
  it('drops an invalid country code but keeps the names', () => {
    const r = built(
      buildConversionEvent(input({ firstName: 'a', lastName: 'b', countryCode: 'Germany' }), OPTS),
    );
    expect(r.event.user.userInfo).toEqual({ firstName: 'a', lastName: 'b' });
    expect(codes(r.warnings)).toEqual([['COUNTRY_CODE_INVALID', '/user/countryCode']]);
  });
  it('drops a lead URN of the wrong type', () => {
    const r = built(buildConversionEvent(input({ leadId: 'urn:li:leadGenForm:1', liFatId: 'x' }), OPTS));
    expect(r.event.user.lead).toBeUndefined();
    expect(codes(r.warnings)).toEqual([['LEAD_URN_INVALID', '/user/leadId']]);
  });
});
