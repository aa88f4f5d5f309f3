/** The documentation is part of the contract: its tables must match the exported catalogues. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES, findingClass, LINKEDIN_VERSIONS } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/linkedin-sdk.md', import.meta.url), 'utf8');

function rows(pattern: RegExp): string[][] {
  return [...doc.matchAll(pattern)].map((m) => m.slice(1));
}

describe('FINDING_CODES', () => {
  it('uses UPPER_SNAKE codes with a class and a message ending in a full stop', () => {
    for (const [code, info] of Object.entries(FINDING_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(['schema', 'business']).toContain(info.class);
      expect(info.message).toMatch(/\.$/);
      expect(findingClass(code)).toBe(info.class);
    }
  });

  it('includes every code other packages were promised', () => {
    for (const code of [
      'CONVERSION_URN_INVALID',
      'HAPPENED_AT_SECONDS',
      'HAPPENED_AT_TOO_OLD',
      'HAPPENED_AT_FUTURE',
      'VALUE_AMOUNT_NOT_STRING',
      'VALUE_INCOMPLETE',
      'CURRENCY_INVALID',
      'USER_IDS_MISSING',
      'NO_IDENTIFIER',
      'NAME_PAIR_INCOMPLETE',
      'HASHED_NAME_VERSION',
      'UNKNOWN_FIELD',
      'ID_TYPE_UNKNOWN',
      'EMAIL_PLACEHOLDER',
      'EMAIL_INVALID',
      'IP_INVALID',
      'IP_V6_UNSUPPORTED',
      'COUNTRY_CODE_INVALID',
      'LEAD_URN_INVALID',
      'EXTERNAL_IDS_TOO_MANY',
    ]) {
      expect(FINDING_CODES).toHaveProperty(code);
    }
  });

  it('is documented exactly in docs/linkedin-sdk.md', () => {
    const documented = rows(/^\| `([A-Z0-9_]+)` \| (schema|business) \| (.+) \|$/gm);
    const expected = Object.entries(FINDING_CODES).map(([code, info]) => [code, info.class, info.message]);
    expect(documented).toEqual(expected);
  });
});

describe('LINKEDIN_VERSIONS', () => {
  it('is documented exactly in docs/linkedin-sdk.md', () => {
    const documented = rows(/^\| (\d{6}) \| (\d{4}-\d{2}-\d{2}) \|$/gm);
    expect(documented).toEqual(LINKEDIN_VERSIONS.map((v) => [v.version, v.sunset]));
  });
});
