import { describe, expect, it } from 'vitest';
import { authorizationUrl, LinkedInApiError, needsReconsent, parseTokenResponse } from '../src/index.js';

describe('authorizationUrl', () => {
  it('builds the consent URL with space-separated scopes written %20', () => {
    const url = authorizationUrl({ clientId: 'cid', redirectUri: 'https://app.example/cb', state: 's1' });
    expect(url).toBe(
      'https://www.linkedin.com/oauth/v2/authorization?response_type=code&client_id=cid' +
        '&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=s1&scope=rw_conversions%20r_ads',
    );
  });
  it('follows a configurable base URL and scope list', () => {
    const url = authorizationUrl({
      clientId: 'c',
      redirectUri: 'http://localhost/cb',
      state: 'x',
      scopes: ['r_ads_reporting'],
      oauthBaseUrl: 'http://127.0.0.1:4010/',
    });
    expect(url.startsWith('http://127.0.0.1:4010/oauth/v2/authorization?')).toBe(true);
    expect(new URL(url).searchParams.get('scope')).toBe('r_ads_reporting');
  });
});

describe('parseTokenResponse', () => {
  it('reads comma- or space-separated scopes and optional refresh fields', () => {
    expect(
      parseTokenResponse('{"access_token":"A","expires_in":5184000,"scope":"r_ads rw_conversions"}'),
    ).toEqual({
      accessToken: 'A',
      expiresIn: 5184000,
      refreshToken: null,
      refreshTokenExpiresIn: null,
      scopes: ['r_ads', 'rw_conversions'],
    });
  });
  it('refuses bodies without an access token and never copies them into the error', () => {
    const err = (() => {
      try {
        parseTokenResponse('{"refresh_token":"SECRET"}');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LinkedInApiError);
    expect((err as LinkedInApiError).body).toBeNull();
    expect(String((err as Error).message)).not.toContain('SECRET');
    expect(() => parseTokenResponse('not json')).toThrow(LinkedInApiError);
  });
  it('needsReconsent only for invalid_grant', () => {
    expect(needsReconsent(new LinkedInApiError('x', { status: 400, code: 'invalid_grant' }))).toBe(true);
    expect(needsReconsent(new LinkedInApiError('x', { status: 401, code: 'invalid_client' }))).toBe(false);
    expect(needsReconsent(new Error('invalid_grant'))).toBe(false);
  });
});
