import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountUrn,
  campaignUrn,
  cleanCompanyName,
  conversionUrn,
  EMAIL_PLACEHOLDERS,
  hashEmail,
  isPlaceholderEmail,
  isPlaceholderValue,
  leadUrn,
  normalizeCountryCode,
  normalizeEmail,
  normalizeEmailHash,
  normalizeIp,
  normalizeIpHash,
  normalizeLiFatId,
  normalizeName,
  normalizePlain,
  ruleIdFromConversion,
} from '../src/index.js';

const HASH = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Buyer@Example.COM\t')).toEqual({
      ok: true,
      value: 'buyer@example.com',
      hashed: false,
    });
  });
  it('does not rewrite provider-specific forms (Gmail dots, plus tags)', () => {
    expect(normalizeEmail('J.Doe+promo@gmail.com')).toEqual({
      ok: true,
      value: 'j.doe+promo@gmail.com',
      hashed: false,
    });
  });
  it('recognises an existing SHA-256 and marks it hashed', () => {
    expect(normalizeEmail(HASH.toUpperCase())).toEqual({ ok: true, value: HASH, hashed: true });
  });
  it.each([
    '',
    '   ',
    'unknown',
    'N/A',
    'test@test.com',
    'noreply@shop.example',
    'No-Reply@x.org',
    'x@localhost',
  ])('drops the placeholder %j with a reason', (raw) => {
    const r = normalizeEmail(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('EMAIL_PLACEHOLDER');
      expect(r.reason.length).toBeGreaterThan(0);
    }
  });
  it.each([
    'plainaddress',
    'a@b',
    'a@@b.com',
    'a b@c.com',
    '@example.com',
    'a@.com',
    'a@example.',
    'a@ex..com',
  ])('refuses the malformed address %j', (raw) => {
    const r = normalizeEmail(raw);
    expect(r).toMatchObject({ ok: false, code: 'EMAIL_INVALID' });
  });
  it('points out MD5 digests instead of hashing them', () => {
    expect(normalizeEmail('5f4dcc3b5aa765d61d8327deb882cf99')).toMatchObject({
      ok: false,
      code: 'EMAIL_HASH_INVALID',
    });
  });
  it('never repeats the submitted address in a reason', () => {
    for (const raw of ['noreply@secret-shop.example', 'not an email secret-shop']) {
      const r = normalizeEmail(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toContain('secret-shop');
    }
  });
  it('hashEmail hashes once and passes hashes through', () => {
    expect(hashEmail('jane.doe@example.com')).toEqual({ ok: true, value: HASH });
    expect(hashEmail(HASH)).toEqual({ ok: true, value: HASH });
    expect(hashEmail('unknown')).toMatchObject({ ok: false, code: 'EMAIL_PLACEHOLDER' });
  });
});

describe('email placeholders', () => {
  it('is one documented list with local-part, domain and exact entries', () => {
    expect(EMAIL_PLACEHOLDERS).toContain('noreply@');
    expect(EMAIL_PLACEHOLDERS).toContain('test@test.com');
    expect(Object.isFrozen(EMAIL_PLACEHOLDERS)).toBe(true);
  });
  it('matches local-part entries at any domain and leaves ordinary addresses alone', () => {
    expect(isPlaceholderEmail('donotreply@bank.example')).toBe(true);
    expect(isPlaceholderEmail('reply@bank.example')).toBe(false);
    expect(isPlaceholderEmail('buyer@example.com')).toBe(false);
    expect(isPlaceholderEmail('jane.doe@example.com')).toBe(false);
  });
  it('agrees with the list read literally, for addresses near and far from its entries', () => {
    // The list's own definition: `name@` any address with that local part, `@domain` any address
    // at that domain, anything else the whole value.
    const literally = (email: string) => {
      const at = email.indexOf('@');
      return EMAIL_PLACEHOLDERS.some((entry) => {
        if (entry.length > 1 && entry.endsWith('@'))
          return at >= 0 && email.slice(0, at) === entry.slice(0, -1);
        if (entry.length > 1 && entry.startsWith('@'))
          return at >= 0 && email.slice(at + 1) === entry.slice(1);
        return email === entry;
      });
    };
    const pieces = EMAIL_PLACEHOLDERS.flatMap((e) => e.split('@'));
    const part = fc.oneof(fc.constantFrom(...pieces), fc.stringMatching(/^[a-z._-]{0,14}$/));
    const email = fc.oneof(
      fc.constantFrom(...EMAIL_PLACEHOLDERS),
      fc.tuple(part, part).map(([local, domain]) => `${local}@${domain}`),
      part,
    );
    fc.assert(
      fc.property(email, (e) => {
        expect(isPlaceholderEmail(e)).toBe(literally(e));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('normalizeName', () => {
  it.each([
    ['Jane', 'jane'],
    ['  Mary Ann ', 'maryann'],
    ["O'Brien-Smith", 'obriensmith'],
    ['Dr. J.R.R.', 'drjrr'],
    ['Zoë', 'zoë'],
    ['Zoe\u0308', 'zoë'],
    ['Jean\u00a0Luc', 'jeanluc'],
    ['ÅSA', 'åsa'],
    ['李 小龍', '李小龍'],
    ['Jo\u200bhn', 'john'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeName(raw)).toBe(expected);
  });
});

describe('normalizeIp', () => {
  it('accepts a public IPv4 and unwraps IPv4-mapped IPv6', () => {
    expect(normalizeIp(' 203.0.113.7 ')).toEqual({ ok: true, value: '203.0.113.7' });
    expect(normalizeIp('::FFFF:203.0.113.7')).toEqual({ ok: true, value: '203.0.113.7' });
  });
  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.a', '1..2.3', ''])('refuses %j', (raw) => {
    expect(normalizeIp(raw)).toMatchObject({ ok: false, code: 'IP_INVALID' });
  });
  it('refuses IPv6 with its own code', () => {
    expect(normalizeIp('2001:db8::1')).toMatchObject({ ok: false, code: 'IP_V6_UNSUPPORTED' });
  });
  it.each([
    '10.0.0.1',
    '192.168.1.20',
    '172.16.0.1',
    '127.0.0.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
  ])('refuses the non-public address %s', (raw) => {
    expect(normalizeIp(raw)).toMatchObject({ ok: false, code: 'IP_NOT_PUBLIC' });
  });
  it('accepts addresses next to private ranges', () => {
    expect(normalizeIp('172.32.0.1').ok).toBe(true);
    expect(normalizeIp('100.128.0.1').ok).toBe(true);
  });
  it('normalises a hashed IP to lower case and refuses other strings', () => {
    expect(normalizeIpHash(HASH.toUpperCase())).toEqual({ ok: true, value: HASH });
    expect(normalizeIpHash('203.0.113.7')).toMatchObject({ ok: false, code: 'IP_HASH_INVALID' });
  });
});

describe('plain identifiers', () => {
  it('URL-decodes li_fat_id once and keeps undecodable values verbatim', () => {
    expect(normalizeLiFatId('df5gf5-gh6t7%2Bph4j7h')).toEqual({ ok: true, value: 'df5gf5-gh6t7+ph4j7h' });
    expect(normalizeLiFatId('abc%2')).toEqual({ ok: true, value: 'abc%2' });
    expect(normalizeLiFatId('df5gf5-gh6t7-ph4j7h-fgf6n1')).toEqual({
      ok: true,
      value: 'df5gf5-gh6t7-ph4j7h-fgf6n1',
    });
  });
  it('drops empty and placeholder values', () => {
    expect(normalizeLiFatId('  ')).toMatchObject({ ok: false, code: 'IDENTIFIER_EMPTY' });
    expect(normalizeLiFatId('undefined')).toMatchObject({ ok: false, code: 'IDENTIFIER_PLACEHOLDER' });
    expect(normalizePlain('00000000-0000-0000-0000-000000000000', 'Google advertising id')).toMatchObject({
      ok: false,
      code: 'IDENTIFIER_PLACEHOLDER',
    });
    expect(isPlaceholderValue('John')).toBe(false);
  });
  it('checks a hashed email input', () => {
    expect(normalizeEmailHash(` ${HASH} `)).toEqual({ ok: true, value: HASH });
    expect(normalizeEmailHash('abc')).toMatchObject({ ok: false, code: 'EMAIL_HASH_INVALID' });
  });
});

describe('country codes', () => {
  it('upper-cases, maps UK to GB and refuses unassigned codes', () => {
    expect(normalizeCountryCode(' de ')).toBe('DE');
    expect(normalizeCountryCode('uk')).toBe('GB');
    expect(normalizeCountryCode('XX')).toBeNull();
    expect(normalizeCountryCode('DEU')).toBeNull();
  });
});

describe('cleanCompanyName', () => {
  it.each([
    ['Acme, Inc.', 'Acme'],
    ['Example GmbH', 'Example'],
    ['Example GmbH & Co. KG', 'Example'],
    ['Foo Co., Ltd.', 'Foo'],
    ['Widgets LLC', 'Widgets'],
    ['Bar Holdings plc', 'Bar Holdings'],
    ['Johnson & Johnson', 'Johnson & Johnson'],
    ['Inc', 'Inc'],
    ['AG', 'AG'],
    ['  Plain Name  ', 'Plain Name'],
  ])('%j → %j', (raw, expected) => {
    expect(cleanCompanyName(raw)).toBe(expected);
  });
});

describe('URNs', () => {
  it('reads rule ids from digits, numbers and URNs', () => {
    expect(ruleIdFromConversion('123')).toBe('123');
    expect(ruleIdFromConversion(123)).toBe('123');
    expect(ruleIdFromConversion('urn:lla:llaPartnerConversion:123')).toBe('123');
    expect(ruleIdFromConversion(' 00123 ')).toBe('123');
  });
  it.each(['', 'abc', 'urn:li:sponsoredConversion:123', '12a', '0', '-1', 'urn:lla:llaPartnerConversion:'])(
    'refuses %j',
    (raw) => {
      expect(ruleIdFromConversion(raw)).toBeNull();
    },
  );
  it('refuses non-integer and unsafe numbers', () => {
    expect(ruleIdFromConversion(1.5)).toBeNull();
    expect(ruleIdFromConversion(2 ** 60)).toBeNull();
  });
  it('builds URNs and throws on nonsense', () => {
    expect(conversionUrn(7345120)).toBe('urn:lla:llaPartnerConversion:7345120');
    expect(accountUrn('urn:li:sponsoredAccount:508123456')).toBe('urn:li:sponsoredAccount:508123456');
    expect(campaignUrn('42')).toBe('urn:li:sponsoredCampaign:42');
    expect(() => conversionUrn('x')).toThrow(TypeError);
  });
  it('builds lead URNs from bare ids and refuses other URNs', () => {
    expect(leadUrn('3fa9c1d2-0b7e-4e55')).toBe('urn:li:leadGenFormResponse:3fa9c1d2-0b7e-4e55');
    expect(leadUrn('urn:li:leadGenFormResponse:abc')).toBe('urn:li:leadGenFormResponse:abc');
    expect(leadUrn('urn:li:leadGenForm:abc')).toBeNull();
    expect(leadUrn('a b')).toBeNull();
  });
});
