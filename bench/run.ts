/**
 * Runs the benchmarks and writes their figures to bench/results/latest.json (and a dated copy).
 *   npm run bench                 every benchmark
 *   npm run bench -- gateway      only files whose name contains "gateway"
 * Each bench/*.ts (other than this file and files starting with "_") exports
 * `run(): Promise<Record<string, unknown>>`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

const results: Record<string, unknown> = {
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  startedAt: new Date().toISOString(),
};

for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  process.stderr.write(`bench: ${name} …\n`);
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<unknown> };
    if (typeof mod.run !== 'function') throw new Error(`${file} exports no run()`);
    results[name] = await mod.run();
  } catch (err) {
    results[name] = { error: (err as Error).stack ?? String(err) };
  }
  process.stderr.write(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

results.finishedAt = new Date().toISOString();
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
const suffix = filters.length > 0 ? `-${filters.join('-')}` : '';
writeFileSync(join(outDir, `latest${suffix}.json`), json);
writeFileSync(join(outDir, `${new Date().toISOString().slice(0, 10)}${suffix}.json`), json);
process.stdout.write(json);
