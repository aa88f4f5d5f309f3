import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConversionResolver, snakeCase } from '../src/domain/conversions.js';

const rules = [
  { alias: 'lead', ruleId: '11', account: '1001' },
  { alias: 'qualified_lead', ruleId: '12', account: '1001' },
  { alias: 'signup', ruleId: '21', account: '1002' },
];

describe('conversion resolution', () => {
  const multi = createConversionResolver({ rules, accounts: ['1001', '1002'] });
  const single = createConversionResolver({ rules: rules.slice(0, 2), accounts: ['1001'] });

  it('resolves aliases case-insensitively, ignoring surrounding space', () => {
    expect(multi.resolve('Lead')).toEqual({ ok: true, rule: { ruleId: '11', account: '1001' } });
    expect(multi.resolve(' SIGNUP ')).toEqual({ ok: true, rule: { ruleId: '21', account: '1002' } });
  });

  it('resolves configured rule ids as digits, numbers and URNs', () => {
    for (const c of ['21', 21, 'urn:lla:llaPartnerConversion:21', '021']) {
      expect(multi.resolve(c)).toEqual({ ok: true, rule: { ruleId: '21', account: '1002' } });
    }
  });

  it('allows an unknown rule id only when exactly one account is configured', () => {
    expect(single.resolve('999')).toEqual({ ok: true, rule: { ruleId: '999', account: '1001' } });
    const refused = multi.resolve('urn:lla:llaPartnerConversion:999');
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.message).toBe(
        'The conversion rule 999 is not configured. Known aliases: lead, qualified_lead, signup.',
      );
  });

  it('never resolves an unknown alias, and never echoes it', () => {
    const r = single.resolve('jane@example.com');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain('jane');
  });

  it('lists at most 20 aliases', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      alias: `a${String(i).padStart(2, '0')}`,
      ruleId: String(i + 1),
      account: '1',
    }));
    const r = createConversionResolver({ rules: many, accounts: ['1', '2'] }).resolve('x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('(and 10 more)');
  });

  it('looks up configured rules without the single-account fallback', () => {
    expect(single.configuredRule('11')).toEqual({ ruleId: '11', account: '1001' });
    expect(single.configuredRule('999')).toBeNull();
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (c) => {
        const r = multi.resolve(c);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('snakeCase (Segment event names)', () => {
  it.each([
    ['Qualified Lead', 'qualified_lead'],
    ['QualifiedLead', 'qualified_lead'],
    ['qualified-lead', 'qualified_lead'],
    ['  Order Completed!  ', 'order_completed'],
    ['SignUp2', 'sign_up2'],
    ['lead', 'lead'],
  ])('%s → %s', (input, expected) => {
    expect(snakeCase(input)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(snakeCase(snakeCase(s))).toBe(snakeCase(s));
      }),
    );
  });
});
