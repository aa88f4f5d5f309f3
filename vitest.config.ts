import { defineConfig } from 'vitest/config';

// One config for every package. Tests that need real sockets, files or PostgreSQL live beside the
// unit tests; the forks pool keeps native modules (better-sqlite3) out of worker threads.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
