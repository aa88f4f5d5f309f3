import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentPathOf, segmentTrackDraft } from '../src/domain/segment-event.js';

const mapping = {
  conversionFor: (name: string) => name,
  unmapped: () => null,
  receivedAt: 1_796_000_000_000,
};

/** The value at a JSON pointer, or undefined when the path is not there. */
function at(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const key of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const word = fc.constantFrom('', 'Jane', 'Doe', 'Acme', 'CTO', 'x1', 'abc-123');
const email = fc.constantFrom('', 'jane@example.com', 'sam@example.org', 'unknown', 'not-an-email');

const call = fc.record(
  {
    type: fc.constant('track'),
    event: fc.constant('lead'),
    messageId: fc.constant('m-1'),
    properties: maybe(
      fc.record(
        {
          email: maybe(email),
          li_fat_id: maybe(word),
          revenue: maybe(fc.constant(10)),
          value: maybe(fc.constant(5)),
        },
        { requiredKeys: [] },
      ),
    ),
    context: maybe(
      fc.record(
        {
          ip: maybe(fc.constant('81.2.69.142')),
          li_fat_id: maybe(word),
          page: maybe(
            fc.record({ url: fc.constantFrom('https://example.com/?li_fat_id=abc', 'https://example.com/') }),
          ),
          traits: maybe(
            fc.record(
              {
                email: maybe(email),
                firstName: maybe(word),
                first_name: maybe(word),
                lastName: maybe(word),
                last_name: maybe(word),
                company: maybe(fc.oneof(word, fc.record({ name: word }))),
                title: maybe(word),
                li_fat_id: maybe(word),
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['type', 'event', 'messageId'] },
);

describe('segmentPathOf', () => {
  it('points every user field the mapping read at the place in the call it came from', () => {
    fc.assert(
      fc.property(call, (raw) => {
        const draft = segmentTrackDraft(raw, mapping);
        const user = draft.kind === 'event' ? draft.input.user : undefined;
        for (const [field, value] of Object.entries(user ?? {})) {
          const path = segmentPathOf(raw as never, `/user/${field}`);
          const found = at(raw, path);
          if (field === 'liFatId' && path === '/context/page/url')
            expect(found).toContain(`li_fat_id=${value}`);
          else expect(found, `${field} at ${path}`).toBe(value);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names the Segment field for the event, id, time, value and currency', () => {
    const raw = { event: 'x', messageId: 'm', properties: { value: 3 } };
    expect(
      ['/conversion', '/eventId', '/happenedAt', '/value/amount', '/value/currency', '/user'].map((p) =>
        segmentPathOf(raw as never, p),
      ),
    ).toEqual([
      '/event',
      '/messageId',
      '/timestamp',
      '/properties/value',
      '/properties/currency',
      '/context/traits',
    ]);
    expect(segmentPathOf({ ...raw, properties: { revenue: 1 } } as never, '/value/amount')).toBe(
      '/properties/revenue',
    );
  });

  it('leaves a path it does not know as it is', () => {
    expect(segmentPathOf({ event: 'x', messageId: 'm' } as never, '/properties/currency')).toBe(
      '/properties/currency',
    );
  });
});
