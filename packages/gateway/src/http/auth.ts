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
const BASIC_CREDENTIALS = /^[A-Za-z0-9+/=_-]+$/;

/**
 * Whose credentials a route takes, which decides the schemes it reads and the words of its 401s:
 * a source key as Bearer (native and LinkedIn-compatible routes), a source key as Bearer or as the
 * Basic user name (Segment routes, as Segment and RudderStack SDKs send their write key), or the
 * admin token as Bearer.
 */
export type Credentials = 'source' | 'segment' | 'admin';

interface Advice {
  /** AUTH_SCHEME_UNSUPPORTED's message: which form the route reads. */
  scheme: string;
  /** The fix of AUTH_MISSING and AUTH_SCHEME_UNSUPPORTED. */
  send: string;
  /** The fix of AUTH_INVALID. */
  check: string;
}

const ADVICE: Record<Credentials, Advice> = {
  source: {
    scheme:
      'The Authorization header is not "Bearer <key>": this route reads the source key from the Bearer scheme only.',
    send: 'Send the source key as "Authorization: Bearer <key>".',
    check: 'Check the key against CAPI_SOURCE_KEYS.',
  },
  segment: {
    scheme:
      'The Authorization header is neither "Bearer <key>" nor "Basic" credentials: these routes read the source key from those two schemes only.',
    send: 'Send the source key as "Authorization: Bearer <key>", or as the Basic user name with an empty password.',
    check: 'Check the key against CAPI_SOURCE_KEYS.',
  },
  admin: {
    scheme:
      'The Authorization header is not "Bearer <token>": admin routes read the admin token from the Bearer scheme only.',
    send: 'Send the admin token (CAPI_ADMIN_TOKEN) as "Authorization: Bearer <token>".',
    check: 'Check the token against CAPI_ADMIN_TOKEN.',
  },
};

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="capi-gateway"' };

function refusal(
  code: 'AUTH_MISSING' | 'AUTH_INVALID' | 'AUTH_SCHEME_UNSUPPORTED',
  fix: string,
  message?: string,
): GatewayError {
  return new GatewayError(code, { path: AUTHORIZATION, headers: CHALLENGE, fix, message });
}

/**
 * The key or token an Authorization header carries, for a route that takes `who`'s credentials.
 * Otherwise AUTH_MISSING (no header, or a scheme with nothing after it), AUTH_SCHEME_UNSUPPORTED
 * (another scheme, or a bare key with no scheme) or AUTH_INVALID (credentials that cannot be a key).
 * No message ever repeats the header.
 */
export function presentedKey(header: string | undefined, who: Credentials): string {
  const bearer = header === undefined ? null : BEARER.exec(header);
  if (bearer) return bearer[1] as string;
  return keyInOtherForms(header?.trim() ?? '', who);
}

/** Everything but a well-formed Bearer header: a Segment route's Basic, or the reason for a 401. */
function keyInOtherForms(header: string, who: Credentials): string {
  const advice = ADVICE[who];
  if (header === '') throw refusal('AUTH_MISSING', advice.send);
  const space = header.search(/[ \t]/);
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? '' : header.slice(space).trim();
  if (scheme === 'bearer') {
    if (credentials === '') {
      throw refusal(
        'AUTH_MISSING',
        advice.send,
        'The Authorization header names the Bearer scheme but carries no key.',
      );
    }
    // Several words after Bearer: no key or token looks like that.
    throw refusal('AUTH_INVALID', advice.check);
  }
  if (scheme === 'basic' && who === 'segment') {
    if (credentials === '') {
      throw refusal(
        'AUTH_MISSING',
        advice.send,
        'The Authorization header names the Basic scheme but carries no credentials.',
      );
    }
    if (!BASIC_CREDENTIALS.test(credentials)) {
      throw refusal(
        'AUTH_INVALID',
        advice.check,
        'The Basic credentials are not readable (base64 of user:password).',
      );
    }
    const key = keyFromBasic(credentials);
    if (key === '') {
      throw refusal(
        'AUTH_MISSING',
        advice.send,
        'The Basic credentials carry no key: the user name and the password are empty.',
      );
    }
    return key;
  }
  throw refusal('AUTH_SCHEME_UNSUPPORTED', advice.send, advice.scheme);
}

/** Segment style: the key is the user name, with an empty password. */
function keyFromBasic(credentials: string): string {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  // Some clients put the write key in the password instead; take it when the user name is empty.
  return user !== '' ? user : colon < 0 ? '' : decoded.slice(colon + 1);
}

/** The name of the source whose key the Authorization header carries; a 401 otherwise. */
export function authenticateSource(header: string | undefined, ring: KeyRing, allowBasic: boolean): string {
  const who: Credentials = allowBasic ? 'segment' : 'source';
  const source = ring.match(presentedKey(header, who));
  if (source === null) throw refusal('AUTH_INVALID', ADVICE[who].check);
  return source;
}

/**
 * Admin routes: the configured admin token, or ADMIN_DISABLED when none is configured. Wrong tokens
 * count against the client's address like wrong source keys (auth-guard.ts); a missing header or
 * another scheme does not, since it is no guess at the token.
 */
export function requireAdmin(adminToken: string | null, guard: AuthGuard): MiddlewareHandler {
  const ring = adminToken === null ? null : createKeyRing([{ name: 'admin', key: adminToken }]);
  return async (c, next) => {
    if (ring === null) throw new GatewayError('ADMIN_DISABLED', { path: AUTHORIZATION });
    const client = clientAddress(c);
    guard.authenticate(client, () => {
      const token = presentedKey(c.req.header('authorization'), 'admin');
      if (ring.match(token) === null) throw refusal('AUTH_INVALID', ADVICE.admin.check);
    });
    await next();
  };
}
