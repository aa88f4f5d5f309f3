import { DEFAULTS } from '../config.js';
import { type BudgetPlan, budgetPlans } from '../domain/token-budgets.js';
import type { WorkerContext } from './context.js';

/**
 * The account's request budget: its own, or the one it shares with the other accounts of its
 * token. Worked out on each use from the configuration: a handful of accounts, and a sandbox-mode
 * token arrives after start.
 */
export function budgetFor(ctx: Pick<WorkerContext, 'config'>, account: string): BudgetPlan {
  return (
    budgetPlans(ctx.config.accounts).get(account) ?? {
      key: account,
      limits: { perMinute: DEFAULTS.requestsPerMinute, perDay: DEFAULTS.requestsPerDay },
      accounts: [account],
    }
  );
}
