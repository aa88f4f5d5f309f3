/**
 * What every route module receives: the injected dependencies plus the pieces built once per app
 * (rule resolver, ingest pipeline, admission of ingest requests).
 */

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ConversionResolver } from '../domain/conversions.js';
import { GatewayError } from '../errors.js';
import { authenticateSource, type KeyRing } from './auth.js';
import type { HttpDeps } from './deps.js';
import type { Ingestor } from './ingest.js';
import type { IngestGate } from './ingest-gate.js';

export type App = OpenAPIHono;

export interface RouteContext {
  deps: HttpDeps;
  resolver: ConversionResolver;
  ingestor: Ingestor;
  /**
   * The first step of every ingest request: 503 SHUTTING_DOWN once intake is closed (SIGTERM), else
   * the source named by the key in the Authorization header (401 otherwise). A plain call rather
   * than middleware, to keep the hot path free of extra async hops.
   */
  admit(authorization: string | undefined, allowBasic: boolean): string;
  /** Bounds the request bodies worked on at once (ingest-gate.ts). */
  gate: IngestGate;
}

/**
 * Runs `work` (parse, plan, commit) under an ingest permit sized by the body text it will parse;
 * the permit is released however `work` ends.
 */
export async function withIngestPermit<T>(
  ctx: RouteContext,
  text: string,
  work: () => T | Promise<T>,
): Promise<T> {
  const release = await ctx.gate.acquire(text.length);
  try {
    return await work();
  } finally {
    release();
  }
}

export function createAdmission(intake: HttpDeps['intake'], ring: KeyRing): RouteContext['admit'] {
  return (authorization, allowBasic) => {
    if (!intake.accepting()) throw new GatewayError('SHUTTING_DOWN', { headers: { 'Retry-After': '5' } });
    return authenticateSource(authorization, ring, allowBasic);
  };
}

/** `?validate_only=true|false|1|0`; anything else is a QUERY_INVALID rather than a silent default. */
export function validateOnlyFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new GatewayError('QUERY_INVALID', {
    path: 'validate_only',
    message: 'validate_only must be true or false.',
  });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
