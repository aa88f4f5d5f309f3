import { buildConversionEvent } from '@capi-gateway/linkedin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConversionResolver } from '../src/domain/conversions.js';
import { CLOCK_SKEW_ALLOWANCE_MS, parseHappenedAt } from '../src/domain/happened-at.js';
import { type Draft, planIngest, previewIngest, settleIngest } from '../src/domain/ingest.js';
import { safeFindingPath } from '../src/domain/linkedin-errors.js';
import { nativeDraft } from '../src/domain/native-event.js';
import { isPiiKey, looksLikeEmail } from '../src/domain/pii.js';
import { segmentTrackDraft } from '../src/domain/segment-event.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const resolver = createConversionResolver({
  rules: [{ alias: 'lead', ruleId: '11', account: '1001' }],
  accounts: ['1001'],
});
let n = 0;
const ctx = {
  resolve: resolver.resolve,
  build: (input: Parameters<typeof buildConversionEvent>[0]) =>
    buildConversionEvent(input, { version: '202609', now: NOW }),
  source: 'web',
  receivedAt: NOW,
  newId: () => `id-${++n}`,
};
const event = (eventId: string, extra: Partial<Extract<Draft, { kind: 'event' }>> = {}): Draft => ({
  kind: 'event',
  eventId,
  conversion: 'lead',
  input: { happenedAt: NOW - 1000, user: { email: 'a@example.com' } },
  consent: null,
  context: null,
  warnings: [],
  ...extra,
});

describe('planIngest / settleIngest', () => {
  it('makes one row per distinct (rule, eventId) and marks repeats as duplicates', () => {
    const plan = planIngest(
      [
        event('a'),
        event('a'),
        event('b', { consent: false }),
        { kind: 'rejected', eventId: null, errors: [{ code: 'X', path: '/', message: 'm' }] },
      ],
      ctx,
    );
    expect(plan.rows.map((r) => [r.eventId, r.state, r.consent])).toEqual([
      ['a', 'queued', null],
      ['b', 'suppressed', false],
    ]);
    expect(plan.rows[0]).toMatchObject({
      account: '1001',
      ruleId: '11',
      source: 'web',
      receivedAt: NOW,
      happenedAt: NOW - 1000,
    });
    const results = settleIngest(plan.slots, ['duplicate', 'inserted']);
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'suppressed', 'rejected']);
  });

  it('keeps the first of each (rule, eventId) in a request, whatever the mix of rules and repeats', () => {
    const twoRules = createConversionResolver({
      rules: [
        { alias: 'lead', ruleId: '11', account: '1001' },
        { alias: 'purchase', ruleId: '12', account: '1001' },
      ],
      accounts: ['1001'],
    });
    const pick = fc.record({
      conversion: fc.constantFrom('lead', 'purchase', '11', '12'),
      eventId: fc.constantFrom('a', 'b', 'c', 'a\u0000b'),
    });
    fc.assert(
      fc.property(fc.array(pick, { maxLength: 12 }), (picks) => {
        const plan = planIngest(
          picks.map((p) => event(p.eventId, { conversion: p.conversion })),
          { ...ctx, resolve: twoRules.resolve },
        );
        const ruleOf = (c: string) => (c === 'lead' || c === '11' ? '11' : '12');
        const firsts = new Map<string, number>();
        picks.forEach((p, i) => {
          const key = JSON.stringify([ruleOf(p.conversion), p.eventId]);
          if (!firsts.has(key)) firsts.set(key, i);
        });
        expect(plan.rows.map((r) => [r.ruleId, r.eventId])).toEqual(
          [...firsts.keys()].map((k) => JSON.parse(k)),
        );
        expect(plan.slots.map((slot) => slot.result.status)).toEqual(
          picks.map((p, i) =>
            firsts.get(JSON.stringify([ruleOf(p.conversion), p.eventId])) === i ? 'accepted' : 'duplicate',
          ),
        );
      }),
    );
  });

  it('previews the LinkedIn payload without rows being needed', () => {
    const [result] = previewIngest(planIngest([event('p')], ctx));
    expect(result?.payload).toMatchObject({ conversion: 'urn:lla:llaPartnerConversion:11', eventId: 'p' });
  });

  it('drops the built events when asked (real ingest keeps only the rows)', () => {
    const [result] = previewIngest(planIngest([event('q')], { ...ctx, dropEvents: true }));
    expect(result?.payload).toBeUndefined();
  });

  it('passes SDK findings through as per-event problems without severity', () => {
    const [result] = settleIngest(
      planIngest([event('x', { input: { happenedAt: NOW - 1000, user: {} } })], ctx).slots,
      [],
    );
    expect(result?.errors).toEqual([{ code: 'NO_IDENTIFIER', path: '/user', message: expect.any(String) }]);
  });
});

describe('every problem of an event at once', () => {
  /** A valid native event, then one fault per name given; each fault touches its own field. */
  const FAULTS = {
    time: { happenedAt: 'yesterday' },
    conversion: { conversion: 'webinar' },
    identifier: { user: {} },
    amount: { value: { amount: '12,5', currency: 'EUR' } },
    emailLikeId: { eventId: 'jane@example.com' },
    contextPii: { context: { email: 'x' } },
    // Faults of shape, which the schema refuses before the other checks run.
    unknownField: { campaign: 'spring' },
    badConsent: { consent: { granted: 'yes' } },
  } as const;
  type Fault = keyof typeof FAULTS;
  const withFaults = (faults: readonly Fault[]) =>
    Object.assign(
      { conversion: 'lead', eventId: 'e-1', happenedAt: NOW - 1000, user: { email: 'a@example.com' } },
      ...faults.map((f) => FAULTS[f]),
    );
  const errorsOf = (faults: readonly Fault[]) => {
    const [result] = planIngest([nativeDraft(withFaults(faults))], ctx).slots.map((s) => s.result);
    return (result?.errors ?? []).map((e) => `${e.code} ${e.path}`);
  };

  it('names the unreadable time, the unknown conversion, the missing identifier and the bad amount together', () => {
    expect(errorsOf(['time', 'conversion', 'identifier', 'amount'])).toEqual([
      'HAPPENED_AT_INVALID /happenedAt',
      'CONVERSION_UNKNOWN /conversion',
      'VALUE_AMOUNT_INVALID /value/amount',
      'NO_IDENTIFIER /user',
    ]);
  });

  it('reports an unknown conversion once, and nothing about the rule the checks stood in with', () => {
    expect(errorsOf(['conversion'])).toEqual(['CONVERSION_UNKNOWN /conversion']);
    const [result] = planIngest([event('x', { conversion: 'webinar' })], ctx).slots.map((s) => s.result);
    expect(result?.errors?.map((e) => e.code)).toEqual(['CONVERSION_UNKNOWN']);
  });

  it('still checks the identifiers of an event whose conversion is unknown', () => {
    const draft = event('x', { conversion: 'webinar', input: { happenedAt: NOW - 1000, user: {} } });
    const [result] = planIngest([draft], ctx).slots.map((s) => s.result);
    expect(result?.errors?.map((e) => e.code)).toEqual(['CONVERSION_UNKNOWN', 'NO_IDENTIFIER']);
  });

  it('still checks the conversion when a required field is refused by the schema', () => {
    const draft = nativeDraft({ conversion: 'webinar', happenedAt: NOW - 1000, user: { email: 5 } });
    const [result] = planIngest([draft], ctx).slots.map((s) => s.result);
    expect(result?.errors?.map((e) => `${e.code} ${e.path}`)).toEqual([
      'EVENT_ID_MISSING /eventId',
      'EVENT_INVALID /user/email',
      'CONVERSION_UNKNOWN /conversion',
    ]);
  });

  it('answers any mix of faults with exactly the problems each fault gives alone', () => {
    const alone = new Map((Object.keys(FAULTS) as Fault[]).map((f) => [f, errorsOf([f])]));
    for (const [fault, errors] of alone) expect(errors, fault).toHaveLength(1);
    fc.assert(
      fc.property(fc.subarray(Object.keys(FAULTS) as Fault[], { minLength: 1 }), (faults) => {
        const expected = faults.flatMap((f) => alone.get(f) ?? []);
        expect(new Set(errorsOf(faults))).toEqual(new Set(expected));
        expect(errorsOf(faults)).toHaveLength(expected.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('warnings of a refused event', () => {
  const resultOf = (raw: unknown) => planIngest([nativeDraft(raw)], ctx).slots[0]?.result;
  const valid = { conversion: 'lead', eventId: 'w-1', happenedAt: NOW - 1000 };
  const dropped = { code: 'EMAIL_INVALID', path: '/user/email', message: expect.any(String) };

  it('keeps the warnings that explain NO_IDENTIFIER when the conversion is unknown', () => {
    const result = resultOf({ ...valid, conversion: 'nope', user: { email: 'not-an-email' } });
    expect(result?.errors?.map((e) => e.code)).toEqual(['CONVERSION_UNKNOWN', 'NO_IDENTIFIER']);
    expect(result?.warnings).toEqual([dropped]);
  });

  it('keeps them when the time is unreadable, and when the schema refused another field', () => {
    for (const raw of [
      { ...valid, happenedAt: 'yesterday', user: { email: 'not-an-email' } },
      { ...valid, campaign: 'spring', user: { email: 'not-an-email' } },
      { ...valid, eventId: 'jane@example.com', user: { email: 'not-an-email' } },
    ]) {
      const result = resultOf(raw);
      expect(result?.status).toBe('rejected');
      expect(result?.errors?.map((e) => e.code)).toContain('NO_IDENTIFIER');
      expect(result?.warnings).toEqual([dropped]);
    }
  });

  it('keeps them for a draft of an unknown conversion, next to the route’s own', () => {
    const own = { code: 'HAPPENED_AT_DEFAULTED', path: '/happenedAt', message: 'm' };
    const draft = event('x', {
      conversion: 'nope',
      input: { happenedAt: NOW - 1000, user: { email: 'not-an-email' } },
      warnings: [own],
    });
    const [result] = planIngest([draft], ctx).slots.map((s) => s.result);
    expect(result?.warnings).toEqual([own, dropped]);
  });
});

describe('clock skew', () => {
  const MINUTE = 60_000;
  const resultAt = (offset: number, extra: Record<string, unknown> = {}) => {
    const raw = {
      conversion: 'lead',
      eventId: 'c-1',
      happenedAt: NOW + offset,
      user: { email: 'a@example.com' },
    };
    const [result] = previewIngest(planIngest([nativeDraft({ ...raw, ...extra })], ctx));
    return result;
  };

  it('is allowed five minutes', () => {
    expect(CLOCK_SKEW_ALLOWANCE_MS).toBe(5 * MINUTE);
  });

  it('takes a time up to the allowance ahead as the time of receipt, with a warning; refuses one further', () => {
    const offsets = fc.oneof(
      fc.constantFrom(
        -1,
        0,
        1,
        CLOCK_SKEW_ALLOWANCE_MS - 1,
        CLOCK_SKEW_ALLOWANCE_MS,
        CLOCK_SKEW_ALLOWANCE_MS + 1,
      ),
      fc.integer({ min: -10 * MINUTE, max: 10 * MINUTE }),
    );
    fc.assert(
      fc.property(offsets, (offset) => {
        const result = resultAt(offset);
        if (offset <= 0) {
          expect(result?.status).toBe('accepted');
          expect(result?.payload?.conversionHappenedAt).toBe(NOW + offset);
          expect(result?.warnings).toBeUndefined();
        } else if (offset <= CLOCK_SKEW_ALLOWANCE_MS) {
          expect(result?.status).toBe('accepted');
          expect(result?.payload?.conversionHappenedAt).toBe(NOW);
          expect(result?.warnings?.map((w) => `${w.code} ${w.path}`)).toEqual([
            'HAPPENED_AT_CLAMPED /happenedAt',
          ]);
        } else {
          expect(result?.status).toBe('rejected');
          expect(result?.errors?.map((e) => `${e.code} ${e.path}`)).toEqual([
            'HAPPENED_AT_FUTURE /happenedAt',
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stores the time of receipt as the event time', () => {
    const plan = planIngest(
      [
        nativeDraft({
          conversion: 'lead',
          eventId: 'c-2',
          happenedAt: NOW + 3000,
          user: { email: 'a@example.com' },
        }),
      ],
      ctx,
    );
    expect(plan.rows[0]?.happenedAt).toBe(NOW);
  });

  it('is allowed to an event refused for something else, so the time is not named wrongly', () => {
    const result = resultAt(3000, { conversion: 'nope' });
    expect(result?.errors?.map((e) => e.code)).toEqual(['CONVERSION_UNKNOWN']);
    expect(result?.warnings?.map((w) => w.code)).toEqual(['HAPPENED_AT_CLAMPED']);
  });

  it('is not stretched to a number that is not whole milliseconds', () => {
    expect(resultAt(1000.5)?.errors?.map((e) => e.code)).toEqual(['HAPPENED_AT_INVALID']);
  });

  describe('Segment: timestamp corrected with sentAt', () => {
    const mapping = { conversionFor: (name: string) => name, unmapped: () => null, receivedAt: NOW };
    const iso = (ms: number) => new Date(ms).toISOString();
    const happenedAtOf = (call: Record<string, unknown>, batchSentAt?: number) => {
      const draft = segmentTrackDraft(
        {
          type: 'track',
          event: 'lead',
          messageId: 'm',
          context: { traits: { email: 'a@example.com' } },
          ...call,
        },
        batchSentAt === undefined ? mapping : { ...mapping, batchSentAt },
      );
      return draft.kind === 'event' ? draft.input.happenedAt : draft;
    };

    it('gives the time by the gateway’s clock, however far off the sender’s clock is', () => {
      fc.assert(
        fc.property(
          // Up to a day off, less the time in transit (further is refused, below).
          fc.integer({ min: -86_395_000, max: 86_395_000 }),
          fc.integer({ min: 0, max: 86_400_000 }),
          fc.integer({ min: 0, max: 5000 }),
          (skew, age, latency) => {
            // Happened `age` ago by the gateway's clock, sent `latency` before it arrived, and both
            // times read on a clock `skew` ahead of the gateway's.
            const call = { timestamp: iso(NOW - age + skew), sentAt: iso(NOW - latency + skew) };
            expect(happenedAtOf(call)).toBe(NOW - age + latency);
            expect(happenedAtOf({ timestamp: call.timestamp }, NOW - latency + skew)).toBe(
              NOW - age + latency,
            );
          },
        ),
        { numRuns: 300 },
      );
    });

    it('prefers the call’s own sentAt to the batch’s, and leaves the time alone without one', () => {
      const timestamp = iso(NOW + 4000);
      expect(happenedAtOf({ timestamp, sentAt: iso(NOW + 5000) }, NOW - 60_000)).toBe(NOW - 1000);
      expect(happenedAtOf({ timestamp })).toBe(NOW + 4000);
      expect(happenedAtOf({ sentAt: iso(NOW + 5000) })).toBe(NOW);
    });

    it('refuses an unreadable sentAt, naming it', () => {
      const draft = happenedAtOf({ timestamp: iso(NOW - 1000), sentAt: 'soon' });
      expect(typeof draft === 'object' && draft.kind === 'rejected' && draft.errors).toEqual([
        { code: 'HAPPENED_AT_INVALID', path: '/sentAt', message: expect.any(String) },
      ]);
    });
  });
});

describe('nativeDraft', () => {
  it('maps a valid event', () => {
    const d = nativeDraft({
      conversion: 'lead',
      eventId: 'e',
      happenedAt: '2026-11-20T10:00:00Z',
      user: { email: 'a@b.co' },
      consent: { granted: true },
      context: { stage: 'SQL' },
    });
    expect(d).toEqual({
      kind: 'event',
      eventId: 'e',
      conversion: 'lead',
      input: { happenedAt: Date.parse('2026-11-20T10:00:00Z'), user: { email: 'a@b.co' } },
      consent: true,
      context: '{"stage":"SQL"}',
      warnings: [],
    });
  });

  it('treats an empty context as none', () => {
    const d = nativeDraft({ conversion: 'lead', eventId: 'e', happenedAt: 1, user: {}, context: {} });
    expect(d.kind === 'event' && d.context).toBeNull();
  });

  it('never echoes a key that looks like an email in a path', () => {
    const d = nativeDraft({
      conversion: 'lead',
      eventId: 'e',
      happenedAt: 1,
      user: { 'jane@example.com': 'x' },
    });
    expect(d.kind).toBe('rejected');
    expect(JSON.stringify(d)).not.toContain('jane');
  });
});

describe('parseHappenedAt', () => {
  it.each([
    [1795172400000, 1795172400000],
    ['1795172400000', 1795172400000],
    ['2026-11-20T10:00:00Z', Date.parse('2026-11-20T10:00:00Z')],
    ['2026-11-20T10:00:00.123+02:00', Date.parse('2026-11-20T08:00:00.123Z')],
    ['2026-11-20T10:00+0200', Date.parse('2026-11-20T08:00:00Z')],
    ['2026-11-20', Date.parse('2026-11-20T00:00:00Z')],
    ['2026-11-20T10:00:00', null],
    ['2024-02-29T10:00:00Z', Date.parse('2024-02-29T10:00:00Z')],
    // Impossible days and times, which Date.parse would roll over into the next month or day.
    ['2026-02-30T00:00:00Z', null],
    ['2025-02-29', null],
    ['2026-04-31', null],
    ['2026-11-20T24:00:00Z', null],
    ['2026-11-20T10:60:00Z', null],
    ['2026-11-20T10:00:60Z', null],
    ['2026-00-10', null],
    ['20 Nov 2026', null],
    ['', null],
    [Number.NaN, null],
  ])('%s → %s', (input, expected) => {
    expect(parseHappenedAt(input)).toBe(expected);
  });
});

describe('personal-data detection', () => {
  it.each(['a@b.co', 'Jane.Doe+tag@example.com', 'x <jane@example.org>'])('finds the email in %s', (s) => {
    expect(looksLikeEmail(s)).toBe(true);
  });
  it.each([
    'https://x.com/?email=jane%40example.com',
    'JANE%40EXAMPLE.COM',
    'jane.doe%2Btag%40example%2Ecom',
    'https://x.com/?next=%2F%3Femail%3Djane%2540example.com',
  ])('finds the URL-encoded email in %s', (s) => {
    expect(looksLikeEmail(s)).toBe(true);
  });
  it.each([
    'Sales @ Acme',
    'user@localhost',
    'no at sign',
    '@handle',
    '100%',
    '50%25 off',
    // Profile paths, not addresses: the local part of an address never holds URL punctuation.
    'https://www.tiktok.com/@acme.official',
    'https://www.tiktok.com/%40acme.official',
    'https://medium.com/@acme/post-title',
    'https://x.com/%40handle',
    'price %E2%82%AC 10',
    'bad %zz escape',
  ])('does not flag %s', (s) => {
    expect(looksLikeEmail(s)).toBe(false);
  });
  it.each(['email', 'contactEmail', 'e-mail', 'phone', 'first_name', 'lastName', 'name', 'ip', 'li_fat_id'])(
    '%s is a personal-data key',
    (k) => {
      expect(isPiiKey(k)).toBe(true);
    },
  );
  it.each([
    'accountDomain',
    'crmAccountId',
    'companyName',
    'accountName',
    'lifecycleStage',
    'opportunityId',
    'shipping',
  ])('%s is not', (k) => {
    expect(isPiiKey(k)).toBe(false);
  });
});

describe('safeFindingPath', () => {
  it.each([
    ['', '/'],
    ['/conversion', '/conversion'],
    ['/user/userIds/0/idValue', '/user/userIds/0/idValue'],
    ['/user/userInfo/city', '/user/userInfo/city'],
    ['/ spaced key', '/(key)'],
    ['/user/jane@example.com', '/user/(key)'],
    ['/conversionValue/a b', '/conversionValue/(key)'],
  ])('%s → %s', (input, expected) => {
    expect(safeFindingPath(input)).toBe(expected);
  });
});
