import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory.js';
import { ACCOUNT, basic, get, HOUR, harness, KEYS, NOW, nativeEvent, post, RULES } from './http-harness.js';

type Harness = ReturnType<typeof harness>;

/** Ingests events and dead-letters them with `reason`, as the worker would. */
async function deadLetters(
  h: Harness,
  eventIds: string[],
  reason: string,
  conversion = 'lead',
): Promise<string[]> {
  const res = await post(h, '/v1/events', {
    events: eventIds.map((eventId) => nativeEvent({ eventId, conversion })),
  });
  expect(res.status).toBe(200);
  const ids: string[] = [];
  for (const eventId of eventIds) {
    const [row] = await h.store.findByEventId(eventId);
    if (row) ids.push(row.id);
  }
  const claimed = await h.store.claim({ limit: 100, leaseMs: 60_000, now: h.clock.now() });
  expect(claimed?.events.length).toBe(eventIds.length);
  await h.store.kill(ids, reason, '{"message":"Index: 0, ERROR :: /user :: x","status":422}', h.clock.now());
  return ids;
}

const admin = (h: Harness, path: string, body: unknown, key: string | null = KEYS.admin) =>
  post(h, path, body, { key });

describe('admin routes', () => {
  describe('authentication', () => {
    it('401 ADMIN_DISABLED with a fix naming CAPI_ADMIN_TOKEN when no admin token is configured', async () => {
      const h = harness({
        replaceYaml: `
accounts: [{ id: ${ACCOUNT}, conversions: { lead: ${RULES.lead} } }]
sources: [{ name: website, key: ${KEYS.website} }]
`,
      });
      for (const res of [
        await get(h, '/v1/events/x'),
        await get(h, '/v1/dead-letters'),
        await admin(h, '/v1/dead-letters/redrive', { reason: 'x' }),
      ]) {
        expect(res.status).toBe(401);
        const body = (await res.json()) as { error: { code: string; fix: string } };
        expect(body.error.code).toBe('ADMIN_DISABLED');
        expect(body.error.fix).toContain('CAPI_ADMIN_TOKEN');
      }
    });

    it('401 for a missing token, and for a source key used as admin token', async () => {
      const h = harness();
      expect(await (await get(h, '/v1/dead-letters', null)).json()).toMatchObject({
        error: {
          code: 'AUTH_MISSING',
          fix: 'Send the admin token (CAPI_ADMIN_TOKEN) as "Authorization: Bearer <token>".',
        },
      });
      const res = await get(h, '/v1/dead-letters', KEYS.website);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { code: 'AUTH_INVALID', fix: 'Check the token against CAPI_ADMIN_TOKEN.' },
      });
    });

    it('401 AUTH_SCHEME_UNSUPPORTED, speaking of the admin token, for Basic or a bare token', async () => {
      const h = harness();
      for (const authorization of [basic(KEYS.admin), KEYS.admin, `Token ${KEYS.admin}`]) {
        const res = await h.app.request('http://gateway.test/v1/dead-letters', {
          headers: { authorization },
        });
        expect(res.status).toBe(401);
        const text = await res.text();
        expect(JSON.parse(text)).toMatchObject({
          error: {
            code: 'AUTH_SCHEME_UNSUPPORTED',
            path: 'header:authorization',
            message: expect.stringContaining('admin token from the Bearer scheme only'),
            fix: 'Send the admin token (CAPI_ADMIN_TOKEN) as "Authorization: Bearer <token>".',
          },
        });
        expect(text).not.toContain(KEYS.admin);
      }
    });
  });

  describe('GET /v1/events/{eventId}', () => {
    it('shows state, identifier types and attempts, never identifier values', async () => {
      const h = harness();
      await post(h, '/v1/events', nativeEvent({ eventId: 'look-me-up', context: { crmAccountId: 'A-1' } }));
      await post(h, '/v1/events', nativeEvent({ eventId: 'look-me-up', conversion: 'purchase' }));
      const [row] = await h.store.findByEventId('look-me-up');
      await h.store.appendAudit({
        at: NOW,
        account: ACCOUNT,
        ruleId: RULES.lead,
        requestId: 'li-req-1',
        batchSize: 1,
        identifierCounts: { SHA256_EMAIL: 1 },
        consentCounts: { unknown: 1 },
        status: 500,
        outcome: 'retry',
        errorBody: '{"message":"Internal Server Error","status":500}',
        durationMs: 12,
        eventIds: [row?.id ?? ''],
      });

      const res = await get(h, '/v1/events/look-me-up');
      expect(res.status).toBe(200);
      const text = await res.text();
      const body = JSON.parse(text) as { events: Array<Record<string, unknown>> };
      expect(body.events).toHaveLength(2);
      const lead = body.events.find((e) => e.ruleId === RULES.lead);
      expect(lead).toMatchObject({
        eventId: 'look-me-up',
        account: ACCOUNT,
        source: 'website',
        state: 'queued',
        attemptCount: 0,
        happenedAt: new Date(NOW - HOUR).toISOString(),
        identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
        context: { crmAccountId: 'A-1' },
        attempts: [
          {
            at: new Date(NOW).toISOString(),
            status: 500,
            outcome: 'retry',
            requestId: 'li-req-1',
            batchSize: 1,
            durationMs: 12,
            errorBody: '{"message":"Internal Server Error","status":500}',
          },
        ],
      });
      expect(lead).not.toHaveProperty('payload');
      expect(text).not.toContain('a1b2c3-d4e5f6');
      expect(text).not.toMatch(/[0-9a-f]{64}/);
    });

    it('404 NOT_FOUND for an unknown eventId', async () => {
      const res = await get(harness(), '/v1/events/nope');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        error: { code: 'NOT_FOUND', fix: expect.stringMatching(/eventId the event was sent with/) },
      });
    });

    it('503 STORE_UNAVAILABLE when the store fails', async () => {
      const store = createMemoryStore();
      store.findByEventId = async () => {
        throw new Error('connection refused');
      };
      const res = await get(harness({ store }), '/v1/events/x');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
    });
  });

  describe('GET /v1/dead-letters', () => {
    it('lists dead letters with filters', async () => {
      const h = harness();
      await deadLetters(h, ['d1', 'd2'], 'rejected');
      h.clock.set(NOW + HOUR);
      await deadLetters(h, ['d3'], 'expired', 'purchase');

      const all = (await (await get(h, '/v1/dead-letters')).json()) as {
        count: number;
        deadLetters: Array<{ eventId: string; state: string; lastReason: string; lastResponse: string }>;
      };
      expect(all.count).toBe(3);
      expect(all.deadLetters.every((d) => d.state === 'dead')).toBe(true);
      expect(all.deadLetters[0]?.lastResponse).toContain('ERROR ::');

      const byReason = (await (await get(h, '/v1/dead-letters?reason=expired')).json()) as typeof all;
      expect(byReason.deadLetters.map((d) => d.eventId)).toEqual(['d3']);
      const byRule = (await (await get(h, `/v1/dead-letters?ruleId=${RULES.lead}`)).json()) as typeof all;
      expect(byRule.deadLetters.map((d) => d.eventId).sort()).toEqual(['d1', 'd2']);
      const since = (await (
        await get(h, `/v1/dead-letters?since=${new Date(NOW + HOUR).toISOString()}`)
      ).json()) as typeof all;
      expect(since.deadLetters.map((d) => d.eventId)).toEqual(['d3']);
      const limited = (await (
        await get(h, `/v1/dead-letters?account=${ACCOUNT}&limit=1`)
      ).json()) as typeof all;
      expect(limited.count).toBe(1);
    });

    it('pages with nextCursor: every dead letter once, newest first, each with its dead-letter time', async () => {
      const h = harness();
      await deadLetters(h, ['p1', 'p2', 'p3'], 'rejected');
      h.clock.set(NOW + HOUR);
      await deadLetters(h, ['p4', 'p5'], 'expired', 'purchase');
      type Page = {
        count: number;
        nextCursor: string | null;
        deadLetters: Array<{ eventId: string; deadAt: string }>;
      };
      const whole = (await (await get(h, '/v1/dead-letters')).json()) as Page;
      expect(whole.nextCursor).toBeNull();
      expect(
        whole.deadLetters
          .slice(0, 2)
          .map((d) => d.eventId)
          .sort(),
      ).toEqual(['p4', 'p5']);
      expect(whole.deadLetters.map((d) => Date.parse(d.deadAt))).toEqual(
        [...whole.deadLetters.map((d) => Date.parse(d.deadAt))].sort((a, b) => b - a),
      );
      const seen: string[] = [];
      let query = '/v1/dead-letters?limit=2';
      for (let pages = 0; pages < 10; pages += 1) {
        const page = (await (await get(h, query)).json()) as Page;
        seen.push(...page.deadLetters.map((d) => d.eventId));
        if (page.nextCursor === null) break;
        expect(page.count).toBe(2);
        query = `/v1/dead-letters?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`;
      }
      expect(seen).toEqual(whole.deadLetters.map((d) => d.eventId));
      // A full last page still gives a cursor; the page after it is empty and has none.
      const four = (await (await get(h, '/v1/dead-letters?limit=5')).json()) as Page;
      expect(four.nextCursor).not.toBeNull();
      const after = (await (
        await get(h, `/v1/dead-letters?limit=5&cursor=${four.nextCursor}`)
      ).json()) as Page;
      expect(after).toMatchObject({ count: 0, deadLetters: [], nextCursor: null });
    });

    it.each([
      ['limit=0', 'query:limit'],
      ['limit=abc', 'query:limit'],
      ['ruleId=urn:x', 'query:ruleId'],
      ['since=tomorrow', 'query:since'],
      ['colour=red', 'query:colour'],
      ['cursor=not-a-cursor', 'query:cursor'],
      ['cursor=', 'query:cursor'],
    ])('400 QUERY_INVALID for %s', async (query, path) => {
      const res = await get(harness(), `/v1/dead-letters?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'QUERY_INVALID', path } });
    });

    it('says in words what a bad limit must be', async () => {
      const res = await get(harness(), '/v1/dead-letters?limit=abc');
      expect(await res.json()).toMatchObject({
        error: { details: [{ code: 'QUERY_INVALID', path: 'query:limit', message: 'Must be a number.' }] },
      });
    });
  });

  describe('GET /v1/dead-letters/summary', () => {
    it('counts dead letters by account, rule and reason, largest first, each with its fix', async () => {
      const h = harness();
      await deadLetters(h, ['s1', 's2'], 'rejected');
      h.clock.set(NOW + HOUR);
      await deadLetters(h, ['s3'], 'expired', 'purchase');
      await deadLetters(h, ['s4'], 'mystery');
      const res = await get(h, '/v1/dead-letters/summary');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        total: number;
        groups: Array<{
          ruleId: string;
          reason: string;
          count: number;
          newestDeadAt: string;
          oldestDeadAt: string;
          fix: string | null;
        }>;
      };
      expect(body.total).toBe(4);
      expect(body.groups.map((g) => [g.ruleId, g.reason, g.count])).toEqual([
        [RULES.lead, 'rejected', 2],
        [RULES.lead, 'mystery', 1],
        [RULES.purchase, 'expired', 1],
      ]);
      expect(body.groups[0]).toMatchObject({
        newestDeadAt: new Date(NOW).toISOString(),
        oldestDeadAt: new Date(NOW).toISOString(),
        fix: expect.stringMatching(/lastResponse .* names the field/),
      });
      expect(body.groups[1]?.fix).toBeNull();
      expect(body.groups[2]?.fix).toMatch(/90-day limit/);
      const narrowed = (await (
        await get(h, '/v1/dead-letters/summary?reason=expired')
      ).json()) as typeof body;
      expect(narrowed.total).toBe(1);
    });

    it.each([
      ['limit=5', 'query:limit'],
      ['since=tomorrow', 'query:since'],
    ])('400 QUERY_INVALID for %s', async (query, path) => {
      const res = await get(harness(), `/v1/dead-letters/summary?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'QUERY_INVALID', path } });
    });
  });

  describe('POST /v1/dead-letters/redrive', () => {
    it('moves matching dead letters back to the queue and wakes the worker', async () => {
      const h = harness();
      const [first] = await deadLetters(h, ['r1', 'r2'], 'rejected');
      await deadLetters(h, ['r3'], 'expired');
      const before = h.wakeups();

      const byId = await admin(h, '/v1/dead-letters/redrive', { ids: [first] });
      expect(await byId.json()).toEqual({ redriven: 1 });
      expect((await h.store.findByEventId('r1'))[0]?.state).toBe('queued');
      expect(h.wakeups()).toBe(before + 1);

      const byReason = await admin(h, '/v1/dead-letters/redrive', { reason: 'expired' });
      expect(await byReason.json()).toEqual({ redriven: 1 });
      const byEventId = await admin(h, '/v1/dead-letters/redrive', { eventIds: ['r2', 'unknown'] });
      expect(await byEventId.json()).toEqual({ redriven: 1 });
      const none = await admin(h, '/v1/dead-letters/redrive', { ruleId: RULES.lead });
      expect(await none.json()).toEqual({ redriven: 0 });
      expect(h.logs.some((l) => l.includes('dead letters redriven'))).toBe(true);
    });

    it('on a dry run moves nothing and answers what the filters match, grouped', async () => {
      const h = harness();
      const [first] = await deadLetters(h, ['y1', 'y2'], 'rejected');
      await deadLetters(h, ['y3'], 'expired');
      const before = h.wakeups();
      const dry = await admin(h, '/v1/dead-letters/redrive', { reason: 'rejected', dryRun: true });
      expect(await dry.json()).toMatchObject({
        redriven: 0,
        dryRun: true,
        matched: 2,
        groups: [{ ruleId: RULES.lead, reason: 'rejected', count: 2, fix: expect.any(String) }],
      });
      const byId = (await (
        await admin(h, '/v1/dead-letters/redrive', { ids: [first], dryRun: true })
      ).json()) as {
        matched: number;
      };
      expect(byId.matched).toBe(1);
      expect((await h.store.listDead({})).length).toBe(3);
      expect(h.wakeups()).toBe(before);
      expect(h.logs.some((l) => l.includes('dead letters redriven'))).toBe(false);
      const bare = await admin(h, '/v1/dead-letters/redrive', { dryRun: true });
      expect(await bare.json()).toMatchObject({ error: { code: 'REDRIVE_FILTER_MISSING' } });
    });

    it.each([
      ['an empty body object', {}],
      ['empty id lists', { ids: [], eventIds: [] }],
    ])('400 REDRIVE_FILTER_MISSING for %s', async (_name, body) => {
      const res = await admin(harness(), '/v1/dead-letters/redrive', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'REDRIVE_FILTER_MISSING' } });
    });

    it('400 BODY_INVALID with details for a wrong shape', async () => {
      const res = await admin(harness(), '/v1/dead-letters/redrive', { ids: 'x', everything: true });
      expect(res.status).toBe(400);
      const body = (await res.json()) as {
        error: { code: string; path: string; details: Array<{ path: string }> };
      };
      expect(body.error.code).toBe('BODY_INVALID');
      expect(body.error.details.map((d) => d.path).sort()).toEqual(['/everything', '/ids']);
    });
  });
});
