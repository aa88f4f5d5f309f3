import type { DeadLetterPosition } from '../ports.js';

/**
 * The `cursor` of `GET /v1/dead-letters`: where the previous page ended, as base64url text. Opaque
 * to clients, so its form may change; what it holds (a time and an internal id) is no secret.
 */
export function encodeDeadLetterCursor(position: DeadLetterPosition): string {
  return Buffer.from(`${position.deadAt}:${position.id}`, 'utf8').toString('base64url');
}

const POSITION = /^(\d{1,15}):([0-9A-Za-z-]{1,64})$/;

/** The position a cursor holds, or null when it is not one this gateway gives out. */
export function decodeDeadLetterCursor(cursor: string): DeadLetterPosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const position = { deadAt: Number(match[1]), id: match[2]! };
  // Only the text encode makes (base64url decoding forgives stray bits and leading zeros do not
  // round-trip): one position, one cursor.
  return encodeDeadLetterCursor(position) === cursor ? position : null;
}
