import { describe, expect, it } from 'vitest';
import { accountUrn, campaignUrn, DEMO_SEED } from '../src/index.js';
import { enc, get, json, sandbox } from './helpers.js';

const A = DEMO_SEED.account;
const C = DEMO_SEED.campaigns;

const seedWithTwoAccounts = {
  accounts: [
    { id: 1, name: 'Live', currency: 'USD' },
    { id: 2, name: 'Test', currency: 'EUR', test: true, status: 'DRAFT' as const },
  ],
  campaigns: [
    { id: 11, account: 1, name: 'A', startDate: '2026-01-01' },
    { id: 12, account: 1, name: 'B', status: 'PAUSED' as const, startDate: '2026-01-01' },
  ],
  tokens: [
    { value: 'all', scopes: ['r_ads'] },
    { value: 'only-2', scopes: ['r_ads'], accounts: [2], role: 'CAMPAIGN_MANAGER' as const },
    { value: 'no-ads', scopes: ['rw_conversions'] },
  ],
};

describe('adAccountUsers', () => {
  it('q=authenticatedUser lists the accounts of the token with its role', async () => {
    const sb = sandbox({ seed: seedWithTwoAccounts });
    expect(
      (await json(await get(sb, '/rest/adAccountUsers?q=authenticatedUser', {}, 'only-2'))).elements,
    ).toEqual([{ account: accountUrn('2'), user: 'urn:li:person:sandboxMember', role: 'CAMPAIGN_MANAGER' }]);
    const all = await json(await get(sb, '/rest/adAccountUsers?q=authenticatedUser', {}, 'all'));
    expect((all.elements as unknown[]).length).toBe(2);
  });

  it('needs r_ads', async () => {
    const res = await get(
      sandbox({ seed: seedWithTwoAccounts }),
      '/rest/adAccountUsers?q=authenticatedUser',
      {},
      'no-ads',
    );
    expect(res.status).toBe(403);
  });
});

describe('adAccounts', () => {
  it('get by id (plain or URN key) returns the account with its currency', async () => {
    const sb = sandbox();
    const byId = await json(await get(sb, `/rest/adAccounts/${A.id}`));
    expect(byId).toEqual({
      id: Number(A.id),
      name: A.name,
      currency: 'EUR',
      status: 'ACTIVE',
      type: 'BUSINESS',
      reference: 'urn:li:organization:90000001',
      servingStatuses: ['RUNNABLE'],
      test: false,
    });
    expect(await json(await get(sb, `/rest/adAccounts/${enc(A.urn)}?fields=id,currency`))).toEqual({
      id: Number(A.id),
      currency: 'EUR',
    });
    expect((await get(sb, '/rest/adAccounts/1')).status).toBe(404);
  });

  it('q=search filters by status, test and id', async () => {
    const sb = sandbox({ seed: seedWithTwoAccounts });
    const ids = async (search: string) =>
      (
        (await json(await get(sb, `/rest/adAccounts?q=search&search=${search}`, {}, 'all'))).elements as {
          id: number;
        }[]
      ).map((a) => a.id);
    expect(await ids('(status:(values:List(ACTIVE)))')).toEqual([1]);
    expect(await ids('(status:(values:List(ACTIVE,DRAFT)))')).toEqual([1, 2]);
    expect(await ids('(test:true)')).toEqual([2]);
    expect(await ids(`(id:(values:List(${enc(accountUrn('2'))})))`)).toEqual([2]);
  });

  it('pages with pageSize/pageToken on request', async () => {
    const sb = sandbox({ seed: seedWithTwoAccounts });
    const first = await json(await get(sb, '/rest/adAccounts?q=search&pageSize=1', {}, 'all'));
    expect((first.elements as unknown[]).length).toBe(1);
    expect(first.metadata).toEqual({ nextPageToken: '1' });
    const second = await json(await get(sb, '/rest/adAccounts?q=search&pageSize=1&pageToken=1', {}, 'all'));
    expect(second.metadata).toEqual({});
  });
});

describe('adCampaigns', () => {
  it('q=search with a status filter and a fields projection', async () => {
    const res = await json(
      await get(
        sandbox(),
        `/rest/adAccounts/${A.id}/adCampaigns?q=search&search=(status:(values:List(ACTIVE,DRAFT)))&fields=id,name,status`,
      ),
    );
    expect(res.elements).toEqual([
      { id: Number(C.leadGen), name: 'Lead Gen - IT Decision Makers DACH', status: 'ACTIVE' },
      { id: Number(C.webinar), name: 'Webinar - Data Platform Demo Day', status: 'ACTIVE' },
      { id: Number(C.retargeting), name: 'Retargeting - Pricing Page Visitors', status: 'ACTIVE' },
      { id: Number(C.draft), name: 'Draft - Q1 Brand Awareness', status: 'DRAFT' },
    ]);
  });

  it('filters out other statuses and returns full campaigns without projection', async () => {
    const sb = sandbox({ seed: seedWithTwoAccounts });
    const res = await json(
      await get(
        sb,
        '/rest/adAccounts/1/adCampaigns?q=search&search=(status:(values:List(PAUSED)))',
        {},
        'all',
      ),
    );
    expect(res.elements).toEqual([
      {
        id: 12,
        name: 'B',
        account: accountUrn('1'),
        status: 'PAUSED',
        type: 'SPONSORED_UPDATES',
        costType: 'CPM',
        objectiveType: 'WEBSITE_CONVERSION',
        runSchedule: { start: Date.UTC(2026, 0, 1) },
        test: false,
      },
    ]);
  });

  it('gets one campaign of the account', async () => {
    const sb = sandbox();
    const res = await json(await get(sb, `/rest/adAccounts/${A.id}/adCampaigns/${C.webinar}`));
    expect(res).toMatchObject({ id: Number(C.webinar), dailyBudget: { currencyCode: 'EUR', amount: '120' } });
    expect((await get(sb, `/rest/adAccounts/${A.id}/adCampaigns/${enc(campaignUrn('5'))}`)).status).toBe(404);
  });
});
