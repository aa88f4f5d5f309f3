import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeadLetterCursor, encodeDeadLetterCursor } from '../src/http/dead-letter-cursor.js';

describe('dead-letter cursors', () => {
  it('give back the position they were made from', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 }), fc.uuid(), (deadAt, id) => {
        const cursor = encodeDeadLetterCursor({ deadAt, id });
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeDeadLetterCursor(cursor)).toEqual({ deadAt, id });
      }),
    );
  });

  it('refuse, without throwing, anything they were not made from', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const position = decodeDeadLetterCursor(text);
        if (position !== null) expect(encodeDeadLetterCursor(position)).toBe(text);
      }),
    );
    for (const bad of [
      '',
      'x',
      '!!!!',
      Buffer.from('12:').toString('base64url'),
      Buffer.from(':abc').toString('base64url'),
      Buffer.from('1.5:abc').toString('base64url'),
      'A'.repeat(201),
    ]) {
      expect(decodeDeadLetterCursor(bad)).toBeNull();
    }
  });
});
