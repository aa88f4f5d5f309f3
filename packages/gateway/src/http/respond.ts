/**
 * Error responses. Native, Segment and admin routes answer `{ error: { code, message, fix, … } }`;
 * the LinkedIn-compatible route answers in LinkedIn's own gateway shape `{ status, code, message }`
 * so a direct integration's error handling keeps working.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { speaksLinkedIn } from './dialect.js';
import { requestIdOf } from './request-id.js';

function withHeaders(c: Context, err: GatewayError): void {
  if (err.headers) for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
}

export function errorResponse(c: Context, err: GatewayError): Response {
  withHeaders(c, err);
  const status = err.status as ContentfulStatusCode;
  if (speaksLinkedIn(c.req.path)) {
    return c.json({ status: err.status, code: err.code, message: err.message }, status);
  }
  return c.json(err.toBody(), status);
}

/** The app's error handler: catalogued errors as they are, anything else as a logged 500 INTERNAL. */
export function handleError(logger: Logger) {
  return (err: unknown, c: Context): Response => {
    if (err instanceof GatewayError) return errorResponse(c, err);
    // Log the failure itself, never the request body (it may hold personal data).
    logger.error(
      { err, method: c.req.method, path: c.req.routePath, requestId: requestIdOf(c) },
      'unhandled error in HTTP handler',
    );
    return errorResponse(c, new GatewayError('INTERNAL'));
  };
}
