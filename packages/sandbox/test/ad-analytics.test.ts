import { describe, expect, it } from 'vitest';
import { accountUrn, campaignUrn, ruleUrn, type SandboxSeed } from '../src/index.js';
import { enc, get, headers, json, postBatch, sandbox } from './helpers.js';

const seed: SandboxSeed = {
  accounts: [
    { id: 1, name: 'Live', currency: 'EUR' },
    { id: 2, name: 'Test', currency: 'EUR', test: true },
  ],
  campaigns: [
    {
      id: 11,
      account: 1,
      name: 'A',
      startDate: '2026-11-01',
      daily: { cost: 10, impressions: 100, clicks: 5 },
    },
    {
      id: 12,
      account: 1,
      name: 'B',
      startDate: '2026-11-10',
      daily: { cost: 20, impressions: 200, clicks: 8 },
      days: { '2026-11-21': { cost: 1.25, impressions: 10, clicks: 1 } },
    },
    { id: 13, account: 1, name: 'Draft', status: 'DRAFT', startDate: '2026-11-01', daily: { cost: 99 } },
    {
      id: 14,
      account: 2,
      name: 'Test',
      startDate: '2026-11-01',
      daily: { cost: 5, impressions: 5, clicks: 5 },
    },
  ],
  rules: [
    { id: 21, account: 1, name: 'Each', type: 'LEAD', campaigns: [11, 12, 13] },
    {
      id: 22,
      account: 1,
      name: 'Last',
      type: 'PURCHASE',
      attributionType: 'LAST_TOUCH_BY_CONVERSION',
      valueType: 'FIXED',
      value: { currencyCode: 'EUR', amount: '100' },
      campaigns: [11, 12],
    },
    { id: 23, account: 2, name: 'On test account', type: 'LEAD', campaigns: [14] },
  ],
  tokens: [
    { value: 'rep', scopes: ['rw_conversions', 'r_ads', 'r_ads_reporting'] },
    { value: 'no-rep', scopes: ['rw_conversions', 'r_ads'] },
  ],
};

const NOV20 = Date.UTC(2026, 10, 20, 10);
const email = { idType: 'SHA256_EMAIL', idValue: 'e' };
const click = { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'c' };

async function withEvents() {
  const sb = sandbox({ seed });
  const res = await postBatch(
    sb,
    [
      {
        conversion: ruleUrn('21'),
        conversionHappenedAt: NOV20,
        conversionValue: { currencyCode: 'EUR', amount: '40.5' },
        user: { userIds: [email, click] },
      },
      {
        conversion: ruleUrn('21'),
        conversionHappenedAt: NOV20,
        conversionValue: { currencyCode: 'EUR', amount: '9.5' },
        user: { userIds: [email] },
      },
      {
        conversion: ruleUrn('22'),
        conversionHappenedAt: NOV20,
        conversionValue: { currencyCode: 'EUR', amount: '1' },
        user: { userIds: [email] },
      },
      { conversion: ruleUrn('23'), conversionHappenedAt: NOV20, user: { userIds: [email] } },
    ],
    {},
    'rep',
  );
  expect(res.status).toBe(200);
  return sb;
}

const day20 = '(start:(year:2026,month:11,day:20),end:(year:2026,month:11,day:20))';
const analytics = (sb: ReturnType<typeof sandbox>, params: string, token = 'rep') =>
  get(sb, `/rest/adAnalytics?q=analytics&${params}`, {}, token);

describe('adAnalytics', () => {
  it('pivot CAMPAIGN: delivery per day and conversions credited by the attribution type', async () => {
    const sb = await withEvents();
    const res = await analytics(
      sb,
      `pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=${day20}&accounts=List(${enc(accountUrn('1'))})`,
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    const range = { start: { year: 2026, month: 11, day: 20 }, end: { year: 2026, month: 11, day: 20 } };
    expect(body).toEqual({
      paging: { start: 0, count: 2, links: [] },
      elements: [
        {
          pivotValues: [campaignUrn('11')],
          dateRange: range,
          externalWebsiteConversions: 2,
          externalWebsitePostClickConversions: 1,
          externalWebsitePostViewConversions: 1,
          conversionValueInLocalCurrency: '50.0',
          costInLocalCurrency: '10.0',
          impressions: 100,
          clicks: 5,
        },
        {
          // "Each campaign" rule 21 credits both; "last campaign" rule 22 only the one with most clicks (12).
          pivotValues: [campaignUrn('12')],
          dateRange: range,
          externalWebsiteConversions: 3,
          externalWebsitePostClickConversions: 1,
          externalWebsitePostViewConversions: 2,
          conversionValueInLocalCurrency: '150.0',
          costInLocalCurrency: '20.0',
          impressions: 200,
          clicks: 8,
        },
      ],
    });
  });

  it('pivot CONVERSION: one row per rule with its conversions and the spend of its campaigns', async () => {
    const sb = await withEvents();
    const res = await json(
      await analytics(
        sb,
        `pivot=CONVERSION&timeGranularity=ALL&dateRange=${day20}&accounts=List(${enc(accountUrn('1'))})&fields=pivotValues,externalWebsiteConversions,conversionValueInLocalCurrency,costInLocalCurrency`,
      ),
    );
    expect(res.elements).toEqual([
      {
        pivotValues: [ruleUrn('21')],
        externalWebsiteConversions: 2,
        conversionValueInLocalCurrency: '50.0',
        costInLocalCurrency: '30.0',
      },
      {
        pivotValues: [ruleUrn('22')],
        externalWebsiteConversions: 1,
        conversionValueInLocalCurrency: '100.0',
        costInLocalCurrency: '30.0',
      },
    ]);
  });

  it('timeGranularity ALL sums the range; an open end runs to today', async () => {
    const sb = await withEvents();
    const res = await json(
      await analytics(
        sb,
        `pivot=CAMPAIGN&timeGranularity=ALL&dateRange=(start:(year:2026,month:11,day:1))&campaigns=List(${enc(campaignUrn('12'))})&fields=pivotValues,dateRange,costInLocalCurrency,clicks`,
      ),
    );
    // Campaign 12 serves from Nov 10 to Nov 22: 12 days at 20 plus Nov 21 at 1.25.
    expect(res.elements).toEqual([
      {
        pivotValues: [campaignUrn('12')],
        dateRange: { start: { year: 2026, month: 11, day: 1 }, end: { year: 2026, month: 11, day: 22 } },
        costInLocalCurrency: '241.25',
        clicks: 12 * 8 + 1,
      },
    ]);
  });

  it('pivot ACCOUNT counts each conversion once', async () => {
    const sb = await withEvents();
    const res = await json(
      await analytics(
        sb,
        `pivot=ACCOUNT&timeGranularity=ALL&dateRange=${day20}&accounts=List(${enc(accountUrn('1'))},${enc(accountUrn('2'))})&fields=pivotValues,externalWebsiteConversions`,
      ),
    );
    // The test account's data never appears.
    expect(res.elements).toEqual([{ pivotValues: [accountUrn('1')], externalWebsiteConversions: 3 }]);
  });

  it('DAILY omits days without data and DRAFT campaigns never deliver', async () => {
    const sb = sandbox({ seed });
    const res = await json(
      await analytics(
        sb,
        `pivot=CAMPAIGN&timeGranularity=DAILY&dateRange=(start:(year:2026,month:11,day:8),end:(year:2026,month:11,day:10))&accounts=List(${enc(accountUrn('1'))})&fields=pivotValues`,
      ),
    );
    expect(res.elements).toEqual([
      { pivotValues: [campaignUrn('11')] },
      { pivotValues: [campaignUrn('11')] },
      { pivotValues: [campaignUrn('11')] },
      { pivotValues: [campaignUrn('12')] },
    ]);
  });

  it('works through query tunnelling (POST + X-HTTP-Method-Override + form body)', async () => {
    const sb = await withEvents();
    const query = `q=analytics&pivot=CONVERSION&timeGranularity=ALL&dateRange=${day20}&accounts=List(${enc(accountUrn('1'))})&fields=pivotValues`;
    const direct = await json(await analytics(sb, query.slice('q=analytics&'.length)));
    const tunnelled = await sb.app.request('/rest/adAnalytics', {
      method: 'POST',
      headers: headers(
        { 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/x-www-form-urlencoded' },
        'rep',
      ),
      body: query,
    });
    expect(tunnelled.status).toBe(200);
    expect(await json(tunnelled)).toEqual(direct);
    const recorded = sb.requests({ path: '/rest/adAnalytics' }).at(-1);
    expect(recorded).toMatchObject({ method: 'GET', tunnelled: true, query });
  });

  it('needs r_ads_reporting', async () => {
    const res = await analytics(
      await withEvents(),
      `pivot=CAMPAIGN&timeGranularity=ALL&dateRange=${day20}&accounts=List(${enc(accountUrn('1'))})`,
      'no-rep',
    );
    expect(res.status).toBe(403);
    expect((await json(res)).message).toBe('Not enough permissions to access: adAnalytics.FINDER-analytics');
  });

  it('validates parameters', async () => {
    const sb = sandbox({ seed });
    const acct = `accounts=List(${enc(accountUrn('1'))})`;
    expect((await analytics(sb, `pivot=CAMPAIGN&timeGranularity=ALL&${acct}`)).status).toBe(400);
    expect(
      (await analytics(sb, `pivot=CAMPAIGN&timeGranularity=HOURLY&dateRange=${day20}&${acct}`)).status,
    ).toBe(400);
    expect((await analytics(sb, `pivot=CAMPAIGN&timeGranularity=ALL&dateRange=${day20}`)).status).toBe(400);
    expect((await analytics(sb, `pivot=NOPE&timeGranularity=ALL&dateRange=${day20}&${acct}`)).status).toBe(
      400,
    );
    const creative = await json(
      await analytics(sb, `pivot=CREATIVE&timeGranularity=ALL&dateRange=${day20}&${acct}`),
    );
    expect(creative.elements).toEqual([]);
    const wrapped = await analytics(
      sb,
      `pivot=(value:CAMPAIGN)&timeGranularity=(value:ALL)&dateRange=${day20}&${acct}`,
    );
    expect(wrapped.status).toBe(200);
  });
});
