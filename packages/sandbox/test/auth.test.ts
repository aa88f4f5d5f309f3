import { describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/index.js';
import { event, get, json, NOW, postEvent, sandbox } from './helpers.js';

const T = DEMO_SEED.tokens;

describe('access tokens on /rest/', () => {
  it('a valid token is accepted', async () => {
    expect((await postEvent(sandbox(), event(), {}, T.valid)).status).toBe(201);
  });

  it('no token: 401 Empty oauth2_access_token', async () => {
    const res = await postEvent(sandbox(), event(), { Authorization: '' });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      message: 'Empty oauth2_access_token',
      serviceErrorCode: 401,
      status: 401,
    });
  });

  it('an unknown token: 401 INVALID_ACCESS_TOKEN (65600)', async () => {
    const res = await postEvent(sandbox(), event(), {}, 'not-a-token');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    });
  });

  it('an expired token: 401 EXPIRED_ACCESS_TOKEN', async () => {
    const res = await postEvent(sandbox(), event(), {}, T.expired);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: 'EXPIRED_ACCESS_TOKEN',
      message: 'The token used in the request has expired',
    });
  });

  it('a revoked token: 401 REVOKED_ACCESS_TOKEN (65601)', async () => {
    const res = await postEvent(sandbox(), event(), {}, T.revoked);
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    });
  });

  it('a token without rw_conversions: 403 USER_NOT_AUTHORIZED naming the call', async () => {
    const single = await postEvent(sandbox(), event(), {}, T.noScope);
    expect(single.status).toBe(403);
    expect(await json(single)).toEqual({
      status: 403,
      serviceErrorCode: 100,
      code: 'USER_NOT_AUTHORIZED',
      message: 'Not enough permissions to access: conversionEvents.CREATE',
    });
    const batch = await postEvent(
      sandbox(),
      { elements: [event()] },
      { 'X-RestLi-Method': 'BATCH_CREATE' },
      T.noScope,
    );
    expect((await json(batch)).message).toBe(
      'Not enough permissions to access: conversionEvents.BATCH_CREATE',
    );
  });

  it('a VIEWER role: 403 USER_NOT_AUTHORIZED on writes, reads still allowed', async () => {
    const sb = sandbox();
    const res = await postEvent(sb, event(), {}, T.viewer);
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({
      status: 403,
      serviceErrorCode: 100,
      code: 'USER_NOT_AUTHORIZED',
      message: `Not enough permissions to access: conversionEvents.CREATE. The member's role on ${DEMO_SEED.account.urn} is VIEWER`,
    });
    expect(sb.events()).toHaveLength(0);
    const users = await get(sb, '/rest/adAccountUsers?q=authenticatedUser', {}, T.viewer);
    expect(users.status).toBe(200);
    expect((await json(users)).elements).toEqual([
      { account: DEMO_SEED.account.urn, user: DEMO_SEED.member, role: 'VIEWER' },
    ]);
  });

  it('a token that expires while in use is refused from that moment', async () => {
    const sb = sandbox();
    const minted = await sb.app.request('/__sandbox/tokens', {
      method: 'POST',
      body: JSON.stringify({ value: 'short-lived', expiresInSeconds: 60 }),
    });
    expect(minted.status).toBe(201);
    expect((await postEvent(sb, event(), {}, 'short-lived')).status).toBe(201);
    sb.clock.setNow(NOW + 60_000);
    expect((await json(await postEvent(sb, event(), {}, 'short-lived'))).code).toBe('EXPIRED_ACCESS_TOKEN');
  });

  it('a token limited to other accounts sees "No ad accounts found" for this account\'s rules', async () => {
    const sb = sandbox();
    await sb.app.request('/__sandbox/tokens', {
      method: 'POST',
      body: JSON.stringify({ value: 'other-account', accounts: ['999'] }),
    });
    const res = await postEvent(sb, event(), {}, 'other-account');
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ message: 'No ad accounts found', status: 403 });
  });
});
