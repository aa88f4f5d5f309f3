import { randomBytes } from 'node:crypto';

/**
 * Time-ordered internal event ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then
 * random bits. Stores index events by id; random v4 ids land on random index pages, so every commit
 * rewrites pages all over the index, while v7 ids append at its end. On SQLite this alone is worth
 * roughly a third of ingest throughput. Ids stay unguessable (74 random bits).
 *
 * Made on the ingest hot path once per event, so the hex comes from a byte table and the time
 * prefix is kept while the millisecond is the same (a 500-event request shares one): together
 * about a third of the cost of `Buffer#toString('hex')` plus slicing.
 */
const POOL_SIZE = 16 * 256;
let pool = randomBytes(POOL_SIZE);
let offset = POOL_SIZE;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let prefixMs = Number.NaN;
let prefix = '';

function timePrefix(now: number): string {
  if (now !== prefixMs) {
    const ms = now.toString(16).padStart(12, '0').slice(-12);
    prefixMs = now;
    prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7`;
  }
  return prefix;
}

export function newOutboxId(now: number = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const r = pool;
  const o = offset;
  offset += 10;
  // Version nibble 7 (in the prefix), then 12 random bits; variant bits 10, then 62 random bits.
  return (
    `${timePrefix(now)}${HEX[r[o]! & 0x0f]!.slice(1)}${HEX[r[o + 1]!]}-` +
    `${HEX[(r[o + 2]! & 0x3f) | 0x80]}${HEX[r[o + 3]!]}-` +
    `${HEX[r[o + 4]!]}${HEX[r[o + 5]!]}${HEX[r[o + 6]!]}${HEX[r[o + 7]!]}${HEX[r[o + 8]!]}${HEX[r[o + 9]!]}`
  );
}
