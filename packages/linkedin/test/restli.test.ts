import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyticsRequest,
  associateRequest,
  associationKey,
  batchCreateBody,
  batchCreateRequest,
  campaignsRequest,
  chunk,
  createRuleRequest,
  decodeRestli,
  encodeRestli,
  encodeRestliQuery,
  getRuleRequest,
  linkedInHeaders,
  listAssociationsRequest,
  listRulesRequest,
  tunnelIfLong,
  updateRuleRequest,
} from '../src/index.js';

describe('Rest.li 2.0 encoding', () => {
  it('percent-encodes URN keys completely', () => {
    expect(encodeRestli('urn:li:sponsoredAccount:123')).toBe('urn%3Ali%3AsponsoredAccount%3A123');
    expect(encodeRestli("a(b)c,d'e")).toBe('a%28b%29c%2Cd%27e');
  });
  it('writes lists, records and the empty string', () => {
    expect(encodeRestli(['urn:li:sponsoredAccount:1', 'urn:li:sponsoredAccount:2'])).toBe(
      'List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)',
    );
    expect(encodeRestli({ start: { year: 2026, month: 11, day: 1 } })).toBe(
      '(start:(year:2026,month:11,day:1))',
    );
    expect(encodeRestli({ status: { values: ['ACTIVE', 'DRAFT'] } })).toBe(
      '(status:(values:List(ACTIVE,DRAFT)))',
    );
    expect(encodeRestli('')).toBe("''");
    expect(encodeRestli([])).toBe('List()');
  });
  it('builds compound keys for campaign associations', () => {
    expect(associationKey(123, 456)).toBe(
      '(campaign:urn%3Ali%3AsponsoredCampaign%3A123,conversion:urn%3Alla%3AllaPartnerConversion%3A456)',
    );
  });
  it('decodes what LinkedIn documents', () => {
    expect(decodeRestli('(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:21))')).toEqual({
      start: { year: '2026', month: '11', day: '1' },
      end: { year: '2026', month: '11', day: '21' },
    });
    expect(decodeRestli('List(urn%3Ali%3AsponsoredAccount%3A123)')).toEqual(['urn:li:sponsoredAccount:123']);
  });
  it.each(['List(a', '(a:b', '(a)', 'a)b', '(a:b,)', ''])('rejects the malformed %j', (text) => {
    expect(() => decodeRestli(text)).toThrow(SyntaxError);
  });
  it('skips undefined query parameters', () => {
    expect(encodeRestliQuery({ q: 'search', pageToken: undefined, pageSize: 10 })).toBe(
      'q=search&pageSize=10',
    );
  });
});

describe('query tunnelling', () => {
  it('leaves short queries alone', () => {
    expect(tunnelIfLong('GET', '/rest/x', 'q=a')).toEqual({
      method: 'GET',
      url: '/rest/x?q=a',
      headers: {},
      body: undefined,
    });
  });
  it('moves long queries into a POST body with a method override', () => {
    const query = `ids=List(${Array.from({ length: 600 }, (_, i) => 1_000_000 + i).join(',')})`;
    const t = tunnelIfLong('GET', '/rest/x', query);
    expect(t).toEqual({
      method: 'POST',
      url: '/rest/x',
      headers: { 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: query,
    });
  });
});

describe('request builders', () => {
  it('sends the four headers, plus the Rest.li method when needed', () => {
    expect(linkedInHeaders('tok', '202609')).toEqual({
      Authorization: 'Bearer tok',
      'LinkedIn-Version': '202609',
      'X-Restli-Protocol-Version': '2.0.0',
      'Content-Type': 'application/json',
    });
    expect(linkedInHeaders('tok', '202609', 'BATCH_CREATE')['X-RestLi-Method']).toBe('BATCH_CREATE');
  });
  it('joins pre-serialised events without re-encoding them', () => {
    expect(batchCreateBody(['{"a":1}', '{"b":2}']).toString('utf8')).toBe('{"elements":[{"a":1},{"b":2}]}');
    expect(batchCreateRequest(['{}'])).toMatchObject({
      method: 'POST',
      path: '/rest/conversionEvents',
      restliMethod: 'BATCH_CREATE',
    });
  });
  it('writes the same bytes as encoding the joined text, whatever the strings hold', () => {
    // Full Unicode and lone surrogates included: the buffer is sized by byteLength and must be
    // filled to its last byte, never more, never less.
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (payloads) => {
        const expected = Buffer.from(`{"elements":[${payloads.join(',')}]}`, 'utf8');
        expect(batchCreateBody(payloads).equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
  it('refuses empty batches and more than 5,000 events', () => {
    expect(() => batchCreateRequest([])).toThrow(RangeError);
    expect(() => batchCreateRequest(new Array(5001).fill('{}'))).toThrow(RangeError);
    expect(batchCreateRequest(new Array(5000).fill('{}')).body?.length).toBeGreaterThan(10_000);
  });
  it('splits into chunks of at most 5,000', () => {
    expect(chunk(new Array(12_001).fill(0)).map((c) => c.length)).toEqual([5000, 5000, 2001]);
    expect(chunk([])).toEqual([]);
  });
  it('creates rules with ALL_CAMPAIGNS auto-association as a query parameter', () => {
    const req = createRuleRequest(
      { name: 'CAPI Lead', account: '508123456', conversionMethod: 'CONVERSIONS_API', type: 'LEAD' },
      { autoAssociate: true },
    );
    expect(req).toMatchObject({
      method: 'POST',
      path: '/rest/conversions',
      query: 'autoAssociationType=ALL_CAMPAIGNS',
    });
    expect(JSON.parse(req.body ?? '')).toMatchObject({ account: 'urn:li:sponsoredAccount:508123456' });
  });
  it('addresses rules by id with the account as a query parameter', () => {
    expect(getRuleRequest('urn:lla:llaPartnerConversion:77', 5)).toEqual({
      method: 'GET',
      path: '/rest/conversions/77',
      query: 'account=urn%3Ali%3AsponsoredAccount%3A5',
    });
    expect(listRulesRequest(5, 100, 100).query).toBe(
      'q=account&account=urn%3Ali%3AsponsoredAccount%3A5&start=100&count=100',
    );
  });
  it('updates rules with PARTIAL_UPDATE and a $set patch', () => {
    const req = updateRuleRequest(77, 5, { enabled: false });
    expect(req).toMatchObject({
      method: 'POST',
      path: '/rest/conversions/77',
      restliMethod: 'PARTIAL_UPDATE',
    });
    expect(JSON.parse(req.body ?? '')).toEqual({ patch: { $set: { enabled: false } } });
  });
  it('associates with PUT on the compound key and lists with the campaigns finder', () => {
    const req = associateRequest('urn:li:sponsoredCampaign:1', 2);
    expect(req.method).toBe('PUT');
    expect(req.path).toBe(
      '/rest/campaignConversions/(campaign:urn%3Ali%3AsponsoredCampaign%3A1,conversion:urn%3Alla%3AllaPartnerConversion%3A2)',
    );
    expect(JSON.parse(req.body ?? '')).toEqual({
      campaign: 'urn:li:sponsoredCampaign:1',
      conversion: 'urn:lla:llaPartnerConversion:2',
    });
    expect(listAssociationsRequest([1, 2]).query).toBe(
      'q=campaigns&campaigns=List(urn%3Ali%3AsponsoredCampaign%3A1,urn%3Ali%3AsponsoredCampaign%3A2)',
    );
  });
  it('searches campaigns by status with cursor paging', () => {
    expect(campaignsRequest('urn:li:sponsoredAccount:9', ['ACTIVE', 'DRAFT'], 1000, 'tok')).toEqual({
      method: 'GET',
      path: '/rest/adAccounts/9/adCampaigns',
      query: 'q=search&search=(status:(values:List(ACTIVE,DRAFT)))&pageSize=1000&pageToken=tok',
    });
  });
  it('builds adAnalytics queries with pivot, granularity, date range, facets and fields', () => {
    const req = analyticsRequest({
      pivot: 'CONVERSION',
      granularity: 'DAILY',
      start: '2026-11-01',
      end: { year: 2026, month: 11, day: 21 },
      accounts: [508123456],
      metrics: ['externalWebsiteConversions', 'costInLocalCurrency'],
    });
    expect(req.query).toBe(
      'q=analytics&pivot=CONVERSION&timeGranularity=DAILY' +
        '&dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:21))' +
        '&accounts=List(urn%3Ali%3AsponsoredAccount%3A508123456)' +
        '&fields=pivotValues,dateRange,externalWebsiteConversions,costInLocalCurrency',
    );
    expect(() => analyticsRequest({ pivot: 'CAMPAIGN', granularity: 'ALL', start: '2026-11-01' })).toThrow(
      RangeError,
    );
    expect(() =>
      analyticsRequest({ pivot: 'CAMPAIGN', granularity: 'ALL', start: '1/11/2026', campaigns: [1] }),
    ).toThrow(TypeError);
  });
});
