import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_PROBE_MS,
  type DeliveryPlan,
  FORBIDDEN_PROBE_MS,
  PAUSE_INDEFINITELY,
  type PlanEvent,
  type PlanOutcome,
  planDelivery,
  splitExpired,
} from '../src/domain/delivery-plan.js';
import { DAY_MS, isExpired, MAX_EVENT_AGE_MS, THROTTLE_FLOOR_MS } from '../src/domain/retry-policy.js';
import type { DeliveryOutcome } from '../src/ports.js';

const NOW = Date.UTC(2030, 0, 1, 12);
const settings = { now: NOW, retryBaseMs: 1_000, retryMaxMs: 300_000, random: () => 0.5 };

const batch = (n: number, overrides: Partial<PlanEvent> = {}): PlanEvent[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, happenedAt: NOW - DAY_MS, attempts: 0, ...overrides }));

const rejected = (indices: number[], reasons: string[] = []): DeliveryOutcome => ({
  kind: 'rejected',
  status: 400,
  requestId: 'r',
  indices,
  reasons,
  body: '{"message":"bad","status":400}',
});

describe('planDelivery: one outcome at a time', () => {
  it('completes everything on delivered', () => {
    const plan = planDelivery(batch(3), { kind: 'delivered', status: 200, requestId: 'r' }, settings);
    expect(plan).toMatchObject({
      complete: ['e0', 'e1', 'e2'],
      retry: null,
      kill: [],
      release: [],
      pause: null,
    });
  });

  it('kills exactly the named indices with their reasons and resends the rest as one batch', () => {
    const plan = planDelivery(batch(5), rejected([1, 3], ['too old', 'no identifier']), settings);
    expect(plan.kill).toEqual([
      { ids: ['e1'], reason: 'rejected', response: 'too old' },
      { ids: ['e3'], reason: 'rejected', response: 'no identifier' },
    ]);
    expect(plan.resend.map((b) => b.map((e) => e.id))).toEqual([['e0', 'e2', 'e4']]);
  });

  it('uses the whole body when LinkedIn names an index without a reason, and ignores impossible indices', () => {
    const plan = planDelivery(batch(2), rejected([0, 7, -1, 0]), settings);
    expect(plan.kill).toEqual([
      { ids: ['e0'], reason: 'rejected', response: '{"message":"bad","status":400}' },
    ]);
    expect(plan.resend.map((b) => b.map((e) => e.id))).toEqual([['e1']]);
  });

  it('bisects when no index is named, and dead-letters a lone event', () => {
    expect(planDelivery(batch(5), rejected([]), settings).resend.map((b) => b.length)).toEqual([3, 2]);
    const lone = planDelivery(batch(1), rejected([]), settings);
    expect(lone.kill).toEqual([
      { ids: ['e0'], reason: 'rejected', response: '{"message":"bad","status":400}' },
    ]);
    expect(lone.resend).toEqual([]);
  });

  it('pauses the account for a 401 and releases the events, naming a revoked token', () => {
    const outcome = (revoked: boolean): DeliveryOutcome => ({
      kind: 'reauth',
      status: 401,
      requestId: null,
      revoked,
      body: null,
    });
    expect(planDelivery(batch(2), outcome(false), settings)).toMatchObject({
      release: ['e0', 'e1'],
      pause: { scope: 'account', until: PAUSE_INDEFINITELY, reason: 'reauth' },
    });
    expect(planDelivery(batch(1), outcome(true), settings).pause?.reason).toBe('revoked');
  });

  it('dead-letters an unknown rule, pauses the account for other 403s', () => {
    const forbidden = (unknownRule: boolean): DeliveryOutcome => ({
      kind: 'forbidden',
      status: 403,
      requestId: null,
      unknownRule,
      body: 'b',
    });
    expect(planDelivery(batch(2), forbidden(true), settings)).toMatchObject({
      kill: [{ ids: ['e0', 'e1'], reason: 'unknown_rule', response: 'b' }],
      pause: null,
    });
    expect(planDelivery(batch(2), forbidden(false), settings)).toMatchObject({
      release: ['e0', 'e1'],
      pause: { scope: 'account', until: NOW + FORBIDDEN_PROBE_MS, reason: 'forbidden' },
    });
  });

  it('pauses all sending on a config outcome', () => {
    const plan = planDelivery(
      batch(1),
      { kind: 'config', status: 426, requestId: null, code: 'NONEXISTENT_VERSION', body: null },
      settings,
    );
    expect(plan).toMatchObject({
      release: ['e0'],
      pause: { scope: 'all', until: NOW + CONFIG_PROBE_MS, reason: 'config' },
    });
  });

  it('retries with back-off from the most-tried event; a 429 also pauses the account at least 10 s', () => {
    const retry: DeliveryOutcome = {
      kind: 'retry',
      status: 503,
      requestId: null,
      afterMs: null,
      reason: 'http_503',
      body: null,
    };
    const events = [...batch(1), { id: 'x', happenedAt: NOW, attempts: 3 }];
    const plan = planDelivery(events, retry, settings);
    expect(plan.retry).toEqual({ ids: ['e0', 'x'], at: NOW + 4_500, reason: 'http_503' });
    expect(plan.pause).toBeNull();
    const throttled = planDelivery(batch(1), { ...retry, status: 429 }, settings);
    expect(throttled.pause).toEqual({
      scope: 'account',
      until: NOW + THROTTLE_FLOOR_MS,
      reason: 'throttled',
    });
    expect(throttled.retry?.at).toBe(NOW + THROTTLE_FLOOR_MS);
  });

  it('dead-letters as expired the events whose retry would fall past the 90-day limit', () => {
    const retry: DeliveryOutcome = {
      kind: 'retry',
      status: 500,
      requestId: null,
      afterMs: null,
      reason: 'http_500',
      body: 'x',
    };
    const old = { id: 'old', happenedAt: NOW - MAX_EVENT_AGE_MS + 3_600_000 + 500, attempts: 0 };
    const plan = planDelivery([old, ...batch(1)], retry, settings);
    expect(plan.kill.map((k) => [k.ids, k.reason])).toEqual([[['old'], 'expired']]);
    expect(plan.retry?.ids).toEqual(['e0']);
  });
});

describe('planDelivery: a 200 that lists failed elements', () => {
  it('completes the accepted elements, retries transient failures and dead-letters the rest', () => {
    const outcome = {
      kind: 'delivered' as const,
      status: 200,
      requestId: 'r',
      elementErrors: [
        { index: 1, status: 500, message: 'oops' },
        { index: 2, status: 400, message: 'bad time' },
        { index: 9, status: 400, message: 'out of range' },
      ],
    };
    const plan = planDelivery(batch(4), outcome, settings);
    expect(plan.complete).toEqual(['e0', 'e3']);
    expect(plan.retry).toEqual({ ids: ['e1'], at: NOW + 1_000, reason: 'element_failed' });
    expect(plan.kill).toEqual([
      { ids: ['e2'], reason: 'rejected', response: '{"status":400,"message":"bad time"}' },
    ]);
    expect(plan.resend).toEqual([]);
  });
});

describe('splitExpired', () => {
  it('separates events past the limit', () => {
    const events = [{ id: 'a', happenedAt: NOW - 95 * DAY_MS, attempts: 0 }, ...batch(1)];
    const { live, expired } = splitExpired(events, NOW);
    expect(expired.map((e) => e.id)).toEqual(['a']);
    expect(live.map((e) => e.id)).toEqual(['e0']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: whatever LinkedIn answers, no event is lost, duplicated or stuck.

const idsOf = (plan: DeliveryPlan<PlanEvent>) => ({
  settled: [
    ...plan.complete,
    ...(plan.retry?.ids ?? []),
    ...plan.kill.flatMap((k) => k.ids),
    ...plan.release,
  ],
  resent: plan.resend.flatMap((b) => b.map((e) => e.id)),
});

const eventArb = fc.record({
  happenedAt: fc.integer({ min: NOW - 91 * DAY_MS, max: NOW }),
  attempts: fc.nat(40),
});
const batchArb = fc
  .array(eventArb, { minLength: 1, maxLength: 60, size: 'max' })
  .map((events) => events.map((e, i) => ({ ...e, id: `e${i}` })));
const status = fc.integer({ min: 0, max: 599 });
const body = fc.option(fc.string(), { nil: null });
const requestId = fc.option(fc.string(), { nil: null });
const elementErrors = fc.array(
  fc.record({
    index: fc.integer({ min: -1, max: 70 }),
    status: fc.constantFrom(0, 400, 409, 422, 429, 500, 503),
    message: fc.option(fc.string(), { nil: null }),
  }),
  { maxLength: 8 },
);
const outcomeArb: fc.Arbitrary<PlanOutcome> = fc.oneof(
  fc.record({ kind: fc.constant('delivered' as const), status, requestId }),
  fc.record({ kind: fc.constant('delivered' as const), status, requestId, elementErrors }),
  fc.record({
    kind: fc.constant('retry' as const),
    status: fc.constantFrom(0, 408, 423, 429, 500, 502, 503, 504),
    requestId,
    afterMs: fc.option(fc.nat(2 * DAY_MS), { nil: null }),
    reason: fc.string(),
    body,
  }),
  fc.record({ kind: fc.constant('reauth' as const), status, requestId, revoked: fc.boolean(), body }),
  fc.record({ kind: fc.constant('forbidden' as const), status, requestId, unknownRule: fc.boolean(), body }),
  fc.record({
    kind: fc.constant('rejected' as const),
    status: fc.constantFrom(400, 422),
    requestId,
    indices: fc.array(fc.integer({ min: -2, max: 70 }), { maxLength: 10 }),
    reasons: fc.array(fc.string(), { maxLength: 10 }),
    body,
  }),
  fc.record({ kind: fc.constant('config' as const), status, requestId, code: fc.string(), body }),
);

describe('planDelivery properties', () => {
  it('puts every event in exactly one place, and every resend sub-batch is non-empty and smaller', () => {
    fc.assert(
      fc.property(batchArb, outcomeArb, fc.double({ min: 0, max: 1, noNaN: true }), (events, outcome, r) => {
        const plan = planDelivery(events, outcome, { ...settings, random: () => r });
        const { settled, resent } = idsOf(plan);
        const all = [...settled, ...resent];
        expect(all.length).toBe(events.length);
        expect(new Set(all)).toEqual(new Set(events.map((e) => e.id)));
        for (const sub of plan.resend) {
          expect(sub.length).toBeGreaterThan(0);
          expect(sub.length).toBeLessThan(events.length);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('resending always ends: repeated refusals settle every event in at most 2n-1 requests', () => {
    fc.assert(
      fc.property(batchArb, fc.array(outcomeArb.filter((o) => o.kind === 'rejected')), (events, refusals) => {
        let requests = 0;
        const queue: PlanEvent[][] = [events];
        while (queue.length > 0) {
          const sub = queue.shift()!;
          const outcome = refusals[requests % Math.max(1, refusals.length)] ?? rejected([]);
          requests += 1;
          queue.push(...planDelivery(sub, outcome, settings).resend);
        }
        expect(requests).toBeLessThanOrEqual(2 * events.length - 1);
      }),
    );
  });

  it('never drops an event silently: kills carry a reason, pauses keep events, retries stay inside the window', () => {
    fc.assert(
      fc.property(batchArb, outcomeArb, (events, outcome) => {
        const plan = planDelivery(events, outcome, settings);
        for (const kill of plan.kill) expect(['rejected', 'unknown_rule', 'expired']).toContain(kill.reason);
        if (plan.pause && plan.pause.reason !== 'throttled') expect(plan.release.length).toBe(events.length);
        if (plan.release.length > 0) expect(plan.pause).not.toBeNull();
        if (plan.retry) {
          expect(plan.retry.at).toBeGreaterThan(NOW);
          const byId = new Map(events.map((e) => [e.id, e]));
          for (const id of plan.retry.ids)
            expect(isExpired(byId.get(id)!.happenedAt, plan.retry.at)).toBe(false);
        }
        // Only a refusal by LinkedIn or the clock dead-letters; transient failures never do.
        if (outcome.kind === 'retry') expect(plan.kill.every((k) => k.reason === 'expired')).toBe(true);
        if (outcome.kind === 'retry' && outcome.status === 429) expect(plan.pause?.reason).toBe('throttled');
        if (outcome.kind === 'reauth' || outcome.kind === 'config') expect(plan.kill).toEqual([]);
      }),
      { numRuns: 2_000 },
    );
  });
});
