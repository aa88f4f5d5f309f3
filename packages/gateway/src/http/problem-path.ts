/**
 * Where a request-level problem lies: every 4xx answer names, in `path`, the part of the request at
 * fault, so a client can point at it without parsing the message (docs/errors.md, "path").
 *
 * - In the body: a JSON pointer (RFC 6901) into it; "" is the whole body (it is not JSON, too
 *   large, or has the wrong shape as a whole).
 * - Anywhere else: `<location>:<name>`, with the locations OpenAPI gives parameters (`in`):
 *   `header:<name>` (the header's name in lower case, as HTTP/2 writes it), `query:<name>`,
 *   `path:<name>` (a parameter in the URL path, as the route's template names it), and
 *   `request:method` / `request:path` for the request line itself.
 *
 * A JSON pointer is empty or starts with "/", so the two forms never look alike. 5xx answers carry
 * no path: nothing in the request was at fault.
 */

/** The whole body. */
export const WHOLE_BODY = '';

export function headerPath(name: string): string {
  return `header:${name.toLowerCase()}`;
}

export function queryPath(name: string): string {
  return `query:${name}`;
}

/** A parameter of the route's URL path, e.g. `path:eventId` for /v1/events/{eventId}. */
export function pathParameterPath(name: string): string {
  return `path:${name}`;
}

/** The HTTP method (405). */
export const REQUEST_METHOD = 'request:method';
/** The URL path as a whole (404). */
export const REQUEST_PATH = 'request:path';

export const AUTHORIZATION = headerPath('authorization');

/**
 * A query problem found by a zod schema of the query, whose pointer is `/name` (query parameters
 * are flat; the pointer's name is already escaped and never echoes an email-like key).
 */
export function queryPathFromPointer(pointer: string): string {
  return queryPath(pointer.startsWith('/') ? pointer.slice(1) : pointer);
}
