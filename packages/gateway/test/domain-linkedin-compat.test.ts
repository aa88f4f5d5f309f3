import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentEventId } from '../src/domain/linkedin-compat.js';

type Json = Record<string, unknown>;

/** JSON values as a parsed request body holds them (no undefined, no -0 after a round trip). */
const jsonObject = fc
  .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
  .map((o) => JSON.parse(JSON.stringify(o)) as Json);

/** The same value with the keys of every object, at every depth, in the order `order` picks. */
function reordered(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => reordered(v, order));
  if (typeof value !== 'object' || value === null) return value;
  // fromEntries, not assignment: `out.__proto__ = v` would set the prototype, and a parsed body
  // can hold "__proto__" as an ordinary key.
  return Object.fromEntries(
    order(Object.keys(value)).map((key) => [key, reordered((value as Json)[key], order)]),
  );
}

describe('contentEventId (the stand-in eventId of a drop-in element without one)', () => {
  it('is the same for any order of the keys, at any depth', () => {
    fc.assert(
      fc.property(jsonObject, fc.integer(), (el, seed) => {
        // A deterministic shuffle per object, different for each seed.
        const shuffle = (keys: string[]) =>
          keys
            .map((k, i) => ({ k, rank: (Math.imul(seed ^ (i + 1), 0x9e3779b1) >>> 0) % 1009 }))
            .sort((a, b) => a.rank - b.rank)
            .map((x) => x.k);
        expect(contentEventId(reordered(el, shuffle) as Json)).toBe(contentEventId(el));
        expect(contentEventId(reordered(el, (keys) => [...keys].reverse()) as Json)).toBe(contentEventId(el));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a "__proto__" key, as JSON.parse makes it, in its place', () => {
    const el = JSON.parse('{"a":{"b":1,"__proto__":0},"c":2}') as Json;
    const other = JSON.parse('{"c":2,"a":{"__proto__":0,"b":1}}') as Json;
    expect(contentEventId(other)).toBe(contentEventId(el));
    expect(canonicalJson(el)).toBe('{"a":{"__proto__":0,"b":1},"c":2}');
  });

  it('differs whenever the content differs', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, (a, b) => {
        expect(contentEventId(a) === contentEventId(b)).toBe(isDeepStrictEqual(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart values moved between keys, and arrays in another order', () => {
    expect(contentEventId({ a: '1', b: '2' })).not.toBe(contentEventId({ a: '2', b: '1' }));
    expect(contentEventId({ ids: ['x', 'y'] })).not.toBe(contentEventId({ ids: ['y', 'x'] }));
    expect(contentEventId({ a: { b: 1 } })).not.toBe(contentEventId({ a: { b: '1' } }));
  });

  it('reads as JSON text of the same value', () => {
    fc.assert(
      fc.property(jsonObject, (el) => {
        expect(JSON.parse(canonicalJson(el))).toEqual(el);
      }),
    );
  });
});
