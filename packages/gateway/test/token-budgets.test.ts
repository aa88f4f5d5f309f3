import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetPlans, SHARED_TOKEN_PREFIX } from '../src/domain/token-budgets.js';

const limits = (perMinute: number, perDay = 500_000) => ({ perMinute, perDay });

describe('request budgets by access token', () => {
  it('keeps an account with a token of its own on its own budget, under its id', () => {
    const plans = budgetPlans([
      { id: '1', token: 'a', limits: limits(600) },
      { id: '2', token: 'b', limits: limits(100) },
    ]);
    expect(plans.get('1')).toEqual({ key: '1', limits: limits(600), accounts: ['1'] });
    expect(plans.get('2')).toEqual({ key: '2', limits: limits(100), accounts: ['2'] });
  });

  it('gives accounts that share a token one budget, with the smallest of their limits', () => {
    const plans = budgetPlans([
      { id: '30', token: 'same', limits: limits(600, 400_000) },
      { id: '20', token: 'same', limits: limits(300, 500_000) },
      { id: '10', token: 'other', limits: limits(50) },
    ]);
    const shared = { key: `${SHARED_TOKEN_PREFIX}20`, limits: limits(300, 400_000), accounts: ['20', '30'] };
    expect(plans.get('30')).toEqual(shared);
    expect(plans.get('20')).toEqual(shared);
    expect(plans.get('10')?.key).toBe('10');
  });

  it('never shares a budget between accounts without a token yet', () => {
    const plans = budgetPlans([
      { id: '1', token: null, limits: limits(5) },
      { id: '2', token: null, limits: limits(6) },
    ]);
    expect(plans.get('1')?.key).toBe('1');
    expect(plans.get('2')?.key).toBe('2');
  });

  it('shares a key exactly between accounts with the same token', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', null), { minLength: 1, maxLength: 12 }),
        (tokens) => {
          const accounts = tokens.map((token, i) => ({ id: String(100 + i), token, limits: limits(10 + i) }));
          const plans = budgetPlans(accounts);
          for (const x of accounts) {
            for (const y of accounts) {
              const same = x.id === y.id || (x.token !== null && x.token === y.token);
              expect(plans.get(x.id)?.key === plans.get(y.id)?.key).toBe(same);
            }
            const sharers = accounts.filter((y) => x.token !== null && y.token === x.token);
            if (sharers.length > 1) {
              expect(plans.get(x.id)?.limits.perMinute).toBe(
                Math.min(...sharers.map((y) => y.limits.perMinute)),
              );
            }
          }
        },
      ),
    );
  });
});
