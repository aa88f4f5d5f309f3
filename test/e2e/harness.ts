/**
 * End-to-end harness: the LinkedIn sandbox in this process on a real socket, the gateway as a real
 * child process (`capi start`) pointed at it in live mode, and an ingest client that retries
 * unanswered requests with the same eventIds, as a well-behaved producer does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, DEMO_SEED, type Sandbox, type SandboxOptions } from '@capi-gateway/sandbox';
import { expect } from 'vitest';
import { eventually, sleep } from '../support/processes.js';

export const SOURCE_KEY = 'e2e-source-key-0123456789';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const RULES = { lead: DEMO_SEED.rules.lead, purchase: DEMO_SEED.rules.purchase };
export const HOUR = 3_600_000;

export interface SandboxHandle {
  sandbox: Sandbox;
  url: string;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const sandbox = createSandbox({ recordBodies: 'none', keepEvents: true, ...options });
  const { url } = await sandbox.start({ port: 0, host: '127.0.0.1' });
  return { sandbox, url, stop: () => sandbox.stop() };
}

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `capi-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Live-mode environment for a gateway that delivers to the sandbox. */
export function gatewayEnv(sandboxUrl: string, storeUrl: string, extra: Record<string, string> = {}) {
  return {
    CAPI_STORE_URL: storeUrl,
    LINKEDIN_ACCESS_TOKEN: DEMO_SEED.tokens.valid,
    LINKEDIN_API_BASE_URL: sandboxUrl,
    LINKEDIN_AD_ACCOUNT: DEMO_SEED.account.id,
    CAPI_CONVERSIONS: `lead=${RULES.lead},purchase=${RULES.purchase}`,
    CAPI_SOURCE_KEYS: `e2e:${SOURCE_KEY}`,
    CAPI_ADMIN_TOKEN: ADMIN_TOKEN,
    CAPI_DELIVERY_LINGER_MS: '20',
    ...extra,
  };
}

export interface NativeEvent {
  conversion: string;
  eventId: string;
  happenedAt: number;
  user: Record<string, string>;
  value?: { amount: string; currency: string };
}

export function makeEvents(
  prefix: string,
  count: number,
  happenedAt: number,
  conversion = 'lead',
): NativeEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    conversion,
    eventId: `${prefix}-${i}`,
    happenedAt,
    user: { email: `${prefix}-${i}@example.com` },
  }));
}

/** `total` events in requests of `perRequest`, alternating between the lead and purchase rules. */
export function makeBatches(
  prefix: string,
  total: number,
  perRequest: number,
  happenedAt: number,
): NativeEvent[][] {
  return Array.from({ length: total / perRequest }, (_, r) =>
    makeEvents(`${prefix}-${r}`, perRequest, happenedAt, r % 2 === 0 ? 'lead' : 'purchase'),
  );
}

/**
 * Sends every batch with `clients` concurrent producers, each retrying unanswered requests, and
 * returns the acknowledged eventIds. Every answer must be `accepted` or `duplicate`.
 */
export async function ingestAll(
  batches: NativeEvent[][],
  baseUrl: () => string,
  clients: number,
): Promise<Set<string>> {
  const acknowledged = new Set<string>();
  let next = 0;
  const client = async () => {
    for (let r = next++; r < batches.length; r = next++) {
      const results = await postUntilAnswered(baseUrl, batches[r]!);
      for (const res of results) {
        expect(['accepted', 'duplicate']).toContain(res.status);
        if (res.eventId) acknowledged.add(res.eventId);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return acknowledged;
}

export interface IngestResult {
  eventId: string | null;
  status: string;
  errors?: Array<{ code: string; path?: string; message: string }>;
}

/**
 * Posts one batch until the gateway answers 2xx. Unanswered requests (connection refused or
 * reset while the gateway is down) are retried with the same body, hence the same eventIds.
 */
export async function postUntilAnswered(
  baseUrl: () => string,
  events: NativeEvent[],
  opts: { maxMs?: number } = {},
): Promise<IngestResult[]> {
  const body = JSON.stringify({ events });
  const deadline = Date.now() + (opts.maxMs ?? 120_000);
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const res = await postBody(baseUrl(), body, 15_000);
      const text = await res.text();
      if (res.ok) return (JSON.parse(text) as { results: IngestResult[] }).results;
      lastError = `${res.status} ${text.slice(0, 200)}`;
      if (res.status < 500) throw new Error(`ingest refused: ${lastError}`);
    } catch (err) {
      if ((err as Error).message.startsWith('ingest refused')) throw err;
      lastError = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`ingest never answered: ${lastError}`);
}

/** One POST /v1/events with the e2e source key. */
function postBody(baseUrl: string, body: string, timeoutMs: number): Promise<Response> {
  return fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SOURCE_KEY}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** Posts one batch once, whatever the answer: its status, Retry-After and parsed body. */
export async function postOnce(baseUrl: string, events: NativeEvent[]) {
  const res = await postBody(baseUrl, JSON.stringify({ events }), 60_000);
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as unknown,
  };
}

export async function admin<T>(baseUrl: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Delivered eventIds at the sandbox: distinct set and total deliveries. */
export function deliveredAt(sandbox: Sandbox): { distinct: Set<string>; total: number } {
  const events = sandbox.events();
  const distinct = new Set<string>();
  for (const e of events) if (e.eventId) distinct.add(e.eventId);
  return { distinct, total: events.length };
}

/** Checks that each result's status is one of `allowed`, and adds its eventId to `acknowledged`. */
export function acknowledge(
  acknowledged: Set<string>,
  results: readonly IngestResult[],
  allowed: readonly string[],
): void {
  for (const res of results) {
    expect(allowed).toContain(res.status);
    acknowledged.add(res.eventId!);
  }
}

/**
 * Waits until the sandbox holds every acknowledged eventId, then checks that each was delivered
 * exactly once (no event beyond them, none twice).
 */
export async function expectDeliveredOnce(
  sandbox: Sandbox,
  acknowledged: ReadonlySet<string>,
  timeoutMs: number,
) {
  await eventually(
    () => deliveredAt(sandbox).distinct.size >= acknowledged.size,
    timeoutMs,
    'every acknowledged event delivered',
  );
  const delivered = deliveredAt(sandbox);
  for (const id of acknowledged) expect(delivered.distinct.has(id), `${id} delivered`).toBe(true);
  expect(delivered.total, 'each event delivered once').toBe(acknowledged.size);
}

/** The largest number of requests in any 60-second sliding window. */
export function maxInAnyMinute(times: number[]): number {
  return busiestMinute(times).count;
}

/** The busiest 60-second sliding window: its request count and the times in it (for messages). */
export function busiestMinute(times: number[]): { count: number; window: number[] } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = { count: 0, from: 0, to: 0 };
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 60_000) start++;
    if (end - start + 1 > best.count) best = { count: end - start + 1, from: start, to: end };
  }
  return { count: best.count, window: sorted.slice(best.from, best.to + 1) };
}
