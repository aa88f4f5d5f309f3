/**
 * What every route module receives: the injected dependencies plus the pieces built once per app
 * (rule resolver, key ring, ingest pipeline, intake guard).
 */
import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ConversionResolver } from '../domain/conversions.js';
import { GatewayError } from '../errors.js';
import type { KeyRing } from './auth.js';
import type { AppEnv, HttpDeps } from './deps.js';
import type { Ingestor } from './ingest.js';

export type App = OpenAPIHono<AppEnv>;

export interface RouteContext {
  deps: HttpDeps;
  resolver: ConversionResolver;
  sources: KeyRing;
  ingestor: Ingestor;
  /** Refuses ingest with 503 SHUTTING_DOWN once intake is closed (SIGTERM). */
  intakeOpen: MiddlewareHandler<AppEnv>;
}

export function intakeGuard(intake: HttpDeps['intake']): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    if (!intake.accepting()) throw new GatewayError('SHUTTING_DOWN', { headers: { 'Retry-After': '5' } });
    await next();
  };
}

/** `?validate_only=true|false|1|0`; anything else is a QUERY_INVALID rather than a silent default. */
export function validateOnlyFlag(value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new GatewayError('QUERY_INVALID', { path: 'validate_only', message: 'validate_only must be true or false.' });
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
