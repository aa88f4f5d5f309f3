/**
 * Errors a store raises for infrastructure reasons the operator must act on. Each carries a stable
 * `code` so the CLI and HTTP layer can map it without parsing messages.
 */
export type StoreErrorCode =
  /** Another gateway process holds the SQLite store. */
  | 'STORE_LOCKED'
  /** CAPI_STORE_URL names no supported store. */
  | 'STORE_URL_INVALID'
  /** A pragma or setting did not take (e.g. WAL unavailable), so durability cannot be promised. */
  | 'STORE_DURABILITY'
  /** The database schema is newer than this gateway understands. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** The store was used after `close()`. */
  | 'STORE_CLOSED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  return value instanceof StoreError && (code === undefined || value.code === code);
}
