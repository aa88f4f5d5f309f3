/**
 * Shared helpers of the gateway benchmarks (bench/gateway-*.ts): child processes (gateway, sandbox,
 * bare server) that are always cleaned up, RSS and CPU sampling from /proc, HTTP load through
 * autocannon with a unique eventId per event, and readers for the gateway's /metrics and the
 * sandbox's /__sandbox/stats.
 *
 * Every process runs on 127.0.0.1; every load run is bounded both in requests and in time.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_SEED } from '@capi-gateway/sandbox';
import autocannon from 'autocannon';
import { gatewayNodeFlags } from '../scripts/node-flags.mjs';
import { type GatewayProcess, ROOT, spawnGateway } from '../test/support/processes.js';

export const BENCH_SOURCE_KEY = 'bench-source-key-7f3a9c2e5b1d4860';
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-2d8e6f0a4c7b1953';
export const ACCOUNT = DEMO_SEED.account.id;
export const RULES = DEMO_SEED.rules;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The brief's memory goal, 300 MB, in the MiB that RSS is reported in: 286.1 MiB. */
export const RSS_GOAL_MIB = round(300e6 / 2 ** 20);
export const MiB = 2 ** 20;

// ---------------------------------------------------------------------------------------------
// Cleanup: children and temp folders registered here are removed however the benchmark ends.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

function track(child: ChildProcess): void {
  hookCleanup();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A fresh folder under the system temp folder, removed by `removeTempDir` or at exit. */
export function makeTempDir(prefix: string): string {
  hookCleanup();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function freeDiskBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

// ---------------------------------------------------------------------------------------------
// Child processes.

export interface ScriptProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not gone within `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(child, 5_000);
}

/** Runs bench/<script> under tsx and waits for the JSON line with its URL. */
async function startScript(
  script: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ScriptProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64 * 1024);
  };
  child.stderr?.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    let line = '';
    const timer = setTimeout(
      () => reject(new Error(`${script} not listening after ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      keep(d);
      line += d.toString();
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.on('data', keep);
      try {
        resolve((JSON.parse(line.slice(0, nl)) as { url: string }).url);
      } catch {
        reject(new Error(`${script} printed no URL:\n${out}`));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid ?? -1,
    child,
    output: () => out,
    stop: () => stopChild(child, 5_000),
  };
}

/** The LinkedIn sandbox in its own process (see bench/_sandbox-process.ts). */
export function startSandbox(limits: { perMinute: number; perDay: number }): Promise<ScriptProcess> {
  return startScript('_sandbox-process.ts', {
    BENCH_SANDBOX_RPM: String(limits.perMinute),
    BENCH_SANDBOX_RPD: String(limits.perDay),
    // Profiling hook, as BENCH_GATEWAY_NODE_OPTIONS is for the gateway. The sandbox runs under tsx,
    // whose --import stays first.
    ...(process.env.BENCH_SANDBOX_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_SANDBOX_NODE_OPTIONS }
      : {}),
  });
}

/** The bare node:http baseline in its own process (see bench/_bare-server.ts). */
export function startBareServer(): Promise<ScriptProcess> {
  return startScript('_bare-server.ts', {});
}

export interface BenchGateway extends GatewayProcess {
  readonly pid: number;
  /** SIGTERM with a bounded wait, then SIGKILL. */
  stop(): Promise<void>;
}

/** Pids of this process's direct children (from /proc), to find a child we hold no handle on. */
function childPids(): Set<number> {
  const out = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.add(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `capi start` as a real child process (test/support/processes.ts), tracked for cleanup. */
export async function startGateway(env: Record<string, string>): Promise<BenchGateway> {
  hookCleanup();
  const before = childPids();
  let gateway: GatewayProcess;
  try {
    gateway = await spawnGateway(env, { nodeFlags: benchNodeFlags() });
  } catch (err) {
    // spawnGateway gives up after 30 s without stopping the process it started: stop it here, by pid.
    for (const pid of childPids()) {
      if (before.has(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('capi.js')) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    throw err;
  }
  track(gateway.child);
  return Object.assign(gateway, {
    pid: gateway.child.pid ?? -1,
    stop: () => stopChild(gateway.child, 20_000),
  });
}

export interface GatewayEnvOptions {
  storePath: string;
  durability: 'normal' | 'strict';
  sandboxUrl: string;
  /** The gateway's LinkedIn request budget (CAPI_LINKEDIN_RPM / CAPI_LINKEDIN_DAILY). */
  perMinute: number;
  perDay: number;
}

/** Live mode against the sandbox process: its demo account, token and rules. */
export function gatewayEnv(o: GatewayEnvOptions): Record<string, string> {
  return {
    CAPI_STORE_URL: `sqlite:${o.storePath}`,
    CAPI_DURABILITY: o.durability,
    LINKEDIN_ACCESS_TOKEN: DEMO_SEED.tokens.valid,
    LINKEDIN_API_BASE_URL: o.sandboxUrl,
    LINKEDIN_OAUTH_BASE_URL: o.sandboxUrl,
    LINKEDIN_AD_ACCOUNT: ACCOUNT,
    CAPI_CONVERSIONS: `lead=${RULES.lead},qualified_lead=${RULES.qualifiedLead},purchase=${RULES.purchase}`,
    CAPI_SOURCE_KEYS: `bench:${BENCH_SOURCE_KEY}`,
    CAPI_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    CAPI_LINKEDIN_RPM: String(o.perMinute),
    CAPI_LINKEDIN_DAILY: String(o.perDay),
    CAPI_LOG_LEVEL: 'warn',
    // Profiling hook, e.g. BENCH_GATEWAY_NODE_OPTIONS="--import=/path/to/profiler.mjs".
    ...(process.env.BENCH_GATEWAY_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS }
      : {}),
    // Experiments: extra gateway settings, e.g. BENCH_GATEWAY_ENV="CAPI_DELIVERY_CONCURRENCY=1".
    ...extraGatewayEnv(),
  };
}

/** BENCH_GATEWAY_ENV: whitespace-separated NAME=value pairs added to the gateway's environment. */
export function extraGatewayEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (process.env.BENCH_GATEWAY_ENV ?? '').split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// /proc sampling.

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Resident set size in MiB (VmRSS), or null once the process is gone. */
export function readRssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds used so far, or null once the process is gone. */
export function readCpuSeconds(pid: number): number | null {
  return cpuSecondsIn(`/proc/${pid}/stat`);
}

/** User + system CPU seconds from a process's or a thread's `stat` file, or null once it is gone. */
function cpuSecondsIn(statPath: string): number | null {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by each thread of a process (/proc/<pid>/task), by thread id. */
export function readThreadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const seconds = cpuSecondsIn(`/proc/${pid}/task/${tid}/stat`);
      if (seconds !== null) threads.set(Number(tid), seconds);
    }
  } catch {
    // The process is gone: no threads.
  }
  return threads;
}

/**
 * Of the CPU a process used between two thread readings: its main thread's share (the thread id is
 * the pid) and the busiest other thread's. For the gateway the busiest other thread under load is
 * the SQLite store's, the one thread every write goes through, so this is how busy it was.
 */
function threadSplit(pid: number, before: Map<number, number>, after: Map<number, number>) {
  const used = (tid: number) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  let busiestOther = 0;
  for (const tid of after.keys()) if (tid !== pid) busiestOther = Math.max(busiestOther, used(tid));
  return { main: used(pid), busiestOther };
}

/** Bytes the process has caused to be written to storage so far (/proc/<pid>/io), or null. */
export function readWriteBytes(pid: number): number | null {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` (default 250 ms) until stopped. */
export class RssSampler {
  readonly samples: Array<{ atMs: number; rssMiB: number }> = [];
  #timer: NodeJS.Timeout | null = null;
  #started = 0;

  constructor(
    readonly pid: number,
    readonly intervalMs = 250,
  ) {}

  /** performance.now() of the first sample; sample times (`atMs`) count from here. */
  get startedAt(): number {
    return this.#started;
  }

  start(): this {
    this.#started = performance.now();
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Takes one sample now and returns it (MiB), or null once the process is gone. */
  sample(): number | null {
    const rss = readRssMiB(this.pid);
    if (rss !== null) this.samples.push({ atMs: Math.round(performance.now() - this.#started), rssMiB: rss });
    return rss;
  }

  stop(): { maxRssMiB: number; lastRssMiB: number; samples: number } {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    return {
      maxRssMiB: round(this.max()),
      lastRssMiB: round(this.samples.at(-1)?.rssMiB ?? 0),
      samples: this.samples.length,
    };
  }

  max(): number {
    let max = 0;
    for (const s of this.samples) max = Math.max(max, s.rssMiB);
    return max;
  }
}

/** Bytes written to the machine's disks so far (/proc/diskstats, whole disks, no loop/ram/zram). */
function machineDiskWriteBytes(): number {
  try {
    let sectors = 0;
    for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      const name = f[2] ?? '';
      if (!name || /^(loop|ram|zram|dm-)/.test(name)) continue;
      // Whole disks only: a partition also has /sys/block/<disk>/<partition>, not /sys/block/<partition>.
      if (!existsSync(`/sys/block/${name}`)) continue;
      sectors += Number(f[9] ?? 0);
    }
    return sectors * 512;
  } catch {
    return 0;
  }
}

/** The machine's CPU times so far (all CPUs, from /proc/stat), in seconds; zeros where it cannot be read. */
function machineCpuTimes(): { busy: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user); iowait
    // counts as idle. Steal (a vCPU that wanted to run while the hypervisor ran someone else)
    // counts as busy, as it always has here, and is also reported on its own.
    const steal = v[7] ?? 0;
    const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + steal;
    return { busy: busy / CLK_TCK, steal: steal / CLK_TCK };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

function machineBusySeconds(): number {
  return machineCpuTimes().busy;
}

/**
 * CPU seconds used (and bytes written to storage) by each named process, and CPU seconds used by
 * this one (the load generator), between `start` and `stop`, and by everything else on the machine
 * (kernel threads, page-cache writeback, other people's processes, time the hypervisor stole): on
 * a shared machine that last figure says how much the others took; `stolenCpuSeconds` is the
 * hypervisor's part of it.
 */
export function cpuMeter(pids: Record<string, number>): { stop(): Record<string, number> } {
  const before = new Map(Object.entries(pids).map(([name, pid]) => [name, readCpuSeconds(pid) ?? 0]));
  const writesBefore = new Map(Object.entries(pids).map(([name, pid]) => [name, readWriteBytes(pid) ?? 0]));
  const threadsBefore = new Map(Object.entries(pids).map(([name, pid]) => [name, readThreadCpuSeconds(pid)]));
  const self = process.cpuUsage();
  const machineBefore = machineCpuTimes();
  const diskBefore = machineDiskWriteBytes();
  const started = performance.now();
  return {
    stop() {
      const wall = (performance.now() - started) / 1000;
      const out: Record<string, number> = { wallSeconds: round(wall), machineCpus: cpus().length };
      let ours = 0;
      for (const [name, pid] of Object.entries(pids)) {
        const used = (readCpuSeconds(pid) ?? 0) - (before.get(name) ?? 0);
        ours += used;
        out[`${name}CpuSeconds`] = round(used);
        const split = threadSplit(pid, threadsBefore.get(name) ?? new Map(), readThreadCpuSeconds(pid));
        out[`${name}MainThreadCpuSeconds`] = round(split.main);
        out[`${name}BusiestOtherThreadCpuSeconds`] = round(split.busiestOther);
      }
      for (const [name, pid] of Object.entries(pids)) {
        const written = (readWriteBytes(pid) ?? 0) - (writesBefore.get(name) ?? 0);
        out[`${name}DiskWriteMiB`] = round(written / MiB);
      }
      const used = process.cpuUsage(self);
      const generator = (used.user + used.system) / 1e6;
      ours += generator;
      out.loadGeneratorCpuSeconds = round(generator);
      const machine = machineCpuTimes();
      const busy = machine.busy - machineBefore.busy;
      out.machineBusyCpuSeconds = round(busy);
      out.restOfMachineCpuSeconds = round(Math.max(0, busy - ours));
      // Part of both figures above: on a shared host, how much the others took from under us.
      out.stolenCpuSeconds = round(machine.steal - machineBefore.steal);
      // What reached the disk (all writers: WAL, checkpoints, filesystem journal, others' files).
      out.machineDiskWriteMiB = round((machineDiskWriteBytes() - diskBefore) / MiB);
      return out;
    },
  };
}

/**
 * Disk writes per event from a `cpuMeter` reading: what the named process wrote (page-cache
 * accounting, a lower bound: a page rewritten while still dirty counts once) and what reached the
 * disks of the machine (every writer, so only meaningful when the machine is otherwise quiet).
 */
export function writesPerEvent(cpu: Record<string, number>, name: string, events: number) {
  const n = Math.max(1, events);
  return {
    processBytesPerEvent: Math.round(((cpu[`${name}DiskWriteMiB`] ?? 0) * MiB) / n),
    deviceBytesPerEvent: Math.round(((cpu.machineDiskWriteMiB ?? 0) * MiB) / n),
  };
}

/**
 * On a shared machine: waits (at most `maxSeconds`) until the whole machine has been using less than
 * `cpusBusy` CPUs over 2 s, so a measured run does not start in the middle of someone else's build.
 * Returns what it saw, for the report.
 */
export async function waitForQuietMachine(maxSeconds = 30, cpusBusy = 0.35) {
  const started = performance.now();
  let busy = 0;
  for (;;) {
    const before = machineBusySeconds();
    await sleep(2_000);
    busy = (machineBusySeconds() - before) / 2;
    const waited = (performance.now() - started) / 1000;
    if (busy < cpusBusy || waited >= maxSeconds) {
      return { waitedSeconds: round(waited), busyCpusBeforeRun: round(busy, 2), quiet: busy < cpusBusy };
    }
  }
}

/**
 * The q-quantile (0–1) of ascending values by nearest rank: the value at index ⌊q·n⌋, the largest
 * for q = 1; undefined when there are none. Every percentile the benchmarks report is taken so.
 */
export function nearestRank(sorted: readonly number[], q: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Latency of `GET /healthz` (which does no work) every `everyMs` until stopped: how long the
 * process's event loop makes any request wait, e.g. behind a long synchronous store call.
 */
export function healthProbe(url: string, everyMs = 200): { stop(): Promise<Record<string, number>> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        times.push(performance.now() - started);
      } catch {
        times.push(30_000);
      }
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q: number) => round(nearestRank(sorted, q) ?? 0);
      return {
        probes: sorted.length,
        p50Ms: at(0.5),
        p90Ms: at(0.9),
        p99Ms: at(0.99),
        maxMs: round(sorted.at(-1) ?? 0),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Request bodies with unique eventIds.

const COUNTER = '~N~';

/**
 * One native event as JSON text; `~N~` stands for the request counter, so each event of each
 * request gets its own eventId (and email) for the price of a string join per request. The mix is
 * what a B2B site sends: a hashed-at-the-edge email on every event, the LinkedIn click id on half,
 * a name pair with company and country on a quarter, a value on two thirds, three conversion rules.
 */
function eventJson(prefix: string, i: number, happenedAt: number): string {
  const conversion = i % 7 === 0 ? 'purchase' : i % 3 === 0 ? 'qualified_lead' : 'lead';
  const user: string[] = [`"email":"Buyer.${prefix}.${COUNTER}.${i}@Example.com"`];
  if (i % 2 === 0) user.push(`"liFatId":"li-${prefix}-${COUNTER}-${i}"`);
  if (i % 4 === 1) {
    user.push('"firstName":"Jane"', '"lastName":"Doe"', '"companyName":"Acme GmbH"', '"countryCode":"DE"');
  }
  const value = i % 3 === 2 ? '' : `,"value":{"amount":"${(i % 500) + 10}.00","currency":"EUR"}`;
  return `{"conversion":"${conversion}","eventId":"${prefix}-${COUNTER}-${i}","happenedAt":${happenedAt}${value},"user":{${user.join(',')}}}`;
}

/**
 * A body factory: `events` = 1 gives a single-event body, more gives `{"events": [...]}`. The
 * returned function makes the body of request number `n`; every call with a new `n` yields only
 * new eventIds.
 */
export function bodyFactory(prefix: string, events: number, happenedAt: number): (n: number) => string {
  if (EVENT_IDS === 'scattered') return scatteredBodies(prefix, events, happenedAt);
  const text = requestBody(Array.from({ length: events }, (_, i) => eventJson(prefix, i, happenedAt)));
  return numbered(text);
}

/**
 * A Segment track call (`POST /v1/track`) carrying what the native single-event body carries: the
 * email in context.traits, the click id, a value, the same conversion. Each `n` gives a new
 * messageId (the eventId) and email.
 */
export function segmentTrackFactory(prefix: string, happenedAt: number): (n: number) => string {
  const text = JSON.stringify({
    type: 'track',
    event: 'purchase',
    messageId: `${prefix}-${COUNTER}-0`,
    timestamp: new Date(happenedAt).toISOString(),
    context: { traits: { email: `Buyer.${prefix}.${COUNTER}.0@Example.com` } },
    properties: { li_fat_id: `li-${prefix}-${COUNTER}-0`, revenue: 10, currency: 'EUR' },
  });
  return numbered(text);
}

/**
 * A LinkedIn single create (`POST /rest/conversionEvents`) carrying what the native single-event body
 * carries, in LinkedIn's own form: the email already hashed (a fixed digest: the route stores what it
 * is given), the click id, a value, the same conversion's rule. Each `n` gives a new eventId.
 */
export function linkedInEventFactory(prefix: string, happenedAt: number): (n: number) => string {
  const text = JSON.stringify({
    conversion: `urn:lla:llaPartnerConversion:${RULES.purchase}`,
    conversionHappenedAt: happenedAt,
    conversionValue: { currencyCode: 'EUR', amount: '10.00' },
    eventId: `${prefix}-${COUNTER}-0`,
    user: {
      userIds: [
        {
          idType: 'SHA256_EMAIL',
          idValue: 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514',
        },
        { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: `li-${prefix}-${COUNTER}-0` },
      ],
    },
  });
  return numbered(text);
}

/** A body maker: `text` with every COUNTER replaced by `n`, so each `n` gives new ids. */
function numbered(text: string): (n: number) => string {
  const pieces = text.split(COUNTER);
  return (n) => pieces.join(String(n));
}

/** One event's JSON is a single-event body; more become `{"events": [...]}`. */
function requestBody(eventsJson: readonly string[]): string {
  return eventsJson.length === 1 ? eventsJson[0]! : `{"events":[${eventsJson.join(',')}]}`;
}

/**
 * `BENCH_EVENT_IDS=scattered`: each eventId starts with eight hex digits scrambled from the event's
 * number, so consecutive events land all over the dedup index, as UUIDs or CRM ids from many
 * sources do; the default ids share a prefix per request and arrive nearly in index order. Each
 * body is then built whole, event by event (the load generator's cost, not the gateway's).
 */
export const EVENT_IDS = process.env.BENCH_EVENT_IDS === 'scattered' ? 'scattered' : 'sequential';

function scatteredBodies(prefix: string, events: number, happenedAt: number): (n: number) => string {
  const templates = Array.from({ length: events }, (_, i) => eventJson(prefix, i, happenedAt).split(COUNTER));
  return (n) => {
    const parts = templates.map((pieces, i) => {
      const scrambled = (Math.imul(n * events + i + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
      // The eventId's counter becomes `scrambled.n`; the other counters (email, click id) stay n.
      const [head, afterId, ...rest] = pieces;
      return [`${head}${scrambled}.${n}${afterId}`, ...rest].join(String(n));
    });
    return requestBody(parts);
  };
}

// ---------------------------------------------------------------------------------------------
// Load.

export interface LoadOptions {
  url: string;
  connections: number;
  body: (n: number) => string;
  headers?: Record<string, string>;
  /** Either a duration (seconds) or an exact number of requests. */
  durationSeconds?: number;
  amount?: number;
  /** Requests per second over all connections (fixed offered load); unset = as fast as answered. */
  overallRate?: number;
  /** The run is stopped after this many seconds whatever happens. */
  maxSeconds: number;
  /** Called once per answer (status, latency ms). */
  onResponse?: (status: number, ms: number) => void;
}

export interface LoadResult {
  /** From the first request to the last answer. */
  seconds: number;
  bodiesBuilt: number;
  answered: number;
  status2xx: number;
  byStatus: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** True when the hard time limit ended the run (then answers may be missing). */
  stoppedByTimeLimit: boolean;
}

/** Request numbers are unique across every load run of this process, so no eventId repeats. */
let requestNumber = 0;

export async function load(o: LoadOptions): Promise<LoadResult> {
  let sent = 0;
  let answered = 0;
  const started = performance.now();
  let lastAnswer = started;
  const instance = autocannon({
    url: o.url,
    method: 'POST',
    connections: o.connections,
    timeout: 30,
    headers: { 'content-type': 'application/json', ...o.headers },
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.durationSeconds ?? 10 }),
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          sent += 1;
          req.body = o.body(requestNumber++);
          return req;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    answered += 1;
    lastAnswer = performance.now();
    o.onResponse?.(status, ms);
  });
  let stoppedByTimeLimit = false;
  const hardStop = setTimeout(() => {
    stoppedByTimeLimit = true;
    instance.stop();
  }, o.maxSeconds * 1000);
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    clearTimeout(hardStop);
  }
  const seconds = (lastAnswer - started) / 1000;
  const byStatus: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) byStatus[code] = count;
  const l = result.latency;
  return {
    seconds: round(seconds, 2),
    bodiesBuilt: sent,
    answered,
    status2xx: result['2xx'],
    byStatus,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSecond: seconds > 0 ? round(result['2xx'] / seconds) : 0,
    latencyMs: { mean: round(l.mean, 2), p50: l.p50, p90: l.p90, p99: l.p99, max: l.max },
    stoppedByTimeLimit,
  };
}

export interface CalibratedLoad {
  warmup: LoadResult;
  measured: LoadResult;
}

/**
 * A warm-up run of `warmupSeconds` (JIT, page cache, connection pools), then a measured run of an
 * exact number of requests sized from the warm-up rate to last at least `targetSeconds`. An exact
 * count means every request sent is answered before the run ends, so the load generator's count
 * and the server's count can be compared one for one. `beforeMeasured` runs after the warm-up has
 * settled (e.g. to read a baseline); `maxSeconds` bounds each measured run.
 */
export async function calibratedLoad(
  o: Omit<LoadOptions, 'durationSeconds' | 'amount'> & {
    warmupSeconds: number;
    targetSeconds: number;
    beforeMeasured?: () => Promise<void>;
  },
): Promise<CalibratedLoad> {
  const warmup = await load({ ...o, durationSeconds: o.warmupSeconds, maxSeconds: o.warmupSeconds + 30 });
  // Requests cut off when the warm-up ended may still be committing: let the server settle.
  await sleep(1_500);
  await o.beforeMeasured?.();
  let rate = Math.max(1, warmup.status2xx / Math.max(0.1, warmup.seconds));
  let measured: LoadResult | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const amount = Math.max(o.connections * 4, Math.ceil(rate * o.targetSeconds * 1.25));
    const run = await load({ ...o, amount });
    measured = measured ? mergeLoads(measured, run) : run;
    if (measured.seconds >= o.targetSeconds || run.stoppedByTimeLimit) break;
    // Faster than the warm-up promised: top up so the measured window is long enough.
    rate = Math.max(rate, run.status2xx / Math.max(0.1, run.seconds));
  }
  return { warmup, measured: measured! };
}

/** Two back-to-back runs as one (latency percentiles: the worse of the two). */
function mergeLoads(a: LoadResult, b: LoadResult): LoadResult {
  const byStatus: Record<string, number> = { ...a.byStatus };
  for (const [k, v] of Object.entries(b.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
  const seconds = a.seconds + b.seconds;
  const status2xx = a.status2xx + b.status2xx;
  return {
    seconds: round(seconds, 2),
    bodiesBuilt: a.bodiesBuilt + b.bodiesBuilt,
    answered: a.answered + b.answered,
    status2xx,
    byStatus,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    requestsPerSecond: round(status2xx / seconds),
    latencyMs: {
      mean: round(
        (a.latencyMs.mean * a.answered + b.latencyMs.mean * b.answered) / (a.answered + b.answered),
        2,
      ),
      p50: Math.max(a.latencyMs.p50, b.latencyMs.p50),
      p90: Math.max(a.latencyMs.p90, b.latencyMs.p90),
      p99: Math.max(a.latencyMs.p99, b.latencyMs.p99),
      max: Math.max(a.latencyMs.max, b.latencyMs.max),
    },
    stoppedByTimeLimit: a.stoppedByTimeLimit || b.stoppedByTimeLimit,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the gateway's and the sandbox's counters.

export async function getText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/** Sum of a Prometheus metric's samples whose labels include `match`. */
export function metricSum(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const labels: Record<string, string> = {};
    const close = line.lastIndexOf('}');
    if (line[name.length] === '{') {
      for (const m of line.slice(name.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)) labels[m[1]!] = m[2]!;
    }
    if (Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    sum += Number(
      line
        .slice((close < 0 ? name.length : close + 1) + 1)
        .trim()
        .split(' ')[0],
    );
  }
  return sum;
}

export interface GatewayCounters {
  /** capigw_events_ingested_total{status="accepted"}, since the gateway started. */
  accepted: number;
  rejected: number;
  duplicate: number;
  /** capigw_queue_depth by state (read from the store at the scrape). */
  byState: Record<string, number>;
  /** Rows in the store, all states. */
  storedRows: number;
  linkedinRequests: Record<string, number>;
  /** How long the scrape took (it counts the store's rows). */
  scrapeMs: number;
}

export async function gatewayCounters(gatewayUrl: string): Promise<GatewayCounters> {
  const started = performance.now();
  const text = await getText(`${gatewayUrl}/metrics`);
  const scrapeMs = round(performance.now() - started);
  const byState: Record<string, number> = {};
  for (const state of ['queued', 'sending', 'retrying', 'delivered', 'dead', 'suppressed']) {
    byState[state] = metricSum(text, 'capigw_queue_depth', { state });
  }
  const linkedinRequests: Record<string, number> = {};
  for (const m of text.matchAll(/^capigw_linkedin_requests_total\{outcome="(\w+)"\} (\d+)/gm)) {
    linkedinRequests[m[1]!] = Number(m[2]);
  }
  return {
    accepted: metricSum(text, 'capigw_events_ingested_total', { status: 'accepted' }),
    rejected: metricSum(text, 'capigw_events_ingested_total', { status: 'rejected' }),
    duplicate: metricSum(text, 'capigw_events_ingested_total', { status: 'duplicate' }),
    byState,
    storedRows: Object.values(byState).reduce((a, b) => a + b, 0),
    linkedinRequests,
    scrapeMs,
  };
}

/** The gateway's own warnings and errors (pino JSON lines at level ≥ 40), counted by message. */
export function logSummary(output: string): { warnOrWorse: number; byMessage: Record<string, number> } {
  const byMessage: Record<string, number> = {};
  let warnOrWorse = 0;
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 40) continue;
      warnOrWorse += 1;
      const key = `${entry.msg ?? '?'}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 200);
      byMessage[key] = (byMessage[key] ?? 0) + 1;
    } catch {
      // not a log line
    }
  }
  return { warnOrWorse, byMessage };
}

export interface SandboxCounters {
  requests: number;
  byStatus: Record<string, number>;
  eventsAccepted: number;
}

export async function sandboxCounters(sandboxUrl: string): Promise<SandboxCounters> {
  const s = JSON.parse(await getText(`${sandboxUrl}/__sandbox/stats`)) as SandboxCounters;
  return { requests: s.requests, byStatus: s.byStatus, eventsAccepted: s.eventsAccepted };
}

// ---------------------------------------------------------------------------------------------
// Reporting.

export function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    gatewayNodeFlags: benchNodeFlags(),
  };
}

/**
 * The node flags the benchmarks start the gateway with: npm start's for this host
 * (scripts/node-flags.mjs), unless BENCH_GATEWAY_NODE_FLAGS gives others (space-separated; empty
 * for none), to compare them.
 */
export function benchNodeFlags(): string[] {
  const given = process.env.BENCH_GATEWAY_NODE_FLAGS;
  return given === undefined ? gatewayNodeFlags() : given.split(' ').filter(Boolean);
}

/**
 * Which code was measured: the commit, and the product files changed on top of it (the working
 * tree is shared with ongoing work, so a figure belongs to this state, not to the commit alone).
 */
export function codeState(): Record<string, unknown> {
  // trimEnd, not trim: a porcelain line starts with its status columns, " M path" included, and the
  // first line would lose a character of its path.
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trimEnd();
  try {
    const changed = git('status', '--porcelain', '--', 'packages')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .filter((path) => path.includes('/src/'));
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedSourceFiles: changed };
  } catch {
    return { commit: 'unknown' };
  }
}

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return Math.floor(n);
}

/** Runs `run` and prints its JSON when the file is executed directly (`npx tsx bench/x.ts`). */
export function runIfMain(moduleUrl: string, run: () => Promise<Record<string, unknown>>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  run().then(
    (figures) => {
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

/** Progress on stderr (the harness prints the JSON on stdout). */
export function note(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
