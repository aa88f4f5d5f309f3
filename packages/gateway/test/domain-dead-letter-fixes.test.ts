import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_FIXES, deadLetterFix } from '../src/domain/dead-letter-fixes.js';

describe('deadLetterFix', () => {
  it('gives each dead-letter reason its fix', () => {
    expect(Object.keys(DEAD_LETTER_FIXES).sort()).toEqual(['expired', 'rejected', 'unknown_rule']);
    for (const [reason, fix] of Object.entries(DEAD_LETTER_FIXES)) expect(deadLetterFix(reason)).toBe(fix);
    expect(deadLetterFix('unknown_rule')).toMatch(/CAPI_CONVERSIONS/);
  });

  it('gives none for a reason it does not know, nor for names every object has', () => {
    for (const reason of [null, '', 'mystery', 'toString', '__proto__', 'constructor']) {
      expect(deadLetterFix(reason)).toBeNull();
    }
  });
});
