import { StoreError, type StoreErrorCode } from '../errors.js';
import type { WireError } from './protocol.js';

const STORE_CODES: ReadonlySet<string> = new Set<StoreErrorCode>([
  'STORE_LOCKED',
  'STORE_URL_INVALID',
  'STORE_DURABILITY',
  'STORE_SCHEMA_TOO_NEW',
  'STORE_CLOSED',
]);

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** Rebuilds the error on the caller's side, as a StoreError again when it was one. */
export function fromWireError(wire: WireError): Error {
  if (wire.name === 'StoreError' && wire.code !== undefined && STORE_CODES.has(wire.code)) {
    return new StoreError(wire.code as StoreErrorCode, wire.message);
  }
  const err = new Error(wire.message);
  // Not enumerable, as on the original: the logger would otherwise print it as a field of its own,
  // where the redaction of `name` (a person's name) censors it.
  Object.defineProperty(err, 'name', {
    value: wire.name,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  if (wire.code !== undefined) Object.assign(err, { code: wire.code });
  return err;
}
