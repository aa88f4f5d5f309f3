/**
 * The life of one claimed batch: drop what has expired, linger briefly for company, then send
 * (and resend, after a rejection) inside the account's budget until every event has an outcome or
 * is handed back to the queue. One request at a time per batch, so one batch never holds more
 * than one of the worker's concurrency slots.
 */
import { EXPIRED_AT_CLAIM, planDelivery, splitExpired } from '../domain/delivery-plan.js';
import { MIN_LOOK_MS, nextLookMs } from '../domain/linger.js';
import type { AuditEntry, ClaimedBatch, DeliveryOutcome, OutboxEvent } from '../ports.js';
import { applyPlan } from './apply-plan.js';
import { buildAuditEntry } from './audit.js';
import { budgetFor } from './budget-for.js';
import type { WorkerContext } from './context.js';
import { leaseDeadline, persist } from './persist.js';
import { sleep } from './timing.js';

interface Group {
  ruleId: string;
  events: OutboxEvent[];
}

type DeferReason = 'stopping' | 'budget' | 'paused' | 'lease' | 'aborted';

export async function deliverBatch(
  ctx: WorkerContext,
  batch: ClaimedBatch,
  claimedAt: number,
): Promise<void> {
  const { account } = batch;
  // Send only while at least half the lease is left: a request that outlives the lease could be
  // sent a second time by whoever reclaims the events.
  const sendBefore = claimedAt + ctx.config.delivery.leaseMs / 2;
  // Writes about this batch are retried until then (worker/persist.ts).
  const until = leaseDeadline(ctx, claimedAt);
  // A claim may bring back the halves of an unfinished bisection: they go out apart again.
  const prepared = await prepare(ctx, batch, until);
  const queue = prepared.flatMap((group) =>
    ctx.splitHints.partition(group.events).map((events) => ({ ruleId: group.ruleId, events })),
  );
  // Set while the groups waiting are halves of a bisection (LinkedIn refused a request without
  // naming its bad events): if they are handed back, the next claim must keep them apart.
  let bisecting = queue.length > prepared.length;
  while (queue.length > 0) {
    if (ctx.stopping.aborted) return defer(ctx, account, queue, 'stopping', until, bisecting);
    if (ctx.clock.now() > sendBefore) return defer(ctx, account, queue, 'lease', until, bisecting);
    const shared = budgetFor(ctx, account);
    const budget = await persist(ctx, 'takeBudget', sendBefore, () =>
      ctx.store.takeBudget(shared.key, shared.limits, ctx.clock.now()),
    );
    if (!budget.ok) {
      ctx.holdAccount(account, budget.retryAt);
      return defer(ctx, account, queue, 'budget', until, bisecting);
    }
    // Every account on the budget shows what is left of it, not only the one that spent a request.
    for (const sharer of shared.accounts) {
      ctx.metrics.budgetLeft.set({ account: sharer, window: 'minute' }, budget.minuteLeft);
      ctx.metrics.budgetLeft.set({ account: sharer, window: 'day' }, budget.dayLeft);
    }
    // stop() may have begun while the store answered; nothing new goes out once it has.
    if (ctx.stopping.aborted) return defer(ctx, account, queue, 'stopping', until, bisecting);
    // The budget may have taken retries (a store that failed for a while): the lease rule still holds.
    if (ctx.clock.now() > sendBefore) return defer(ctx, account, queue, 'lease', until, bisecting);

    const group = queue.shift()!;
    const { outcome, audit } = await send(ctx, account, group);
    if (ctx.aborting.aborted && outcome.kind === 'retry' && outcome.status === 0) {
      // Cut at shutdown: LinkedIn may or may not have the batch. Handing it back (without counting
      // an attempt) means it is sent again after restart, with the same eventIds.
      await defer(ctx, account, [group, ...queue], 'aborted', until, bisecting);
      return writeAudit(ctx, audit, until);
    }
    const plan = planDelivery(group.events, outcome, {
      now: ctx.clock.now(),
      retryBaseMs: ctx.config.delivery.retryBaseMs,
      retryMaxMs: ctx.config.delivery.retryMaxMs,
      random: ctx.random,
    });
    await applyPlan(ctx, { account, ...group }, outcome, plan, until);
    // After the events' own state: if the store is failing, what was sent matters more than its row.
    await writeAudit(ctx, audit, until);
    queue.unshift(...plan.resend.map((events) => ({ ruleId: group.ruleId, events })));
    if (plan.resend.length > 1) bisecting = true;
    if (plan.pause) return defer(ctx, account, queue, 'paused', until, bisecting);
  }
}

/** Expiry triage and linger. Returns the groups to send (a top-up may bring another rule). */
async function prepare(ctx: WorkerContext, batch: ClaimedBatch, until: number): Promise<Group[]> {
  const { batchSize, lingerMs, leaseMs } = ctx.config.delivery;
  const first = await dropExpired(ctx, batch, until);
  if (first.length === 0) return [];
  const oldest = Math.min(...first.map((e) => e.receivedAt));
  // Capped well inside the lease, or a lingered batch could never be sent (see `sendBefore`).
  const lingerFor = Math.min(lingerMs, leaseMs / 4, oldest + lingerMs - ctx.clock.now());
  // A small batch of fresh events waits a moment for company, so a burst of single ingests becomes
  // one request instead of many. Retries never wait: they are already late.
  const linger = first.length < batchSize && lingerFor > 0 && first.every((e) => e.attempts === 0);
  if (!linger) return [{ ruleId: batch.ruleId, events: first }];
  // The account takes no other claims while its batch lingers, so the batch must leave as soon as it
  // is full: it looks for company several times (domain/linger.ts says when), not once at the end.
  // With one look at the end, delivery per account was capped near one batch per linger (5,000
  // events per 200 ms, 25,000 events/s), whatever the ingest rate.
  const events = [...first];
  const others: Group[] = [];
  const lingerUntil = performance.now() + lingerFor;
  await ctx.whileLingering(batch.account, async () => {
    let wait = Math.min(MIN_LOOK_MS, lingerFor);
    let lookedAt = performance.now();
    while (wait > 0) {
      await sleep(wait, ctx.stopping);
      if (ctx.stopping.aborted) return;
      let more: ClaimedBatch | null;
      try {
        more = await ctx.store.claim({
          limit: batchSize - events.length,
          leaseMs,
          now: ctx.clock.now(),
          account: batch.account,
        });
      } catch (err) {
        // Company is optional: send what is here rather than fail the claimed batch with it.
        ctx.logger.warn(
          { err, account: batch.account },
          'could not look for more events; sending the batch as it is',
        );
        return;
      }
      const now = performance.now();
      const found = more?.events.length ?? 0;
      wait = nextLookMs({
        found,
        coveredMs: now - lookedAt,
        missing: batchSize - events.length - (more?.ruleId === batch.ruleId ? found : 0),
        leftMs: lingerUntil - now,
        lastWaitMs: wait,
      });
      lookedAt = now;
      if (!more) continue;
      // The top-up has a lease of its own, from now; `until` (the first claim's) is the earlier one.
      const extra = await dropExpired(ctx, more, until);
      if (more.ruleId === batch.ruleId) {
        events.push(...extra);
        continue;
      }
      // The port claims by account, so a top-up may bring another of the account's rules: it is
      // sent as its own request after this one, and the looking stops there.
      if (extra.length > 0) others.push({ ruleId: more.ruleId, events: extra });
      return;
    }
  });
  return [{ ruleId: batch.ruleId, events }, ...others];
}

async function dropExpired(ctx: WorkerContext, batch: ClaimedBatch, until: number): Promise<OutboxEvent[]> {
  const now = ctx.clock.now();
  const { live, expired } = splitExpired(batch.events, now);
  if (expired.length === 0) return live;
  const ids = expired.map((e) => e.id);
  await persist(ctx, 'kill', until, () => ctx.store.kill(ids, 'expired', EXPIRED_AT_CLAIM, now));
  ctx.metrics.deadLettered.inc({ reason: 'expired' }, ids.length);
  ctx.metrics.deliveryAttempts.inc({ outcome: 'expired' }, ids.length);
  ctx.logger.warn(
    { account: batch.account, ruleId: batch.ruleId, count: ids.length },
    'expired events dead-lettered',
  );
  ctx.report(() => ({
    account: batch.account,
    ruleId: batch.ruleId,
    kind: 'expired',
    status: null,
    requestId: null,
    eventIds: ids,
    delivered: [],
    retried: [],
    dead: ids,
    released: [],
    resent: [],
  }));
  return live;
}

/** One request and its audit row. A throwing transport is a bug or an outage, never a lost batch: retry. */
async function send(
  ctx: WorkerContext,
  account: string,
  group: Group,
): Promise<{ outcome: DeliveryOutcome; audit: AuditEntry }> {
  const started = performance.now();
  let outcome: DeliveryOutcome;
  try {
    outcome = await ctx.transport.sendBatch(
      account,
      group.events.map((e) => e.payload),
      ctx.aborting,
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!ctx.aborting.aborted)
      ctx.logger.error({ err, account, ruleId: group.ruleId }, 'LinkedIn transport failed');
    outcome = {
      kind: 'retry',
      status: 0,
      requestId: null,
      afterMs: null,
      reason: 'transport_error',
      body: message,
    };
  }
  const entry = buildAuditEntry({
    at: ctx.clock.now(),
    account,
    ruleId: group.ruleId,
    events: group.events,
    outcome,
    durationMs: performance.now() - started,
  });
  ctx.logger.debug(
    {
      account,
      ruleId: group.ruleId,
      status: outcome.status,
      outcome: outcome.kind,
      requestId: outcome.requestId,
      batchSize: entry.batchSize,
      durationMs: entry.durationMs,
    },
    'LinkedIn request',
  );
  return { outcome, audit: entry };
}

async function writeAudit(ctx: WorkerContext, entry: AuditEntry, until: number): Promise<void> {
  try {
    await persist(ctx, 'appendAudit', until, () => ctx.store.appendAudit(entry));
  } catch (err) {
    // The request happened whether or not the row could be written; keep it in the log instead,
    // without the event ids (5,000 of them would make one enormous line).
    const { eventIds, ...row } = entry;
    ctx.logger.error({ err, audit: { ...row, events: eventIds.length } }, 'could not write the audit row');
  }
}

async function defer(
  ctx: WorkerContext,
  account: string,
  groups: Group[],
  reason: DeferReason,
  until: number,
  bisecting: boolean,
): Promise<void> {
  if (bisecting) ctx.splitHints.remember(groups.map((group) => group.events.map((e) => e.id)));
  for (const group of groups) {
    const ids = group.events.map((e) => e.id);
    await persist(ctx, 'release', until, () => ctx.store.release(ids, ctx.clock.now()));
    ctx.logger.debug(
      { account, ruleId: group.ruleId, count: ids.length, reason },
      'events handed back unsent',
    );
    ctx.report(() => ({
      account,
      ruleId: group.ruleId,
      kind: 'deferred',
      status: null,
      requestId: null,
      eventIds: ids,
      delivered: [],
      retried: [],
      dead: [],
      released: ids,
      resent: [],
    }));
  }
}
