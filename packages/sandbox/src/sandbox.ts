/**
 * `createSandbox()`: the composition root. Builds state from a seed (or a persisted snapshot),
 * the services the routes share, and the Hono app; `start()` adds a real socket.
 */
import { createApp, type SandboxApp } from './app.js';
import { applySeed } from './apply-seed.js';
import { SandboxClock } from './clock.js';
import type { SandboxServices } from './context.js';
import { demoSeed } from './demo-seed.js';
import type { EventFilter } from './event-log.js';
import { type FaultSettings, PendingHolds, type ResolvedFaults, resolveFaults } from './faults.js';
import type { StoredEvent } from './model.js';
import { SnapshotStore } from './persist.js';
import { DEFAULT_LIMITS, RateLimiter, type RateLimits } from './rate-limit.js';
import {
  type RecordBodies,
  type RecordedRequest,
  Recorder,
  type RecorderOptions,
  type RequestFilter,
} from './recorder.js';
import { ResponseScript, type ScriptedResponse } from './script.js';
import { loadSeedFile, parseSeed, type SandboxSeed } from './seed.js';
import { type Listening, type ListenOptions, SandboxServer } from './server.js';
import { SandboxState } from './state.js';
import { Stats, type StatsReport } from './stats.js';

export interface SandboxOptions {
  /** A seed object or the path of a YAML/JSON seed file. Default: the built-in demo seed. */
  seed?: SandboxSeed | string;
  /** Persist state to this folder (JSON snapshot, debounced) and load it at start. */
  dataDir?: string;
  /** Base clock (epoch ms); the admin API can add an offset. Default Date.now. */
  clock?: () => number;
  /** Random source in [0, 1) for fault injection. Default Math.random. */
  random?: () => number;
  /** Faults active from the start (override the seed's). */
  faults?: FaultSettings;
  /** Rate limits per token (override the seed's). Default 600/min, 500,000/day. */
  limits?: Partial<RateLimits>;
  /** Request recorder bounds. */
  recorder?: RecorderOptions;
  /** Shortcut for `recorder.recordBodies`. */
  recordBodies?: RecordBodies;
  /** Accepted events kept for `events()`: true = all, false = none, a number = the newest N. Default 100,000. */
  keepEvents?: boolean | number;
  /** Debounce of snapshot writes with `dataDir`. Default 200 ms. */
  persistDebounceMs?: number;
}

export interface Sandbox {
  /** The Hono app; `app.request(path, init)` exercises it in-process, no socket needed. */
  readonly app: SandboxApp;
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  /** Listens on a real socket. */
  start(options?: ListenOptions): Promise<Listening>;
  /** Closes the socket, releases held requests and flushes persistence. */
  stop(): Promise<void>;
  /** Back to the seed: state, recorder, stats, limits, faults, script, clock offset. */
  reset(): void;
  setFaults(faults: FaultSettings): void;
  faults(): ResolvedFaults;
  setLimits(limits: Partial<RateLimits>): void;
  /** Queues one-shot scripted responses. */
  script(responses: ScriptedResponse[]): void;
  requests(filter?: RequestFilter): RecordedRequest[];
  events(filter?: EventFilter): StoredEvent[];
  stats(): StatsReport;
}

export const DEFAULT_KEEP_EVENTS = 100_000;

function keepOf(keep: boolean | number | undefined): number {
  if (keep === undefined) return DEFAULT_KEEP_EVENTS;
  if (keep === true) return Number.POSITIVE_INFINITY;
  if (keep === false) return 0;
  return Math.max(0, keep);
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const seed =
    typeof options.seed === 'string'
      ? loadSeedFile(options.seed)
      : parseSeed(options.seed ?? demoSeed(), options.seed ? 'seed' : 'demo seed');
  const clock = new SandboxClock(options.clock);
  const state = new SandboxState(keepOf(options.keepEvents));
  const initialFaults = options.faults ?? seed.faults ?? {};
  const initialLimits = { ...seed.limits, ...options.limits };
  let faults = resolveFaults(initialFaults);
  const limiter = new RateLimiter(initialLimits);
  const recorder = new Recorder({
    ...options.recorder,
    ...(options.recordBodies ? { recordBodies: options.recordBodies } : {}),
  });
  const stats = new Stats();
  const script = new ResponseScript();
  const holds = new PendingHolds();
  const server = new SandboxServer();

  const store = options.dataDir
    ? new SnapshotStore(options.dataDir, { debounceMs: options.persistDebounceMs })
    : undefined;
  const snapshot = store?.load();
  if (snapshot) state.loadSnapshot(snapshot);
  else applySeed(state, seed, clock.now());
  if (store) {
    state.onChange(() => store.schedule(() => state.toSnapshot()));
    if (!snapshot) store.schedule(() => state.toSnapshot());
  }

  const setFaults = (f: FaultSettings) => {
    faults = resolveFaults(f);
    // Requests held by a previous timeout fault are let go when the faults change.
    holds.releaseAll();
  };

  const reset = () => {
    holds.releaseAll();
    clock.setOffset(0);
    applySeed(state, seed, clock.now());
    recorder.clear();
    stats.reset();
    limiter.reset();
    limiter.set({ ...DEFAULT_LIMITS, ...initialLimits });
    faults = resolveFaults(initialFaults);
    script.clear();
  };

  const services: SandboxServices = {
    state,
    clock,
    limiter,
    stats,
    recorder,
    script,
    holds,
    random: options.random ?? Math.random,
    faults: () => faults,
    setFaults,
    reset,
  };
  const app = createApp(services);

  return {
    app,
    state,
    clock,
    start: (opts) => server.start((req, env) => app.fetch(req, env), opts),
    async stop() {
      holds.releaseAll();
      await server.stop();
      await store?.flush();
    },
    reset,
    setFaults,
    faults: () => faults,
    setLimits: (l) => limiter.set(l),
    script: (responses) => script.push(responses),
    requests: (filter) => recorder.list(filter),
    events: (filter) => state.events.query(filter),
    stats: () => stats.report(),
  };
}
