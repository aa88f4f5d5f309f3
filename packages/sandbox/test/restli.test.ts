import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRestli, parseRestli, RestliQuery, type RestliValue, splitUrl } from '../src/restli.js';

describe('Rest.li 2.0 parser', () => {
  it('decodes a percent-encoded URN leaf', () => {
    expect(parseRestli('urn%3Ali%3AsponsoredAccount%3A123')).toBe('urn:li:sponsoredAccount:123');
  });

  it('parses List(...) of encoded URNs', () => {
    expect(parseRestli('List(urn%3Ali%3AsponsoredAccount%3A1,urn%3Ali%3AsponsoredAccount%3A2)')).toEqual([
      'urn:li:sponsoredAccount:1',
      'urn:li:sponsoredAccount:2',
    ]);
    expect(parseRestli('List()')).toEqual([]);
  });

  it('parses a compound key', () => {
    expect(
      parseRestli(
        '(campaign:urn%3Ali%3AsponsoredCampaign%3A123,conversion:urn%3Alla%3AllaPartnerConversion%3A456)',
      ),
    ).toEqual({ campaign: 'urn:li:sponsoredCampaign:123', conversion: 'urn:lla:llaPartnerConversion:456' });
  });

  it('parses nested records such as dateRange and search', () => {
    expect(parseRestli('(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:21))')).toEqual({
      start: { year: '2026', month: '11', day: '1' },
      end: { year: '2026', month: '11', day: '21' },
    });
    expect(parseRestli('(status:(values:List(ACTIVE,DRAFT)))')).toEqual({
      status: { values: ['ACTIVE', 'DRAFT'] },
    });
  });

  it("reads '' as the empty string, also after URL normalisation turned it into %27%27", () => {
    expect(parseRestli("''")).toBe('');
    expect(parseRestli('(a:%27%27)')).toEqual({ a: '' });
  });

  it('rejects malformed structure', () => {
    expect(() => parseRestli('List(a,b')).toThrow(/Expected/);
    expect(() => parseRestli('(a:1')).toThrow();
    expect(() => parseRestli('(abc)')).toThrow(/Missing ':'/);
    expect(() => parseRestli('List(a))')).toThrow(/Unexpected/);
  });

  it('keeps a field named __proto__ as a field, never as the prototype', () => {
    const decoded = parseRestli('(__proto__:(polluted:yes),a:1)') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(decoded.a).toBe('1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips any value through encodeRestli', () => {
    const leaf = fc.string().filter((s) => s !== "''");
    const key = fc.string({ minLength: 1 }).filter((s) => s !== "''");
    const { value } = fc.letrec<{ value: RestliValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        // A top-level leaf is decoded whole; wrap it so structure is always exercised.
        expect(parseRestli(encodeRestli([v]))).toEqual([v]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('RestliQuery', () => {
  const q = new RestliQuery(
    'q=analytics&pivot=(value:CAMPAIGN)&accounts=List(urn%3Ali%3AsponsoredAccount%3A5)&fields=pivotValues,clicks&count=5&campaigns=urn%3Ali%3AsponsoredCampaign%3A9',
  );

  it('reads scalars, unwrapping (value:X)', () => {
    expect(q.string('q')).toBe('analytics');
    expect(q.string('pivot')).toBe('CAMPAIGN');
    expect(q.string('missing')).toBeUndefined();
  });

  it('reads lists, accepting a single value as a one-element list', () => {
    expect(q.list('accounts')).toEqual(['urn:li:sponsoredAccount:5']);
    expect(q.list('campaigns')).toEqual(['urn:li:sponsoredCampaign:9']);
  });

  it('reads fields as a plain comma list and integers', () => {
    expect([...(q.fields() ?? [])]).toEqual(['pivotValues', 'clicks']);
    expect(q.int('count', 10)).toBe(5);
    expect(q.int('start', 0)).toBe(0);
  });
});

describe('splitUrl', () => {
  it('keeps the raw path and query', () => {
    expect(splitUrl('http://h:1/rest/x/(a:urn%3Ab)?q=1&b=List(1)#frag')).toEqual({
      path: '/rest/x/(a:urn%3Ab)',
      query: 'q=1&b=List(1)',
    });
    expect(splitUrl('http://h/rest')).toEqual({ path: '/rest', query: '' });
  });
});
