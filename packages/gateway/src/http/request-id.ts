import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/**
 * Request ids: every answer carries `X-Request-Id`, and the gateway's log lines about a request
 * carry the same id, so an operator can go from a client's report to the log line.
 *
 * A caller's own id (a load balancer's, a tracing proxy's) is kept when it is a plain token:
 * letters, digits and `._:-`, at most 128 characters. Anything else is replaced with a fresh UUID,
 * because the id is written to the logs and a free-form header could carry personal data (an
 * email address needs `@`, which the token alphabet excludes).
 */
const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && TOKEN.test(header) ? header : randomUUID();
}

/** The id of a request, for code that has the Request but not the middleware's context. */
const ids = new WeakMap<Request, string>();

export function requestIdOf(request: Request): string | undefined {
  return ids.get(request);
}

export function requestIds(): MiddlewareHandler {
  return async (c, next) => {
    const id = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    ids.set(c.req.raw, id);
    await next();
    try {
      c.res.headers.set(REQUEST_ID_HEADER, id);
    } catch {
      // A response with immutable headers (one passed through from fetch): answer a copy.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set(REQUEST_ID_HEADER, id);
    }
  };
}
