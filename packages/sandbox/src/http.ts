/** Small request helpers shared by the routes. */
import type { Context } from 'hono';
import type { SandboxEnv } from './context.js';
import { ERRORS, Problem } from './errors.js';
import { parseKey, RestliQuery, RestliSyntaxError, type RestliValue, splitUrl } from './restli.js';

export type SandboxContext = Context<SandboxEnv>;

/** The `X-RestLi-Method` header, upper-cased; '' when absent. */
export function restliMethod(c: SandboxContext): string {
  return (c.req.header('x-restli-method') ?? '').trim().toUpperCase();
}

export function queryOf(c: SandboxContext): RestliQuery {
  return new RestliQuery(splitUrl(c.req.url).query);
}

/**
 * The raw path segments after `/rest/`, still percent-encoded, so URN keys and compound keys can be
 * parsed with Rest.li rules rather than the router's generic decoding.
 */
export function restSegments(c: SandboxContext): string[] {
  const { path } = splitUrl(c.req.url);
  return path
    .replace(/^\/rest\//, '')
    .split('/')
    .filter((s) => s !== '');
}

/** Parses a path key segment; malformed keys are a 400. */
export function keyOf(raw: string): RestliValue {
  try {
    return parseKey(raw);
  } catch (err) {
    if (err instanceof RestliSyntaxError) throw new Problem(ERRORS.badRequest(`Invalid key: ${raw}`));
    throw err;
  }
}

/** The body parsed as JSON; an empty body is undefined, malformed JSON a 400 like Rest.li's. */
export async function readJson(c: SandboxContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Problem(ERRORS.badRequest('Cannot parse request entity'));
  }
}

/** `/conversionEvents` style path for Rest.li messages (without the `/rest` prefix). */
export function resourcePath(c: SandboxContext): string {
  return c.req.path.replace(/^\/rest/, '');
}
