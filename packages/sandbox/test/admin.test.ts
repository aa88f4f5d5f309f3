import { describe, expect, it } from 'vitest';
import { DEMO_SEED, ruleUrn } from '../src/index.js';
import { Recorder } from '../src/recorder.js';
import { event, get, json, NOW, postBatch, postEvent, sandbox } from './helpers.js';

type Sb = ReturnType<typeof sandbox>;
const admin = (sb: Sb, path: string, init: RequestInit = {}) => sb.app.request(`/__sandbox${path}`, init);

describe('request recorder', () => {
  it('keeps raw headers, bodies, status and response of each request', async () => {
    const sb = sandbox();
    const body = JSON.stringify(event());
    await postEvent(sb, body);
    const res = await json(await admin(sb, '/requests'));
    expect(res.count).toBe(1);
    const [rec] = res.elements as Record<string, unknown>[];
    expect(rec).toMatchObject({
      seq: 1,
      at: NOW,
      method: 'POST',
      path: '/rest/conversionEvents',
      query: '',
      body,
      bodyLength: body.length,
      bodyTruncated: false,
      tunnelled: false,
      status: 201,
      responseBody: null,
      fault: null,
    });
    expect(rec?.headers).toMatchObject({
      authorization: `Bearer ${DEMO_SEED.tokens.valid}`,
      'linkedin-version': '202609',
    });
    const responseHeaders = (rec?.responseHeaders ?? {}) as Record<string, string>;
    expect(responseHeaders['x-restli-id']).toBeTruthy();
    expect(rec?.id).toBe(responseHeaders['x-li-uuid']);
  });

  it('filters by path and since, and DELETE clears', async () => {
    const sb = sandbox();
    await postEvent(sb, event());
    sb.clock.setOffset(5000);
    await get(sb, '/rest/adAccountUsers?q=authenticatedUser');
    await postEvent(sb, event());
    expect((await json(await admin(sb, '/requests?path=/rest/conversionEvents'))).count).toBe(2);
    expect((await json(await admin(sb, `/requests?since=${NOW + 1}`))).count).toBe(2);
    expect(
      (
        await json(
          await admin(sb, `/requests?since=${new Date(NOW + 1).toISOString()}&path=/rest/adAccountUsers`),
        )
      ).count,
    ).toBe(1);
    expect((await admin(sb, '/requests', { method: 'DELETE' })).status).toBe(204);
    expect((await json(await admin(sb, '/requests'))).count).toBe(0);
  });

  it('keeps large batch bodies whole by default', async () => {
    const sb = sandbox();
    const elements = Array.from({ length: 2000 }, (_, i) => event({ eventId: `e${i}` }));
    await postBatch(sb, elements);
    const [rec] = sb.requests();
    expect(rec?.body).toBe(JSON.stringify({ elements }));
    expect(JSON.parse(rec?.responseBody ?? '').elements).toHaveLength(2000);
  });

  it("'truncate' keeps a prefix, 'none' keeps no bodies", async () => {
    const truncating = sandbox({ recorder: { recordBodies: 'truncate', truncateAt: 10 } });
    await postEvent(truncating, event());
    expect(truncating.requests()[0]).toMatchObject({ bodyTruncated: true });
    expect(truncating.requests()[0]?.body).toHaveLength(10);
    const none = sandbox({ recordBodies: 'none' });
    await postEvent(none, { bad: 1 });
    expect(none.requests()[0]).toMatchObject({ body: null, responseBody: null, status: 422 });
  });

  it('is bounded by entry count and by total body size, evicting the oldest', () => {
    const byCount = new Recorder({ maxEntries: 3 });
    const bySize = new Recorder({ maxTotalChars: 25 });
    for (let i = 0; i < 5; i++) {
      const entry = {
        id: String(i),
        at: i,
        method: 'POST',
        path: '/x',
        query: '',
        headers: {},
        body: '0123456789',
        tunnelled: false,
        status: null,
        responseHeaders: null,
        responseBody: null,
        durationMs: null,
        fault: null,
      };
      byCount.start(entry);
      bySize.start(entry);
    }
    expect(byCount.list().map((r) => r.id)).toEqual(['2', '3', '4']);
    expect(bySize.list().map((r) => r.id)).toEqual(['3', '4']);
  });

  it('does not record the admin API itself', async () => {
    const sb = sandbox();
    await admin(sb, '/stats');
    expect(sb.requests()).toEqual([]);
  });
});

describe('events, stats, state', () => {
  it('GET /events filters by rule (id or URN) and eventId and counts', async () => {
    const sb = sandbox();
    await postBatch(sb, [
      event({ eventId: 'a' }),
      event({ eventId: 'b', conversion: ruleUrn(DEMO_SEED.rules.sql) }),
      event({ eventId: 'c' }),
    ]);
    const byRule = await json(await admin(sb, `/events?rule=${DEMO_SEED.rules.lead}`));
    expect(byRule).toMatchObject({ count: 2, total: 3, retained: 3 });
    expect((byRule.elements as { eventId: string }[]).map((e) => e.eventId)).toEqual(['a', 'c']);
    const byUrn = await json(
      await admin(sb, `/events?rule=${encodeURIComponent(ruleUrn(DEMO_SEED.rules.sql))}`),
    );
    expect(byUrn.count).toBe(1);
    expect((await json(await admin(sb, '/events?eventId=c'))).count).toBe(1);
  });

  it('keepEvents caps what is kept, not what is counted', async () => {
    const sb = sandbox({ keepEvents: 2 });
    await postBatch(sb, [event({ eventId: '1' }), event({ eventId: '2' }), event({ eventId: '3' })]);
    expect(sb.events().map((e) => e.eventId)).toEqual(['2', '3']);
    expect(sb.state.events.total).toBe(3);
    const none = sandbox({ keepEvents: false });
    await postEvent(none, event());
    expect(none.events()).toEqual([]);
    expect(none.stats().eventsAccepted).toBe(1);
  });

  it('GET /stats: requests per status, events accepted, per-token requests per minute', async () => {
    const sb = sandbox();
    await postEvent(sb, event());
    await postEvent(sb, event({ conversionHappenedAt: 0 }));
    sb.clock.setOffset(60_000);
    await postBatch(sb, [event(), event()]);
    const stats = await json(await admin(sb, '/stats'));
    expect(stats).toMatchObject({
      requests: 3,
      byStatus: { '200': 1, '201': 1, '400': 1 },
      dropped: 0,
      eventsAccepted: 3,
      limits: { perMinute: 600, perDay: 500_000 },
    });
    expect((stats.tokens as Record<string, unknown>)[DEMO_SEED.tokens.valid]).toEqual({
      total: 3,
      minutes: [
        { start: new Date(NOW).toISOString(), count: 2 },
        { start: new Date(NOW + 60_000).toISOString(), count: 1 },
      ],
    });
  });

  it('GET /state shows the seeded entities', async () => {
    const state = await json(await admin(sandbox(), '/state'));
    expect((state.rules as unknown[]).length).toBe(7);
    expect((state.tokens as unknown[]).length).toBe(5);
    expect(state.eventsAccepted).toBe(0);
  });
});

describe('reset, tokens, clock', () => {
  it('POST /reset restores the seed and clears everything else', async () => {
    const sb = sandbox({ limits: { perMinute: 5 } });
    await postEvent(sb, event());
    sb.state.rules.delete(DEMO_SEED.rules.lead);
    sb.setFaults({ errorRates: { '500': 1 } });
    sb.setLimits({ perMinute: 1 });
    sb.script([{ status: 418 }]);
    sb.clock.setOffset(1000);
    expect((await admin(sb, '/reset', { method: 'POST' })).status).toBe(200);
    expect(sb.state.rules.has(DEMO_SEED.rules.lead)).toBe(true);
    expect(sb.events()).toEqual([]);
    expect(sb.requests()).toEqual([]);
    expect(sb.stats().requests).toBe(0);
    expect(sb.clock.now()).toBe(NOW);
    expect(sb.faults().errorRates['500']).toBe(0);
    expect((await json(await admin(sb, '/limits'))).perMinute).toBe(5);
    expect((await postEvent(sb, event())).status).toBe(201);
  });

  it('POST /tokens mints a token with chosen scopes, role and expiry', async () => {
    const sb = sandbox();
    const res = await admin(sb, '/tokens', {
      method: 'POST',
      body: JSON.stringify({ scopes: ['r_ads'], role: 'CREATIVE_MANAGER', expiresInSeconds: 3600 }),
    });
    expect(res.status).toBe(201);
    const token = await json(res);
    expect(token).toMatchObject({
      scopes: ['r_ads'],
      role: 'CREATIVE_MANAGER',
      expiresAt: NOW + 3_600_000,
      revoked: false,
    });
    expect((await postEvent(sb, event(), {}, token.value as string)).status).toBe(403);
    const users = await json(
      await get(sb, '/rest/adAccountUsers?q=authenticatedUser', {}, token.value as string),
    );
    expect((users.elements as { role: string }[])[0]?.role).toBe('CREATIVE_MANAGER');
    expect(
      (await admin(sb, '/tokens', { method: 'POST', body: JSON.stringify({ role: 'OWNER' }) })).status,
    ).toBe(400);
  });

  it('POST /tokens/{value}/revoke revokes a live token', async () => {
    const sb = sandbox();
    await admin(sb, `/tokens/${DEMO_SEED.tokens.valid}/revoke`, { method: 'POST' });
    expect((await json(await postEvent(sb, event()))).code).toBe('REVOKED_ACCESS_TOKEN');
  });

  it('POST /clock sets an offset or an absolute time', async () => {
    const sb = sandbox();
    const byOffset = await json(
      await admin(sb, '/clock', { method: 'POST', body: JSON.stringify({ offsetMs: -1000 }) }),
    );
    expect(byOffset).toMatchObject({ now: NOW - 1000, offsetMs: -1000 });
    const byTime = await json(
      await admin(sb, '/clock', { method: 'POST', body: JSON.stringify({ now: '2027-01-15T00:00:00Z' }) }),
    );
    expect(byTime.iso).toBe('2027-01-15T00:00:00.000Z');
    const res = await postEvent(sb, event({ conversionHappenedAt: Date.UTC(2027, 0, 14) }), {
      'LinkedIn-Version': '202601',
    });
    expect(res.status).toBe(426);
  });

  it('POST /oauth/codes mints an authorization code', async () => {
    const sb = sandbox();
    const { code } = await json(
      await admin(sb, '/oauth/codes', {
        method: 'POST',
        body: JSON.stringify({ clientId: DEMO_SEED.oauth.clientId }),
      }),
    );
    const res = await sb.app.request('/oauth/v2/accessToken', {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code as string,
        client_id: DEMO_SEED.oauth.clientId,
        client_secret: DEMO_SEED.oauth.clientSecret,
      }).toString(),
    });
    expect(res.status).toBe(200);
  });

  it('rejects malformed admin bodies with 400', async () => {
    const sb = sandbox();
    expect((await admin(sb, '/clock', { method: 'POST', body: '{' })).status).toBe(400);
    expect(
      (await admin(sb, '/script', { method: 'POST', body: JSON.stringify([{ status: 99 }]) })).status,
    ).toBe(400);
  });
});
