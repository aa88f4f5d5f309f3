/**
 * Access tokens, scopes and ad-account roles, checked the way LinkedIn answers them: 401 for a
 * missing, unknown, expired or revoked token (each with its own body), 403 USER_NOT_AUTHORIZED for
 * a missing scope or a VIEWER role on a write.
 */
import type { MiddlewareHandler } from 'hono';
import type { SandboxClock } from './clock.js';
import type { SandboxEnv } from './context.js';
import { ERRORS } from './errors.js';
import type { AccessToken } from './model.js';
import type { SandboxState } from './state.js';
import { URN_PREFIX } from './wire.js';

export type TokenStatus = 'active' | 'unknown' | 'expired' | 'revoked';

export function tokenStatus(token: AccessToken | undefined, now: number): TokenStatus {
  if (!token) return 'unknown';
  if (token.revoked) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function authMiddleware(state: SandboxState, clock: SandboxClock): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const value = bearerToken(c.req.header('authorization'));
    if (value === undefined) return ERRORS.emptyToken();
    const token = state.tokens.get(value);
    switch (tokenStatus(token, clock.now())) {
      case 'unknown':
        return ERRORS.invalidToken();
      case 'revoked':
        return ERRORS.revokedToken();
      case 'expired':
        return ERRORS.expiredToken();
    }
    c.set('token', token as AccessToken);
    return next();
  };
}

/** 403 unless the token has one of `scopes`. `resourceMethod` names the call, e.g. `conversionEvents.CREATE`. */
export function requireScope(
  token: AccessToken,
  scopes: readonly string[],
  resourceMethod: string,
): Response | undefined {
  return scopes.some((s) => token.scopes.includes(s)) ? undefined : ERRORS.notAuthorized(resourceMethod);
}

export function canUseAccount(token: AccessToken, account: string): boolean {
  return token.accounts === undefined || token.accounts.includes(account);
}

/** 403 when the member may only view `account` (writes need any role other than VIEWER). */
export function requireWriteRole(
  token: AccessToken,
  account: string,
  resourceMethod: string,
): Response | undefined {
  return token.role === 'VIEWER'
    ? ERRORS.viewerRole(resourceMethod, `${URN_PREFIX.account}${account}`)
    : undefined;
}
