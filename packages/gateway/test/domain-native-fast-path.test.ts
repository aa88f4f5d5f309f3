import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_ID } from '../src/domain/ingest.js';
import { NativeEventSchema, NativeUserSchema } from '../src/domain/native-event.js';
import { isPlainNativeEvent, NATIVE_EVENT_KEYS, NATIVE_USER_KEYS } from '../src/domain/native-fast-path.js';
import { NATIVE_LIMITS } from '../src/domain/native-limits.js';

/** Strings around a limit: empty, just under, at, just over. */
const textNear = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    fc.constantFrom(0, 1, max - 1, max, max + 1).map((n) => 'x'.repeat(Math.max(0, n))),
  );

/** Anything a JSON body can hold, and a little more (undefined, non-finite numbers, arrays). */
const oddValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.constant({}),
  fc.string({ maxLength: 5 }),
);

const validUser = fc.dictionary(fc.constantFrom(...NATIVE_USER_KEYS), textNear(NATIVE_LIMITS.text), {
  maxKeys: 5,
});

/** Events the schema mostly accepts: every optional key present or not, texts near their limits. */
const validEvent = fc.record(
  {
    conversion: fc.oneof(textNear(NATIVE_LIMITS.conversion), fc.integer(), fc.double()),
    eventId: textNear(MAX_EVENT_ID),
    happenedAt: fc.oneof(textNear(NATIVE_LIMITS.happenedAt), fc.integer()),
    user: validUser,
    value: fc.record({
      amount: fc.oneof(textNear(NATIVE_LIMITS.amount), fc.double()),
      currency: textNear(NATIVE_LIMITS.currency),
    }),
    consent: fc.record({ granted: fc.boolean() }),
  },
  { requiredKeys: ['conversion', 'eventId', 'happenedAt', 'user'] },
);

type Mutation = (event: Record<string, unknown>) => void;

/** One change each, of the kinds the fast path must refuse or pass on correctly. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...NATIVE_EVENT_KEYS).map(
    (key): Mutation =>
      (e) => {
        delete e[key];
      },
  ),
  fc.tuple(fc.constantFrom(...NATIVE_EVENT_KEYS, 'extra', '__proto__'), oddValue).map(
    ([key, v]): Mutation =>
      (e) => {
        Object.defineProperty(e, key, { value: v, enumerable: true, writable: true, configurable: true });
      },
  ),
  fc.tuple(fc.constantFrom(...NATIVE_USER_KEYS, 'phone', '__proto__'), oddValue).map(
    ([key, v]): Mutation =>
      (e) => {
        if (typeof e.user === 'object' && e.user !== null)
          Object.defineProperty(e.user, key, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      },
  ),
  fc.constant<Mutation>((e) => {
    e.context = { crmAccountId: 'A-1' };
  }),
  fc.constant<Mutation>((e) => {
    if (typeof e.value === 'object' && e.value !== null) (e.value as Record<string, unknown>).extra = 1;
  }),
  fc.constant<Mutation>((e) => {
    if (typeof e.consent === 'object' && e.consent !== null)
      delete (e.consent as Record<string, unknown>).granted;
  }),
  fc.constant<Mutation>((e) => {
    Object.setPrototypeOf(e, null);
  }),
);

const nearlyNativeEvent = fc
  .tuple(
    validEvent,
    fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, fc.array(mutation, { minLength: 1, maxLength: 2 })),
  )
  .map(([event, changes]) => {
    const e: Record<string, unknown> = { ...event };
    if (e.user) e.user = { ...(e.user as object) };
    for (const change of changes) change(e);
    return e;
  });

describe('the native fast path accepts nothing the schema refuses', () => {
  it('names exactly the schema’s keys', () => {
    expect([...NATIVE_EVENT_KEYS].sort()).toEqual(Object.keys(NativeEventSchema.shape).sort());
    expect([...NATIVE_USER_KEYS].sort()).toEqual(Object.keys(NativeUserSchema.shape).sort());
  });

  it('whatever it accepts, the schema accepts and returns equal', () => {
    let accepted = 0;
    let passedOn = 0;
    fc.assert(
      fc.property(nearlyNativeEvent, (raw) => {
        if (!isPlainNativeEvent(raw)) {
          passedOn += 1;
          return;
        }
        accepted += 1;
        const parsed = NativeEventSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(raw);
      }),
      { numRuns: 5_000 },
    );
    // The property says nothing unless the generator reaches both ways.
    expect(accepted).toBeGreaterThan(500);
    expect(passedOn).toBeGreaterThan(500);
  });

  it('takes the common event, and leaves a context, an unknown key or a bad type to the schema', () => {
    const common = {
      conversion: 'lead',
      eventId: 'order-1',
      happenedAt: '2026-12-05T10:00:00Z',
      value: { amount: '125.00', currency: 'EUR' },
      user: { email: 'ada@example.com', liFatId: 'abc', firstName: 'Ada', lastName: 'Lovelace' },
      consent: { granted: true },
    };
    expect(isPlainNativeEvent(common)).toBe(true);
    expect(isPlainNativeEvent({ ...common, context: { crmAccountId: 'A-1' } })).toBe(false);
    expect(isPlainNativeEvent({ ...common, colour: 'red' })).toBe(false);
    expect(isPlainNativeEvent({ ...common, user: { ...common.user, phone: '1' } })).toBe(false);
    expect(isPlainNativeEvent({ ...common, happenedAt: true })).toBe(false);
    expect(isPlainNativeEvent({ ...common, eventId: '' })).toBe(false);
    expect(isPlainNativeEvent({ ...common, value: { amount: 1 } })).toBe(false);
    const { user: _user, ...withoutUser } = common;
    expect(isPlainNativeEvent(withoutUser)).toBe(false);
    expect(
      isPlainNativeEvent(
        JSON.parse('{"__proto__":{},"conversion":1,"eventId":"e","happenedAt":1,"user":{}}'),
      ),
    ).toBe(false);
  });
});
