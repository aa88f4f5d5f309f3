/**
 * Fuzzes every ingest route with generated bodies: arbitrary values, arbitrary JSON text, broken
 * text, and near-valid events with one or more fields mutated. Whatever arrives, the gateway never
 * answers 5xx, and every 4xx carries a stable code, a path and a message (LinkedIn's own validation
 * answers on the drop-in carry the path inside the message, as LinkedIn writes it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import {
  HOUR,
  harness,
  KEYS,
  NOW,
  post,
  RULES,
  linkedInEvent as validLinkedInEvent,
  nativeEvent as validNativeEvent,
  trackCall as validTrackCall,
} from './http-harness.js';

const RUNS = 1200;

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', 'null', '[', '{"', '{}', '[]', '\u0000', '{"events":', '1e999', '"\\ud800"'),
);

/** A JSON text for any value fast-check can make (undefined, NaN and cycles collapse to text). */
function toText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const scalar = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.emailAddress(),
);
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.option(fc.oneof(arb, scalar, fc.jsonValue({ maxDepth: 2 })), { nil: undefined });

const happenedAt = fc.oneof(
  fc.integer({ min: NOW - 100 * 24 * HOUR, max: NOW + HOUR }),
  fc.integer({ min: NOW - 80 * 24 * HOUR, max: NOW }).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom('2026-11-20', '2026-11-20T10:00:00', 'yesterday', 1795000000, -1),
);
const conversion = fc.constantFrom(
  'lead',
  'LEAD',
  'Qualified Lead',
  RULES.lead,
  Number(RULES.purchase),
  `urn:lla:llaPartnerConversion:${RULES.lead}`,
  'urn:li:x:1',
  'nope',
  '',
  0,
);

const nativeUser = fc.record(
  {
    email: maybe(fc.emailAddress()),
    sha256Email: maybe(fc.stringMatching(/^[0-9a-f]{64}$/)),
    liFatId: maybe(fc.string({ minLength: 1, maxLength: 30 })),
    ip: maybe(fc.ipV4()),
    firstName: maybe(fc.string()),
    lastName: maybe(fc.string()),
    externalId: maybe(fc.string()),
    leadId: maybe(fc.string()),
    countryCode: maybe(fc.constantFrom('DE', 'us', 'XX')),
  },
  { requiredKeys: [] },
);

const nativeEvent = fc.record(
  {
    conversion: maybe(conversion),
    eventId: maybe(fc.string({ minLength: 1, maxLength: 20 })),
    happenedAt: maybe(happenedAt),
    value: maybe(
      fc.record({
        amount: fc.oneof(fc.integer(), fc.string(), fc.double()),
        currency: fc.constantFrom('EUR', 'usd', ''),
      }),
    ),
    user: maybe(nativeUser),
    consent: maybe(fc.record({ granted: fc.oneof(fc.boolean(), scalar) })),
    context: maybe(fc.dictionary(fc.string({ maxLength: 10 }), scalar, { maxKeys: 5 })),
  },
  { requiredKeys: [] },
);

const linkedInEvent = fc.record(
  {
    conversion: maybe(
      fc.constantFrom(
        `urn:lla:llaPartnerConversion:${RULES.lead}`,
        'urn:lla:llaPartnerConversion:999',
        'urn:li:x:1',
      ),
    ),
    conversionHappenedAt: maybe(fc.integer({ min: NOW - 100 * 24 * HOUR, max: NOW + HOUR })),
    conversionValue: maybe(
      fc.record(
        { currencyCode: fc.constantFrom('EUR', 'x'), amount: fc.oneof(fc.string(), fc.double()) },
        { requiredKeys: [] },
      ),
    ),
    eventId: maybe(fc.string({ maxLength: 20 })),
    user: maybe(
      fc.record(
        {
          userIds: maybe(
            fc.array(
              fc.record({
                idType: fc.constantFrom(
                  'SHA256_EMAIL',
                  'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID',
                  'PLAINTEXT_IP_ADDRESS',
                  'ORACLE_MOAT_ID',
                ),
                idValue: fc.oneof(
                  fc.stringMatching(/^[0-9a-f]{64}$/),
                  fc.string(),
                  fc.ipV4(),
                  fc.emailAddress(),
                ),
              }),
              { maxLength: 3 },
            ),
          ),
          userInfo: maybe(
            fc.record(
              { firstName: fc.string(), lastName: fc.string(), hashedFirstName: fc.string() },
              { requiredKeys: [] },
            ),
          ),
          lead: maybe(fc.string()),
          externalIds: maybe(fc.array(fc.string(), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const trackCall = fc.record(
  {
    type: maybe(fc.constantFrom('track', 'identify', 'page', 'Track', 'bogus')),
    event: maybe(fc.constantFrom('Lead', 'Qualified Lead', 'purchase', 'Nope', '')),
    messageId: maybe(fc.string({ minLength: 1, maxLength: 20 })),
    timestamp: maybe(happenedAt),
    properties: maybe(
      fc.record(
        { revenue: scalar, currency: scalar, email: scalar, li_fat_id: scalar },
        { requiredKeys: [] },
      ),
    ),
    context: maybe(
      fc.record(
        {
          ip: maybe(fc.ipV4()),
          traits: maybe(
            fc.record(
              { email: scalar, firstName: scalar, lastName: scalar, company: scalar },
              { requiredKeys: [] },
            ),
          ),
          page: maybe(fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) })),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** Any body: arbitrary values, arbitrary JSON, broken text, or a structured near-valid body. */
function bodies(structured: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.anything().map(toText) },
    { weight: 2, arbitrary: fc.json() },
    { weight: 1, arbitrary: anyText },
    { weight: 5, arbitrary: structured.map(toText) },
  );
}

type Problem = { code?: unknown; path?: unknown; message?: unknown };

function expectProblem(p: Problem): void {
  expect(typeof p.code).toBe('string');
  expect(typeof p.path).toBe('string');
  expect(typeof p.message).toBe('string');
}

async function checkNative(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  const body = (await res.json()) as {
    error?: Problem & { fix?: unknown };
    results?: Array<{ status: string; errors?: Problem[] }>;
  };
  if (res.status >= 400) {
    expect(body.error).toBeDefined();
    expect(Object.hasOwn(ERROR_CODES, String(body.error?.code))).toBe(true);
    expect(typeof body.error?.message).toBe('string');
    expect(typeof body.error?.fix).toBe('string');
    expect(typeof body.error?.path).toBe('string');
  }
  for (const r of body.results ?? []) {
    if (r.status === 'rejected') {
      expect(r.errors?.length).toBeGreaterThan(0);
      for (const e of r.errors ?? []) expectProblem(e);
    }
  }
}

async function checkLinkedIn(res: Response): Promise<void> {
  expect(res.status).toBeLessThan(500);
  if (res.status < 300) return;
  const body = (await res.json()) as { status?: unknown; message?: unknown; code?: unknown; path?: unknown };
  expect(body.status).toBe(res.status);
  expect(typeof body.message).toBe('string');
  if (res.status === 422) {
    // LinkedIn's own shape: the path is inside each line.
    for (const line of String(body.message).trimEnd().split('\n'))
      expect(line).toMatch(/^(Index: \d+, )?ERROR :: \/\S* :: .+/);
  } else if (res.status === 400 && body.code === undefined) {
    expect(String(body.message)).toMatch(/indices \[\d+(, \d+)*\] \(0-indexed\)\.$/);
  } else if (res.status !== 403) {
    // The gateway's own problems, in LinkedIn's gateway shape.
    expect(Object.hasOwn(ERROR_CODES, String(body.code))).toBe(true);
    expect(typeof body.path).toBe('string');
  }
}

// In process (the Hono routes alone) and over a real socket, served as `capi start` serves them
// (plain native requests then take the direct lane).
describe.each(['in-process', 'socket'] as const)('fuzzing the ingest routes (%s)', (transport) => {
  const cases: Array<
    [string, string, fc.Arbitrary<unknown>, Record<string, string>, (r: Response) => Promise<void>]
  > = [
    ['POST /v1/events (one event)', '/v1/events', nativeEvent, {}, checkNative],
    [
      'POST /v1/events (batch)',
      '/v1/events',
      fc.record({ events: fc.array(nativeEvent, { maxLength: 5 }) }),
      {},
      checkNative,
    ],
    ['POST /rest/conversionEvents', '/rest/conversionEvents', linkedInEvent, {}, checkLinkedIn],
    [
      'POST /rest/conversionEvents (BATCH_CREATE)',
      '/rest/conversionEvents',
      fc.record({ elements: fc.array(linkedInEvent, { maxLength: 5 }) }),
      { 'x-restli-method': 'BATCH_CREATE' },
      checkLinkedIn,
    ],
    ['POST /v1/track', '/v1/track', trackCall, {}, checkNative],
    [
      'POST /v1/batch',
      '/v1/batch',
      fc.record({ batch: fc.array(trackCall, { maxLength: 5 }) }),
      {},
      checkNative,
    ],
  ];

  it.each(cases)(
    '%s: no 5xx, every 4xx has a code, a path and a message',
    async (_name, path, structured, headers, check) => {
      const h = harness({ transport });
      await fc.assert(
        fc.asyncProperty(bodies(structured), fc.boolean(), async (raw, validateOnly) => {
          const res = await post(h, path, null, {
            raw,
            headers,
            query: validateOnly ? 'validate_only=true' : undefined,
          });
          await check(res);
        }),
        { numRuns: RUNS },
      );
      expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
    },
    120_000,
  );
});

/** Headers and query strings a client may get wrong, around a body that is fine. */
const requestFrame = fc.record({
  authorization: fc.option(
    fc.oneof(
      fc.constantFrom(
        `Bearer ${KEYS.website}`,
        'Bearer',
        'Bearer ',
        `Basic ${KEYS.website}`,
        KEYS.website,
        '',
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 30 }).map((s) => `Bearer ${s}`),
    ),
    { nil: undefined },
  ),
  query: fc.option(
    fc.oneof(
      fc.constantFrom('validate_only=true', 'validate_only=yes', 'validate_only='),
      fc.string({ maxLength: 20 }).map((s) => `validate_only=${encodeURIComponent(s)}`),
    ),
    { nil: undefined },
  ),
  contentEncoding: fc.option(fc.constantFrom('br', 'gzip', 'compress', 'identity'), { nil: undefined }),
  idempotencyKey: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
  restliMethod: fc.option(fc.constantFrom('CREATE', 'BATCH_CREATE', 'GET', 'batch_create', ''), {
    nil: undefined,
  }),
});

describe.each(['in-process', 'socket'] as const)(
  'fuzzing the ingest routes’ headers and query (%s)',
  (transport) => {
    it.each([
      ['/v1/events', validNativeEvent(), checkNative],
      ['/v1/track', validTrackCall(), checkNative],
      ['/v1/batch', { batch: [validTrackCall()] }, checkNative],
      ['/rest/conversionEvents', validLinkedInEvent(), checkLinkedIn],
    ] as const)(
      '%s: no 5xx, every 4xx has a code, a path and a message',
      async (path, body, check) => {
        const h = harness({ transport });
        await fc.assert(
          fc.asyncProperty(requestFrame, async (frame) => {
            const headers: Record<string, string> = {};
            if (frame.authorization !== undefined) headers.authorization = frame.authorization;
            if (frame.contentEncoding !== undefined) headers['content-encoding'] = frame.contentEncoding;
            // fetch refuses header values it cannot send (control characters); those never reach a server.
            if (frame.idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(frame.idempotencyKey))
              headers['idempotency-key'] = frame.idempotencyKey;
            if (frame.restliMethod !== undefined) headers['x-restli-method'] = frame.restliMethod;
            if (headers.authorization !== undefined && !/^[\x20-\x7e]*$/.test(headers.authorization)) return;
            const res = await post(h, path, body, { key: null, headers, query: frame.query });
            await check(res);
          }),
          { numRuns: RUNS / 4 },
        );
        expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
      },
      120_000,
    );
  },
);
