/**
 * Carries out a delivery plan: store writes, metrics, and the log lines an operator needs. The
 * decisions were made in `domain/delivery-plan.ts`; nothing here chooses.
 */
import type { DeliveryPlan, PauseOrder } from '../domain/delivery-plan.js';
import type { DeliveryOutcome, OutboxEvent } from '../ports.js';
import { budgetFor } from './budget-for.js';
import type { WorkerContext } from './context.js';
import { persist } from './persist.js';

export interface SentGroup {
  account: string;
  ruleId: string;
  events: OutboxEvent[];
}

export async function applyPlan(
  ctx: WorkerContext,
  group: SentGroup,
  outcome: DeliveryOutcome,
  plan: DeliveryPlan<OutboxEvent>,
  /** Each store write is retried until then (the batch's lease, see persist.ts). */
  until: number,
): Promise<void> {
  const { store, metrics } = ctx;
  const now = ctx.clock.now();
  // Pause first: other instances must stop before this one hands the events back to the queue.
  if (plan.pause) await pause(ctx, group, outcome, plan.pause, until);
  for (const kill of plan.kill) {
    await persist(ctx, 'kill', until, () => store.kill(kill.ids, kill.reason, kill.response, now));
    metrics.deadLettered.inc({ reason: kill.reason }, kill.ids.length);
  }
  const retry = plan.retry;
  if (retry)
    await persist(ctx, 'retryLater', until, () => store.retryLater(retry.ids, retry.at, retry.reason));
  if (plan.complete.length > 0) {
    await persist(ctx, 'complete', until, () => store.complete(plan.complete, now));
    // Usually the whole request was delivered, and a Set of 5,000 ids would only confirm it.
    const done = plan.complete.length === group.events.length ? null : new Set(plan.complete);
    // One bound child per request: the histogram's own observe() makes a closure and two objects
    // per call, 5,000 times here.
    const lag = metrics.deliveryLag.labels();
    for (const event of group.events) {
      if (!done || done.has(event.id)) lag.observe(Math.max(0, now - event.receivedAt) / 1000);
    }
  }
  if (plan.release.length > 0) await persist(ctx, 'release', until, () => store.release(plan.release, now));

  metrics.linkedinRequests.inc({ outcome: outcome.kind });
  metrics.deliveryAttempts.inc({ outcome: outcome.kind }, group.events.length);
  if (plan.retry) {
    ctx.logger.info(
      {
        account: group.account,
        ruleId: group.ruleId,
        status: outcome.status,
        reason: plan.retry.reason,
        count: plan.retry.ids.length,
        retryAt: new Date(plan.retry.at).toISOString(),
      },
      'delivery failed for now; events will be retried',
    );
  }
  if (plan.kill.length > 0) {
    ctx.logger.warn(
      {
        account: group.account,
        ruleId: group.ruleId,
        status: outcome.status,
        requestId: outcome.requestId,
        dead: plan.kill.map((k) => ({ reason: k.reason, count: k.ids.length })),
      },
      'events dead-lettered',
    );
  }
  ctx.report(() => ({
    account: group.account,
    ruleId: group.ruleId,
    kind: outcome.kind,
    status: outcome.status,
    requestId: outcome.requestId,
    eventIds: group.events.map((e) => e.id),
    delivered: plan.complete,
    retried: plan.retry?.ids ?? [],
    dead: plan.kill.flatMap((k) => k.ids),
    released: plan.release,
    resent: plan.resend.flatMap((batch) => batch.map((e) => e.id)),
  }));
}

async function pause(
  ctx: WorkerContext,
  group: SentGroup,
  outcome: DeliveryOutcome,
  order: PauseOrder,
  until: number,
) {
  if (order.scope === 'all') ctx.pauseAll(order.until, order.reason);
  else {
    // LinkedIn throttles the token, so a 429 pauses every account that shares it, each as itself:
    // listed and lifted like any other pause. A refused token or permission stays with its account.
    const accounts = order.reason === 'throttled' ? budgetFor(ctx, group.account).accounts : [group.account];
    for (const account of accounts) {
      await persist(ctx, 'pauseAccount', until, () =>
        ctx.store.pauseAccount(account, order.until, order.reason),
      );
    }
  }
  const details = {
    account: group.account,
    ruleId: group.ruleId,
    status: outcome.status,
    requestId: outcome.requestId,
    reason: order.reason,
    until: new Date(order.until).toISOString(),
    body: 'body' in outcome ? outcome.body : null,
  };
  switch (order.reason) {
    case 'throttled':
      ctx.logger.warn(
        details,
        'LinkedIn throttled this account; every instance backs off until the pause ends',
      );
      return;
    case 'config':
      // Loud on purpose: this process delivers nothing for any account until its configuration is fixed.
      ctx.logger.fatal(
        { ...details, code: outcome.kind === 'config' ? outcome.code : null },
        configPauseMessage(outcome.status, outcome.kind === 'config' ? outcome.code : null),
      );
      return;
    default:
      ctx.logger.error(
        details,
        'LinkedIn refused the account credentials or permissions: this account is paused, its events are kept until it is resumed',
      );
  }
}

/**
 * What a `config` outcome tells the operator to fix. A refused version is the usual cause; any
 * other status (404, 405, 415, a redirect) means the request went somewhere that is not LinkedIn's
 * conversionEvents endpoint, most often a base URL with a path (`…/rest`) in it.
 */
export function configPauseMessage(status: number, code: string | null): string {
  const pause = 'ALL delivery is paused, events are kept.';
  if (status === 426 || (code?.includes('VERSION') ?? false)) {
    return `LinkedIn refused the API version: ${pause} Fix linkedin.version (LINKEDIN_VERSION) and restart.`;
  }
  return `LinkedIn's endpoint answered HTTP ${status}, not a conversions answer: ${pause} Check linkedin.apiBaseUrl (LINKEDIN_API_BASE_URL): the host only, e.g. https://api.linkedin.com, with no /rest path; then restart.`;
}
