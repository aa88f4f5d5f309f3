import { defineConfig } from 'vitest/config';

// Unit, property and in-process tests run in parallel first; the end-to-end tests (real gateway
// processes, sockets, kill -9, PostgreSQL clusters) run afterwards, one file at a time, because on
// a small machine they would otherwise starve each other of CPU and measure that instead.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
