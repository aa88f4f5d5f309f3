import { sha256Hex } from '@capi-gateway/linkedin';
import { describe, expect, it } from 'vitest';
import { basic, get, HOUR, harness, KEYS, NOW, post, RULES, trackCall } from './http-harness.js';

type Body = {
  results: Array<{
    eventId: string | null;
    status: string;
    errors?: Array<{ code: string; path: string; message?: string }>;
    warnings?: Array<{ code: string }>;
    payload?: { user: Record<string, unknown>; conversionValue?: unknown; conversionHappenedAt: number };
  }>;
  summary: Record<string, number>;
  error?: { code: string };
};

describe('Segment-compatible routes', () => {
  describe('authentication', () => {
    it('takes the write key as the Basic user name with an empty password', async () => {
      const h = harness();
      const res = await post(h, '/v1/track', trackCall({ messageId: 'm-basic' }), {
        key: null,
        headers: { authorization: basic(KEYS.crm) },
      });
      expect(res.status).toBe(200);
      expect((await h.store.findByEventId('m-basic'))[0]?.source).toBe('crm');
    });

    it('also takes it as Bearer', async () => {
      const h = harness();
      const res = await post(h, '/v1/track', trackCall({ messageId: 'm-bearer' }));
      expect(res.status).toBe(200);
      expect((await h.store.findByEventId('m-bearer'))[0]?.source).toBe('website');
    });

    it.each([
      ['no header', {}, 'AUTH_MISSING'],
      ['an empty Basic user', { authorization: basic('') }, 'AUTH_MISSING'],
      ['an unknown Basic key', { authorization: basic('not-a-key-000000000') }, 'AUTH_INVALID'],
      ['a malformed Basic value', { authorization: 'Basic ***' }, 'AUTH_INVALID'],
      ['Basic with nothing after it', { authorization: 'Basic' }, 'AUTH_MISSING'],
      ['a bare key (no scheme)', { authorization: KEYS.website }, 'AUTH_SCHEME_UNSUPPORTED'],
      ['another scheme', { authorization: `Digest ${KEYS.website}` }, 'AUTH_SCHEME_UNSUPPORTED'],
    ])('401 with %s', async (_name, headers, code) => {
      const res = await post(harness(), '/v1/batch', { batch: [trackCall()] }, { key: null, headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code } });
    });
  });

  describe('field mapping', () => {
    it('maps messageId, event, timestamp, email, revenue and currency', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({
          messageId: 'm-map',
          event: 'Qualified Lead',
          timestamp: '2026-11-20T09:00:00.000Z',
          context: { traits: { email: 'Sam.Lee@Example.com' } },
          properties: { revenue: 1500, currency: 'USD' },
        }),
      );
      expect(res.status).toBe(200);
      const [row] = await h.store.findByEventId('m-map');
      expect(row).toMatchObject({
        ruleId: RULES.qualified_lead,
        happenedAt: Date.parse('2026-11-20T09:00:00Z'),
      });
      expect(JSON.parse(row?.payload ?? '')).toMatchObject({
        eventId: 'm-map',
        conversionValue: { currencyCode: 'USD', amount: '1500' },
        user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('sam.lee@example.com') }] },
      });
    });

    it('maps li_fat_id, names, company, title and IP; value; email from properties', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({
          messageId: 'm-rich',
          event: 'purchase',
          context: {
            ip: '203.0.113.7',
            traits: { first_name: 'Sam', lastName: 'Lee', company: { name: 'Acme' }, title: 'CTO' },
            page: { url: 'https://example.com/landing?utm_source=li&li_fat_id=fat-123' },
          },
          properties: { email: 'sam@example.com', value: '99.5', currency: 'EUR' },
        }),
        { query: 'validate_only=true' },
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]?.payload?.conversionValue).toEqual({ currencyCode: 'EUR', amount: '99.5' });
      expect(body.results[0]?.payload?.user).toEqual({
        userIds: [
          { idType: 'SHA256_EMAIL', idValue: sha256Hex('sam@example.com') },
          { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'fat-123' },
          { idType: 'PLAINTEXT_IP_ADDRESS', idValue: '203.0.113.7' },
        ],
        userInfo: { firstName: 'Sam', lastName: 'Lee', companyName: 'Acme', title: 'CTO' },
      });
    });

    it('takes properties.email when context.traits.email is a placeholder or invalid, with a warning', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({
          messageId: 'm-email-fallback',
          context: { traits: { email: 'unknown' } },
          properties: { email: 'Sam.Lee@Example.com' },
        }),
      );
      const body = (await res.json()) as { results: Array<{ status: string; warnings?: unknown[] }> };
      expect(body.results[0]?.status).toBe('accepted');
      expect(body.results[0]?.warnings).toEqual([
        {
          code: 'EMAIL_PLACEHOLDER',
          path: '/context/traits/email',
          message: 'The email is a known placeholder address; properties.email was used instead.',
        },
      ]);
      const [row] = await h.store.findByEventId('m-email-fallback');
      expect(JSON.parse(row?.payload ?? '').user.userIds).toEqual([
        { idType: 'SHA256_EMAIL', idValue: sha256Hex('sam.lee@example.com') },
      ]);
    });
    it('warns about both emails when neither is usable', async () => {
      const res = await post(
        harness(),
        '/v1/track',
        trackCall({ context: { traits: { email: 'unknown' } }, properties: { email: 'not-an-email' } }),
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]?.errors?.map((e) => [e.code, e.path])).toEqual([
        ['NO_IDENTIFIER', '/context/traits'],
      ]);
      expect(body.results[0]?.warnings).toEqual([
        expect.objectContaining({ code: 'EMAIL_INVALID', path: '/properties/email' }),
        expect.objectContaining({ code: 'EMAIL_PLACEHOLDER', path: '/context/traits/email' }),
      ]);
    });
    it('prefers li_fat_id from properties, then context, then the page URL', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({
          context: { li_fat_id: 'from-context', page: { url: 'https://x.test/?li_fat_id=from-url' } },
          properties: { li_fat_id: 'from-properties' },
        }),
        { query: 'validate_only=1' },
      );
      const ids = ((await res.json()) as Body).results[0]?.payload?.user.userIds as Array<{
        idValue: string;
      }>;
      expect(ids.map((i) => i.idValue)).toEqual(['from-properties']);
    });

    it('uses the time of receipt when there is no timestamp, and warns', async () => {
      const h = harness();
      const call = trackCall({ messageId: 'm-now' });
      delete call.timestamp;
      const res = await post(h, '/v1/track', call, { query: 'validate_only=true' });
      const result = ((await res.json()) as Body).results[0];
      expect(result?.payload?.conversionHappenedAt).toBe(NOW);
      expect(result?.warnings?.map((w) => w.code)).toContain('HAPPENED_AT_DEFAULTED');
    });

    it('drops a revenue without currency, with a warning', async () => {
      const res = await post(harness(), '/v1/track', trackCall({ properties: { revenue: 10 } }), {
        query: 'validate_only=true',
      });
      const result = ((await res.json()) as Body).results[0];
      expect(result?.payload?.conversionValue).toBeUndefined();
      expect(result?.warnings?.map((w) => w.code)).toContain('SEGMENT_CURRENCY_MISSING');
    });

    it('accepts Segment’s nulls and unknown fields', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({
          anonymousId: 'anon-1',
          userId: null,
          integrations: { All: true },
          context: { traits: { email: 'a@example.com', title: null }, library: { name: 'analytics-node' } },
          properties: { revenue: null, plan: 'pro' },
        }),
      );
      expect(((await res.json()) as Body).summary.accepted).toBe(1);
    });

    it('rejects an event name that maps to no alias, a missing messageId, and a bad timestamp', async () => {
      const res = await post(harness(), '/v1/batch', {
        batch: [
          trackCall({ event: 'Page Scrolled' }),
          trackCall({ messageId: undefined }),
          trackCall({ messageId: 'bad-ts', timestamp: 'last week' }),
        ],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.status, r.errors?.[0]?.code, r.errors?.[0]?.path])).toEqual([
        ['rejected', 'CONVERSION_UNKNOWN', '/event'],
        ['rejected', 'EVENT_ID_MISSING', '/messageId'],
        ['rejected', 'HAPPENED_AT_INVALID', '/timestamp'],
      ]);
    });
    it('points each problem at the Segment field it came from', async () => {
      const res = await post(
        harness(),
        '/v1/track',
        trackCall({
          context: {
            traits: { email: 'sam.lee@example.com', first_name: 'sam@example.com', lastName: 'Lee' },
          },
          properties: { revenue: '12,5', currency: 'EUR' },
        }),
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]?.errors?.map((e) => [e.code, e.path])).toEqual([
        ['RAW_EMAIL_FOUND', '/context/traits/first_name'],
        ['VALUE_AMOUNT_INVALID', '/properties/revenue'],
      ]);
    });
    it('names the Segment fields that take an email when one is found elsewhere', async () => {
      const res = await post(
        harness(),
        '/v1/track',
        trackCall({ properties: { li_fat_id: 'sam@example.com' }, context: { traits: {} } }),
      );
      const body = (await res.json()) as {
        results: Array<{ errors?: Array<{ code: string; message: string }> }>;
      };
      const [problem] = body.results[0]?.errors ?? [];
      expect(problem?.code).toBe('RAW_EMAIL_FOUND');
      expect(problem?.message).toContain('context.traits.email or properties.email');
      expect(problem?.message).not.toContain('user.email');
    });
    it('names every problem of a call at once: unmapped event, bad timestamp, no identifier', async () => {
      const res = await post(
        harness(),
        '/v1/track',
        trackCall({ event: 'Page Scrolled', timestamp: 'last week', context: {}, properties: {} }),
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]?.errors?.map((e) => [e.code, e.path])).toEqual([
        ['HAPPENED_AT_INVALID', '/timestamp'],
        ['CONVERSION_UNKNOWN', '/event'],
        ['NO_IDENTIFIER', '/context/traits'],
      ]);
    });
  });

  describe('/v1/batch', () => {
    it('ingests track calls, ignores identify/page calls, rejects unknown types; always 200', async () => {
      const h = harness();
      const res = await post(h, '/v1/batch', {
        sentAt: new Date(NOW).toISOString(),
        batch: [
          trackCall({ messageId: 't1' }),
          { type: 'identify', messageId: 'i1', traits: { email: 'x@example.com' } },
          { type: 'page', messageId: 'p1' },
          { type: 'bogus', messageId: 'b1' },
          trackCall({ messageId: 't1' }),
        ],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.eventId, r.status])).toEqual([
        ['t1', 'accepted'],
        ['i1', 'ignored'],
        ['p1', 'ignored'],
        ['b1', 'rejected'],
        ['t1', 'duplicate'],
      ]);
      expect(body.results[1]?.warnings?.[0]?.code).toBe('SEGMENT_TYPE_IGNORED');
      expect(body.results[3]?.errors?.[0]).toMatchObject({ code: 'EVENT_INVALID', path: '/type' });
      expect(body.summary).toEqual({ accepted: 1, duplicate: 1, rejected: 1, suppressed: 0, ignored: 2 });
      expect(JSON.stringify(body)).not.toContain('x@example.com');
    });

    it('counts ignored calls in capigw_events_ingested_total{status="ignored"}', async () => {
      const h = harness({ env: { CAPI_SEGMENT_UNMAPPED_EVENTS: 'ignore' } });
      const res = await post(h, '/v1/batch', {
        batch: [trackCall(), { type: 'identify', messageId: 'id-1' }, trackCall({ event: 'Signed Up' })],
      });
      expect(((await res.json()) as Body).summary).toMatchObject({ accepted: 1, ignored: 2 });
      const text = await (await get(h, '/metrics', null)).text();
      expect(text).toContain('capigw_events_ingested_total{source="website",status="ignored"} 2');
      expect(text).toContain('capigw_events_ingested_total{source="website",status="accepted"} 1');
    });

    it('answers 200 even when every call was rejected (Segment SDKs only look at 2xx)', async () => {
      const res = await post(harness(), '/v1/batch', { batch: [trackCall({ event: 'Nope' })] });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Body).summary.rejected).toBe(1);
    });

    it.each([
      ['no batch', {}],
      ['batch not an array', { batch: {} }],
      ['an empty batch', { batch: [] }],
    ])('400 BODY_INVALID for %s', async (_name, body) => {
      const res = await post(harness(), '/v1/batch', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'BODY_INVALID', path: '/batch' } });
    });

    it('413 TOO_MANY_EVENTS above the limit', async () => {
      const res = await post(harness(), '/v1/batch', {
        batch: Array.from({ length: 5001 }, () => ({ type: 'page' })),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: 'TOO_MANY_EVENTS' } });
    });

    it('503 while intake is closed', async () => {
      const h = harness();
      h.intake.close();
      const res = await post(h, '/v1/track', trackCall());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    });
  });

  describe('track calls whose event maps to no conversion (segment.unmappedEvents)', () => {
    const IGNORE = 'segment:\n  unmappedEvents: ignore\n';

    it('are rejected by default, so a misspelt mapping shows', async () => {
      const res = await post(harness(), '/v1/track', trackCall({ event: 'Qualified Leads' }));
      const body = (await res.json()) as Body;
      expect(body.results[0]).toMatchObject({ status: 'rejected', errors: [{ code: 'CONVERSION_UNKNOWN' }] });
    });

    it('are ignored under "ignore", stored nowhere, and the mapped ones still ingested', async () => {
      const h = harness({ yaml: IGNORE });
      const res = await post(h, '/v1/batch', {
        batch: [
          trackCall({ messageId: 'mapped', event: 'Qualified Lead' }),
          trackCall({ messageId: 'scrolled', event: 'Page Scrolled' }),
          // Nothing else in an unmapped call is checked: none of it would be stored or sent.
          trackCall({ messageId: 'clicked', event: 'Button Clicked', timestamp: 'last week', context: {} }),
          { type: 'page', messageId: 'p1' },
        ],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.eventId, r.status, r.warnings?.[0]?.code])).toEqual([
        ['mapped', 'accepted', undefined],
        ['scrolled', 'ignored', 'SEGMENT_EVENT_UNMAPPED'],
        ['clicked', 'ignored', 'SEGMENT_EVENT_UNMAPPED'],
        ['p1', 'ignored', 'SEGMENT_TYPE_IGNORED'],
      ]);
      expect(body.results[1]?.warnings?.[0]).toMatchObject({ path: '/event' });
      expect(body.summary).toEqual({ accepted: 1, duplicate: 0, rejected: 0, suppressed: 0, ignored: 3 });
      expect(await h.store.findByEventId('scrolled')).toEqual([]);
      expect(await h.store.findByEventId('clicked')).toEqual([]);
      expect(await h.store.findByEventId('mapped')).toHaveLength(1);
    });

    it('names the known aliases, and takes CAPI_SEGMENT_UNMAPPED_EVENTS', async () => {
      const h = harness({ env: { CAPI_SEGMENT_UNMAPPED_EVENTS: 'ignore' } });
      const res = await post(h, '/v1/track', trackCall({ event: 'Signed Up' }), {
        query: 'validate_only=true',
      });
      const body = (await res.json()) as Body & { results: Array<{ warnings?: Array<{ message: string }> }> };
      expect(body.results[0]?.status).toBe('ignored');
      expect(body.results[0]?.warnings?.[0]?.message).toContain(
        'Known aliases: lead, purchase, qualified_lead.',
      );
    });

    it('still reject a call whose event is missing or not a string', async () => {
      const h = harness({ yaml: IGNORE });
      const res = await post(h, '/v1/batch', {
        batch: [trackCall({ messageId: 'no-event', event: undefined }), trackCall({ event: 7 })],
      });
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.status, r.errors?.[0]?.path])).toEqual([
        ['rejected', '/event'],
        ['rejected', '/event'],
      ]);
    });
  });

  it('/v1/track answers a call of another type as a batch does: ignored, or rejected when unknown', async () => {
    const h = harness();
    const send = async (type: unknown, messageId: string) =>
      ((await (await post(h, '/v1/track', trackCall({ type, messageId }))).json()) as Body).results[0];
    const page = await send('page', 'tr-page');
    expect(page).toMatchObject({ eventId: 'tr-page', status: 'ignored' });
    expect(page?.warnings?.map((w) => w.code)).toEqual(['SEGMENT_TYPE_IGNORED']);
    expect((await send('Identify', 'tr-identify'))?.status).toBe('ignored');
    expect(await send('bogus', 'tr-bogus')).toMatchObject({
      status: 'rejected',
      errors: [expect.objectContaining({ code: 'EVENT_INVALID', path: '/type' })],
    });
    expect((await send('TRACK', 'tr-track'))?.status).toBe('accepted');
    expect((await send(null, 'tr-null'))?.status).toBe('accepted');
    expect((await send(undefined, 'tr-none'))?.status).toBe('accepted');
    for (const id of ['tr-page', 'tr-identify', 'tr-bogus'])
      expect(await h.store.findByEventId(id)).toEqual([]);
  });

  describe('clock skew', () => {
    const iso = (ms: number) => new Date(ms).toISOString();

    it('/v1/track corrects the timestamp with sentAt, as Segment does', async () => {
      const h = harness();
      // The sender's clock is 4 s ahead: the event happened 1 s before it was sent.
      const res = await post(
        h,
        '/v1/track',
        trackCall({ messageId: 'skew-track', timestamp: iso(NOW + 3000), sentAt: iso(NOW + 4000) }),
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]).toEqual({ eventId: 'skew-track', status: 'accepted' });
      expect((await h.store.findByEventId('skew-track'))[0]?.happenedAt).toBe(NOW - 1000);
    });

    it('/v1/batch takes each call’s sentAt, else the batch’s', async () => {
      const h = harness();
      const res = await post(h, '/v1/batch', {
        sentAt: iso(NOW + 10_000),
        batch: [
          trackCall({ messageId: 'skew-batch', timestamp: iso(NOW + 8000) }),
          trackCall({ messageId: 'skew-own', timestamp: iso(NOW - 5000), sentAt: iso(NOW - 3000) }),
        ],
      });
      const body = (await res.json()) as Body;
      expect(body.summary.accepted).toBe(2);
      expect((await h.store.findByEventId('skew-batch'))[0]?.happenedAt).toBe(NOW - 2000);
      expect((await h.store.findByEventId('skew-own'))[0]?.happenedAt).toBe(NOW - 2000);
    });

    it('without sentAt, a timestamp up to 5 minutes ahead is taken as the time of receipt, with a warning', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/track',
        trackCall({ messageId: 'skew-clamp', timestamp: iso(NOW + 3000) }),
      );
      const body = (await res.json()) as Body;
      expect(body.results[0]?.status).toBe('accepted');
      expect(body.results[0]?.warnings).toEqual([
        expect.objectContaining({ code: 'HAPPENED_AT_CLAMPED', path: '/timestamp' }),
      ]);
      expect((await h.store.findByEventId('skew-clamp'))[0]?.happenedAt).toBe(NOW);
    });

    it('rejects an unreadable sentAt: per call, or the whole batch when it is the batch’s', async () => {
      const track = await post(harness(), '/v1/track', trackCall({ sentAt: 'now-ish' }));
      expect(((await track.json()) as Body).results[0]?.errors?.map((e) => [e.code, e.path])).toEqual([
        ['HAPPENED_AT_INVALID', '/sentAt'],
      ]);
      const batch = await post(harness(), '/v1/batch', { sentAt: 'now-ish', batch: [trackCall()] });
      expect(batch.status).toBe(400);
      expect(await batch.json()).toMatchObject({ error: { code: 'BODY_INVALID', path: '/sentAt' } });
    });

    it('rejects a sentAt that cannot be a clock reading: a date alone, an impossible day, a day or more off', async () => {
      for (const sentAt of [
        '2026-12-01',
        '2026-02-30T00:00:00Z',
        '0001-01-01T00:00:00Z',
        iso(NOW - 25 * HOUR),
      ]) {
        const res = await post(harness(), '/v1/track', trackCall({ timestamp: iso(NOW - 5000), sentAt }));
        const result = ((await res.json()) as Body).results[0];
        expect(result?.status, sentAt).toBe('rejected');
        expect(result?.errors?.map((e) => [e.code, e.path])).toEqual([['HAPPENED_AT_INVALID', '/sentAt']]);
      }
      // Up to a day off is a wrong clock, corrected.
      const res = await post(
        harness(),
        '/v1/track',
        trackCall({ timestamp: iso(NOW - 23 * HOUR - 5000), sentAt: iso(NOW - 23 * HOUR) }),
      );
      const corrected = ((await res.json()) as Body).results[0];
      expect(corrected?.status).toBe('accepted');
    });

    it('names a batch element that is not an object with the empty pointer', async () => {
      const res = await post(harness(), '/v1/batch?validate_only=true', {
        batch: [5, null, 'x', [], { type: 'foo' }],
      });
      const results = ((await res.json()) as Body).results;
      expect(results.map((r) => r.errors?.[0]?.path)).toEqual(['', '', '', '', '/type']);
      expect(results[4]?.errors?.[0]?.message).not.toContain('batch');
    });
  });

  it('/v1/track refuses a body that is not one call', async () => {
    const res = await post(harness(), '/v1/track', [trackCall()]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BODY_INVALID', path: '' } });
  });

  it('an old Segment timestamp is rejected by LinkedIn’s 90-day rule', async () => {
    const res = await post(
      harness(),
      '/v1/track',
      trackCall({ timestamp: new Date(NOW - 95 * 24 * HOUR).toISOString() }),
    );
    const body = (await res.json()) as Body;
    expect(body.results[0]?.errors?.[0]?.code).toBe('HAPPENED_AT_TOO_OLD');
  });
});
