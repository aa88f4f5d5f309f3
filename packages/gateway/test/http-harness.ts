/**
 * Shared set-up for the HTTP tests: a real configuration (parsed by loadConfig), the memory store,
 * a fixed clock, and a logger whose lines are captured for the PII checks.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type GatewayConfig, loadConfig } from '../src/config.js';
import { createGatewayHttp, type GatewayHttp, type HttpDeps } from '../src/http/app.js';
import { serverWithRequestIds } from '../src/http/request-id.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';

export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const HOUR = 3_600_000;

export const KEYS = {
  website: 'website-key-0123456789abcdef',
  crm: 'crm-key-0123456789abcdef01',
  admin: 'admin-token-0123456789abcdef',
} as const;

export const ACCOUNT = '508123456';
export const RULES = { lead: '7345120', purchase: '7345121', qualified_lead: '7345122' } as const;

const BASE_YAML = `
accounts:
  - id: ${ACCOUNT}
    conversions: { lead: ${RULES.lead}, purchase: ${RULES.purchase}, qualified_lead: ${RULES.qualified_lead} }
sources:
  - { name: website, key: ${KEYS.website} }
  - { name: crm, key: ${KEYS.crm} }
adminToken: ${KEYS.admin}
logLevel: debug
`;

export interface ConfigOptions {
  /** Extra YAML appended to the base file. */
  yaml?: string;
  /** Replaces the base file entirely. */
  replaceYaml?: string;
  env?: Record<string, string>;
}

export function testConfig(options: ConfigOptions = {}): Readonly<GatewayConfig> {
  const yamlText = options.replaceYaml ?? BASE_YAML + (options.yaml ?? '');
  return loadConfig({ env: options.env ?? {}, yamlText });
}

/**
 * How `post` and `get` reach the app: `in-process` calls `app.request()`; `socket` sends real HTTP
 * to the app served as `capi start` serves it (request ids, the direct lane in front of Hono).
 */
export type Transport = 'in-process' | 'socket';
let defaultTransport: Transport = 'in-process';

/** The transport of every harness made after this call (a test file runs one suite over a socket). */
export function useTransport(transport: Transport): void {
  defaultTransport = transport;
}

export interface Harness {
  app: GatewayHttp['app'];
  directLane: GatewayHttp['directLane'];
  transport: Transport;
  store: OutboxStore;
  deps: HttpDeps;
  logs: string[];
  clock: { now(): number; set(ms: number): void };
  intake: { accepting(): boolean; close(): void };
  wakeups: () => number;
}

export interface HarnessOptions extends ConfigOptions {
  config?: Readonly<GatewayConfig>;
  store?: OutboxStore;
  readiness?: HttpDeps['readiness'];
  transport?: Transport;
}

export function harness(options: HarnessOptions = {}): Harness {
  let now = NOW;
  let accepting = true;
  let wakeups = 0;
  const logs: string[] = [];
  const clock = { now: () => now, set: (ms: number) => (now = ms) };
  const config = options.config ?? testConfig(options);
  const store = options.store ?? createMemoryStore({ clock, dedupWindowMs: config.dedupWindowMs });
  const deps: HttpDeps = {
    config,
    store,
    clock,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: createLogger('debug', { write: (line: string) => void logs.push(line) }),
    intake: { accepting: () => accepting },
    onAccepted: () => void wakeups++,
    readiness: options.readiness,
  };
  const http = createGatewayHttp(deps);
  return {
    app: http.app,
    directLane: http.directLane,
    transport: options.transport ?? defaultTransport,
    store,
    deps,
    logs,
    clock,
    intake: { accepting: () => accepting, close: () => (accepting = false) },
    wakeups: () => wakeups,
  };
}

export interface SendOptions {
  key?: string | null;
  headers?: Record<string, string>;
  query?: string;
  /** Send this text as the body instead of JSON-encoding `body`. */
  raw?: string | Uint8Array;
  /** Send the body as a stream: no Content-Length (chunked over a socket). */
  chunked?: boolean;
}

/** POST a JSON body (or raw text) with a Bearer source key (website by default). */
export async function post(
  h: Harness,
  path: string,
  body: unknown,
  options: SendOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const key = options.key === undefined ? KEYS.website : options.key;
  if (key !== null && headers.authorization === undefined) headers.authorization = `Bearer ${key}`;
  const target = `${path}${options.query ? `?${options.query}` : ''}`;
  const payload = options.raw ?? JSON.stringify(body);
  // Over a socket, fetch states the true length itself and refuses one given.
  if (h.transport === 'socket') delete headers['content-length'];
  if (options.chunked) {
    const stream = new Blob([payload]).stream();
    return request(h, target, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
  }
  return request(h, target, { method: 'POST', headers, body: payload });
}

export async function get(h: Harness, path: string, key: string | null = KEYS.admin): Promise<Response> {
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  return request(h, path, { headers });
}

async function request(h: Harness, target: string, init: RequestInit): Promise<Response> {
  if (h.transport === 'in-process') return h.app.request(`http://gateway.test${target}`, init);
  const { url } = await served(h);
  return fetch(`${url}${target}`, { ...init, signal: AbortSignal.timeout(10_000) });
}

const servers = new WeakMap<Harness, Promise<{ url: string; server: Server }>>();

/**
 * The harness's app on a loopback port, served exactly as `capi start` serves it. Started on first
 * use; the server is unref'd, so a test file needs no clean-up for it.
 */
export function served(h: Harness): Promise<{ url: string; server: Server }> {
  let started = servers.get(h);
  if (!started) {
    started = new Promise((resolve, reject) => {
      const server = serve(
        {
          fetch: h.app.fetch,
          port: 0,
          hostname: '127.0.0.1',
          createServer: serverWithRequestIds(h.directLane),
        },
        (info: AddressInfo) => {
          (server as Server).unref();
          resolve({ url: `http://127.0.0.1:${info.port}`, server: server as Server });
        },
      );
      server.once('error', reject);
    });
    servers.set(h, started);
  }
  return started;
}

export function basic(user: string, password = ''): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A valid native event, one hour old. */
export function nativeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversion: 'lead',
    eventId: `ev-${Math.random().toString(36).slice(2)}`,
    happenedAt: NOW - HOUR,
    user: { email: 'Jane.Doe@Example.com', liFatId: 'a1b2c3-d4e5f6' },
    ...overrides,
  };
}

/** A valid LinkedIn element for rule `lead`. */
export function linkedInEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
    conversionHappenedAt: NOW - HOUR,
    eventId: `li-${Math.random().toString(36).slice(2)}`,
    user: {
      userIds: [
        {
          idType: 'SHA256_EMAIL',
          idValue: '86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d',
        },
      ],
    },
    ...overrides,
  };
}

/** A valid Segment track call. */
export function trackCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'track',
    event: 'Lead',
    messageId: `msg-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date(NOW - HOUR).toISOString(),
    context: { traits: { email: 'sam.lee@example.com' }, ip: '203.0.113.7' },
    properties: {},
    ...overrides,
  };
}
