/**
 * The sandbox as a program of its own: `npx tsx packages/sandbox/src/main.ts --port 8181`.
 * Kept apart from cli.ts so that importing the CLI (as `capi sandbox` does, also from a bundle)
 * never starts a second one.
 */
import { runSandboxCli } from './cli.js';

runSandboxCli(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
