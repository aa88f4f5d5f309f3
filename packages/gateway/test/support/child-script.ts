import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The URL of a gateway source module (under `src/`), for a child script to import. */
export function sourceUrl(path: string): string {
  return new URL(`../../src/${path}`, import.meta.url).href;
}

/**
 * Runs `source` as an ES module in a child node process under tsx, `nodeArgs` before the script and
 * `args` after it, and returns what it printed once it has exited 0. For what a test must not do to
 * its own process: V8 flags, heap sizes.
 */
export function runChildScript(
  source: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-child-'));
  try {
    const script = join(dir, 'child.mts');
    writeFileSync(script, source);
    const run = spawnSync(process.execPath, [...nodeArgs, '--import', tsxLoader, script, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
