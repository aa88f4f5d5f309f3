/**
 * LinkedIn counts requests per member access token (600 a minute, 500,000 a day), not per ad
 * account. One token often manages several ad accounts; if each of them kept a budget of its own,
 * together they would send more than the token may, and LinkedIn would answer 429. So accounts
 * that share a token share one budget, stored under a key of its own (`token:` and the smallest of
 * their ids), with the smallest of their configured limits. An account with a token of its own
 * keeps its id as the key, as before.
 */
export interface BudgetPlan {
  /** Where the budget is counted in the store: the account's id, or the shared token's key. */
  key: string;
  limits: { perMinute: number; perDay: number };
  /** Every account counted under this key, in id order (one, unless the token is shared). */
  accounts: string[];
}

export interface AccountBudgetInput {
  id: string;
  token: string | null;
  limits: { perMinute: number; perDay: number };
}

export const SHARED_TOKEN_PREFIX = 'token:';

export function budgetPlans(accounts: readonly AccountBudgetInput[]): Map<string, BudgetPlan> {
  const byToken = new Map<string, AccountBudgetInput[]>();
  const plans = new Map<string, BudgetPlan>();
  for (const account of accounts) {
    // No token yet (sandbox mode before it issues one): nothing to share.
    if (account.token === null) {
      plans.set(account.id, { key: account.id, limits: account.limits, accounts: [account.id] });
      continue;
    }
    const group = byToken.get(account.token) ?? [];
    group.push(account);
    byToken.set(account.token, group);
  }
  for (const group of byToken.values()) {
    const ids = group.map((a) => a.id).sort();
    const shared = group.length > 1;
    const limits = {
      perMinute: Math.min(...group.map((a) => a.limits.perMinute)),
      perDay: Math.min(...group.map((a) => a.limits.perDay)),
    };
    for (const account of group) {
      plans.set(account.id, {
        key: shared ? `${SHARED_TOKEN_PREFIX}${ids[0]}` : account.id,
        limits: shared ? limits : account.limits,
        accounts: ids,
      });
    }
  }
  return plans;
}
