/**
 * `/oauth/v2/accessToken` (authorization_code and refresh_token grants, form-encoded) and
 * `/oauth/v2/introspectToken`. Access tokens live 60 days; a refresh token's expiry is fixed at the
 * first authorisation and refreshing never extends it (LinkedIn's programmatic refresh rules).
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { tokenStatus } from '../auth.js';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { jsonResponse } from '../errors.js';
import type { AccessToken } from '../model.js';
import type { AccountRole } from '../wire.js';

export const ACCESS_TOKEN_TTL_S = 60 * 86_400;
export const REFRESH_TOKEN_TTL_S = 365 * 86_400;

const oauthError = (status: number, error: string, description: string) =>
  jsonResponse(status, { error, error_description: description });

const missing = (name: string) =>
  oauthError(400, 'invalid_request', `A required parameter "${name}" is missing`);

function mint(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

interface Grant {
  clientId: string;
  member: string;
  scopes: string[];
  role: AccountRole;
  accounts?: string[];
}

export function oauthRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const { state } = svc;

  const issueAccessToken = (grant: Grant, now: number): AccessToken => {
    const token: AccessToken = {
      value: mint('sandbox-at'),
      member: grant.member,
      scopes: [...grant.scopes],
      role: grant.role,
      accounts: grant.accounts,
      expiresAt: now + ACCESS_TOKEN_TTL_S * 1000,
      revoked: false,
      createdAt: now,
      clientId: grant.clientId,
    };
    state.tokens.set(token.value, token);
    return token;
  };

  /**
   * Reads the form and authenticates the client; a Response when that fails. Introspection tells
   * an unknown client id (400) from a wrong secret (401); the token endpoint says 401 for both.
   */
  const clientForm = async (c: { req: { text(): Promise<string> } }, unknownClientStatus: 400 | 401) => {
    const form = new URLSearchParams(await c.req.text());
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    if (!clientId) return missing('client_id');
    if (!secret) return missing('client_secret');
    const client = state.clients.get(clientId);
    if (!client && unknownClientStatus === 400) {
      return oauthError(400, 'invalid_request', 'The passed in client_id is invalid');
    }
    if (!client || client.clientSecret !== secret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    return { form, clientId };
  };

  routes.post('/accessToken', async (c) => {
    const auth = await clientForm(c, 401);
    if (auth instanceof Response) return auth;
    const { form, clientId } = auth;
    const grantType = form.get('grant_type');
    const now = svc.clock.now();

    if (grantType === 'authorization_code') {
      const code = form.get('code');
      if (!code) return missing('code');
      const grant = state.authorizationCodes.get(code);
      const redirect = form.get('redirect_uri');
      if (
        !grant ||
        grant.used ||
        grant.clientId !== clientId ||
        (grant.redirectUri && grant.redirectUri !== redirect)
      ) {
        return oauthError(
          400,
          'invalid_grant',
          'The provided authorization grant or refresh token is invalid, expired or revoked.',
        );
      }
      grant.used = true;
      const access = issueAccessToken(grant, now);
      const refresh = {
        value: mint('sandbox-rt'),
        clientId,
        member: grant.member,
        scopes: [...grant.scopes],
        role: grant.role,
        accounts: grant.accounts,
        expiresAt: now + REFRESH_TOKEN_TTL_S * 1000,
        revoked: false,
      };
      state.refreshTokens.set(refresh.value, refresh);
      state.changed();
      return jsonResponse(200, {
        access_token: access.value,
        expires_in: ACCESS_TOKEN_TTL_S,
        refresh_token: refresh.value,
        refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
        scope: access.scopes.join(','),
      });
    }

    if (grantType === 'refresh_token') {
      const value = form.get('refresh_token');
      if (!value) return missing('refresh_token');
      const refresh = state.refreshTokens.get(value);
      if (!refresh || refresh.revoked || refresh.expiresAt <= now || refresh.clientId !== clientId) {
        return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      const access = issueAccessToken(refresh, now);
      state.changed();
      return jsonResponse(200, {
        access_token: access.value,
        expires_in: ACCESS_TOKEN_TTL_S,
        refresh_token: refresh.value,
        refresh_token_expires_in: Math.max(0, Math.floor((refresh.expiresAt - now) / 1000)),
        scope: access.scopes.join(','),
      });
    }

    if (!grantType) return missing('grant_type');
    return oauthError(400, 'unsupported_grant_type', `Grant type ${grantType} is not supported`);
  });

  routes.post('/introspectToken', async (c) => {
    const auth = await clientForm(c, 400);
    if (auth instanceof Response) return auth;
    const value = auth.form.get('token');
    if (!value) return missing('token');
    const now = svc.clock.now();
    const token = state.tokens.get(value);
    const status = tokenStatus(token, now);
    if (!token || status === 'unknown')
      return oauthError(400, 'invalid_request', 'The provided token is invalid');
    return jsonResponse(200, {
      active: status === 'active',
      client_id: token.clientId ?? auth.clientId,
      authorized_at: Math.floor(token.createdAt / 1000),
      created_at: Math.floor(token.createdAt / 1000),
      status: status === 'active' ? 'active' : status,
      expires_at: token.expiresAt === null ? undefined : Math.floor(token.expiresAt / 1000),
      scope: token.scopes.join(','),
      auth_type: '3L',
    });
  });

  return routes;
}
