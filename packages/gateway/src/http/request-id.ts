import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { speaksLinkedIn } from './dialect.js';

/**
 * Request ids: every answer carries `X-Request-Id`, and the gateway's log lines about a request
 * carry the same id, so an operator can go from a client's report to the log line.
 *
 * A caller's own id (a load balancer's, a tracing proxy's) is kept when it is a plain token:
 * letters, digits and `._:-`, at most 128 characters. Anything else is replaced with a fresh UUID,
 * because the id is written to the logs and a free-form header could carry personal data (an
 * email address needs `@`, which the token alphabet excludes).
 *
 * Set at the node:http layer, not as a Hono middleware: a middleware on every route sends every
 * request through Hono's compose, which measured 5–15 % of single-event throughput. Here it costs
 * one header per request; handlers read the id back from the response they are answering.
 *
 * REQUEST_ID_PATTERN is what a caller's own id must look like to be kept (the OpenAPI document
 * states it too).
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** LinkedIn's own request-id header; the drop-in routes under /rest/ answer with it too. */
export const LINKEDIN_REQUEST_ID_HEADER = 'X-LI-UUID';

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

/** Wraps the server's request listener: the id is on the response before any route runs. */
export function withRequestIds(listener: RequestListener): RequestListener {
  return (req, res) => {
    const id = requestIdFrom(req.headers['x-request-id']);
    // Node merges headers set here with those the adapter passes to writeHead.
    res.setHeader(REQUEST_ID_HEADER, id);
    // A direct LinkedIn integration that logs LinkedIn's request id keeps finding one.
    if (req.url !== undefined && speaksLinkedIn(req.url)) res.setHeader(LINKEDIN_REQUEST_ID_HEADER, id);
    listener(req, res);
  };
}

/**
 * node:http's createServer for `serve({ createServer })`, with request ids set first and `inner`
 * (the direct lane) between them and the adapter's listener. The adapter always passes
 * (options, listener); the cast only restates node's overloads for that call.
 */
export function serverWithRequestIds(
  inner: (listener: RequestListener) => RequestListener,
): typeof createServer {
  return ((options: ServerOptions, listener: RequestListener) =>
    createServer(options, withRequestIds(inner(listener)))) as typeof createServer;
}

/** The id of the request a handler is answering; undefined when it did not come through node:http. */
export function requestIdOf(c: Context): string | undefined {
  // @hono/node-server passes the node request and response as the app's env.
  const id = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing?.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : undefined;
}
