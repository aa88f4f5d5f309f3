import { gzipSync } from 'node:zlib';
import { sha256Hex } from '@capi-gateway/linkedin';
import { describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import {
  ACCOUNT,
  HOUR,
  harness,
  KEYS,
  NOW,
  nativeEvent,
  post,
  RULES,
  type Transport,
  useTransport,
} from './http-harness.js';

type Body = {
  results: Array<{
    eventId: string | null;
    status: string;
    errors?: Array<{ code: string; path: string; message: string }>;
    warnings?: unknown[];
    payload?: Record<string, unknown>;
  }>;
  summary: Record<string, number>;
  validateOnly?: boolean;
  error?: { code: string; message: string; fix: string; details?: Array<{ code: string; path: string }> };
};

async function stored(h: ReturnType<typeof harness>, eventId: string): Promise<OutboxEvent[]> {
  return h.store.findByEventId(eventId);
}

/**
 * The native route's behaviour, as one suite that two files run: http-native.test.ts in process
 * (the Hono route), http-native-socket.test.ts over a real socket (the direct lane in front of it,
 * as `capi start` serves it). Every harness this suite makes uses the transport its file chose.
 */
export function describeNativeRoute(transport: Transport): void {
  useTransport(transport);
  describe(`POST /v1/events (${transport})`, () => {
    it('accepts one event, stores it hashed and answers after the commit', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/events',
        nativeEvent({ eventId: 'order-1', value: { amount: 249, currency: 'EUR' } }),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as Body;
      expect(body.results).toEqual([{ eventId: 'order-1', status: 'accepted' }]);
      expect(body.summary.accepted).toBe(1);

      const [row] = await stored(h, 'order-1');
      expect(row).toMatchObject({
        account: ACCOUNT,
        ruleId: RULES.lead,
        source: 'website',
        state: 'queued',
        consent: null,
        context: null,
        receivedAt: NOW,
        happenedAt: NOW - HOUR,
        identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
      });
      const payload = JSON.parse(row?.payload ?? '{}');
      expect(payload).toEqual({
        conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
        conversionHappenedAt: NOW - HOUR,
        conversionValue: { currencyCode: 'EUR', amount: '249' },
        eventId: 'order-1',
        user: {
          userIds: [
            { idType: 'SHA256_EMAIL', idValue: sha256Hex('jane.doe@example.com') },
            { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'a1b2c3-d4e5f6' },
          ],
        },
      });
      expect(h.wakeups()).toBe(1);
    });

    it('takes the source name from the key', async () => {
      const h = harness();
      await post(h, '/v1/events', nativeEvent({ eventId: 'from-crm' }), { key: KEYS.crm });
      expect((await stored(h, 'from-crm'))[0]?.source).toBe('crm');
    });

    it('accepts ISO-8601 times, rule ids and rule URNs', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'iso', happenedAt: '2026-11-20T10:30:00+01:00' }),
          nativeEvent({ eventId: 'digits', conversion: RULES.purchase }),
          nativeEvent({ eventId: 'number', conversion: Number(RULES.purchase) }),
          nativeEvent({ eventId: 'urn', conversion: `urn:lla:llaPartnerConversion:${RULES.qualified_lead}` }),
          nativeEvent({ eventId: 'alias-case', conversion: 'Qualified_Lead' }),
        ],
      });
      expect(res.status).toBe(200);
      expect((await stored(h, 'iso'))[0]?.happenedAt).toBe(Date.parse('2026-11-20T09:30:00Z'));
      expect((await stored(h, 'number'))[0]?.ruleId).toBe(RULES.purchase);
      expect((await stored(h, 'urn'))[0]?.ruleId).toBe(RULES.qualified_lead);
      expect((await stored(h, 'alias-case'))[0]?.ruleId).toBe(RULES.qualified_lead);
    });

    it('takes a time up to 5 minutes ahead as the time of receipt (clock skew), refuses one further', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'skew-3s', happenedAt: new Date(NOW + 3000).toISOString() }),
          nativeEvent({ eventId: 'skew-5m', happenedAt: NOW + 300_000 }),
          nativeEvent({ eventId: 'skew-6m', happenedAt: NOW + 360_000 }),
        ],
      });
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.eventId, r.status])).toEqual([
        ['skew-3s', 'accepted'],
        ['skew-5m', 'accepted'],
        ['skew-6m', 'rejected'],
      ]);
      expect(body.results[0]?.warnings).toEqual([
        {
          code: 'HAPPENED_AT_CLAMPED',
          path: '/happenedAt',
          message:
            "The time was 3 s ahead of the gateway's clock, within the 5-minute allowance for clock skew; the time of receipt was sent instead.",
        },
      ]);
      expect(body.results[2]?.errors?.map((e) => e.code)).toEqual(['HAPPENED_AT_FUTURE']);
      const [row] = await stored(h, 'skew-3s');
      expect(row?.happenedAt).toBe(NOW);
      expect(JSON.parse(row?.payload ?? '').conversionHappenedAt).toBe(NOW);
    });

    it('gives every event its own status: accepted, duplicate, rejected, suppressed', async () => {
      const h = harness();
      await post(h, '/v1/events', nativeEvent({ eventId: 'seen-before' }));
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'seen-before' }),
          nativeEvent({ eventId: 'new' }),
          nativeEvent({ eventId: 'new' }),
          nativeEvent({ eventId: 'bad-rule', conversion: 'no_such_alias' }),
          nativeEvent({ eventId: 'withheld', consent: { granted: false } }),
          nativeEvent({ eventId: 'given', consent: { granted: true } }),
        ],
      });
      expect(res.status).toBe(207);
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.eventId, r.status])).toEqual([
        ['seen-before', 'duplicate'],
        ['new', 'accepted'],
        ['new', 'duplicate'],
        ['bad-rule', 'rejected'],
        ['withheld', 'suppressed'],
        ['given', 'accepted'],
      ]);
      expect(body.results[3]?.errors?.[0]).toMatchObject({ code: 'CONVERSION_UNKNOWN', path: '/conversion' });
      expect(body.results[3]?.errors?.[0]?.message).toContain('lead, purchase, qualified_lead');
      expect(body.summary).toEqual({ accepted: 2, duplicate: 2, rejected: 1, suppressed: 1, ignored: 0 });
      expect(await stored(h, 'new')).toHaveLength(1);
      expect((await stored(h, 'withheld'))[0]).toMatchObject({ state: 'suppressed', consent: false });
      expect((await stored(h, 'given'))[0]?.consent).toBe(true);
    });

    it('treats the same eventId under two rules as two events', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'shared' }),
          nativeEvent({ eventId: 'shared', conversion: 'purchase' }),
        ],
      });
      expect(((await res.json()) as Body).summary.accepted).toBe(2);
      expect(await stored(h, 'shared')).toHaveLength(2);
    });

    it('counts a suppressed event for deduplication', async () => {
      const h = harness();
      await post(h, '/v1/events', nativeEvent({ eventId: 'consent-later', consent: { granted: false } }));
      const res = await post(h, '/v1/events', nativeEvent({ eventId: 'consent-later' }));
      expect(((await res.json()) as Body).results[0]?.status).toBe('duplicate');
      expect(h.wakeups()).toBe(0);
    });

    it('answers 422 with an error and the per-event details when nothing was accepted', async () => {
      const h = harness();
      const res = await post(
        h,
        '/v1/events',
        nativeEvent({ eventId: 'old', happenedAt: NOW - 100 * 24 * HOUR }),
      );
      expect(res.status).toBe(422);
      const body = (await res.json()) as Body;
      expect(body.error?.code).toBe('EVENT_INVALID');
      expect(body.error?.details).toEqual([
        expect.objectContaining({ code: 'HAPPENED_AT_TOO_OLD', path: '/happenedAt' }),
      ]);
      expect(body.results[0]?.status).toBe('rejected');
    });

    it('names an event that is not an object with the empty pointer, the whole event', async () => {
      const body = (await (
        await post(harness(), '/v1/events', { events: [5, nativeEvent()] })
      ).json()) as Body;
      expect(body.results[0]?.status).toBe('rejected');
      expect(body.results[0]?.errors?.[0]?.path).toBe('');
    });

    it('reports field problems with stable codes and JSON-pointer paths', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: undefined }),
          nativeEvent({ eventId: 'x'.repeat(300) }),
          nativeEvent({ eventId: 'bad-time', happenedAt: 'yesterday' }),
          nativeEvent({ eventId: 'local-time', happenedAt: '2026-11-20T10:00:00' }),
          nativeEvent({ eventId: 'seconds', happenedAt: Math.floor((NOW - HOUR) / 1000) }),
          nativeEvent({ eventId: 'no-id', user: {} }),
          nativeEvent({ eventId: 'phone', user: { email: 'a@example.com', phone: '+1 415 555 0123' } }),
          nativeEvent({ eventId: 'extra', foo: 1 }),
          nativeEvent({ eventId: 'bad-value', value: { amount: '12,5', currency: 'EUR' } }),
        ],
      });
      const body = (await res.json()) as Body;
      const first = body.results.map((r) => r.errors?.[0] && [r.errors[0].code, r.errors[0].path]);
      expect(first).toEqual([
        ['EVENT_ID_MISSING', '/eventId'],
        ['EVENT_ID_INVALID', '/eventId'],
        ['HAPPENED_AT_INVALID', '/happenedAt'],
        ['HAPPENED_AT_INVALID', '/happenedAt'],
        ['HAPPENED_AT_SECONDS', '/happenedAt'],
        ['NO_IDENTIFIER', '/user'],
        ['EVENT_INVALID', '/user/phone'],
        ['EVENT_INVALID', '/foo'],
        ['VALUE_AMOUNT_INVALID', '/value/amount'],
      ]);
      expect(body.results[0]?.eventId).toBeNull();
      expect(body.results[1]?.eventId).toBeNull();
      expect(body.results[2]?.eventId).toBe('bad-time');
    });

    it('names every problem of an event at once, in the results and in the error details', async () => {
      const res = await post(
        harness(),
        '/v1/events',
        nativeEvent({
          conversion: 'webinar',
          happenedAt: 'yesterday',
          user: { liFatId: 'jane@example.com' },
        }),
      );
      expect(res.status).toBe(422);
      const body = (await res.json()) as Body;
      const expected = [
        ['HAPPENED_AT_INVALID', '/happenedAt'],
        ['RAW_EMAIL_FOUND', '/user/liFatId'],
        ['CONVERSION_UNKNOWN', '/conversion'],
      ];
      expect(body.results[0]?.errors?.map((e) => [e.code, e.path])).toEqual(expected);
      expect(body.error?.details?.map((e) => [e.code, e.path])).toEqual(expected);
      expect(JSON.stringify(body)).not.toContain('jane');
    });

    it('stores the B2B context and refuses personal data in it', async () => {
      const h = harness();
      const context = {
        accountDomain: 'example.com',
        crmAccountId: '0015g00000XyZ',
        lifecycleStage: 'SQL',
        seats: 40,
      };
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'ctx', context }),
          nativeEvent({ eventId: 'ctx-email-key', context: { contactEmail: 'x' } }),
          nativeEvent({ eventId: 'ctx-email-value', context: { owner: 'jane.doe@example.com' } }),
          nativeEvent({ eventId: 'ctx-nested', context: { deal: { id: 1 } } }),
          nativeEvent({ eventId: 'ctx-encoded', context: { u: 'https://x.com/?email=jane%40example.com' } }),
        ],
      });
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => r.status)).toEqual([
        'accepted',
        'rejected',
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(body.results[4]?.errors?.[0]).toMatchObject({ code: 'CONTEXT_PII', path: '/context/u' });
      expect(await stored(h, 'ctx-encoded')).toEqual([]);
      expect(body.results[1]?.errors?.[0]).toMatchObject({
        code: 'CONTEXT_PII',
        path: '/context/contactEmail',
      });
      expect(body.results[2]?.errors?.[0]).toMatchObject({ code: 'CONTEXT_PII', path: '/context/owner' });
      expect(body.results[3]?.errors?.[0]).toMatchObject({ code: 'CONTEXT_INVALID', path: '/context/deal' });
      expect(JSON.parse((await stored(h, 'ctx'))[0]?.context ?? 'null')).toEqual(context);
    });

    it('refuses email addresses in fields that are not hashed', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'jane@example.com' }),
          nativeEvent({ eventId: 'ext', user: { externalId: 'jane@example.com' } }),
          nativeEvent({
            eventId: 'name',
            user: { email: 'a@b.io', firstName: 'jane@example.com', lastName: 'Doe' },
          }),
        ],
      });
      const body = (await res.json()) as Body;
      expect(body.results.map((r) => [r.eventId, r.errors?.[0]?.code, r.errors?.[0]?.path])).toEqual([
        [null, 'EVENT_ID_INVALID', '/eventId'],
        ['ext', 'RAW_EMAIL_FOUND', '/user/externalId'],
        ['name', 'RAW_EMAIL_FOUND', '/user/firstName'],
      ]);
      expect(body.results[1]?.errors?.[0]?.message).toContain('send it as user.email');
      expect(JSON.stringify(body)).not.toContain('jane@example.com');
    });

    it('resolves an unknown rule id to the only configured account', async () => {
      const h = harness();
      const res = await post(h, '/v1/events', nativeEvent({ eventId: 'other-rule', conversion: '999' }));
      expect(res.status).toBe(200);
      expect((await stored(h, 'other-rule'))[0]).toMatchObject({ ruleId: '999', account: ACCOUNT });
    });

    it('rejects an unknown rule id when several accounts are configured', async () => {
      const h = harness({
        yaml: '',
        replaceYaml: `
accounts:
  - { id: 1001, conversions: { lead: 11 } }
  - { id: 1002, conversions: { signup: 22 } }
sources: [{ name: website, key: ${KEYS.website} }]
`,
      });
      const res = await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: 'a', conversion: '999' }),
          nativeEvent({ eventId: 'b', conversion: 'signup' }),
        ],
      });
      const body = (await res.json()) as Body;
      expect(body.results[0]?.errors?.[0]).toMatchObject({ code: 'CONVERSION_UNKNOWN' });
      expect(body.results[0]?.errors?.[0]?.message).toContain('rule 999');
      expect((await stored(h, 'b'))[0]).toMatchObject({ ruleId: '22', account: '1002' });
    });

    describe('validate_only', () => {
      it('returns the exact hashed payload and warnings, and stores nothing', async () => {
        const h = harness({ yaml: 'identity: { hashNames: true }\n' });
        const res = await post(
          h,
          '/v1/events',
          nativeEvent({
            eventId: 'dry',
            user: { email: ' Jane.Doe@Example.COM ', firstName: 'Jane', lastName: 'Doe', ip: '10.0.0.1' },
          }),
          { query: 'validate_only=true' },
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as Body;
        expect(body.validateOnly).toBe(true);
        const result = body.results[0];
        expect(result?.status).toBe('accepted');
        expect(result?.payload).toEqual({
          conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
          conversionHappenedAt: NOW - HOUR,
          eventId: 'dry',
          user: {
            userIds: [{ idType: 'SHA256_EMAIL', idValue: sha256Hex('jane.doe@example.com') }],
            userInfo: { hashedFirstName: sha256Hex('jane'), hashedLastName: sha256Hex('doe') },
          },
        });
        expect(result?.warnings).toEqual([expect.objectContaining({ path: '/user/ip' })]);
        expect(await stored(h, 'dry')).toEqual([]);
        expect(h.wakeups()).toBe(0);
      });

      it('refuses an unreadable flag', async () => {
        const h = harness();
        const res = await post(h, '/v1/events', nativeEvent(), { query: 'validate_only=maybe' });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({
          error: { code: 'QUERY_INVALID', path: 'query:validate_only' },
        });
      });
    });

    describe('request-level errors', () => {
      it.each([
        ['missing', undefined, 'AUTH_MISSING'],
        ['not bearer', 'Token abc', 'AUTH_SCHEME_UNSUPPORTED'],
        ['Basic', `Basic ${Buffer.from(`${'x'.repeat(30)}:`).toString('base64')}`, 'AUTH_SCHEME_UNSUPPORTED'],
        ['bare (no scheme)', 'x'.repeat(30), 'AUTH_SCHEME_UNSUPPORTED'],
        ['empty Bearer', 'Bearer ', 'AUTH_MISSING'],
        ['unknown key', `Bearer ${'x'.repeat(30)}`, 'AUTH_INVALID'],
        ['two-word Bearer', `Bearer ${'x'.repeat(30)} y`, 'AUTH_INVALID'],
        ['admin token', `Bearer ${KEYS.admin}`, 'AUTH_INVALID'],
      ])('401 for a %s key', async (_name, authorization, code) => {
        const h = harness();
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const res = await post(h, '/v1/events', nativeEvent(), { key: null, headers });
        expect(res.status).toBe(401);
        const body = (await res.json()) as Body;
        expect(body.error?.code).toBe(code);
        expect(body.error?.fix).toBeTruthy();
        expect(JSON.stringify(body)).not.toContain('x'.repeat(30));
      });

      it('says which scheme it takes when the key comes in another, or bare', async () => {
        const h = harness();
        for (const authorization of [
          `Basic ${Buffer.from(`${KEYS.website}:`).toString('base64')}`,
          KEYS.website,
        ]) {
          const res = await post(h, '/v1/events', nativeEvent(), { key: null, headers: { authorization } });
          expect(res.status).toBe(401);
          const text = await res.text();
          expect(JSON.parse(text)).toMatchObject({
            error: {
              code: 'AUTH_SCHEME_UNSUPPORTED',
              path: 'header:authorization',
              message: expect.stringContaining('Bearer scheme only'),
              fix: 'Send the source key as "Authorization: Bearer <key>".',
            },
          });
          expect(text).not.toContain(KEYS.website);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
      });

      it('400 BODY_INVALID_JSON for malformed JSON, without echoing it', async () => {
        const h = harness();
        const res = await post(h, '/v1/events', null, { raw: '{"user": {"email": "jane.doe@example.com"' });
        expect(res.status).toBe(400);
        const text = await res.text();
        expect(JSON.parse(text).error.code).toBe('BODY_INVALID_JSON');
        expect(text).not.toContain('jane');
      });

      it.each([
        ['empty', ''],
        ['whitespace', '  \n'],
      ])('400 BODY_INVALID_JSON for an %s body', async (_name, raw) => {
        const res = await post(harness(), '/v1/events', null, { raw });
        expect(((await res.json()) as Body).error?.code).toBe('BODY_INVALID_JSON');
      });

      it.each([
        ['an array', [nativeEvent()], ''],
        ['a string', 'event', ''],
        ['events not an array', { events: {} }, '/events'],
        ['empty events', { events: [] }, '/events'],
        ['extra keys beside events', { events: [nativeEvent()], source: 'x' }, '/source'],
        ['an email as a key beside events', { events: [nativeEvent()], 'jane@example.com': 1 }, '/(key)'],
        ['a name as a key beside events', { events: [nativeEvent()], 'Jane Canary': 1 }, '/(key)'],
        ['a token as a key beside events', { events: [nativeEvent()], 'Bearer AQX/tok+en=': 1 }, '/(key)'],
      ])('400 BODY_INVALID for %s', async (_name, body, path) => {
        const res = await post(harness(), '/v1/events', body);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: 'BODY_INVALID', path } });
      });

      it('413 TOO_MANY_EVENTS above maxEventsPerRequest', async () => {
        const h = harness();
        const events = Array.from({ length: 5001 }, (_, i) => ({ eventId: String(i) }));
        const res = await post(h, '/v1/events', { events });
        expect(res.status).toBe(413);
        expect(await res.json()).toMatchObject({ error: { code: 'TOO_MANY_EVENTS', path: '/events' } });
      });

      it('413 BODY_TOO_LARGE above the body limit, by Content-Length or by counting', async () => {
        const h = harness({ yaml: 'server: { bodyLimitBytes: 1000 }\n' });
        const big = JSON.stringify({ events: Array.from({ length: 20 }, () => nativeEvent()) });
        const declared = await post(h, '/v1/events', null, {
          raw: big,
          headers: { 'content-length': String(big.length) },
        });
        expect(declared.status).toBe(413);
        expect(await declared.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE', path: '' } });
        const counted = await post(h, '/v1/events', null, { raw: big, chunked: true });
        expect(counted.status).toBe(413);
        expect(await counted.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE', path: '' } });
      });

      it('accepts a gzip body and limits it after decoding', async () => {
        const h = harness({ yaml: 'server: { bodyLimitBytes: 2000 }\n' });
        const ok = await post(h, '/v1/events', null, {
          raw: gzipSync(JSON.stringify(nativeEvent({ eventId: 'zipped' }))),
          headers: { 'content-encoding': 'gzip' },
        });
        expect(ok.status).toBe(200);
        const bomb = gzipSync(Buffer.alloc(1_000_000, ' '));
        const refused = await post(h, '/v1/events', null, {
          raw: bomb,
          headers: { 'content-encoding': 'gzip' },
        });
        expect(refused.status).toBe(413);
        const corrupt = await post(h, '/v1/events', null, {
          raw: 'not gzip',
          headers: { 'content-encoding': 'gzip' },
        });
        expect(corrupt.status).toBe(400);
      });

      it('reads the same bytes the same way with a Content-Length, chunked or gzip (byte-order marks)', async () => {
        const h = harness();
        const framings = {
          declared: (text: string) => ({ raw: text }),
          chunked: (text: string) => ({ raw: text, chunked: true }),
          gzip: (text: string) => ({ raw: gzipSync(text), headers: { 'content-encoding': 'gzip' } }),
        };
        // One mark is dropped by the decoder, a second by the route (some tools write one before
        // JSON that starts with one already); a third is not JSON.
        for (const [marks, status] of [
          [1, 200],
          [2, 200],
          [3, 400],
        ] as const) {
          for (const [framing, options] of Object.entries(framings)) {
            const text =
              '\uFEFF'.repeat(marks) + JSON.stringify(nativeEvent({ eventId: `bom-${marks}-${framing}` }));
            const res = await post(h, '/v1/events', null, options(text));
            expect([marks, framing, res.status]).toEqual([marks, framing, status]);
          }
        }
      });

      it('415 for an unsupported Content-Encoding', async () => {
        const res = await post(harness(), '/v1/events', nativeEvent(), {
          headers: { 'content-encoding': 'br' },
        });
        expect(res.status).toBe(415);
        expect(await res.json()).toMatchObject({ error: { code: 'BODY_ENCODING_UNSUPPORTED' } });
      });

      it('503 SHUTTING_DOWN with Retry-After while intake is closed', async () => {
        const h = harness();
        h.intake.close();
        const res = await post(h, '/v1/events', nativeEvent());
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
      });

      it('503 STORE_UNAVAILABLE when the commit fails: nothing is acknowledged', async () => {
        const store = createMemoryStore();
        store.enqueue = async () => {
          throw new Error('disk full');
        };
        const h = harness({ store });
        const res = await post(h, '/v1/events', nativeEvent());
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        const text = await res.text();
        expect(JSON.parse(text).error.code).toBe('STORE_UNAVAILABLE');
        expect(text).not.toContain('disk full');
      });

      it('503 STORE_UNAVAILABLE also when the store throws before returning a promise', async () => {
        const store = createMemoryStore();
        store.enqueue = () => {
          throw new Error('disk full');
        };
        const h = harness({ store });
        const res = await post(h, '/v1/events', nativeEvent());
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
      });
    });

    it('counts ingest results in the metrics', async () => {
      const h = harness();
      await post(h, '/v1/events', {
        events: [
          nativeEvent({ eventId: '1' }),
          nativeEvent({ eventId: '1' }),
          nativeEvent({ eventId: '2', conversion: 'nope' }),
        ],
      });
      const text = await h.deps.metrics.registry.metrics();
      expect(text).toContain('capigw_events_ingested_total{source="website",status="accepted"} 1');
      expect(text).toContain('capigw_events_ingested_total{source="website",status="duplicate"} 1');
      expect(text).toContain('capigw_events_ingested_total{source="website",status="rejected"} 1');
      expect(text).toContain('capigw_events_rejected_total{code="CONVERSION_UNKNOWN"} 1');
    });

    it('does not log per event at info level', async () => {
      const h = harness();
      h.deps.logger.level = 'info';
      await post(h, '/v1/events', {
        events: Array.from({ length: 50 }, (_, i) => nativeEvent({ eventId: `l${i}` })),
      });
      expect(h.logs).toEqual([]);
    });
  });
}
