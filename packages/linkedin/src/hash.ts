import * as crypto from 'node:crypto';

/**
 * SHA-256 as lower-case hex. `crypto.hash` (Node ≥ 20.12) is a one-shot call that skips the Hash
 * object and is markedly faster on the hot path; older runtimes fall back to `createHash`.
 */
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function sha256Hex(value: string): string {
  if (oneShot) return oneShot('sha256', value, 'hex');
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** True for exactly 64 hex characters, either case. A char-code loop: no regex on the hot path. */
export function isSha256Hex(value: string): boolean {
  if (value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    const lower = c >= 97 && c <= 102;
    const upper = c >= 65 && c <= 70;
    if (!digit && !lower && !upper) return false;
  }
  return true;
}

/** True for exactly 64 lower-case hex characters: the only form LinkedIn can match. */
export function isLowerSha256Hex(value: string): boolean {
  if (value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
