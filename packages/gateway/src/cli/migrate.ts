/** `capi migrate`: create or upgrade the store's schema, then exit. */
import { loadConfig } from '../config.js';
import { openStore, redactStoreUrl } from '../store/open.js';
import { storeFailure } from './start-failures.js';

export async function runMigrate(opts: { config?: string }): Promise<void> {
  const config = loadConfig({ purpose: 'migrate', ...(opts.config ? { file: opts.config } : {}) });
  const store = await openStore(config.storeUrl, {
    durability: config.durability,
    dedupWindowMs: config.dedupWindowMs,
  }).catch((err: unknown) => {
    throw storeFailure(err, config.storeUrl);
  });
  try {
    await store.migrate().catch((err: unknown) => {
      throw storeFailure(err, config.storeUrl);
    });
    process.stdout.write(`schema is up to date (${redactStoreUrl(config.storeUrl)})\n`);
  } finally {
    await store.close();
  }
}
