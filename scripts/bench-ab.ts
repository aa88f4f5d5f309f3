/**
 * Interleaved A/B runs of one gateway benchmark: the code of a base revision against the working
 * tree, alternating A, B, A, B… so that a host whose speed drifts (±25 % within minutes on the
 * shared 2-core machines these figures come from) drifts under both sides alike. One run each is
 * not a comparison; three pairs usually are.
 *
 *   npx tsx scripts/bench-ab.ts <base-revision> <benchmark> [rounds]
 *   npx tsx scripts/bench-ab.ts HEAD~1 gateway-ingest 3
 *   BENCH_INGEST_MODES=normal npx tsx scripts/bench-ab.ts main gateway-ingest
 *   BENCH_E2E_SECONDS=30 npx tsx scripts/bench-ab.ts 0acb2ae gateway-e2e 2
 *
 * A is a detached worktree of the base revision in a temp folder (sharing this checkout's
 * node_modules), B is this checkout as it is, uncommitted changes included. Every run is the
 * benchmark file of its own side, started as `npx tsx bench/<benchmark>.ts` in its own folder, with
 * this process's environment (so BENCH_* knobs apply to both); when the base has no such file
 * (a benchmark added since), the base's worktree gets this checkout's bench/*.ts. The key figures of each run are
 * printed as they come, and every run's whole JSON is written to
 * bench/results/<date>-ab-<benchmark>.json. The worktree is removed at the end, also on Ctrl-C.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [base, benchmark, roundsText = '3'] = process.argv.slice(2);
const rounds = Number(roundsText);
if (!base || !benchmark || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(
    'usage: npx tsx scripts/bench-ab.ts <base-revision> <benchmark, e.g. gateway-ingest> [rounds]\n',
  );
  process.exit(2);
}
if (!existsSync(join(ROOT, 'bench', `${benchmark}.ts`))) {
  process.stderr.write(`bench/${benchmark}.ts does not exist\n`);
  process.exit(2);
}

type Figures = Record<string, number | string | null>;

/** The figures worth a glance per benchmark; the whole JSON is kept in the results file anyway. */
function keyFigures(result: Record<string, unknown>): Figures {
  const get = (path: string): number | string | null => {
    let at: unknown = result;
    for (const key of path.split('.')) {
      if (at === null || typeof at !== 'object') return null;
      at = (at as Record<string, unknown>)[key];
    }
    return typeof at === 'number' || typeof at === 'string' ? at : null;
  };
  if (benchmark === 'gateway-ingest') {
    const out: Figures = {};
    for (const mode of ['normal', 'strict']) {
      if (get(`${mode}.durability`) === null) continue;
      out[`${mode} batch ev/s`] = get(`${mode}.batch.eventsPerSecond`);
      out[`${mode} single req/s`] = get(`${mode}.single.gateway.requestsPerSecond`);
      out[`${mode} ratio`] = get(`${mode}.single.ratioToBare`);
      out[`${mode} p99 ms`] = get(`${mode}.single.gateway.latencyMs.p99`);
      out[`${mode} rss MiB`] = get(`${mode}.maxRssMiB`);
    }
    return out;
  }
  if (benchmark === 'gateway-e2e') {
    return {
      'delivered ev/s': get('window.deliveredEventsPerSecond'),
      'ingest ev/s': get('window.ingestEventsPerSecond'),
      'backlog at end': get('window.backlogAtEnd'),
      'machine busy CPU-s': get('window.cpu.machineBusyCpuSeconds'),
      'rss MiB': get('maxRssMiB'),
    };
  }
  if (benchmark === 'gateway-backlog') {
    return { 'drain ev/s': get('drain.eventsPerSecond'), 'rss MiB': get('rss.maxMiB') };
  }
  if (benchmark === 'gateway-freshness') {
    const acknowledged = get('acknowledged');
    const mib = get('gateway.cpuSeconds.gatewayDiskWriteMiB');
    return {
      'ingest p99 ms': get('ingestLatencyMs.p99'),
      'to LinkedIn p95 ms': get('toLinkedInMs.p95'),
      'written B/event':
        typeof mib === 'number' && typeof acknowledged === 'number' && acknowledged > 0
          ? Math.round((mib * 1_048_576) / acknowledged)
          : null,
      'gateway CPU-s': get('gateway.cpuSeconds.gatewayCpuSeconds'),
    };
  }
  if (benchmark === 'gateway-single') {
    return {
      'req/s': get('gateway.requestsPerSecond'),
      'bare req/s': get('bareNodeHttp.requestsPerSecond'),
      'p99 ms': get('gateway.latencyMs.p99'),
      'main µs/req': get('gateway.cpuMicrosPerRequest.mainThread'),
      'store µs/req': get('gateway.cpuMicrosPerRequest.busiestOtherThread'),
      'process µs/req': get('gateway.cpuMicrosPerRequest.process'),
    };
  }
  if (benchmark === 'store-enqueue') {
    const out: Figures = {};
    for (const store of ['sqliteNormal', 'sqliteStrict', 'postgres']) {
      if (get(`${store}.ingestUuidV7.eventsPerSecond`) === null) continue;
      out[`${store} ingest ev/s`] = get(`${store}.ingestUuidV7.eventsPerSecond`);
      out[`${store} ingest ev/CPU-s`] = get(`${store}.ingestUuidV7.eventsPerCpuSecond`);
      out[`${store} one caller ev/s`] = get(`${store}.ingestSingleCaller.eventsPerSecond`);
      out[`${store} drain ev/s`] = get(`${store}.claimComplete.eventsPerSecond`);
    }
    return out;
  }
  return {};
}

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

const baseCommit = git(['rev-parse', '--short', base]);
const worktree = mkdtempSync(join(tmpdir(), `capi-ab-${baseCommit}-`));
let removed = false;
function removeWorktree(): void {
  if (removed) return;
  removed = true;
  try {
    git(['worktree', 'remove', '--force', worktree]);
  } catch {
    rmSync(worktree, { recursive: true, force: true });
    git(['worktree', 'prune']);
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeWorktree();
    process.exit(130);
  });
}

function runSide(dir: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', join('bench', `${benchmark}.ts`)], {
      cwd: dir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${benchmark} in ${dir} exited with ${code}`));
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch (err) {
        reject(err);
      }
    });
  });
}

const runs: Array<{ side: 'A' | 'B'; round: number; figures: Figures; result: Record<string, unknown> }> = [];
try {
  git(['worktree', 'add', '--detach', '--force', worktree, baseCommit]);
  // The base shares this checkout's dependencies; the gateway bundle is built per side by the benchmark.
  symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'), 'dir');
  // A benchmark newer than the base: both sides run this checkout's harness (bench/*.ts), each
  // against its own gateway, which the harness builds from the side's sources.
  if (!existsSync(join(worktree, 'bench', `${benchmark}.ts`))) {
    for (const name of readdirSync(join(ROOT, 'bench'))) {
      if (name.endsWith('.ts')) copyFileSync(join(ROOT, 'bench', name), join(worktree, 'bench', name));
    }
    process.stderr.write(
      `ab: ${baseCommit} has no bench/${benchmark}.ts; A runs this checkout's bench/*.ts\n`,
    );
  }
  process.stderr.write(
    `A = ${baseCommit} (${worktree}), B = this checkout (${git(['rev-parse', '--short', 'HEAD'])}`,
  );
  process.stderr.write(`${git(['status', '--porcelain']) ? ' with uncommitted changes' : ''})\n`);
  for (let round = 1; round <= rounds; round += 1) {
    for (const side of ['A', 'B'] as const) {
      process.stderr.write(`ab: round ${round}, ${side} …\n`);
      const result = await runSide(side === 'A' ? worktree : ROOT);
      const figures = keyFigures(result);
      runs.push({ side, round, figures, result });
      process.stdout.write(`${side} ${round} ${JSON.stringify(figures)}\n`);
    }
  }
} finally {
  removeWorktree();
}

const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-ab-${benchmark}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ benchmark, base: baseCommit, head: git(['rev-parse', '--short', 'HEAD']), rounds, runs }, null, 2)}\n`,
);
process.stderr.write(`ab: every run's figures in ${file}\n`);
