import { sha256Hex } from '@capi-gateway/linkedin';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  HOUR,
  harness,
  KEYS,
  linkedInEvent,
  NOW,
  post,
  RULES,
  type Transport,
} from './http-harness.js';

const BATCH = { 'x-restli-method': 'BATCH_CREATE' };
const EMAIL_HASH = sha256Hex('jane.doe@example.com');

describe('POST /rest/conversionEvents (LinkedIn-compatible)', () => {
  it('single create: 201, empty body, x-restli-id; stored exactly as sent', async () => {
    const h = harness();
    const event = linkedInEvent({
      eventId: 'li-1',
      conversionValue: { currencyCode: 'EUR', amount: '249.00' },
      user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: EMAIL_HASH }] },
    });
    const res = await post(h, '/rest/conversionEvents', event);
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('');
    const [row] = await h.store.findByEventId('li-1');
    expect(res.headers.get('x-restli-id')).toBe(row?.id);
    expect(res.headers.get('x-restli-protocol-version')).toBe('2.0.0');
    expect(row).toMatchObject({
      account: ACCOUNT,
      ruleId: RULES.lead,
      source: 'website',
      state: 'queued',
      identifierTypes: ['SHA256_EMAIL'],
      happenedAt: NOW - HOUR,
    });
    expect(JSON.parse(row?.payload ?? '')).toEqual(event);
    expect(h.wakeups()).toBe(1);
  });

  describe.each(['in-process', 'socket'] as Transport[])('a duplicate single create (%s)', (transport) => {
    it('answers 201 with the x-restli-id of the stored event it repeats', async () => {
      const h = harness({ transport });
      const event = linkedInEvent({ eventId: 'li-dup' });
      const first = await post(h, '/rest/conversionEvents', event);
      const again = await post(h, '/rest/conversionEvents', event);
      expect([first.status, again.status]).toEqual([201, 201]);
      const rows = await h.store.findByEventId('li-dup');
      expect(rows).toHaveLength(1);
      expect(first.headers.get('x-restli-id')).toBe(rows[0]?.id);
      expect(again.headers.get('x-restli-id')).toBe(rows[0]?.id);
      // The same eventId under another rule is another event, with its own id.
      const other = await post(
        h,
        '/rest/conversionEvents',
        linkedInEvent({ eventId: 'li-dup', conversion: `urn:lla:llaPartnerConversion:${RULES.purchase}` }),
      );
      expect(other.headers.get('x-restli-id')).not.toBe(rows[0]?.id);
      expect((await h.store.findByEventId('li-dup')).map((r) => r.id)).toContain(
        other.headers.get('x-restli-id'),
      );
    });

    it('without an eventId too (its content digest stands in)', async () => {
      const h = harness({ transport });
      const event = linkedInEvent();
      delete event.eventId;
      const first = await post(h, '/rest/conversionEvents', event);
      const again = await post(h, '/rest/conversionEvents', event);
      expect(again.status).toBe(201);
      expect(again.headers.get('x-restli-id')).toBe(first.headers.get('x-restli-id'));
    });

    it('leaves the id out when the repeated event is no longer stored', async () => {
      const h = harness({ transport });
      const event = linkedInEvent({ eventId: 'li-gone' });
      await post(h, '/rest/conversionEvents', event);
      // Retention purged the event; its dedup key still stands.
      h.store.findByEventId = async () => [];
      const again = await post(h, '/rest/conversionEvents', event);
      expect(again.status).toBe(201);
      expect(again.headers.get('x-restli-id')).toBeNull();
      expect(await again.text()).toBe('');
    });
  });

  it('BATCH_CREATE: 200 with one {"status":201} per element, duplicates included', async () => {
    const h = harness();
    const elements = [
      linkedInEvent({ eventId: 'b1' }),
      linkedInEvent({ eventId: 'b2' }),
      linkedInEvent({ eventId: 'b1' }),
    ];
    const res = await post(h, '/rest/conversionEvents', { elements }, { headers: BATCH });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ elements: [{ status: 201 }, { status: 201 }, { status: 201 }] });
    expect(await h.store.findByEventId('b1')).toHaveLength(1);
    const again = await post(
      h,
      '/rest/conversionEvents',
      { elements: [linkedInEvent({ eventId: 'b2' })] },
      { headers: BATCH },
    );
    expect(again.status).toBe(200);
    expect(await h.store.findByEventId('b2')).toHaveLength(1);
  });

  it('an event without eventId is deduplicated by its content', async () => {
    const h = harness();
    const event = linkedInEvent();
    delete event.eventId;
    await post(h, '/rest/conversionEvents', event);
    await post(h, '/rest/conversionEvents', event);
    const stats = await h.store.stats();
    expect(stats.byState.queued).toBe(1);
    const text = await (await h.deps.metrics.registry.metrics()).toString();
    expect(text).toContain('status="duplicate"} 1');
  });

  it('an event without eventId sent again with its keys in another order is still a duplicate', async () => {
    const h = harness();
    const event = linkedInEvent({
      conversionValue: { currencyCode: 'EUR', amount: '249.00' },
      user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: EMAIL_HASH }], externalIds: ['crm-1'] },
    });
    delete event.eventId;
    const reversed = (o: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(
        Object.entries(o)
          .reverse()
          .map(([k, v]) => [
            k,
            typeof v === 'object' && v !== null && !Array.isArray(v) ? reversed(v as never) : v,
          ]),
      );
    expect(JSON.stringify(reversed(event))).not.toBe(JSON.stringify(event));
    await post(h, '/rest/conversionEvents', event);
    await post(h, '/rest/conversionEvents', reversed(event));
    const stats = await h.store.stats();
    expect(stats.byState.queued).toBe(1);
  });

  it('takes more than one externalId as LinkedIn does: the first is kept, the rest dropped with a warning', async () => {
    const h = harness();
    const event = linkedInEvent({ eventId: 'ext-2', user: { userIds: [], externalIds: ['crm-1', 'crm-2'] } });
    const dry = await post(h, '/rest/conversionEvents', event, { query: 'validate_only=true' });
    expect(dry.status).toBe(200);
    const [element] = ((await dry.json()) as { elements: Array<{ payload: unknown; warnings: unknown[] }> })
      .elements;
    expect(element?.payload).toMatchObject({ user: { externalIds: ['crm-1'] } });
    expect(element?.warnings).toEqual([
      expect.objectContaining({ code: 'EXTERNAL_IDS_TOO_MANY', path: '/user/externalIds' }),
    ]);
    const res = await post(h, '/rest/conversionEvents', event);
    expect(res.status).toBe(201);
    const [row] = await h.store.findByEventId('ext-2');
    expect(JSON.parse(row?.payload ?? '').user).toEqual({ userIds: [], externalIds: ['crm-1'] });
    expect(row?.identifierTypes).toEqual(['EXTERNAL_ID']);
  });

  it('422 in LinkedIn’s shape: every schema problem, with the element index in batches', async () => {
    const h = harness();
    const elements = [
      linkedInEvent(),
      linkedInEvent({ conversionValue: { currencyCode: 'EUR', amount: 19.9 }, ipAddress: '1.2.3.4' }),
      linkedInEvent({ conversion: 'urn:li:sponsoredConversion:1' }),
    ];
    const res = await post(h, '/rest/conversionEvents', { elements }, { headers: BATCH });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { message: string; status: number };
    expect(Object.keys(body).sort()).toEqual(['message', 'status']);
    expect(body.status).toBe(422);
    expect(body.message).toBe(
      'Index: 1, ERROR :: /ipAddress :: unrecognized field found but not allowed\n' +
        'ERROR :: /conversionValue/amount :: value cannot be coerced to String\n' +
        'Index: 2, ERROR :: /conversion :: Invalid Urn format. Invalid prefix.\n',
    );
    expect(await h.store.stats()).toMatchObject({ byState: { queued: 0 } });
  });

  it('422 for a single event has no index prefix', async () => {
    const h = harness();
    const res = await post(h, '/rest/conversionEvents', linkedInEvent({ user: {} }));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      message: 'ERROR :: /user/userIds :: field is required but not found and has no default value\n',
      status: 422,
    });
  });

  it('400 in LinkedIn’s shape with the offending indices', async () => {
    const h = harness();
    const elements = [
      linkedInEvent({ conversionHappenedAt: NOW - 91 * 24 * HOUR }),
      linkedInEvent(),
      linkedInEvent({ conversionHappenedAt: NOW + HOUR }),
      linkedInEvent({ user: { userIds: [] } }),
    ];
    const res = await post(h, '/rest/conversionEvents', { elements }, { headers: BATCH });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; status: number };
    expect(body.status).toBe(400);
    const lines = body.message.split('\n');
    expect(lines).toContain(
      'Conversion time should be within 90 days and not exceed current time, indices [0, 2] (0-indexed).',
    );
    expect(
      lines.some(
        (l) =>
          l.startsWith('The request must contain one of these fields') &&
          l.endsWith('indices [3] (0-indexed).'),
      ),
    ).toBe(true);
  });

  it('400 for a raw email where a SHA-256 is required (and never stores it)', async () => {
    const h = harness();
    const event = linkedInEvent({
      user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'jane.doe@example.com' }] },
    });
    const res = await post(h, '/rest/conversionEvents', event);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('indices [0] (0-indexed).');
    expect(text).not.toContain('jane.doe');
    expect((await h.store.stats()).byState.queued).toBe(0);
  });

  it('refuses a time ahead of the gateway’s clock, even by a second, as LinkedIn does (no clock-skew allowance)', async () => {
    const h = harness();
    const res = await post(
      h,
      '/rest/conversionEvents',
      linkedInEvent({ eventId: 'li-future', conversionHappenedAt: NOW + 1000 }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message:
        'Conversion time should be within 90 days and not exceed current time, indices [0] (0-indexed).',
      status: 400,
    });
    expect(await h.store.findByEventId('li-future')).toEqual([]);
    const now = await post(
      h,
      '/rest/conversionEvents',
      linkedInEvent({ eventId: 'li-now', conversionHappenedAt: NOW }),
    );
    expect(now.status).toBe(201);
  });

  it('403 "No ad accounts found" for a rule the configuration does not list', async () => {
    const h = harness();
    const res = await post(
      h,
      '/rest/conversionEvents',
      linkedInEvent({ conversion: 'urn:lla:llaPartnerConversion:999' }),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'No ad accounts found', status: 403 });
  });

  // hashNames with a version before 202609 is refused at start (config.test.ts).
  it('keeps plain names plain before 202609 (LinkedIn needs them)', async () => {
    const h = harness({ yaml: 'linkedin: { version: "202608" }\n' });
    const event = linkedInEvent({
      eventId: 'plain',
      user: { userIds: [], userInfo: { firstName: 'Jane', lastName: 'Doe' } },
    });
    expect((await post(h, '/rest/conversionEvents', event)).status).toBe(201);
    const payload = JSON.parse((await h.store.findByEventId('plain'))[0]?.payload ?? '');
    expect(payload.user.userInfo).toEqual({ firstName: 'Jane', lastName: 'Doe' });
  });

  it('hashes plain names with hashNames on 202609+', async () => {
    const h = harness({ yaml: 'identity: { hashNames: true }\n' });
    const event = linkedInEvent({
      eventId: 'hashed',
      user: { userIds: [], userInfo: { firstName: 'Jane', lastName: ' Doe-Smith ', companyName: 'Acme' } },
    });
    expect((await post(h, '/rest/conversionEvents', event)).status).toBe(201);
    const [row] = await h.store.findByEventId('hashed');
    expect(JSON.parse(row?.payload ?? '').user.userInfo).toEqual({
      companyName: 'Acme',
      hashedFirstName: sha256Hex('jane'),
      hashedLastName: sha256Hex('doesmith'),
    });
    expect(row?.identifierTypes).toEqual(['NAME']);
    expect(row?.payload).not.toContain('Jane');
  });

  it('rejects hashed names on a version without them', async () => {
    const h = harness({ yaml: 'linkedin: { version: "202608" }\n' });
    const event = linkedInEvent({
      user: { userIds: [], userInfo: { hashedFirstName: sha256Hex('a'), lastName: 'B' } },
    });
    const res = await post(h, '/rest/conversionEvents', event);
    expect(res.status).toBe(422);
  });

  it('validate_only answers the payload and stores nothing', async () => {
    const h = harness();
    const res = await post(h, '/rest/conversionEvents', linkedInEvent({ eventId: 'dry' }), {
      query: 'validate_only=true',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      validateOnly: boolean;
      elements: Array<{ payload: { eventId: string } }>;
    };
    expect(body.validateOnly).toBe(true);
    expect(body.elements[0]?.payload.eventId).toBe('dry');
    expect(await h.store.findByEventId('dry')).toEqual([]);
  });

  describe('envelope and gateway errors (LinkedIn gateway shape with a stable code)', () => {
    it('401 for a missing or unknown source key; a LinkedIn token is not a source key', async () => {
      const h = harness();
      const missing = await post(h, '/rest/conversionEvents', linkedInEvent(), { key: null });
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({
        status: 401,
        code: 'AUTH_MISSING',
        message: expect.any(String),
      });
      const wrong = await post(h, '/rest/conversionEvents', linkedInEvent(), {
        key: 'AQV-linkedin-access-token',
      });
      expect(await wrong.json()).toMatchObject({ status: 401, code: 'AUTH_INVALID' });
      const bare = await post(h, '/rest/conversionEvents', linkedInEvent(), {
        key: null,
        headers: { authorization: KEYS.website },
      });
      expect(await bare.json()).toEqual({
        status: 401,
        code: 'AUTH_SCHEME_UNSUPPORTED',
        path: 'header:authorization',
        message:
          'The Authorization header is not "Bearer <key>": this route reads the source key from the Bearer scheme only.',
      });
    });

    it('422 when BATCH_CREATE has no elements array; 200 for an empty one', async () => {
      const h = harness();
      const none = await post(h, '/rest/conversionEvents', { items: [] }, { headers: BATCH });
      expect(none.status).toBe(422);
      expect(((await none.json()) as { message: string }).message).toBe(
        'ERROR :: /items :: unrecognized field found but not allowed\n',
      );
      const notArray = await post(h, '/rest/conversionEvents', { elements: 'x' }, { headers: BATCH });
      expect(notArray.status).toBe(422);
      const empty = await post(h, '/rest/conversionEvents', { elements: [] }, { headers: BATCH });
      expect(empty.status).toBe(200);
      expect(await empty.json()).toEqual({ elements: [] });
    });

    it('a batch body without the header is one (invalid) event, as at LinkedIn', async () => {
      const res = await post(harness(), '/rest/conversionEvents', { elements: [linkedInEvent()] });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toContain(
        'ERROR :: /elements :: unrecognized field',
      );
    });

    it("a single create named by LinkedIn's clients (X-RestLi-Method: create) is accepted", async () => {
      const h = harness();
      for (const [n, method] of ['create', 'CREATE'].entries()) {
        const res = await post(h, '/rest/conversionEvents', linkedInEvent({ eventId: `named-create-${n}` }), {
          headers: { 'x-restli-method': method },
        });
        expect(res.status).toBe(201);
        expect(res.headers.get('x-restli-id')).toBeTruthy();
      }
    });

    it('400 RESTLI_METHOD_UNSUPPORTED for other Rest.li methods', async () => {
      const res = await post(harness(), '/rest/conversionEvents', linkedInEvent(), {
        headers: { 'x-restli-method': 'PARTIAL_UPDATE' },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ status: 400, code: 'RESTLI_METHOD_UNSUPPORTED' });
    });

    it('400 BODY_INVALID_JSON, 413 TOO_MANY_EVENTS, 503 SHUTTING_DOWN', async () => {
      const h = harness();
      const bad = await post(h, '/rest/conversionEvents', null, { raw: '{"conversion":' });
      expect(await bad.json()).toMatchObject({ status: 400, code: 'BODY_INVALID_JSON' });
      const many = await post(
        h,
        '/rest/conversionEvents',
        { elements: Array.from({ length: 5001 }, () => ({})) },
        { headers: BATCH },
      );
      expect(many.status).toBe(413);
      expect(await many.json()).toMatchObject({ status: 413, code: 'TOO_MANY_EVENTS' });
      h.intake.close();
      const closed = await post(h, '/rest/conversionEvents', linkedInEvent());
      expect(closed.status).toBe(503);
      expect(closed.headers.get('retry-after')).toBe('5');
      expect(await closed.json()).toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
    });

    it('404 in LinkedIn’s shape under /rest/', async () => {
      const res = await post(harness(), '/rest/conversionEvent', linkedInEvent(), { key: KEYS.website });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });
  });
});
