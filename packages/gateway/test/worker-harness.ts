/**
 * Test kit for the delivery worker: a scripted LinkedInTransport (the worker knows no HTTP, so a
 * fake that returns chosen outcomes is the honest seam), events, configuration and a started
 * worker that records its reports. Time is a settable clock; tests wait on the worker's idle and
 * outcome hooks instead of sleeping.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect } from 'vitest';
import { createMetrics, type GatewayMetrics } from '../src/metrics.js';
import type { DeliveryOutcome, LinkedInTransport, NewOutboxEvent, OutboxStore } from '../src/ports.js';
import { type FakeClock, fakeClock, T0 } from '../src/store/conformance/fixtures.js';
import { createMemoryStore } from '../src/store/memory.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import {
  createDeliveryWorker,
  type DeliveryReport,
  type DeliveryWorker,
  type WorkerConfig,
} from '../src/worker/index.js';

export type { FakeClock };
export { fakeClock, T0 };

export const ACCOUNT = '500100';
export const OTHER_ACCOUNT = '500200';
export const RULE = '9001';
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface TransportCall {
  account: string;
  payloads: string[];
  /** Parsed payloads, to read the test markers (`n`, `bad`). */
  events: Array<{ n: number; bad?: boolean; rule: string }>;
  /** The fake clock when the request was sent. */
  at: number;
  signal: AbortSignal | undefined;
}

export type Script = (call: TransportCall, index: number) => DeliveryOutcome | Promise<DeliveryOutcome>;

export interface ScriptedTransport extends LinkedInTransport {
  readonly calls: TransportCall[];
  /** Replaces the script from the next request on. */
  setScript(script: Script): void;
}

export const delivered = (): DeliveryOutcome => ({
  kind: 'delivered',
  status: 200,
  requestId: `req-${randomUUID()}`,
});

export function scriptedTransport(clock: FakeClock, script: Script = delivered): ScriptedTransport {
  const calls: TransportCall[] = [];
  let current = script;
  return {
    calls,
    setScript(next) {
      current = next;
    },
    async sendBatch(account, payloads, signal) {
      const call: TransportCall = {
        account,
        payloads,
        events: payloads.map((p) => JSON.parse(p) as TransportCall['events'][number]),
        at: clock.now(),
        signal,
      };
      calls.push(call);
      return current(call, calls.length - 1);
    },
  };
}

/**
 * Answers like LinkedIn for payloads marked `bad`: names their indices when `name` is true,
 * otherwise refuses the whole batch without saying which (forcing a bisect).
 */
export function rejectBad(name: boolean): Script {
  return (call) => {
    const indices = call.events.flatMap((e, i) => (e.bad ? [i] : []));
    if (indices.length === 0) return delivered();
    const message = `Conversion time should be within 90 days, indices [${indices.join(', ')}] (0-indexed).`;
    return {
      kind: 'rejected',
      status: 400,
      requestId: `req-${randomUUID()}`,
      indices: name ? indices : [],
      reasons: name ? indices.map((i) => `index ${i}: too old`) : [],
      body: JSON.stringify({ message, status: 400 }),
    };
  };
}

let counter = 0;

/** An outbox event whose payload carries test markers instead of a real LinkedIn element. */
export function event(
  clock: FakeClock,
  overrides: Partial<NewOutboxEvent> & { bad?: boolean } = {},
): NewOutboxEvent {
  counter += 1;
  const { bad, ...rest } = overrides;
  const ruleId = rest.ruleId ?? RULE;
  return {
    id: randomUUID(),
    account: ACCOUNT,
    ruleId,
    eventId: `evt-${counter}`,
    source: 'web',
    payload: JSON.stringify({ n: counter, rule: ruleId, ...(bad ? { bad: true } : {}) }),
    happenedAt: clock.now() - MINUTE,
    receivedAt: clock.now(),
    state: 'queued',
    identifierTypes: ['SHA256_EMAIL'],
    consent: null,
    context: null,
    ...rest,
  };
}

export function events(clock: FakeClock, count: number, overrides: Parameters<typeof event>[1] = {}) {
  return Array.from({ length: count }, () => event(clock, overrides));
}

/**
 * `all` queued, taken and dead-lettered one by one, each with the reason and the time `fate` gives
 * its position: a store holding dead letters, as the dead-letter routes find it.
 */
export async function makeDeadLetters(
  store: OutboxStore,
  all: NewOutboxEvent[],
  fate: (index: number) => { reason: string; at: number },
): Promise<void> {
  await store.enqueue(all);
  const claimed = await store.claim({ limit: all.length, leaseMs: 60_000, now: T0 });
  expect(claimed?.events).toHaveLength(all.length);
  for (const [i, e] of all.entries()) {
    const { reason, at } = fate(i);
    await store.kill([e.id], reason, null, at);
  }
}

export function workerConfig(
  overrides: Partial<WorkerConfig['delivery']> = {},
  perMinute = 600,
): WorkerConfig {
  return {
    delivery: {
      batchSize: 5000,
      lingerMs: 0,
      leaseMs: 60_000,
      retryBaseMs: 1_000,
      retryMaxMs: 300_000,
      concurrency: 2,
      pollMs: 10,
      ...overrides,
    },
    accounts: [ACCOUNT, OTHER_ACCOUNT].map((id) => ({
      id,
      token: 't',
      limits: { perMinute, perDay: 500_000 },
    })),
    shutdownGraceMs: 2_000,
  };
}

export interface Harness {
  worker: DeliveryWorker;
  store: OutboxStore;
  transport: ScriptedTransport;
  clock: FakeClock;
  metrics: GatewayMetrics;
  reports: DeliveryReport[];
  /** Kicks and waits until nothing is claimable and nothing is in flight. */
  settle(): Promise<void>;
}

export interface HarnessOptions {
  store?: OutboxStore;
  clock?: FakeClock;
  transport?: ScriptedTransport;
  config?: WorkerConfig;
  script?: Script;
  random?: () => number;
  start?: boolean;
}

export const silentLogger = pino({ level: 'silent' });

export function harness(options: HarnessOptions = {}): Harness {
  const clock = options.clock ?? fakeClock(T0);
  const store = options.store ?? createMemoryStore({ clock });
  const transport = options.transport ?? scriptedTransport(clock, options.script);
  const metrics = createMetrics({ defaultMetrics: false });
  const worker = createDeliveryWorker({
    store,
    transport,
    clock,
    config: options.config ?? workerConfig(),
    metrics,
    logger: silentLogger,
    random: options.random ?? (() => 0.5),
  });
  const reports: DeliveryReport[] = [];
  worker.onOutcome((r) => reports.push(r));
  if (options.start !== false) worker.start();
  return {
    worker,
    store,
    transport,
    clock,
    metrics,
    reports,
    settle: () => worker.waitForIdle(20_000),
  };
}

/** Counter value for one label set (prom-client's async getter, flattened). */
export async function counterValue(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export type StoreKind = 'memory' | 'sqlite';
export const STORE_KINDS: StoreKind[] = ['memory', 'sqlite'];

const tempDirs: string[] = [];

/** A temporary SQLite file path (WAL needs a real file, not `:memory:`). */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-worker-'));
  tempDirs.push(dir);
  return join(dir, 'outbox.db');
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function openStore(kind: StoreKind, clock: FakeClock, path?: string): Promise<OutboxStore> {
  const store =
    kind === 'memory'
      ? createMemoryStore({ clock })
      : createSqliteStore({ path: path ?? tempDbPath(), clock });
  await store.migrate();
  return store;
}

/**
 * Starts harnesses on one store kind and tears them down (workers first, then stores) after each
 * test. Harnesses that share a store (`{ store: other.store }`) close it once.
 */
export function harnessPool(kind: StoreKind) {
  const started: Harness[] = [];
  const stores = new Set<OutboxStore>();
  return {
    async start(options: HarnessOptions = {}): Promise<Harness> {
      const clock = options.clock ?? fakeClock(T0);
      const store = options.store ?? (await openStore(kind, clock));
      stores.add(store);
      const h = harness({ ...options, clock, store });
      started.push(h);
      return h;
    },
    async closeAll(): Promise<void> {
      await Promise.all(started.splice(0).map((h) => h.worker.stop()));
      await Promise.all([...stores].map((s) => s.close()));
      stores.clear();
      removeTempDirs();
    },
  };
}

export async function stateCounts(store: OutboxStore) {
  return (await store.stats()).byState;
}
