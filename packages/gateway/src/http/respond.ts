/**
 * Error responses. Native, Segment and admin routes answer `{ error: { code, message, fix, … } }`;
 * the LinkedIn-compatible route answers in LinkedIn's own gateway shape `{ status, code, message }`
 * so a direct integration's error handling keeps working, plus the `path` every 4xx names
 * (problem-path.ts), which LinkedIn's clients pass over as an unknown field.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { speaksLinkedIn } from './dialect.js';
import { requestIdOf } from './request-id.js';

/** The body an error answers with on `path`: LinkedIn's shape under /rest/, the catalogue's elsewhere. */
export function errorBodyFor(err: GatewayError, path: string): object {
  if (speaksLinkedIn(path)) {
    const body: { status: number; code: string; message: string; path?: string } = {
      status: err.status,
      code: err.code,
      message: err.message,
    };
    if (err.path !== undefined) body.path = err.path;
    return body;
  }
  return err.toBody();
}

export function errorResponse(c: Context, err: GatewayError): Response {
  if (err.headers) for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json(errorBodyFor(err, c.req.path), err.status as ContentfulStatusCode);
}

/** What the error handler logs about a failure it did not expect; never the request body. */
export function logUnexpected(
  logger: Logger,
  err: unknown,
  request: { method: string; path: string; requestId: string | undefined },
): void {
  logger.error({ err, ...request }, 'unhandled error in HTTP handler');
}

/** The app's error handler: catalogued errors as they are, anything else as a logged 500 INTERNAL. */
export function handleError(logger: Logger) {
  return (err: unknown, c: Context): Response => {
    if (err instanceof GatewayError) return errorResponse(c, err);
    // Log the failure itself, never the request body (it may hold personal data).
    logUnexpected(logger, err, { method: c.req.method, path: c.req.routePath, requestId: requestIdOf(c) });
    return errorResponse(c, new GatewayError('INTERNAL'));
  };
}
