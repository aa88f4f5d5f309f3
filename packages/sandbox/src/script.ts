/**
 * One-shot scripted responses: a queue of canned answers, each used once, in order, optionally
 * only for requests whose path starts with `path` (and whose method is `method`). This is how a
 * test says "the next batch gets a 503, then a 429, then proceed normally".
 */
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { SandboxEnv } from './context.js';

export interface ScriptedResponse {
  status: number;
  /** Objects are sent as JSON; strings as they are; absent means an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests whose path starts with this are answered; default any scripted path. */
  path?: string;
  method?: string;
}

export const scriptedResponseSchema = z.strictObject({
  status: z.number().int().min(100).max(599),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  path: z.string().optional(),
  method: z.string().optional(),
});

export class ResponseScript {
  #queue: ScriptedResponse[] = [];

  push(responses: readonly ScriptedResponse[]): void {
    this.#queue.push(...responses);
  }

  /** Removes and returns the first queued response that matches, if any. */
  take(method: string, path: string): ScriptedResponse | undefined {
    if (this.#queue.length === 0) return undefined;
    const i = this.#queue.findIndex(
      (r) =>
        (r.path === undefined || path.startsWith(r.path)) &&
        (r.method === undefined || r.method.toUpperCase() === method),
    );
    if (i < 0) return undefined;
    return this.#queue.splice(i, 1)[0];
  }

  pending(): ScriptedResponse[] {
    return [...this.#queue];
  }

  clear(): void {
    this.#queue = [];
  }
}

export function toResponse(r: ScriptedResponse): Response {
  const headers = new Headers(r.headers);
  let body: string | null = null;
  if (typeof r.body === 'string') body = r.body;
  else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  // Statuses such as 204 must not carry a body.
  if (r.status === 204 || r.status === 304) body = null;
  return new Response(body, { status: r.status, headers });
}

export function scriptMiddleware(script: ResponseScript): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const scripted = script.take(c.req.method, c.req.path);
    if (!scripted) return next();
    c.set('fault', 'scripted');
    return toResponse(scripted);
  };
}
