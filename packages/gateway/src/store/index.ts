/** The outbox store: adapters, their shared policy, and the URL-based opener. */
export { isStoreError, StoreError, type StoreErrorCode } from './errors.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory.js';
export {
  migrate,
  type OpenStoreOptions,
  openStore,
  parseStoreUrl,
  redactStoreUrl,
  type StoreLocation,
} from './open.js';
export { DEFAULT_DEDUP_WINDOW_MS } from './policy.js';
