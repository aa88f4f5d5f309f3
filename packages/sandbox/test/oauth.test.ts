import { describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/index.js';
import { DAY, event, json, NOW, postEvent, sandbox } from './helpers.js';

const O = DEMO_SEED.oauth;
type Sb = ReturnType<typeof sandbox>;

const form = (sb: Sb, path: string, fields: Record<string, string>) =>
  sb.app.request(`/oauth/v2/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

const client = { client_id: O.clientId, client_secret: O.clientSecret };

describe('/oauth/v2/accessToken', () => {
  it('authorization_code: issues a 60-day access token and a 365-day refresh token, once', async () => {
    const sb = sandbox();
    const fields = {
      grant_type: 'authorization_code',
      code: O.authorizationCode,
      redirect_uri: O.redirectUri,
      ...client,
    };
    const res = await form(sb, 'accessToken', fields);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      expires_in: 5_184_000,
      refresh_token_expires_in: 31_536_000,
      scope: 'rw_conversions,r_ads,r_ads_reporting',
    });
    expect((await postEvent(sb, event(), {}, body.access_token as string)).status).toBe(201);
    // Codes are single-use.
    const again = await form(sb, 'accessToken', fields);
    expect(again.status).toBe(400);
    expect((await json(again)).error).toBe('invalid_grant');
  });

  it('refresh_token: new access token, refresh expiry not extended', async () => {
    const sb = sandbox();
    const fields = { grant_type: 'refresh_token', refresh_token: O.refreshToken, ...client };
    const first = await json(await form(sb, 'accessToken', fields));
    expect(first).toMatchObject({
      expires_in: 5_184_000,
      refresh_token: O.refreshToken,
      refresh_token_expires_in: 31_536_000,
    });
    sb.clock.setNow(NOW + 10 * DAY);
    const later = await json(await form(sb, 'accessToken', fields));
    expect(later.refresh_token_expires_in).toBe(31_536_000 - 10 * 86_400);
    expect(later.access_token).not.toBe(first.access_token);
  });

  it('an expired or revoked refresh token gives invalid_grant as LinkedIn words it', async () => {
    const sb = sandbox();
    sb.clock.setNow(NOW + 366 * DAY);
    const res = await form(sb, 'accessToken', {
      grant_type: 'refresh_token',
      refresh_token: O.refreshToken,
      ...client,
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const unknown = await form(sandbox(), 'accessToken', {
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      ...client,
    });
    expect(await json(unknown)).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('client authentication and parameters', async () => {
    const sb = sandbox();
    const bad = await form(sb, 'accessToken', {
      grant_type: 'refresh_token',
      refresh_token: O.refreshToken,
      client_id: O.clientId,
      client_secret: 'x',
    });
    expect(bad.status).toBe(401);
    expect((await json(bad)).error).toBe('invalid_client');
    const missing = await form(sb, 'accessToken', { ...client });
    expect(await json(missing)).toEqual({
      error: 'invalid_request',
      error_description: 'A required parameter "grant_type" is missing',
    });
    const other = await form(sb, 'accessToken', { grant_type: 'client_credentials', ...client });
    expect((await json(other)).error).toBe('unsupported_grant_type');
  });
});

describe('/oauth/v2/introspectToken', () => {
  it('reports active tokens with scope and expiry, and inactive ones', async () => {
    const sb = sandbox();
    const active = await json(
      await form(sb, 'introspectToken', { token: DEMO_SEED.tokens.valid, ...client }),
    );
    expect(active).toMatchObject({
      active: true,
      status: 'active',
      scope: 'rw_conversions,r_ads,r_ads_reporting',
      auth_type: '3L',
    });
    const expired = await json(
      await form(sb, 'introspectToken', { token: DEMO_SEED.tokens.expired, ...client }),
    );
    expect(expired).toMatchObject({ active: false, status: 'expired' });
    const revoked = await json(
      await form(sb, 'introspectToken', { token: DEMO_SEED.tokens.revoked, ...client }),
    );
    expect(revoked).toMatchObject({ active: false, status: 'revoked' });
  });

  it('400 for an unknown client or token, 401 for a wrong secret', async () => {
    const sb = sandbox();
    expect((await form(sb, 'introspectToken', { token: 'x', ...client })).status).toBe(400);
    expect(
      (await form(sb, 'introspectToken', { token: 'x', client_id: 'nobody', client_secret: 'x' })).status,
    ).toBe(400);
    expect(
      (
        await form(sb, 'introspectToken', {
          token: DEMO_SEED.tokens.valid,
          client_id: O.clientId,
          client_secret: 'x',
        })
      ).status,
    ).toBe(401);
  });
});
