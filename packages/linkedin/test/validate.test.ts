import { describe, expect, it } from 'vitest';
import { type Finding, findingClass, validateConversionEvent } from '../src/index.js';
import { DAY, HOUR, IP_HASH, JANE_DOE_HASH, NOW, wireEvent } from './fixtures.js';

const V = { version: '202609', now: NOW };
const OLD = { version: '202608', now: NOW };

type Json = Record<string, unknown>;
function user(e: Json): Json {
  return e.user as Json;
}
function errors(findings: Finding[]): Array<[string, string]> {
  return findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.path]);
}
function withUser(u: Json): Json {
  return { ...wireEvent(), user: u };
}

describe('validateConversionEvent: valid events', () => {
  it('accepts the contract example on 202609 and 202608', () => {
    expect(validateConversionEvent(wireEvent(), V)).toEqual([]);
    expect(validateConversionEvent(wireEvent(), OLD)).toEqual([]);
  });
  it('accepts a name-only event with an empty userIds array', () => {
    expect(
      validateConversionEvent(withUser({ userIds: [], userInfo: { firstName: 'sam', lastName: 'lee' } }), V),
    ).toEqual([]);
  });
  it('accepts lead-only and externalIds-only events', () => {
    expect(
      validateConversionEvent(withUser({ userIds: [], lead: 'urn:li:leadGenFormResponse:3fa9c1d2' }), V),
    ).toEqual([]);
    expect(validateConversionEvent(withUser({ userIds: [], externalIds: ['crm-0099812'] }), V)).toEqual([]);
  });
  it('accepts mixed plain/hashed name pairs from 202609', () => {
    const e = withUser({ userIds: [], userInfo: { hashedFirstName: JANE_DOE_HASH, lastName: 'doe' } });
    expect(validateConversionEvent(e, V)).toEqual([]);
  });
});

describe('validateConversionEvent: conversion and time', () => {
  it.each([
    ['urn:li:sponsoredConversion:123', 'CONVERSION_URN_INVALID'],
    ['7345120', 'CONVERSION_URN_INVALID'],
    ['urn:lla:llaPartnerConversion:abc', 'CONVERSION_URN_INVALID'],
    [7345120, 'FIELD_TYPE'],
  ])('conversion %j → %s', (conversion, code) => {
    expect(errors(validateConversionEvent({ ...wireEvent(), conversion }, V))).toEqual([
      [code, '/conversion'],
    ]);
  });
  it('requires conversion, conversionHappenedAt and user', () => {
    const { conversion: _c, conversionHappenedAt: _t, user: _u, ...rest } = wireEvent();
    expect(errors(validateConversionEvent(rest, V))).toEqual([
      ['FIELD_REQUIRED', '/conversion'],
      ['FIELD_REQUIRED', '/conversionHappenedAt'],
      ['FIELD_REQUIRED', '/user'],
    ]);
  });
  it('refuses seconds with a hint to multiply by 1000', () => {
    const seconds = Math.floor((NOW - HOUR) / 1000);
    const [f] = validateConversionEvent({ ...wireEvent(), conversionHappenedAt: seconds }, V);
    expect(f).toMatchObject({
      code: 'HAPPENED_AT_SECONDS',
      path: '/conversionHappenedAt',
      severity: 'error',
    });
    expect(f?.message).toMatch(/1000/);
  });
  it('refuses the future, even by one millisecond, and hints at microseconds', () => {
    expect(errors(validateConversionEvent({ ...wireEvent(), conversionHappenedAt: NOW + 1 }, V))).toEqual([
      ['HAPPENED_AT_FUTURE', '/conversionHappenedAt'],
    ]);
    const [f] = validateConversionEvent({ ...wireEvent(), conversionHappenedAt: NOW * 1000 }, V);
    expect(f?.message).toMatch(/microseconds/);
  });
  it('accepts exactly 90 days and refuses one millisecond more', () => {
    expect(validateConversionEvent({ ...wireEvent(), conversionHappenedAt: NOW - 90 * DAY }, V)).toEqual([]);
    expect(
      errors(validateConversionEvent({ ...wireEvent(), conversionHappenedAt: NOW - 90 * DAY - 1 }, V)),
    ).toEqual([['HAPPENED_AT_TOO_OLD', '/conversionHappenedAt']]);
  });
  it('honours a custom maximum age', () => {
    const e = { ...wireEvent(), conversionHappenedAt: NOW - 2 * DAY };
    expect(errors(validateConversionEvent(e, { ...V, maxAgeMs: DAY }))).toEqual([
      ['HAPPENED_AT_TOO_OLD', '/conversionHappenedAt'],
    ]);
  });
  it.each([1.5e12 + 0.5, '1795185000000', -1, 0])('refuses the non-integer time %j', (t) => {
    expect(errors(validateConversionEvent({ ...wireEvent(), conversionHappenedAt: t }, V))).toEqual([
      ['HAPPENED_AT_INVALID', '/conversionHappenedAt'],
    ]);
  });
});

describe('validateConversionEvent: value and eventId', () => {
  it('refuses a numeric amount (LinkedIn: cannot be coerced to String)', () => {
    const e = { ...wireEvent(), conversionValue: { currencyCode: 'USD', amount: 19.9 } };
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['VALUE_AMOUNT_NOT_STRING', '/conversionValue/amount'],
    ]);
  });
  it('needs both amount and currencyCode', () => {
    expect(
      errors(validateConversionEvent({ ...wireEvent(), conversionValue: { currencyCode: 'USD' } }, V)),
    ).toEqual([['VALUE_INCOMPLETE', '/conversionValue/amount']]);
    expect(
      errors(validateConversionEvent({ ...wireEvent(), conversionValue: { amount: '1.0' } }, V)),
    ).toEqual([['VALUE_INCOMPLETE', '/conversionValue/currencyCode']]);
    expect(errors(validateConversionEvent({ ...wireEvent(), conversionValue: {} }, V))).toEqual([
      ['VALUE_INCOMPLETE', '/conversionValue'],
    ]);
  });
  it.each(['1e3', '1,500.00', '', '12.', '.5', '+1'])('refuses the amount %j', (amount) => {
    const e = { ...wireEvent(), conversionValue: { currencyCode: 'USD', amount } };
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['VALUE_AMOUNT_INVALID', '/conversionValue/amount'],
    ]);
  });
  it.each(['usd', 'EURO', 'E1R'])('refuses the currency %j', (currencyCode) => {
    const e = { ...wireEvent(), conversionValue: { currencyCode, amount: '1' } };
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['CURRENCY_INVALID', '/conversionValue/currencyCode'],
    ]);
  });
  it('warns about (but allows) a negative amount', () => {
    const e = { ...wireEvent(), conversionValue: { currencyCode: 'USD', amount: '-5.00' } };
    expect(validateConversionEvent(e, V)).toEqual([
      expect.objectContaining({ code: 'VALUE_AMOUNT_NEGATIVE', severity: 'warning' }),
    ]);
  });
  it('refuses an empty eventId', () => {
    expect(errors(validateConversionEvent({ ...wireEvent(), eventId: ' ' }, V))).toEqual([
      ['EVENT_ID_EMPTY', '/eventId'],
    ]);
  });
});

describe('validateConversionEvent: user', () => {
  it('requires userIds even when other identifiers are present', () => {
    const e = withUser({ userInfo: { firstName: 'sam', lastName: 'lee' } });
    expect(errors(validateConversionEvent(e, V))).toEqual([['USER_IDS_MISSING', '/user/userIds']]);
  });
  it('requires at least one identifier', () => {
    expect(errors(validateConversionEvent(withUser({ userIds: [] }), V))).toEqual([
      ['NO_IDENTIFIER', '/user'],
    ]);
    expect(errors(validateConversionEvent(withUser({ userIds: [], externalIds: [] }), V))).toEqual([
      ['NO_IDENTIFIER', '/user'],
    ]);
  });
  it('refuses unknown idTypes, including the legacy ORACLE_MOAT_ID and phone numbers', () => {
    const e = withUser({
      userIds: [
        { idType: 'SHA256_PHONE_NUMBER', idValue: JANE_DOE_HASH },
        { idType: 'ORACLE_MOAT_ID', idValue: 'x' },
        { idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH },
      ],
    });
    const found = validateConversionEvent(e, V);
    expect(errors(found)).toEqual([
      ['ID_TYPE_UNKNOWN', '/user/userIds/0/idType'],
      ['ID_TYPE_UNKNOWN', '/user/userIds/1/idType'],
    ]);
    expect(found[1]?.message).toMatch(/ORACLE_MOAT_ID/);
  });
  it('needs idType and idValue in every entry, and no empty value', () => {
    const e = withUser({
      userIds: [
        { idType: 'ACXIOM_ID' },
        { idValue: 'x' },
        { idType: 'ACXIOM_ID', idValue: '' },
        { idType: 'GOOGLE_AID', idValue: 'g' },
      ],
    });
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['USER_ID_INCOMPLETE', '/user/userIds/0/idValue'],
      ['USER_ID_INCOMPLETE', '/user/userIds/1/idType'],
      ['IDENTIFIER_EMPTY', '/user/userIds/2/idValue'],
    ]);
  });
  it('checks hash and IP syntax', () => {
    const e = withUser({
      userIds: [
        { idType: 'SHA256_EMAIL', idValue: 'jane@example.com' },
        { idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH.toUpperCase() },
        { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '999.999.999.999' },
        { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '2001:db8::1' },
        { idType: 'SHA256_IP_ADDRESS', idValue: '203.0.113.7' },
        { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'anything-goes' },
      ],
    });
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['ID_VALUE_HASH_INVALID', '/user/userIds/0/idValue'],
      ['ID_VALUE_HASH_INVALID', '/user/userIds/1/idValue'],
      ['IP_INVALID', '/user/userIds/2/idValue'],
      ['IP_V6_UNSUPPORTED', '/user/userIds/3/idValue'],
      ['ID_VALUE_HASH_INVALID', '/user/userIds/4/idValue'],
    ]);
  });
  it('warns when the only identifier is a hashed IP, and about hashed placeholder emails', () => {
    const hashedIpOnly = validateConversionEvent(
      withUser({ userIds: [{ idType: 'SHA256_IP_ADDRESS', idValue: IP_HASH }] }),
      V,
    );
    expect(hashedIpOnly).toEqual([expect.objectContaining({ code: 'HASHED_IP_ONLY', severity: 'warning' })]);
    const testAtTest = 'f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a';
    const placeholder = validateConversionEvent(
      withUser({ userIds: [{ idType: 'SHA256_EMAIL', idValue: testAtTest }] }),
      V,
    );
    expect(placeholder).toEqual([
      expect.objectContaining({ code: 'EMAIL_PLACEHOLDER', severity: 'warning' }),
    ]);
  });
  it('refuses unknown fields at every level', () => {
    const e = {
      ...wireEvent(),
      ipAddress: '203.0.113.7',
      conversionValue: { currencyCode: 'EUR', amount: '1', tax: '0' },
      user: {
        ...user(wireEvent()),
        phone: 'x',
        userIds: [{ idType: 'ACXIOM_ID', idValue: 'a', extra: 1 }],
        userInfo: { firstName: 'a', lastName: 'b', city: 'Berlin' },
      },
    };
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['UNKNOWN_FIELD', '/ipAddress'],
      ['UNKNOWN_FIELD', '/conversionValue/tax'],
      ['UNKNOWN_FIELD', '/user/phone'],
      ['UNKNOWN_FIELD', '/user/userIds/0/extra'],
      ['UNKNOWN_FIELD', '/user/userInfo/city'],
    ]);
  });
  it('refuses a malformed lead URN', () => {
    const e = withUser({ userIds: [], lead: 'urn:li:leadGenForm:1', externalIds: ['a'] });
    expect(errors(validateConversionEvent(e, V))).toEqual([['LEAD_URN_INVALID', '/user/lead']]);
  });
  it('accepts more than one externalId with a warning (LinkedIn uses the first), still checking each', () => {
    const found = validateConversionEvent(withUser({ userIds: [], externalIds: ['a', 'b'] }), V);
    expect(found.map((f) => [f.code, f.path, f.severity])).toEqual([
      ['EXTERNAL_IDS_TOO_MANY', '/user/externalIds', 'warning'],
    ]);
    const bad = withUser({ userIds: [], externalIds: ['a', ' ', 3] });
    expect(errors(validateConversionEvent(bad, V))).toEqual([
      ['IDENTIFIER_EMPTY', '/user/externalIds/1'],
      ['FIELD_TYPE', '/user/externalIds/2'],
    ]);
    expect(errors(validateConversionEvent(withUser({ userIds: [], externalIds: [' ', 'b'] }), V))).toEqual([
      ['IDENTIFIER_EMPTY', '/user/externalIds/0'],
      ['NO_IDENTIFIER', '/user'],
    ]);
  });
  it('checks the country code', () => {
    const e = withUser({ userIds: [], userInfo: { firstName: 'a', lastName: 'b', countryCode: 'de' } });
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['COUNTRY_CODE_INVALID', '/user/userInfo/countryCode'],
    ]);
  });
});

describe('validateConversionEvent: name pair per version', () => {
  it('up to 202608 needs plain firstName and lastName', () => {
    const e = withUser({ userIds: [], userInfo: { firstName: 'sam', companyName: 'X' } });
    expect(errors(validateConversionEvent(e, OLD))).toEqual([
      ['NAME_PAIR_INCOMPLETE', '/user/userInfo/lastName'],
      ['NO_IDENTIFIER', '/user'],
    ]);
  });
  it('before 202609 the hashed fields do not exist', () => {
    const e = withUser({
      userIds: [],
      userInfo: { hashedFirstName: JANE_DOE_HASH, hashedLastName: JANE_DOE_HASH },
    });
    expect(errors(validateConversionEvent(e, OLD))).toEqual([
      ['HASHED_NAME_VERSION', '/user/userInfo/hashedFirstName'],
      ['HASHED_NAME_VERSION', '/user/userInfo/hashedLastName'],
      ['NAME_PAIR_INCOMPLETE', '/user/userInfo/firstName'],
      ['NAME_PAIR_INCOMPLETE', '/user/userInfo/lastName'],
      ['NO_IDENTIFIER', '/user'],
    ]);
  });
  it('from 202609 either form counts, but a hashed name must be a digest', () => {
    const e = withUser({ userIds: [], userInfo: { hashedFirstName: 'jane', lastName: 'doe' } });
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['HASHED_NAME_INVALID', '/user/userInfo/hashedFirstName'],
      ['NO_IDENTIFIER', '/user'],
    ]);
  });
  it('userInfo without names is refused even when userIds identify the person', () => {
    const e = withUser({ userIds: [{ idType: 'ACXIOM_ID', idValue: 'a' }], userInfo: { companyName: 'X' } });
    expect(errors(validateConversionEvent(e, V))).toEqual([
      ['NAME_PAIR_INCOMPLETE', '/user/userInfo/firstName'],
      ['NAME_PAIR_INCOMPLETE', '/user/userInfo/lastName'],
    ]);
  });
});

describe('validateConversionEvent: general', () => {
  it('collects several problems at once, like LinkedIn', () => {
    const e = {
      conversion: 'urn:li:x:1',
      conversionHappenedAt: NOW + DAY,
      user: { userIds: [{ idType: 'X', idValue: 'y' }] },
    };
    expect(errors(validateConversionEvent(e, V)).map(([c]) => c)).toEqual([
      'CONVERSION_URN_INVALID',
      'HAPPENED_AT_FUTURE',
      'ID_TYPE_UNKNOWN',
      'NO_IDENTIFIER',
    ]);
  });
  it('refuses non-objects and a malformed version', () => {
    expect(errors(validateConversionEvent([], V))).toEqual([['FIELD_TYPE', '']]);
    expect(errors(validateConversionEvent(wireEvent(), { version: '2026-09', now: NOW }))).toEqual([
      ['VERSION_INVALID', ''],
    ]);
  });
  it('classes findings so a caller can answer 422 or 400 like LinkedIn', () => {
    expect(findingClass('UNKNOWN_FIELD')).toBe('schema');
    expect(findingClass('USER_IDS_MISSING')).toBe('schema');
    expect(findingClass('VALUE_AMOUNT_NOT_STRING')).toBe('schema');
    expect(findingClass('HAPPENED_AT_TOO_OLD')).toBe('business');
    expect(findingClass('NO_IDENTIFIER')).toBe('business');
    expect(findingClass('SOMETHING_NEW')).toBe('business');
  });
  it('never echoes submitted values in messages', () => {
    const e = withUser({
      userIds: [
        { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '999.1.1.1' },
        { idType: 'SECRET_TYPE', idValue: 'secret' },
      ],
      userInfo: { firstName: 'Zebediah', countryCode: 'QQ' },
    });
    for (const f of validateConversionEvent(e, V)) {
      expect(f.message).not.toMatch(/999\.1|SECRET_TYPE|secret|Zebediah|QQ/);
    }
  });
});
