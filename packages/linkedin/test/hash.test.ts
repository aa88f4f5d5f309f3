import { describe, expect, it } from 'vitest';
import { hashEmail, hashName, isLowerSha256Hex, isSha256Hex, normalizeIp, sha256Hex } from '../src/index.js';

// Expected digests were computed outside this code base with `printf '%s' <value> | sha256sum`.
const BUYER = '6a6c26195c3682faa816966af789717c3bfa834eee6c599d667d2b3429c27cfd';
const JANE_DOE = '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d';
const JANE = '81f8f6dde88365f3928796ec7aa53f72820b06db8664f5fe76a7eb13e24546a2';
const OBRIEN = 'b4cb6cb33fe4b865868de825023a1e2790dc12ac01ecc8d7c5afe8254071c8ba';
const MUELLER = '2dbd218072117713f2d5996a726a9b216ed791ffd0783b6ba4ab6d61b8333192';
const IP = 'fec52565aa0cf18f57d7cf5b3ac728503b8992d2d6f7d46da1d1201090902b02';
const GMAIL_PLUS = 'f41439c944a763c9812d700a779941cec169de13c9ccd13aaf9424ba5231620a';

describe('hash vectors', () => {
  it.each([
    ['sha256Hex', () => sha256Hex('jane.doe@example.com'), JANE_DOE],
    ['sha256Hex of an IPv4', () => sha256Hex('203.0.113.7'), IP],
    [
      'sha256Hex of the empty string',
      () => sha256Hex(''),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['email with padding and mixed case', () => ok(hashEmail(' Buyer@Example.COM ')), BUYER],
    ['email, contract example', () => ok(hashEmail('jane.doe@example.com')), JANE_DOE],
    ['email keeps Gmail plus tags and dots', () => ok(hashEmail('Jane.Doe+news@Gmail.com')), GMAIL_PLUS],
    ['already hashed email passes through', () => ok(hashEmail(JANE_DOE)), JANE_DOE],
    [
      'upper-case hash is lower-cased, not re-hashed',
      () => ok(hashEmail(` ${JANE_DOE.toUpperCase()} `)),
      JANE_DOE,
    ],
    ['first name', () => hashName('jane'), JANE],
    ['name with case and spaces', () => hashName('  Jane '), JANE],
    ['name with an apostrophe', () => hashName("O'Brien"), OBRIEN],
    ['name with a decomposed umlaut (NFC)', () => hashName('Mu\u0308ller'), MUELLER],
    ['name with a composed umlaut', () => hashName('MÜLLER'), MUELLER],
    ['hashed IP', () => sha256Hex(ipValue('203.0.113.7')), IP],
  ])('%s', (_name, compute, expected) => {
    expect(compute()).toBe(expected);
  });
});

describe('hex checks', () => {
  it('accepts 64 hex of either case but only lower case as LinkedIn-ready', () => {
    expect(isSha256Hex(JANE_DOE.toUpperCase())).toBe(true);
    expect(isLowerSha256Hex(JANE_DOE.toUpperCase())).toBe(false);
    expect(isLowerSha256Hex(JANE_DOE)).toBe(true);
  });
  it('refuses wrong lengths and non-hex characters', () => {
    expect(isSha256Hex(JANE_DOE.slice(1))).toBe(false);
    expect(isSha256Hex(`${JANE_DOE.slice(1)}g`)).toBe(false);
    expect(isLowerSha256Hex(`${JANE_DOE.slice(1)}:`)).toBe(false);
  });
});

function ok(r: { ok: true; value: string } | { ok: false }): string {
  if (!r.ok) throw new Error('expected ok');
  return r.value;
}

function ipValue(raw: string): string {
  const r = normalizeIp(raw);
  if (!r.ok) throw new Error('expected a valid IP');
  return r.value;
}
