/**
 * What every route module receives: the injected dependencies plus the pieces built once per app
 * (rule resolver, ingest pipeline, admission of ingest requests).
 */

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ConversionResolver } from '../domain/conversions.js';
import { GatewayError } from '../errors.js';
import { authenticateSource, type KeyRing } from './auth.js';
import { type AuthGuard, clientAddress } from './auth-guard.js';
import { decodeBody, parseJsonText, readBodyText, withoutByteOrderMark } from './body.js';
import type { HttpDeps } from './deps.js';
import type { Ingestor } from './ingest.js';
import type { IngestGate } from './ingest-gate.js';
import { queryPath } from './problem-path.js';
import { requestIdOf } from './request-id.js';

export type App = OpenAPIHono;

/**
 * One ingest request as plain values, whoever parsed the HTTP: a Hono route (`ingestCallOf`) or the
 * direct lane (direct-lane.ts), which serves the plain case straight from node:http. Each route's
 * answer function (`answerNative`, `answerSegment`, `answerLinkedIn`) takes this, plus what only
 * that route reads.
 */
export interface IngestCall {
  authorization: string | undefined;
  /** The socket's peer address (auth throttling); null in-process. */
  client: string | null;
  /** The raw `validate_only` query value. */
  validateOnly: string | undefined;
  requestId: string | undefined;
  /**
   * Starts reading the body within the body limit; called only once the request is admitted. Text
   * (a Hono route: the adapter decodes it), or the body's bytes still to decode (the direct lane: a
   * request waiting for its ingest permit then holds its body outside the JavaScript heap, where no
   * young-generation collection copies it).
   */
  read: () => Promise<string | Uint8Array>;
}

/** The call of a request a Hono ingest route serves. */
export function ingestCallOf(c: Context, deps: HttpDeps): IngestCall {
  return {
    authorization: c.req.header('authorization'),
    client: clientAddress(c),
    validateOnly: c.req.query('validate_only'),
    requestId: requestIdOf(c),
    read: () => readBodyText(c.req.raw, deps.config.bodyLimitBytes),
  };
}

export interface RouteContext {
  deps: HttpDeps;
  resolver: ConversionResolver;
  ingestor: Ingestor;
  /**
   * The first step of every ingest request: 503 SHUTTING_DOWN once intake is closed (SIGTERM), 429
   * AUTH_THROTTLED while the client's address is over its limit of wrong keys, else the source
   * named by the key in the Authorization header (401 otherwise). A plain call rather than
   * middleware, to keep the hot path free of extra async hops. `client`: `clientAddress(c)`.
   */
  admit(authorization: string | undefined, allowBasic: boolean, client: string | null): string;
  /** Throttles wrong credentials per client address (auth-guard.ts); the admin routes use it too. */
  guard: AuthGuard;
  /** Bounds the request bodies worked on at once (ingest-gate.ts). */
  gate: IngestGate;
}

/**
 * The ingest routes' shared start: await the body being read (within the body limit, by the Hono
 * route or the direct lane), take an ingest permit sized by it, decode it if it came as bytes, parse
 * it as JSON, and hand the parsed body to `work` (plan, commit, reply).
 * Reading comes before the permit, so a slow sender holds a socket, never a permit; the permit is
 * released however `work` ends.
 *
 * `work` should not be an `async` function: one keeps its locals (the parsed body, drafts, rows)
 * alive across its awaits, and with every request in flight held through its commit they survive
 * into the old generation (measured: scavenges took 28 % of the main thread under batch ingest).
 * Return a promise chain that captures only what the answer needs.
 */
export function withIngestText<T>(
  ctx: RouteContext,
  reading: Promise<string | Uint8Array>,
  work: (body: unknown) => T | Promise<T>,
): Promise<T> {
  // A promise chain, not an async function: an async function holds its locals across every await,
  // and this one's text (the whole body, ~89 kB for a 500-event batch) would live through the
  // commit with every request in flight, long enough to be promoted into the old generation.
  return reading.then((raw) => ctx.gate.acquire(raw.length).then((release) => start(raw, work, release)));
}

/** Decodes and parses the body and starts `work`; returns at once, so nothing here keeps the text alive. */
function start<T>(
  raw: string | Uint8Array,
  work: (body: unknown) => T | Promise<T>,
  release: () => void,
): Promise<T> {
  let running: Promise<T>;
  try {
    const text = typeof raw === 'string' ? raw : withoutByteOrderMark(decodeBody(raw));
    running = Promise.resolve(work(parseJsonText(text)));
  } catch (err) {
    release();
    return Promise.reject(err);
  }
  return running.finally(release);
}

export function createAdmission(
  intake: HttpDeps['intake'],
  ring: KeyRing,
  guard: AuthGuard,
): RouteContext['admit'] {
  return (authorization, allowBasic, client) => {
    if (!intake.accepting()) {
      // Connection: close sends keep-alive clients to a new connection, and so to another instance.
      throw new GatewayError('SHUTTING_DOWN', { headers: { 'Retry-After': '5', Connection: 'close' } });
    }
    return guard.authenticate(client, () => authenticateSource(authorization, ring, allowBasic));
  };
}

/** `?validate_only=true|false|1|0`; anything else is a QUERY_INVALID rather than a silent default. */
export function validateOnlyFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new GatewayError('QUERY_INVALID', {
    path: queryPath('validate_only'),
    message: 'validate_only must be true or false.',
  });
}

/** The route's description of the body limit, repeated in the OpenAPI document. */
export function limitsText(deps: HttpDeps): string {
  const { bodyLimitBytes, maxEventsPerRequest } = deps.config;
  return `Body limit: ${bodyLimitBytes} bytes after decoding (413 BODY_TOO_LARGE); at most ${maxEventsPerRequest} events per request (413 TOO_MANY_EVENTS). gzip and deflate bodies are accepted.`;
}

/** An OpenAPI JSON response entry. */
export function json<T>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
