/**
 * Source keys and the admin token. Keys are compared as SHA-256 digests with timingSafeEqual, and
 * every configured key is compared on every request, so neither a key's prefix nor its position in
 * the list shows in the response time. The source name comes from the key, never from the request.
 */
import * as crypto from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../errors.js';
import { type AuthGuard, clientAddress } from './auth-guard.js';
import { AUTHORIZATION } from './problem-path.js';

/** One-shot `crypto.hash` (Node ≥ 20.12) is several times faster than a Hash object per request. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

function digest(value: string): Buffer {
  if (oneShot) return oneShot('sha256', value, 'buffer');
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

export interface KeyRing {
  /** The name that owns `key`, or null. */
  match(key: string): string | null;
}

export function createKeyRing(entries: ReadonlyArray<{ name: string; key: string }>): KeyRing {
  const ring = entries.map((e) => ({ name: e.name, digest: digest(e.key) }));
  return {
    match(key) {
      const presented = digest(key);
      let found: string | null = null;
      for (const entry of ring) {
        if (crypto.timingSafeEqual(presented, entry.digest) && found === null) found = entry.name;
      }
      return found;
    },
  };
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=_-]+)[ \t]*$/i;

/**
 * The key in an Authorization header: `Bearer <key>`, or (Segment style, when allowed) `Basic` with
 * the key as user name and an empty password. Null when the header is missing or unreadable.
 */
export function keyFromHeader(header: string | undefined, allowBasic: boolean): string | null {
  if (!header) return null;
  const bearer = BEARER.exec(header);
  if (bearer) return bearer[1] ?? null;
  if (!allowBasic) return null;
  const basic = BASIC.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  // Some clients put the write key in the password instead; take it when the user name is empty.
  const key = user !== '' ? user : colon < 0 ? '' : decoded.slice(colon + 1);
  return key === '' ? null : key;
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="capi-gateway"' };
const UNAUTHORIZED = { path: AUTHORIZATION, headers: CHALLENGE };

/** The name of the source whose key the Authorization header carries; AUTH_MISSING / AUTH_INVALID. */
export function authenticateSource(header: string | undefined, ring: KeyRing, allowBasic: boolean): string {
  const key = keyFromHeader(header, allowBasic);
  if (key === null) throw new GatewayError('AUTH_MISSING', UNAUTHORIZED);
  const source = ring.match(key);
  if (source === null) throw new GatewayError('AUTH_INVALID', UNAUTHORIZED);
  return source;
}

/**
 * Admin routes: the configured admin token, or ADMIN_DISABLED when none is configured. Wrong tokens
 * count against the client's address like wrong source keys (auth-guard.ts).
 */
export function requireAdmin(adminToken: string | null, guard: AuthGuard): MiddlewareHandler {
  const ring = adminToken === null ? null : createKeyRing([{ name: 'admin', key: adminToken }]);
  return async (c, next) => {
    if (ring === null) throw new GatewayError('ADMIN_DISABLED', { path: AUTHORIZATION });
    const client = clientAddress(c);
    guard.authenticate(client, () => {
      const key = keyFromHeader(c.req.header('authorization'), false);
      if (key === null) throw new GatewayError('AUTH_MISSING', UNAUTHORIZED);
      if (ring.match(key) === null) throw new GatewayError('AUTH_INVALID', UNAUTHORIZED);
    });
    await next();
  };
}
