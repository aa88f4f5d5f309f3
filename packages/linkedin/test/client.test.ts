import { afterEach, describe, expect, it } from 'vitest';
import { type ConversionEvent, LinkedInApiError, LinkedInClient, needsReconsent } from '../src/index.js';
import { HOUR, JANE_DOE_HASH, NOW } from './fixtures.js';
import { mockLinkedIn } from './mock-linkedin.js';

const event = (n = 0): ConversionEvent => ({
  conversion: 'urn:lla:llaPartnerConversion:7345120',
  conversionHappenedAt: NOW - HOUR,
  eventId: `e-${n}`,
  user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: JANE_DOE_HASH }] },
});

let mock = mockLinkedIn();
let client: LinkedInClient;
function setup(opts: Partial<ConstructorParameters<typeof LinkedInClient>[0]> = {}, origin?: string) {
  mock = mockLinkedIn(origin);
  client = new LinkedInClient({ accessToken: 'tok-1', dispatcher: mock.agent, ...opts });
  return mock;
}
afterEach(async () => {
  await client.close();
  await mock.agent.close();
});

describe('LinkedInClient: sending events', () => {
  it('sends BATCH_CREATE with the four headers and the payloads joined verbatim', async () => {
    const m = setup();
    m.reply(
      'POST',
      '/rest/conversionEvents',
      200,
      { elements: [{ status: 201 }, { status: 201 }] },
      { 'x-li-uuid': 'u-1' },
    );
    const payloads = [JSON.stringify(event(1)), JSON.stringify(event(2))];
    const result = await client.sendBatchRaw(payloads);
    expect(result).toEqual({ kind: 'delivered', status: 200, requestId: 'u-1' });
    const [call] = m.calls;
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer tok-1',
      'linkedin-version': '202609',
      'x-restli-protocol-version': '2.0.0',
      'content-type': 'application/json',
      'x-restli-method': 'BATCH_CREATE',
    });
    expect(call?.body).toBe(`{"elements":[${payloads.join(',')}]}`);
  });

  it('uses the pinned version and a token provider called per request', async () => {
    const m = setup({ version: '202608', accessToken: async () => 'fresh' });
    m.reply('POST', '/rest/conversionEvents', 201);
    await client.sendEvent(event());
    expect(m.calls[0]?.headers).toMatchObject({
      authorization: 'Bearer fresh',
      'linkedin-version': '202608',
    });
    expect(m.calls[0]?.headers['x-restli-method']).toBeUndefined();
  });

  it('single create: 201 with an empty body is delivered; a 422 is rejected at index 0', async () => {
    const m = setup();
    m.reply('POST', '/rest/conversionEvents', 201);
    m.reply('POST', '/rest/conversionEvents', 422, {
      message: 'ERROR :: /conversion :: Invalid Urn format. Invalid prefix.\n',
      status: 422,
    });
    expect(await client.sendEvent(event())).toMatchObject({ kind: 'delivered', status: 201 });
    expect(await client.sendEvent(event())).toMatchObject({ kind: 'rejected', indices: [0] });
  });

  it('splits more than 5,000 events into several requests', async () => {
    const m = setup();
    m.reply('POST', '/rest/conversionEvents', 200, '{"elements":[]}');
    m.reply('POST', '/rest/conversionEvents', 200, '{"elements":[]}');
    const events = Array.from({ length: 5001 }, (_, i) => event(i));
    const results = await client.sendEvents(events);
    expect(results.map((r) => r.kind)).toEqual(['delivered', 'delivered']);
    expect(m.calls.map((c) => (JSON.parse(c.body ?? '') as { elements: unknown[] }).elements.length)).toEqual(
      [5000, 1],
    );
  });

  it('refuses more than 5,000 raw payloads with a RangeError', async () => {
    setup();
    await expect(client.sendBatchRaw(new Array(5001).fill('{}'))).rejects.toThrow(RangeError);
  });

  it('returns HTTP failures as values, never throwing', async () => {
    const m = setup();
    m.reply('POST', '/rest/conversionEvents', 429, { message: 'throttled', status: 429 });
    m.reply('POST', '/rest/conversionEvents', 401, {
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'revoked',
    });
    m.reply('POST', '/rest/conversionEvents', 426, {
      status: 426,
      code: 'NONEXISTENT_VERSION',
      message: 'Requested version 202509 is not active',
    });
    expect(await client.sendBatchRaw(['{}'])).toMatchObject({ kind: 'retry', status: 429 });
    expect(await client.sendBatchRaw(['{}'])).toMatchObject({ kind: 'reauth', revoked: true });
    expect(await client.sendBatchRaw(['{}'])).toMatchObject({ kind: 'config', code: 'NONEXISTENT_VERSION' });
  });

  it('returns network errors as retry with status 0', async () => {
    const m = setup();
    m.pool
      .intercept({ method: 'POST', path: '/rest/conversionEvents' })
      .replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    expect(await client.sendBatchRaw(['{}'])).toMatchObject({ kind: 'retry', status: 0 });
  });

  it('times out slow responses and reports them as retry', async () => {
    const m = setup({ timeoutMs: 50 });
    m.pool.intercept({ method: 'POST', path: '/rest/conversionEvents' }).reply(201, '').delay(500);
    expect(await client.sendBatchRaw(['{}'])).toMatchObject({ kind: 'retry', status: 0 });
  });

  it('passes a failing token provider through instead of calling it a network error', async () => {
    setup({
      accessToken: () => {
        throw new Error('vault down');
      },
    });
    await expect(client.sendBatchRaw(['{}'])).rejects.toThrow('vault down');
  });
});

describe('LinkedInClient: conversion rules', () => {
  const rule = {
    name: 'CAPI Lead',
    account: '508123456',
    conversionMethod: 'CONVERSIONS_API' as const,
    type: 'LEAD' as const,
  };

  it('creates a rule with ALL_CAMPAIGNS auto-association and returns LinkedIn’s body', async () => {
    const m = setup();
    const created = { id: 14488340, ...rule, account: 'urn:li:sponsoredAccount:508123456', enabled: true };
    m.reply('POST', '/rest/conversions?autoAssociationType=ALL_CAMPAIGNS', 201, created, {
      'x-restli-id': '14488340',
    });
    expect(await client.createConversionRule(rule)).toEqual(created);
    expect(JSON.parse(m.calls[0]?.body ?? '')).toMatchObject({
      account: 'urn:li:sponsoredAccount:508123456',
      type: 'LEAD',
    });
  });

  it('falls back to x-restli-id when the create body is empty', async () => {
    const m = setup();
    m.reply('POST', '/rest/conversions', 201, '', { 'x-restli-id': '99' });
    expect(await client.createConversionRule(rule, { autoAssociate: false })).toMatchObject({
      id: 99,
      name: 'CAPI Lead',
    });
  });

  it('gets, lists (following pages) and disables rules', async () => {
    const m = setup();
    m.reply('GET', '/rest/conversions/77?account=urn%3Ali%3AsponsoredAccount%3A5', 200, {
      id: 77,
      name: 'r',
      enabled: true,
    });
    const page1 = Array.from({ length: 100 }, (_, i) => ({ id: i }));
    m.reply(
      'GET',
      '/rest/conversions?q=account&account=urn%3Ali%3AsponsoredAccount%3A5&start=0&count=100',
      200,
      { elements: page1 },
    );
    m.reply(
      'GET',
      '/rest/conversions?q=account&account=urn%3Ali%3AsponsoredAccount%3A5&start=100&count=100',
      200,
      { elements: [{ id: 100 }] },
    );
    m.reply('POST', '/rest/conversions/77?account=urn%3Ali%3AsponsoredAccount%3A5', 204);
    expect(await client.getConversionRule(77, 5)).toMatchObject({ id: 77 });
    expect(await client.listConversionRules('urn:li:sponsoredAccount:5')).toHaveLength(101);
    await client.setConversionRuleEnabled(77, 5, false);
    const update = m.calls[3];
    expect(update?.headers['x-restli-method']).toBe('PARTIAL_UPDATE');
    expect(JSON.parse(update?.body ?? '')).toEqual({ patch: { $set: { enabled: false } } });
  });

  it('throws LinkedInApiError with status, code and request id', async () => {
    const m = setup();
    m.reply(
      'GET',
      /\/rest\/conversions\/1\?/,
      403,
      { status: 403, serviceErrorCode: 100, code: 'USER_NOT_AUTHORIZED', message: 'Not enough permissions' },
      { 'x-li-uuid': 'u-9' },
    );
    const err = await client.getConversionRule(1, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkedInApiError);
    expect(err).toMatchObject({
      status: 403,
      code: 'USER_NOT_AUTHORIZED',
      serviceErrorCode: 100,
      requestId: 'u-9',
    });
    expect((err as Error).message).toMatch(/Not enough permissions/);
  });
});

describe('LinkedInClient: unexpected bodies', () => {
  it('turns a 200 that is not JSON into a LinkedInApiError', async () => {
    const m = setup();
    m.reply('GET', /\/rest\/conversions\/1\?/, 200, '<html>proxy</html>', { 'x-li-uuid': 'u-3' });
    await expect(client.getConversionRule(1, 5)).rejects.toMatchObject({
      name: 'LinkedInApiError',
      status: 200,
      requestId: 'u-3',
    });
  });
});

describe('LinkedInClient: associations, accounts, campaigns, reporting', () => {
  it('associates, dissociates and lists associations', async () => {
    const m = setup();
    const key = '(campaign:urn%3Ali%3AsponsoredCampaign%3A1,conversion:urn%3Alla%3AllaPartnerConversion%3A2)';
    m.reply('PUT', `/rest/campaignConversions/${key}`, 204);
    m.reply('DELETE', `/rest/campaignConversions/${key}`, 204);
    const elements = [
      { campaign: 'urn:li:sponsoredCampaign:1', conversion: 'urn:lla:llaPartnerConversion:2' },
    ];
    m.reply(
      'GET',
      '/rest/campaignConversions?q=campaigns&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1)',
      200,
      { elements },
    );
    await client.associateCampaign(1, 2);
    await client.dissociateCampaign(1, 2);
    expect(await client.listCampaignAssociations([1])).toEqual(elements);
    expect(m.calls[1]?.headers['content-type']).toBeUndefined();
  });

  it('lists the member’s ad accounts without VIEWER roles', async () => {
    const m = setup();
    m.reply('GET', '/rest/adAccountUsers?q=authenticatedUser&start=0&count=100', 200, {
      elements: [
        { user: 'urn:li:person:a', account: 'urn:li:sponsoredAccount:1', role: 'ACCOUNT_MANAGER' },
        { user: 'urn:li:person:a', account: 'urn:li:sponsoredAccount:2', role: 'VIEWER' },
        { user: 'urn:li:person:a', account: 'urn:li:sponsoredAccount:3', role: 'CREATIVE_MANAGER' },
      ],
      paging: { start: 0, count: 100, total: 3 },
    });
    expect((await client.listAdAccounts()).map((a) => a.account)).toEqual([
      'urn:li:sponsoredAccount:1',
      'urn:li:sponsoredAccount:3',
    ]);
  });

  it('lists campaigns across cursor pages', async () => {
    const m = setup();
    m.reply(
      'GET',
      '/rest/adAccounts/9/adCampaigns?q=search&search=(status:(values:List(ACTIVE)))&pageSize=1000',
      200,
      {
        elements: [{ id: 1 }],
        metadata: { nextPageToken: 'n2' },
      },
    );
    m.reply(
      'GET',
      '/rest/adAccounts/9/adCampaigns?q=search&search=(status:(values:List(ACTIVE)))&pageSize=1000&pageToken=n2',
      200,
      {
        elements: [{ id: 2 }],
        metadata: {},
      },
    );
    expect(await client.listCampaigns(9, { statuses: ['ACTIVE'] })).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('reads adAnalytics rows by CONVERSION pivot', async () => {
    const m = setup();
    const row = {
      pivotValues: ['urn:lla:llaPartnerConversion:7345120'],
      dateRange: { start: { year: 2026, month: 11, day: 20 }, end: { year: 2026, month: 11, day: 20 } },
      externalWebsiteConversions: 12,
      costInLocalCurrency: '1412.37',
    };
    m.reply('GET', (path: string) => path.startsWith('/rest/adAnalytics?'), 200, { elements: [row] });
    const rows = await client.adAnalytics({
      pivot: 'CONVERSION',
      granularity: 'DAILY',
      start: '2026-11-20',
      accounts: [1],
    });
    expect(rows).toEqual([row]);
    expect(m.calls[0]?.path).toMatch(
      /^\/rest\/adAnalytics\?q=analytics&pivot=CONVERSION&timeGranularity=DAILY&dateRange=\(start:\(year:2026,month:11,day:20\)\)&accounts=List\(/,
    );
  });

  it('tunnels very long queries through POST', async () => {
    const m = setup();
    m.reply('POST', '/rest/campaignConversions', 200, { elements: [] });
    const campaigns = Array.from({ length: 300 }, (_, i) => 100_000 + i);
    await client.listCampaignAssociations(campaigns);
    const call = m.calls[0];
    expect(call?.headers['x-http-method-override']).toBe('GET');
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.body).toMatch(/^q=campaigns&campaigns=List\(urn%3Ali%3AsponsoredCampaign%3A100000,/);
  });
});

describe('LinkedInClient: OAuth', () => {
  it('exchanges an authorization code against a configurable OAuth base', async () => {
    const m = setup({ oauthBaseUrl: 'http://127.0.0.1:9999/' }, 'http://127.0.0.1:9999');
    m.reply('POST', '/oauth/v2/accessToken', 200, {
      access_token: 'AQX',
      expires_in: 5184000,
      refresh_token: 'RT',
      refresh_token_expires_in: 31536000,
      scope: 'r_ads,rw_conversions',
    });
    const token = await client.exchangeAuthorizationCode(
      { clientId: 'cid', clientSecret: 'sec' },
      'the-code',
      'https://app/cb',
    );
    expect(token).toEqual({
      accessToken: 'AQX',
      expiresIn: 5184000,
      refreshToken: 'RT',
      refreshTokenExpiresIn: 31536000,
      scopes: ['r_ads', 'rw_conversions'],
    });
    const form = new URLSearchParams(m.calls[0]?.body ?? '');
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      client_id: 'cid',
      client_secret: 'sec',
      redirect_uri: 'https://app/cb',
    });
    expect(m.calls[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(m.calls[0]?.headers.authorization).toBeUndefined();
  });

  it('refreshes, and reports an expired refresh token as needing consent', async () => {
    const m = setup({}, 'https://www.linkedin.com');
    m.reply('POST', '/oauth/v2/accessToken', 200, { access_token: 'NEW', expires_in: 5184000 });
    m.reply('POST', '/oauth/v2/accessToken', 400, {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const token = await client.refreshAccessToken({ clientId: 'cid', clientSecret: 'sec' }, 'RT');
    expect(token).toMatchObject({ accessToken: 'NEW', refreshToken: null });
    expect(Object.fromEntries(new URLSearchParams(m.calls[0]?.body ?? ''))).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'RT',
    });
    const err = await client
      .refreshAccessToken({ clientId: 'cid', clientSecret: 'sec' }, 'RT')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'invalid_grant' });
    expect(needsReconsent(err)).toBe(true);
  });
});

describe('LinkedInClient: construction', () => {
  it('refuses a malformed version and reports the pinned version’s status', () => {
    expect(() => new LinkedInClient({ accessToken: 'x', version: '2026-09' })).toThrow(TypeError);
    setup({ version: '202601' });
    expect(client.versionStatus(NOW).warning).toMatch(/sunset/);
  });
});
