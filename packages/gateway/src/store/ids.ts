import { randomBytes } from 'node:crypto';

/**
 * Time-ordered internal event ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then
 * random bits. Stores index events by id; random v4 ids land on random index pages, so every commit
 * rewrites pages all over the index, while v7 ids append at its end. On SQLite this alone is worth
 * roughly a third of ingest throughput. Ids stay unguessable (74 random bits).
 *
 * Made on the ingest hot path once per event, and posted to the store thread with its row, so the
 * id is written as character codes into one array and made a string in one step. Concatenating its
 * pieces made a rope of a dozen strings, which V8 then flattened when posting it: about 510 + 250 ns
 * per id to make and post, against 90 + 60 for the flat string (measured, 500-id messages).
 */
const POOL_SIZE = 16 * 256;
let pool = randomBytes(POOL_SIZE);
let offset = POOL_SIZE;

/** Character codes of the hex digits 0-9a-f. */
const HEX_CODES: readonly number[] = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));
const DASH = 0x2d;

/**
 * The id being written, as character codes: `tttttttt-tttt-7rrr-vrrr-rrrrrrrrrrrr`. The time prefix
 * (positions 0-13) and the version digit are rewritten only when the millisecond changes (a
 * 500-event request shares one).
 */
const codes: number[] = new Array(36).fill(0);
codes[8] = DASH;
codes[13] = DASH;
codes[14] = HEX_CODES[7]!;
codes[18] = DASH;
codes[23] = DASH;
let prefixMs = Number.NaN;

function writeTimePrefix(now: number): void {
  if (now === prefixMs) return;
  prefixMs = now;
  // 48 bits of milliseconds as 12 hex digits; an out-of-range time keeps its low 48 bits.
  const ms = now.toString(16).padStart(12, '0').slice(-12);
  for (let i = 0; i < 8; i += 1) codes[i] = ms.charCodeAt(i);
  for (let i = 8; i < 12; i += 1) codes[i + 1] = ms.charCodeAt(i);
}

/** Two hex digits of `byte` at `at` and `at + 1`. */
function writeByte(byte: number, at: number): void {
  codes[at] = HEX_CODES[byte >> 4]!;
  codes[at + 1] = HEX_CODES[byte & 0x0f]!;
}

export function newOutboxId(now: number = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const r = pool;
  const o = offset;
  offset += 10;
  writeTimePrefix(now);
  // After the version digit, 12 random bits; variant bits 10, then 62 random bits.
  codes[15] = HEX_CODES[r[o]! & 0x0f]!;
  writeByte(r[o + 1]!, 16);
  writeByte((r[o + 2]! & 0x3f) | 0x80, 19);
  writeByte(r[o + 3]!, 21);
  for (let k = 0; k < 6; k += 1) writeByte(r[o + 4 + k]!, 24 + 2 * k);
  return String.fromCharCode.apply(null, codes);
}
