import { DEFAULTS } from '../config.js';
import { type BudgetPlan, budgetPlans } from '../domain/token-budgets.js';
import type { WorkerContext } from './context.js';

/** The plans of each accounts list, worked out once: the worker's configuration does not change. */
const plansOf = new WeakMap<WorkerContext['config']['accounts'], Map<string, BudgetPlan>>();

/**
 * The account's request budget: its own, or the one it shares with the other accounts of its
 * token.
 */
export function budgetFor(ctx: Pick<WorkerContext, 'config'>, account: string): BudgetPlan {
  const { accounts } = ctx.config;
  let plans = plansOf.get(accounts);
  if (!plans) {
    plans = budgetPlans(accounts);
    plansOf.set(accounts, plans);
  }
  return (
    plans.get(account) ?? {
      key: account,
      limits: { perMinute: DEFAULTS.requestsPerMinute, perDay: DEFAULTS.requestsPerDay },
      accounts: [account],
    }
  );
}
