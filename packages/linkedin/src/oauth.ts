/**
 * OAuth 2.0 for LinkedIn members (3-legged): the authorization URL, the authorization-code exchange
 * and the refresh-token flow. The base URL is configurable so tests and the local emulator can
 * stand in for https://www.linkedin.com.
 *
 * Access tokens live 60 days; a refresh token lives 365 days from the first consent and is not
 * extended by refreshing. When it expires or is revoked, LinkedIn answers 400 `invalid_grant` and
 * only a new consent helps (`needsReconsent`).
 */
import { headerValue } from './classify.js';
import { LinkedInApiError } from './errors.js';
import type { HttpTransport } from './http.js';

export const DEFAULT_OAUTH_BASE_URL = 'https://www.linkedin.com';
export const TOKEN_PATH = '/oauth/v2/accessToken';
export const AUTHORIZATION_PATH = '/oauth/v2/authorization';

/** Scopes for sending events and managing rules; add `r_ads_reporting` for adAnalytics. */
export const CAPI_SCOPES: readonly string[] = ['rw_conversions', 'r_ads'];

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface OAuthToken {
  accessToken: string;
  /** Seconds from issue (LinkedIn: 5,184,000 = 60 days). */
  expiresIn: number;
  refreshToken: string | null;
  refreshTokenExpiresIn: number | null;
  scopes: string[];
}

export function authorizationUrl(params: {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes?: readonly string[];
  oauthBaseUrl?: string;
}): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
    scope: (params.scopes ?? CAPI_SCOPES).join(' '),
  });
  // URLSearchParams writes spaces as '+'; LinkedIn's documentation shows %20.
  return `${trimSlash(params.oauthBaseUrl ?? DEFAULT_OAUTH_BASE_URL)}${AUTHORIZATION_PATH}?${q.toString().replace(/\+/g, '%20')}`;
}

export function authorizationCodeForm(client: OAuthClient, code: string, redirectUri: string): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: redirectUri,
  }).toString();
}

export function refreshTokenForm(client: OAuthClient, refreshToken: string): string {
  return new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    client_secret: client.clientSecret,
  }).toString();
}

/** Reads LinkedIn's token response; throws LinkedInApiError when it lacks an access token. */
export function parseTokenResponse(body: string): OAuthToken {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new LinkedInApiError('OAuth token response is not JSON', { status: 200, body: null });
  }
  if (typeof raw.access_token !== 'string' || raw.access_token.length === 0) {
    throw new LinkedInApiError('OAuth token response has no access_token', { status: 200, body: null });
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    accessToken: raw.access_token,
    expiresIn: num(raw.expires_in) ?? 0,
    refreshToken: typeof raw.refresh_token === 'string' ? raw.refresh_token : null,
    refreshTokenExpiresIn: num(raw.refresh_token_expires_in),
    // LinkedIn separates scopes with commas; the OAuth spec with spaces. Accept both.
    scopes: typeof raw.scope === 'string' ? raw.scope.split(/[ ,]/).filter((s) => s.length > 0) : [],
  };
}

/** True when the refresh token is expired or revoked: the member has to consent again. */
export function needsReconsent(err: unknown): boolean {
  return err instanceof LinkedInApiError && err.code === 'invalid_grant';
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** POSTs a token form. Token bodies are secrets: they never go into an error message. */
export async function requestToken(
  transport: HttpTransport,
  oauthBaseUrl: string,
  form: string,
  what: string,
  userAgent: string,
): Promise<OAuthToken> {
  let res: Awaited<ReturnType<HttpTransport['send']>>;
  try {
    res = await transport.send({
      method: 'POST',
      url: `${trimSlash(oauthBaseUrl)}${TOKEN_PATH}`,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        'User-Agent': userAgent,
      },
      body: form,
    });
  } catch (cause) {
    throw new LinkedInApiError(`${what} failed: network error`, { status: 0, cause });
  }
  if (res.status < 200 || res.status >= 300) {
    throw LinkedInApiError.fromResponse(
      what,
      res.status,
      res.body,
      headerValue(res.headers, 'x-li-uuid') ?? null,
    );
  }
  return parseTokenResponse(res.body);
}
