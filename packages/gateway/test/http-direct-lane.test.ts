/**
 * The direct lane (src/http/direct-lane.ts) answers plain `POST /v1/events`, `/v1/track`,
 * `/v1/batch` and `/rest/conversionEvents` requests from node:http instead of the Hono routes. It must answer exactly as the route would: two gateways with the same
 * configuration and clock, one served with the lane and one without, receive the same generated
 * requests over real sockets, in the same order, and must give the same status, headers and bytes.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takesDirectly } from '../src/http/direct-lane.js';
import { basic, HOUR, harness, KEYS, NOW, RULES, served } from './http-harness.js';

const CONFIG = 'server: { bodyLimitBytes: 4096, maxEventsPerRequest: 4, authFailuresPerMinute: 5 }\n';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that differ between two servers for reasons unrelated to the answer. */
const UNRELATED = new Set(['date', 'connection', 'keep-alive']);

function comparable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!UNRELATED.has(name) && value !== undefined) out[name] = String(value);
  }
  return out;
}

/** One raw HTTP request: headers as name/value pairs, so a header may repeat. */
function send(
  url: string,
  req: { path: string; headers: Array<[string, string]>; body: Buffer; chunked: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Given as a list, node sends these headers as they are: no Host of its own.
    const headers = [['host', '127.0.0.1'], ...req.headers];
    if (!req.chunked) headers.push(['content-length', String(req.body.length)]);
    const r = httpRequest(`${url}${req.path}`, { method: 'POST', headers: headers.flat() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: comparable(res.headers),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    r.on('error', reject);
    r.setTimeout(10_000, () => r.destroy(new Error('timed out')));
    r.end(req.body);
  });
}

const eventIds = fc.constantFrom('ord-1', 'ord-2', 'ord-3', 'ord-4');
/** Mostly accepted (new ids), sometimes a duplicate of an earlier one. */
const validEvent = fc.record({
  conversion: fc.constantFrom('lead', 'purchase', 7345120),
  eventId: fc.oneof(eventIds, fc.uuid()),
  happenedAt: fc.integer({ min: NOW - 24 * HOUR, max: NOW }),
  user: fc.record({ email: fc.constantFrom('Jane.Doe@Example.com', 'sam@example.org') }),
});
/** Anything an event's fields might hold, valid or not. */
const anyEvent = fc.record({
  conversion: fc.constantFrom('lead', 'purchase', 'nope', 7345120),
  eventId: fc.oneof(eventIds, fc.constant(''), fc.integer()),
  happenedAt: fc.oneof(
    fc.integer({ min: NOW - 100 * 24 * HOUR, max: NOW + HOUR }),
    fc.constantFrom('2026-11-20T10:00:00Z', 'yesterday'),
  ),
  user: fc.oneof(
    fc.record({ email: fc.constantFrom('Jane.Doe@Example.com', 'not-an-email', 'sam@example.org') }),
    fc.record({ liFatId: fc.constantFrom('a1b2c3', '') }),
    fc.constant({}),
  ),
  consent: fc.option(fc.record({ granted: fc.boolean() }), { nil: undefined }),
});
const event = fc.oneof(validEvent, anyEvent);

/**
 * The bodies one route might get: one element (weight 4), a batch of them under `key` (3), any JSON
 * (1), and the route's own oddities (1 each: byte-order marks, junk).
 */
function bodiesOf<T>(
  element: fc.Arbitrary<T>,
  key: string,
  oddities: ReadonlyArray<fc.Arbitrary<string>>,
): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: element.map((e) => JSON.stringify(e)) },
    {
      weight: 3,
      arbitrary: fc
        .array(element, { minLength: 0, maxLength: 6 })
        .map((batch) => JSON.stringify({ [key]: batch })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    ...oddities.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

const bodyText = bodiesOf(event, 'events', [
  event.map((e) => `\uFEFF${JSON.stringify(e)}`),
  event.map((e) => `\uFEFF\uFEFF${JSON.stringify(e)}`),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', ' ', '{', '{"events": {}}', '{"events": [], "x": 1}', '"\\ud800"', 'x'.repeat(5_000)),
]);

/** Segment track calls, valid or not: the event name picks the conversion. */
const segmentCall = fc.record(
  {
    type: fc.constantFrom('track', 'track', 'identify', 'page', 'Track'),
    event: fc.constantFrom('lead', 'Lead', 'Qualified Lead', 'purchase', 'nope', 42),
    messageId: fc.oneof(eventIds, fc.uuid(), fc.constant(''), fc.constant('jane@example.com')),
    timestamp: fc.oneof(
      fc.integer({ min: NOW - 24 * HOUR, max: NOW }).map((t) => new Date(t).toISOString()),
      fc.constantFrom('yesterday', '2020-01-01T00:00:00Z'),
    ),
    context: fc.record({
      traits: fc.record(
        { email: fc.constantFrom('Jane.Doe@Example.com', 'not-an-email') },
        { requiredKeys: [] },
      ),
    }),
    properties: fc.record(
      {
        revenue: fc.constantFrom(12.5, -1, '3.10'),
        currency: fc.constantFrom('USD', 'usd', 'XXXX'),
        li_fat_id: fc.constantFrom('a1b2c3', ''),
        email: fc.constantFrom('sam@example.org'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['event', 'messageId'] },
);

const segmentText = bodiesOf(segmentCall, 'batch', [
  segmentCall.map((c) => `\uFEFF${JSON.stringify(c)}`),
  fc.constantFrom('', '{', '{"batch": {}}', '[]', 'x'.repeat(5_000)),
]);

/** LinkedIn's own events, valid or not: single creates, and BATCH_CREATE bodies. */
const linkedInElement = fc.record(
  {
    conversion: fc.constantFrom(
      `urn:lla:llaPartnerConversion:${RULES.lead}`,
      `urn:lla:llaPartnerConversion:${RULES.purchase}`,
      'urn:lla:llaPartnerConversion:999',
      'lead',
    ),
    conversionHappenedAt: fc.oneof(
      fc.integer({ min: NOW - 24 * HOUR, max: NOW }),
      fc.constantFrom(NOW - 100 * 24 * HOUR, '2026-11-20'),
    ),
    eventId: fc.oneof(eventIds, fc.uuid()),
    user: fc.oneof(
      fc.constant({ userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }] }),
      fc.constant({ userIds: [{ idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'li-1' }] }),
      fc.constant({ userIds: [{ idType: 'SHA256_EMAIL', idValue: 'Jane.Doe@Example.com' }] }),
      fc.constant({ userIds: [] }),
    ),
    conversionValue: fc.constantFrom(
      { currencyCode: 'EUR', amount: '10.00' },
      { currencyCode: 'x', amount: 1 },
    ),
  },
  { requiredKeys: ['conversion', 'user'] },
);

const linkedInText = bodiesOf(linkedInElement, 'elements', [
  fc.constantFrom('', '{', '{"elements": {}}', '{"elements": [], "x": 1}'),
]);

const NO_HEADERS: Array<[string, string]> = [];
const restliMethod = fc.constantFrom<Array<[string, string]>>(
  NO_HEADERS,
  [['x-restli-method', 'BATCH_CREATE']],
  [['X-RestLi-Method', ' batch_create ']],
  [['x-restli-method', 'BATCH_CREATE']],
  [['x-restli-method', 'GET']],
  [
    ['x-restli-method', 'BATCH_CREATE'],
    ['x-restli-method', 'BATCH_CREATE'],
  ],
);

const authorization = fc.constantFrom<Array<[string, string]>>(
  [['authorization', `Bearer ${KEYS.website}`]],
  [['authorization', `Bearer ${KEYS.website}`]],
  [['authorization', `Bearer ${KEYS.crm}`]],
  [['Authorization', `bearer ${KEYS.website}`]],
  [['authorization', 'Bearer wrong-key-that-is-long-enough-0000']],
  [['authorization', basic(KEYS.website)]],
  [['authorization', 'Token abc']],
  [
    ['authorization', `Bearer ${KEYS.website}`],
    ['authorization', `Bearer ${KEYS.crm}`],
  ],
  [],
);

const NONE: Array<[string, string]> = [];
const idempotency = fc.constantFrom<Array<[string, string]>>(
  NONE,
  NONE,
  NONE,
  NONE,
  [['idempotency-key', 'retry-7']],
  [['Idempotency-Key', 'retry-8']],
  [['idempotency-key', 'has space']],
);
const requestIds = fc.constantFrom<Array<[string, string]>>(
  NONE,
  [['x-request-id', 'caller-id.42']],
  [['x-request-id', 'not a token']],
  [
    ['x-request-id', 'caller-id.42'],
    ['x-request-id', 'caller-id.43'],
  ],
);
const contentType = fc.constantFrom<Array<[string, string]>>(
  [['content-type', 'application/json']],
  [['content-type', 'text/plain']],
  NONE,
);

const encoding = fc.constantFrom<Array<[string, string]>>(
  NONE,
  NONE,
  NONE,
  NONE,
  [['content-encoding', 'identity']],
  [['content-encoding', ' IDENTITY ']],
  [['content-encoding', '']],
  [['content-encoding', 'gzip']],
  [['content-encoding', 'br']],
);

/** A path and a body for it: native events to /v1/events, Segment calls to /v1/track and /v1/batch. */
const pathAndText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      path: fc.constantFrom('/v1/events', '/v1/events', '/v1/events', '/v1/events?validate_only=true'),
      text: bodyText,
      restli: fc.constant(NO_HEADERS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      path: fc.constantFrom(
        '/v1/track',
        '/v1/track',
        '/v1/batch',
        '/v1/batch',
        '/v1/track?validate_only=true',
      ),
      text: segmentText,
      restli: fc.constant(NO_HEADERS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      path: fc.constantFrom(
        '/rest/conversionEvents',
        '/rest/conversionEvents',
        '/rest/conversionEvents?validate_only=true',
      ),
      text: linkedInText,
      restli: restliMethod,
    }),
  },
);

const requestArb = fc
  .record({
    pathAndText,
    auth: authorization,
    idempotency,
    requestIds,
    contentType,
    encoding,
    chunked: fc.constantFrom(false, false, false, true),
  })
  .map(
    ({
      pathAndText: { path, text, restli },
      auth,
      idempotency: key,
      requestIds: ids,
      contentType: type,
      encoding: enc,
      chunked,
    }) => {
      const raw = Buffer.from(text, 'utf8');
      return {
        path,
        headers: [...auth, ...key, ...ids, ...type, ...enc, ...restli],
        body: enc[0]?.[1] === 'gzip' ? gzipSync(raw) : raw,
        chunked,
      };
    },
  );

type Generated = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

/** Cases too narrow to leave to chance, always run first. */
const EDGES: Generated[] = (() => {
  const auth: [string, string] = ['authorization', `Bearer ${KEYS.website}`];
  const plain = (text: string, headers: Array<[string, string]> = [auth]): Generated => ({
    path: '/v1/events',
    headers,
    body: Buffer.from(text, 'utf8'),
    chunked: false,
  });
  const valid = JSON.stringify({
    conversion: 'lead',
    eventId: 'edge-1',
    happenedAt: NOW - HOUR,
    user: { email: 'Jane.Doe@Example.com' },
  });
  // The body limit is 4,096 bytes: exactly that is read, one byte more is refused.
  const padded = (bytes: number) => valid + ' '.repeat(bytes - Buffer.byteLength(valid));
  const track = JSON.stringify({
    type: 'track',
    event: 'Lead',
    messageId: 'edge-2',
    timestamp: new Date(NOW - HOUR).toISOString(),
    context: { traits: { email: 'Jane.Doe@Example.com' } },
  });
  const linkedIn = JSON.stringify({
    conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
    conversionHappenedAt: NOW - HOUR,
    eventId: 'edge-3',
    user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }] },
  });
  const trackPadded = (bytes: number) => track + ' '.repeat(bytes - Buffer.byteLength(track));
  return [
    plain(`\uFEFF\uFEFF${valid}`),
    plain(`\uFEFF${valid}`),
    plain(padded(4_096)),
    plain(padded(4_097)),
    plain(valid, [auth, ['authorization', `Bearer ${KEYS.crm}`]]),
    plain(valid, [auth, ['idempotency-key', 'edge-key'], ['idempotency-key', 'second']]),
    // Segment's write key as the Basic user name, and a body at the limit and one byte past it.
    { ...plain(track, [['authorization', basic(KEYS.website)]]), path: '/v1/track' },
    { ...plain(trackPadded(4_096)), path: '/v1/track' },
    { ...plain(trackPadded(4_097)), path: '/v1/track' },
    {
      ...plain(JSON.stringify({ batch: [JSON.parse(track), { type: 'identify', userId: 'u-1' }] })),
      path: '/v1/batch',
    },
    // Every kind of answer at least once, whatever the generator draws: some events rejected (207),
    // all of them (422), and (last, as they lock the address out for the rest of the minute) six
    // wrong keys in six seconds, past the limit of five a minute (429).
    plain(JSON.stringify({ events: [JSON.parse(valid), { conversion: 'nope', eventId: 'edge-4' }] })),
    plain(JSON.stringify({ conversion: 'nope', eventId: 'edge-5', happenedAt: NOW, user: {} })),
    // LinkedIn's single create (201, no body, x-restli-id) and its BATCH_CREATE.
    { ...plain(linkedIn), path: '/rest/conversionEvents' },
    {
      ...plain(JSON.stringify({ elements: [JSON.parse(linkedIn)] }), [
        auth,
        ['x-restli-method', 'BATCH_CREATE'],
      ]),
      path: '/rest/conversionEvents',
    },
    ...Array.from({ length: 6 }, () =>
      plain(valid, [['authorization', 'Bearer wrong-key-that-is-long-enough-0000']]),
    ),
  ];
})();

describe('the direct lane answers exactly as the Hono route', () => {
  it('gives the same status, headers and body for generated requests, in the same order', async () => {
    const withLane = harness({ yaml: CONFIG });
    const withoutLane = harness({ yaml: CONFIG });
    // Count what the lane answers itself, so the test shows it was exercised.
    let direct = 0;
    let directSegment = 0;
    let directLinkedIn = 0;
    const lane = withLane.directLane;
    withLane.directLane = (app) => {
      const inner = lane(app);
      return (req, res) => {
        if (takesDirectly(req)) {
          direct += 1;
          if (req.url === '/rest/conversionEvents') directLinkedIn += 1;
          else if (req.url !== '/v1/events') directSegment += 1;
        }
        inner(req, res);
      };
    };
    const laneUrl = (await served(withLane)).url;
    // The same app served without the lane: every request goes to the Hono route.
    withoutLane.directLane = (app) => app;
    const routeUrl = (await served(withoutLane)).url;

    const statuses = new Set<number>();
    let step = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (req) => {
        // A second per request on both clocks: the throttle's minutes end, as they would in use.
        step += 1;
        withLane.clock.set(NOW + step * 1_000);
        withoutLane.clock.set(NOW + step * 1_000);
        const a = await send(laneUrl, req);
        const b = await send(routeUrl, req);
        // Request ids are fresh UUIDs unless the caller sent a usable one.
        const ids = req.headers.filter(([n]) => n === 'x-request-id').map(([, v]) => v);
        if (ids.length !== 1 || ids[0] !== 'caller-id.42') {
          expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
          // LinkedIn's paths repeat it as X-LI-UUID, as LinkedIn names its request ids.
          if (req.path.startsWith('/rest/')) expect(a.headers['x-li-uuid']).toBe(a.headers['x-request-id']);
          for (const name of ['x-request-id', 'x-li-uuid']) {
            delete a.headers[name];
            delete b.headers[name];
          }
        }
        // A single create's x-restli-id is the new event's own id, made fresh by each gateway.
        if (a.headers['x-restli-id'] !== undefined) {
          expect(a.headers['x-restli-id']).toMatch(
            /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
          expect(b.headers['x-restli-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
          delete a.headers['x-restli-id'];
          delete b.headers['x-restli-id'];
        }
        expect(a).toEqual(b);
        expect(a.status).toBeLessThan(500);
        statuses.add(a.status);
      }),
      { numRuns: 800, examples: EDGES.map((edge) => [edge]) },
    );
    // Both stores saw the same writes.
    for (const id of ['ord-1', 'ord-2', 'ord-3', 'ord-4']) {
      const ours = (await withLane.store.findByEventId(id)).map((e) => [e.ruleId, e.state, e.payload]);
      const theirs = (await withoutLane.store.findByEventId(id)).map((e) => [e.ruleId, e.state, e.payload]);
      expect(ours).toEqual(theirs);
    }
    // The lane answered a good share itself, with every kind of answer the route gives.
    expect(direct).toBeGreaterThan(100);
    expect(directSegment).toBeGreaterThan(40);
    expect(directLinkedIn).toBeGreaterThan(40);
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 201, 207, 400, 401, 413, 422, 429]));
  });
});

describe('which requests the lane takes', () => {
  const plain = {
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-length': '2' } as Record<string, string>,
  };
  const takes = (over: Partial<typeof plain>) =>
    takesDirectly({ ...plain, ...over } as unknown as Parameters<typeof takesDirectly>[0]);

  it('takes POST /v1/events, /v1/track, /v1/batch and /rest/conversionEvents with a Content-Length and no encoding, or identity', () => {
    expect(takes({})).toBe(true);
    expect(takes({ url: '/v1/track' })).toBe(true);
    expect(takes({ url: '/v1/batch' })).toBe(true);
    expect(takes({ url: '/rest/conversionEvents' })).toBe(true);
    expect(takes({ headers: { 'content-length': '2', 'content-encoding': 'identity' } })).toBe(true);
    expect(takes({ headers: { 'content-length': '2', 'content-encoding': ' Identity ' } })).toBe(true);
    expect(takes({ headers: { 'content-length': '2', 'content-encoding': '' } })).toBe(true);
  });

  it('passes everything else on to the app', () => {
    expect(takes({ method: 'GET' })).toBe(false);
    expect(takes({ method: 'PUT' })).toBe(false);
    expect(takes({ url: '/v1/events?validate_only=true' })).toBe(false);
    expect(takes({ url: '/v1/events/' })).toBe(false);
    expect(takes({ url: '/v1/track?validate_only=true' })).toBe(false);
    expect(takes({ url: '/v1/identify' })).toBe(false);
    expect(takes({ url: '/v1/batch/' })).toBe(false);
    expect(takes({ url: '/rest/conversionEvents?validate_only=true' })).toBe(false);
    expect(takes({ headers: {} })).toBe(false);
    expect(takes({ headers: { 'content-length': '2', 'content-encoding': 'gzip' } })).toBe(false);
    expect(takes({ headers: { 'content-length': '2', 'content-encoding': 'br' } })).toBe(false);
  });
});

describe('a client that hangs up in the middle of its body', () => {
  const secret = 'half.sent@example.com';
  const partial = `{"conversion":"lead","eventId":"cut-1","user":{"email":"${secret}"`;
  const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEYS.website}\r\n`;
  const cases = [
    { who: 'the direct lane (Content-Length)', request: `${head}Content-Length: 400\r\n\r\n${partial}` },
    {
      who: 'the Hono route (a query, Content-Length)',
      request: `${head.replace('/v1/events', '/v1/events?validate_only=false')}Content-Length: 400\r\n\r\n${partial}`,
    },
    {
      who: 'the Hono route (chunked)',
      request: `${head}Transfer-Encoding: chunked\r\n\r\n${(400).toString(16)}\r\n${partial}`,
    },
  ];

  it.each(cases)(
    '$who: stores nothing, logs no error and no part of the body, and keeps answering',
    async ({ request }) => {
      const h = harness({ yaml: CONFIG });
      const { url } = await served(h);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(new URL(url).port), '127.0.0.1', () => {
          socket.write(request);
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const next = await send(url, {
        path: '/v1/events',
        headers: [['authorization', `Bearer ${KEYS.website}`]],
        body: Buffer.from(
          JSON.stringify({
            conversion: 'lead',
            eventId: 'after-cut',
            happenedAt: NOW - HOUR,
            user: { email: 'a@example.com' },
          }),
        ),
        chunked: false,
      });
      expect(next.status).toBe(200);
      expect(await h.store.findByEventId('cut-1')).toEqual([]);
      // A client giving up is not the gateway's failure: no error line (it used to log a 500).
      const errors = h.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
      expect(errors).toEqual([]);
      expect(h.logs.join('\n')).not.toContain(secret);
    },
  );
});
