import { describe, expect, it } from 'vitest';
import { campaignUrn, DEMO_SEED, ruleUrn } from '../src/index.js';
import { enc, get, headers, json, NOW, sandbox } from './helpers.js';

const A = DEMO_SEED.account;
const C = DEMO_SEED.campaigns;
const R = DEMO_SEED.rules;
type Sb = ReturnType<typeof sandbox>;

const rule = {
  name: 'CAPI - Demo Request',
  account: A.urn,
  conversionMethod: 'CONVERSIONS_API',
  type: 'REQUEST_QUOTE',
  enabled: true,
  attributionType: 'LAST_TOUCH_BY_CAMPAIGN',
  postClickAttributionWindowSize: 30,
  viewThroughAttributionWindowSize: 7,
  valueType: 'DYNAMIC',
};

const create = (sb: Sb, body: unknown, query = '', extra: Record<string, string> = {}) =>
  sb.app.request(`/rest/conversions${query}`, {
    method: 'POST',
    headers: headers(extra),
    body: JSON.stringify(body),
  });

const patch = (sb: Sb, id: string, body: unknown, extra: Record<string, string> = {}) =>
  sb.app.request(`/rest/conversions/${id}?account=${enc(A.urn)}`, {
    method: 'POST',
    headers: headers({ 'X-RestLi-Method': 'PARTIAL_UPDATE', ...extra }),
    body: JSON.stringify(body),
  });

const key = (campaign: string, conversion: string) =>
  `(campaign:${enc(campaignUrn(campaign))},conversion:${enc(ruleUrn(conversion))})`;

describe('conversion rules', () => {
  it('create returns 201, x-restli-id, Location and the full rule', async () => {
    const sb = sandbox();
    const res = await create(sb, rule);
    expect(res.status).toBe(201);
    const id = res.headers.get('x-restli-id');
    expect(id).toMatch(/^\d+$/);
    expect(res.headers.get('location')).toBe(`/conversions/${id}`);
    expect(await json(res)).toEqual({
      id: Number(id),
      ...rule,
      created: NOW,
      lastModified: NOW,
      campaigns: [],
      associatedCampaigns: [],
      urlRules: [],
    });
  });

  it('autoAssociationType=ALL_CAMPAIGNS associates active, draft and paused campaigns', async () => {
    const sb = sandbox();
    const res = await create(sb, rule, '?autoAssociationType=ALL_CAMPAIGNS');
    const body = await json(res);
    expect(body.campaigns).toEqual([C.leadGen, C.webinar, C.retargeting, C.draft].map(campaignUrn));
    expect((await create(sb, rule, '?autoAssociationType=SOMETIMES')).status).toBe(400);
  });

  it('creating is not idempotent: a retry makes a second rule', async () => {
    const sb = sandbox();
    const a = (await create(sb, rule)).headers.get('x-restli-id');
    const b = (await create(sb, rule)).headers.get('x-restli-id');
    expect(a).not.toBe(b);
  });

  it('refuses unknown fields, bad enums and missing fields with 422', async () => {
    const res = await create(sandbox(), {
      ...rule,
      type: 'PHONE_NUMBER',
      autoAssociationType: 'ALL_CAMPAIGNS',
      name: undefined,
    });
    expect(res.status).toBe(422);
    expect((await json(res)).message).toBe(
      [
        'ERROR :: /name :: field is required but not found and has no default value',
        'ERROR :: /type :: "PHONE_NUMBER" is not an enum symbol',
        'ERROR :: /autoAssociationType :: unrecognized field found but not allowed',
        '',
      ].join('\n'),
    );
  });

  it('MQL/SQL types exist from 202608, not in 202408-202607', async () => {
    const mql = { ...rule, type: 'MARKETING_QUALIFIED_LEAD' };
    expect((await create(sandbox(), mql, '', { 'LinkedIn-Version': '202607' })).status).toBe(422);
    expect((await create(sandbox(), mql, '', { 'LinkedIn-Version': '202608' })).status).toBe(201);
  });

  it('checks attribution windows against the type', async () => {
    const sb = sandbox();
    expect((await create(sb, { ...rule, postClickAttributionWindowSize: 365 })).status).toBe(400);
    expect((await create(sb, { ...rule, type: 'LEAD', postClickAttributionWindowSize: 365 })).status).toBe(
      201,
    );
    const bad = await create(sb, { ...rule, viewThroughAttributionWindowSize: 14 });
    expect(await json(bad)).toEqual({
      message: 'Invalid attribution window size 14 for conversion type REQUEST_QUOTE',
      status: 400,
    });
  });

  it('viewers and tokens without rw_conversions cannot create', async () => {
    const sb = sandbox();
    const viewer = await sb.app.request('/rest/conversions', {
      method: 'POST',
      headers: headers({}, DEMO_SEED.tokens.viewer),
      body: JSON.stringify(rule),
    });
    expect(viewer.status).toBe(403);
    const noScope = await sb.app.request('/rest/conversions', {
      method: 'POST',
      headers: headers({}, DEMO_SEED.tokens.noScope),
      body: JSON.stringify(rule),
    });
    expect((await json(noScope)).message).toBe('Not enough permissions to access: conversions.CREATE');
  });

  it('get by id, with and without the account parameter', async () => {
    const sb = sandbox();
    const res = await get(sb, `/rest/conversions/${R.mql}?account=${enc(A.urn)}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      id: Number(R.mql),
      type: 'MARKETING_QUALIFIED_LEAD',
      conversionMethod: 'CONVERSIONS_API',
      campaigns: [campaignUrn(C.leadGen)],
    });
    expect((await get(sb, `/rest/conversions/${R.mql}`)).status).toBe(200);
    expect(
      (await get(sb, `/rest/conversions/${R.mql}?account=${enc('urn:li:sponsoredAccount:1')}`)).status,
    ).toBe(404);
    expect((await get(sb, '/rest/conversions/123')).status).toBe(404);
  });

  it("the q=account finder lists the account's rules, pages and projects", async () => {
    const sb = sandbox();
    const all = await json(
      await get(sb, `/rest/conversions?q=account&account=${enc(A.urn)}&start=0&count=100`),
    );
    expect((all.elements as { id: number }[]).map((r) => String(r.id))).toEqual(Object.values(R));
    expect(all.paging).toEqual({ start: 0, count: 100, total: 7, links: [] });
    const paged = await json(
      await get(sb, `/rest/conversions?q=account&account=${enc(A.urn)}&start=2&count=2&fields=id,name`),
    );
    expect(paged.elements).toEqual([
      { id: Number(R.mql), name: 'CAPI - MQL' },
      { id: Number(R.sql), name: 'CAPI - SQL' },
    ]);
    const other = await json(
      await get(sb, `/rest/conversions?q=account&account=${enc('urn:li:sponsoredAccount:1')}`),
    );
    expect(other.elements).toEqual([]);
  });

  it('batch get by ids', async () => {
    const res = await json(await get(sandbox(), `/rest/conversions?ids=List(${R.lead},42)`));
    expect(Object.keys(res.results as object)).toEqual([R.lead]);
    expect(Object.keys(res.errors as object)).toEqual(['42']);
  });

  it('PARTIAL_UPDATE sets fields (204); disabling makes events fail', async () => {
    const sb = sandbox();
    const res = await patch(sb, R.lead, { patch: { $set: { enabled: false, name: 'Lead (old)' } } });
    expect(res.status).toBe(204);
    expect(sb.state.rules.get(R.lead)).toMatchObject({
      enabled: false,
      name: 'Lead (old)',
      lastModified: NOW,
    });
    const ev = await sb.app.request('/rest/conversionEvents', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({
        conversion: ruleUrn(R.lead),
        conversionHappenedAt: NOW - 1000,
        user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'x' }] },
      }),
    });
    expect(ev.status).toBe(400);
  });

  it('PARTIAL_UPDATE refuses create-only, read-only and unknown fields', async () => {
    const res = await patch(sandbox(), R.lead, {
      patch: { $set: { account: A.urn, created: 1, colour: 'red' } },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).message).toBe(
      [
        'ERROR :: /account :: CreateOnly field present in a partial_update request',
        'ERROR :: /created :: ReadOnly field present in a partial_update request',
        'ERROR :: /colour :: unrecognized field found but not allowed',
        '',
      ].join('\n'),
    );
  });

  it('POST on an entity without PARTIAL_UPDATE is unsupported', async () => {
    const res = await sandbox().app.request(`/rest/conversions/${R.lead}`, {
      method: 'POST',
      headers: headers(),
      body: '{}',
    });
    expect(res.status).toBe(400);
  });
});

describe('campaign associations', () => {
  it('PUT on the compound key associates (204, idempotent); the rule lists the campaign', async () => {
    const sb = sandbox();
    const body = JSON.stringify({ campaign: campaignUrn(C.retargeting), conversion: ruleUrn(R.mql) });
    for (let i = 0; i < 2; i++) {
      const res = await sb.app.request(`/rest/campaignConversions/${key(C.retargeting, R.mql)}`, {
        method: 'PUT',
        headers: headers(),
        body,
      });
      expect(res.status).toBe(204);
    }
    const r = await json(await get(sb, `/rest/conversions/${R.mql}`));
    expect(r.campaigns).toEqual([campaignUrn(C.leadGen), campaignUrn(C.retargeting)]);
  });

  it('DELETE dissociates (204)', async () => {
    const sb = sandbox();
    const res = await sb.app.request(`/rest/campaignConversions/${key(C.leadGen, R.mql)}`, {
      method: 'DELETE',
      headers: headers(),
    });
    expect(res.status).toBe(204);
    expect(sb.state.campaignsOfRule(R.mql)).toEqual([]);
  });

  it('GET one association and 404 for a missing one', async () => {
    const sb = sandbox();
    const res = await get(sb, `/rest/campaignConversions/${key(C.leadGen, R.mql)}`);
    expect(await json(res)).toEqual({
      campaign: campaignUrn(C.leadGen),
      conversion: ruleUrn(R.mql),
      associatedAt: NOW,
    });
    expect((await get(sb, `/rest/campaignConversions/${key(C.webinar, R.mql)}`)).status).toBe(404);
  });

  it('the q=campaigns finder lists associations of the given campaigns', async () => {
    const res = await json(
      await get(
        sandbox(),
        `/rest/campaignConversions?q=campaigns&campaigns=List(${enc(campaignUrn(C.retargeting))})`,
      ),
    );
    expect(res.elements).toEqual([
      { campaign: campaignUrn(C.retargeting), conversion: ruleUrn(R.sql), associatedAt: NOW },
      { campaign: campaignUrn(C.retargeting), conversion: ruleUrn(R.purchase), associatedAt: NOW },
    ]);
  });

  it('rejects malformed keys, unknown entities and mismatched bodies', async () => {
    const sb = sandbox();
    const put = (k: string, body = '') =>
      sb.app.request(`/rest/campaignConversions/${k}`, { method: 'PUT', headers: headers(), body });
    expect((await put('123')).status).toBe(400);
    expect(
      (await put(`(campaign:${enc('urn:li:sponsoredCampaign:1')},conversion:${enc(ruleUrn(R.lead))})`))
        .status,
    ).toBe(404);
    const mismatch = await put(
      key(C.leadGen, R.purchase),
      JSON.stringify({ campaign: campaignUrn(C.webinar), conversion: ruleUrn(R.purchase) }),
    );
    expect(mismatch.status).toBe(400);
    const unknown = await put(
      key(C.leadGen, R.purchase),
      JSON.stringify({ campaign: campaignUrn(C.leadGen), extra: 1 }),
    );
    expect(unknown.status).toBe(422);
  });

  it('a viewer cannot associate', async () => {
    const res = await sandbox().app.request(`/rest/campaignConversions/${key(C.leadGen, R.purchase)}`, {
      method: 'PUT',
      headers: headers({}, DEMO_SEED.tokens.viewer),
    });
    expect(res.status).toBe(403);
  });
});
