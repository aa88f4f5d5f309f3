import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedSchema } from '../src/seed.js';
import { keysAt, meantKey, placeOf, seedIssueLines } from '../src/seed-issues.js';

const TOP = ['accounts', 'campaigns', 'rules', 'tokens', 'refreshTokens', 'clients', 'authorizationCodes'];

describe('keysAt', () => {
  it('finds the keys of the object at a path, through optional values and arrays', () => {
    expect(keysAt(seedSchema, [])).toEqual(expect.arrayContaining(TOP));
    expect(keysAt(seedSchema, ['accounts', 0])).toEqual([
      'id',
      'name',
      'currency',
      'status',
      'type',
      'reference',
      'test',
    ]);
    expect(keysAt(seedSchema, ['clients', 3])).toEqual(['clientId', 'clientSecret']);
  });

  it('finds none where there is no object', () => {
    expect(keysAt(seedSchema, ['accounts'])).toEqual([]);
    expect(keysAt(seedSchema, ['accounts', 0, 'name'])).toEqual([]);
    expect(keysAt(seedSchema, ['nothing', 'here'])).toEqual([]);
  });
});

describe('placeOf', () => {
  it('writes array indices in brackets and names the top level', () => {
    expect(placeOf([])).toBe('(top level)');
    expect(placeOf(['rules', 0, 'type'])).toBe('rules[0].type');
    expect(placeOf(['campaigns', 2, 'days', '2026-10-01', 'cost'])).toBe('campaigns[2].days.2026-10-01.cost');
  });
});

describe('meantKey', () => {
  it('takes case, separators and a plural for the same word', () => {
    expect(meantKey('account', TOP)).toBe('accounts');
    expect(meantKey('Refresh_Tokens', TOP)).toBe('refreshTokens');
    expect(meantKey('client', TOP)).toBe('clients');
  });

  it('takes a misspelling a letter or two off, not another word', () => {
    expect(meantKey('campaings', TOP)).toBe('campaigns');
    expect(meantKey('rulez', TOP)).toBe('rules');
    expect(meantKey('rulse', TOP)).toBeNull(); // two edits: too many for five letters
    expect(meantKey('limits', TOP)).toBeNull();
    expect(meantKey('xyz', TOP)).toBeNull();
  });

  it('only ever names a known key', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (key) => {
        const meant = meantKey(key, TOP);
        expect(meant === null || TOP.includes(meant)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('seedIssueLines', () => {
  it('gives every unknown key of an issue a line of its own', () => {
    const lines = seedIssueLines(
      [{ code: 'unrecognized_keys', path: ['clients', 0], message: 'x', keys: ['clientID', 'secret'] }],
      seedSchema,
    );
    expect(lines).toEqual([
      'clients[0]: unknown key "clientID"; did you mean "clientId"?',
      'clients[0]: unknown key "secret"; known keys here: clientId, clientSecret.',
    ]);
  });

  it("keeps zod's message for other problems, with the place", () => {
    expect(
      seedIssueLines([{ code: 'invalid_type', path: ['limits', 'perMinute'], message: 'Bad.' }], seedSchema),
    ).toEqual(['limits.perMinute: Bad.']);
  });
});
