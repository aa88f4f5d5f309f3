/**
 * The HTTP application: ingest (native, LinkedIn-compatible, Segment-compatible), admin and
 * operations routes, one error catalogue, and an OpenAPI document generated from the same schemas.
 * The composition root serves it with @hono/node-server; tests call `app.request()` in-process.
 */

import type { RequestListener } from 'node:http';
import { OpenAPIHono } from '@hono/zod-openapi';
import { createAuthFailureLimiter } from '../domain/auth-failures.js';
import { createConversionResolver } from '../domain/conversions.js';
import { GatewayError } from '../errors.js';
import { createKeyRing } from './auth.js';
import { createAuthGuard } from './auth-guard.js';
import { createAdmission, type RouteContext } from './context.js';
import type { HttpDeps } from './deps.js';
import { directLane } from './direct-lane.js';
import { createIngestor } from './ingest.js';
import { createIngestGate } from './ingest-gate.js';
import { allowedMethodsLookup, type ServedAt } from './method-not-allowed.js';
import { openApiDocumentFactory, registerRequestIdHeaders, registerSecuritySchemes } from './openapi.js';
import { REQUEST_METHOD, REQUEST_PATH } from './problem-path.js';
import { errorResponse, handleError } from './respond.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerLinkedInRoutes } from './routes/linkedin.js';
import { registerNativeRoutes } from './routes/native.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerSegmentRoutes } from './routes/segment.js';

export type { HttpDeps, Readiness } from './deps.js';

/** The app, and the direct lane that serves plain native ingest requests in front of it. */
export interface GatewayHttp {
  app: OpenAPIHono;
  /** Wraps the adapter's node:http listener (direct-lane.ts). */
  directLane: (app: RequestListener) => RequestListener;
}

/** The Hono app alone, for in-process use (`app.request()`). */
export function createHttpApp(deps: HttpDeps): OpenAPIHono {
  return createGatewayHttp(deps).app;
}

export function createGatewayHttp(deps: HttpDeps): GatewayHttp {
  const app = new OpenAPIHono();
  const resolver = createConversionResolver({
    rules: deps.config.rules,
    accounts: deps.config.accounts.map((a) => a.id),
  });
  const guard = createAuthGuard({
    limiter: createAuthFailureLimiter(deps.config.authFailuresPerMinute),
    clock: deps.clock,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const ctx: RouteContext = {
    deps,
    resolver,
    ingestor: createIngestor(deps, resolver),
    admit: createAdmission(deps.intake, createKeyRing(deps.config.sources), guard),
    guard,
    gate: createIngestGate(deps.config.maxInFlightBytes),
  };

  registerSecuritySchemes(app);
  registerRequestIdHeaders(app);
  registerNativeRoutes(app, ctx);
  registerLinkedInRoutes(app, ctx);
  registerSegmentRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerOpsRoutes(app, ctx, openApiDocumentFactory(app, deps));

  const servedAt = allowedMethodsLookup(app);
  app.notFound((c) => {
    const { methods } = servedAt(c.req.path);
    if (methods.length === 0) return errorResponse(c, notFound(servedAt, c.req.path));
    c.header('Allow', methods.join(', '));
    return errorResponse(
      c,
      new GatewayError('METHOD_NOT_ALLOWED', {
        path: REQUEST_METHOD,
        message: `${c.req.method} is not served at this path; it answers ${methods.join(', ')}.`,
      }),
    );
  });
  app.onError(handleError(deps.logger));
  return { app, directLane: directLane(ctx, deps.logger) };
}

/**
 * 404 for a path no route serves. Routes are matched strictly, so `/v1/events/` is not
 * `/v1/events`; that near miss is named, as the route's template (never the client's own path,
 * which may hold an eventId).
 */
function notFound(servedAt: (path: string) => ServedAt, path: string): GatewayError {
  const withoutSlash = path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') : null;
  const near = withoutSlash === null ? null : servedAt(withoutSlash);
  if (near === null || near.templates.length === 0)
    return new GatewayError('NOT_FOUND', { path: REQUEST_PATH });
  const route = near.templates.join(', ');
  return new GatewayError('NOT_FOUND', {
    path: REQUEST_PATH,
    message: `Nothing is served at this path: it ends with a slash. ${route} (without it) answers ${near.methods.join(', ')}.`,
    fix: `Send the request to ${route}, without the trailing slash.`,
  });
}
