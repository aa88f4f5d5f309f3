import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  classifyNetworkError,
  classifyResponse,
  parseRejection,
  parseRetryAfter,
  type ResponseSnapshot,
  retryDelayMs,
} from '../src/index.js';
import { NOW } from './fixtures.js';

function res(
  status: number,
  body: unknown,
  batchSize = 1,
  headers: Record<string, string> = {},
): ResponseSnapshot {
  return {
    status,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    batchSize,
    now: NOW,
  };
}

// Bodies in the shapes of the contract (§1.6 case table, §1.8 examples).
describe('classifyResponse: success', () => {
  it('single create: 201 with an empty body', () => {
    expect(classifyResponse(res(201, '', 1, { 'X-LI-UUID': 'req-1' }))).toEqual({
      kind: 'delivered',
      status: 201,
      requestId: 'req-1',
    });
  });
  it('batch create: 200 with one 201 per element', () => {
    const body = { elements: [{ status: 201 }, { status: 201 }] };
    expect(classifyResponse(res(200, body, 2, { 'x-li-uuid': 'req-2' }))).toEqual({
      kind: 'delivered',
      status: 200,
      requestId: 'req-2',
    });
  });
  it('reports per-element failures inside a 200 without asking to resend the others', () => {
    const body = { elements: [{ status: 201 }, { status: 400, error: { message: 'bad' } }, { status: 201 }] };
    expect(classifyResponse(res(200, body, 3))).toEqual({
      kind: 'delivered',
      status: 200,
      requestId: null,
      elementErrors: [{ index: 1, status: 400, message: 'bad' }],
    });
  });
});

describe('classifyResponse: a success that is not the conversions endpoint', () => {
  const as = (r: ResponseSnapshot, request: 'batch' | 'single'): ResponseSnapshot => ({ ...r, request });

  it('takes only 200 with elements for a batch, and 201 for a single create', () => {
    const elements = { elements: [{ status: 201 }, { status: 201 }] };
    expect(classifyResponse(as(res(200, elements, 2), 'batch')).kind).toBe('delivered');
    expect(classifyResponse(as(res(201, '', 1), 'single')).kind).toBe('delivered');
  });

  it('a web page, an empty body or the wrong status is a setup problem, never delivered', () => {
    for (const [snapshot, request] of [
      [res(200, '<html><body>Welcome</body></html>', 2), 'batch'],
      [res(200, '', 2), 'batch'],
      [res(204, '', 2), 'batch'],
      [res(200, { ok: true }, 2), 'batch'],
      [res(201, elementsLess(), 2), 'batch'],
      [res(200, '', 1), 'single'],
    ] as const) {
      expect(classifyResponse(as(snapshot, request))).toMatchObject({
        kind: 'config',
        code: 'NOT_A_LINKEDIN_ANSWER',
      });
    }
  });

  it('keeps none of that body: it may echo the request, token and identifiers included', () => {
    const echo = '{"headers":{"authorization":"Bearer AQXsecret"},"body":{"elements":"…"}}';
    expect(classifyResponse(as(res(200, `<pre>${echo}</pre>`, 2), 'batch'))).toMatchObject({
      kind: 'config',
      body: null,
    });
  });
});

function elementsLess() {
  return { items: [{ status: 201 }] };
}

describe('classifyResponse: configuration errors', () => {
  it('400 VERSION_MISSING', () => {
    const body = {
      status: 400,
      code: 'VERSION_MISSING',
      message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    };
    expect(classifyResponse(res(400, body, 1, { 'X-Restli-Gateway-Error': 'true' }))).toMatchObject({
      kind: 'config',
      status: 400,
      code: 'VERSION_MISSING',
    });
  });
  it('426 NONEXISTENT_VERSION', () => {
    const body = {
      status: 426,
      code: 'NONEXISTENT_VERSION',
      message: 'Requested version 202509 is not active',
    };
    expect(classifyResponse(res(426, body))).toMatchObject({
      kind: 'config',
      status: 426,
      code: 'NONEXISTENT_VERSION',
    });
  });
  it('404 from the Rest.li router (wrong path or base URL)', () => {
    const body = { message: "No root resource defined for path '/conversionEvent'", status: 404 };
    expect(classifyResponse(res(404, body))).toMatchObject({ kind: 'config', code: 'HTTP_404' });
  });
  it('501 is not retried', () => {
    expect(classifyResponse(res(501, ''))).toMatchObject({ kind: 'config', code: 'HTTP_501' });
  });
});

describe('classifyResponse: authentication and permission', () => {
  it('401 empty token (generic three-field form)', () => {
    const body = { message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 };
    expect(classifyResponse(res(401, body))).toMatchObject({ kind: 'reauth', revoked: false });
  });
  it('401 invalid or expired token (65600)', () => {
    const body = {
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    };
    expect(classifyResponse(res(401, body))).toMatchObject({
      kind: 'reauth',
      revoked: false,
      body: JSON.stringify(body),
    });
  });
  it('401 revoked token (65601) is told apart', () => {
    const body = {
      status: 401,
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
      message: 'The token used in the request has been revoked by the user',
    };
    expect(classifyResponse(res(401, body))).toMatchObject({ kind: 'reauth', revoked: true });
  });
  it('403 USER_NOT_AUTHORIZED', () => {
    const body = {
      status: 403,
      serviceErrorCode: 100,
      code: 'USER_NOT_AUTHORIZED',
      message: 'Not enough permissions to access: conversionEvents.CREATE',
    };
    expect(classifyResponse(res(403, body))).toMatchObject({ kind: 'forbidden', unknownRule: false });
  });
  it('403 "No ad accounts found" means an unknown rule', () => {
    expect(classifyResponse(res(403, { message: 'No ad accounts found', status: 403 }))).toMatchObject({
      kind: 'forbidden',
      unknownRule: true,
    });
  });
});

describe('classifyResponse: retry', () => {
  it.each([408, 423, 429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(classifyResponse(res(status, ''))).toMatchObject({ kind: 'retry', status, afterMs: null });
  });
  it('429 LinkedIn throttle body, without Retry-After', () => {
    const body = {
      message: 'Resource level throttle limit for calls to this resource is reached.',
      serviceErrorCode: 101,
      status: 429,
    };
    expect(classifyResponse(res(429, body))).toMatchObject({
      kind: 'retry',
      reason: 'throttled',
      afterMs: null,
      body: JSON.stringify(body),
    });
  });
  it('honours Retry-After in seconds and as an HTTP date', () => {
    expect(classifyResponse(res(429, '', 1, { 'Retry-After': '120' }))).toMatchObject({ afterMs: 120_000 });
    const date = new Date(NOW + 30_000).toUTCString();
    expect(classifyResponse(res(503, '', 1, { 'retry-after': date }))).toMatchObject({ afterMs: 30_000 });
  });
  it('reads the 500 body and a non-JSON proxy page', () => {
    expect(classifyResponse(res(500, { message: 'Internal Server Error', status: 500 }))).toMatchObject({
      kind: 'retry',
    });
    expect(classifyResponse(res(502, '<html>Bad gateway</html>'))).toMatchObject({
      kind: 'retry',
      body: '<html>Bad gateway</html>',
    });
  });
  it('network errors are retried with status 0', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyNetworkError(refused)).toEqual({
      kind: 'retry',
      status: 0,
      requestId: null,
      afterMs: null,
      reason: 'network error: ECONNREFUSED',
      body: null,
    });
    expect(classifyNetworkError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({
      reason: 'network error: timeout',
    });
    expect(
      classifyNetworkError(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })),
    ).toMatchObject({
      reason: 'network error: ECONNRESET',
    });
    expect(classifyNetworkError('weird')).toMatchObject({ kind: 'retry', status: 0 });
  });
});

describe('classifyResponse: rejected batches', () => {
  it('400 live form with indices [0, 3]', () => {
    const body = {
      message:
        'Conversion time should be within 90 days and not exceed current time, indices [0, 3] (0-indexed).',
      status: 400,
    };
    expect(classifyResponse(res(400, body, 5))).toMatchObject({
      kind: 'rejected',
      status: 400,
      indices: [0, 3],
      reasons: [
        'Conversion time should be within 90 days and not exceed current time',
        'Conversion time should be within 90 days and not exceed current time',
      ],
    });
  });
  it('400 non-CAPI rule', () => {
    const body = {
      message:
        "Incorrect conversions information provided. Conversion's method should be CONVERSIONS_API, indices [0] (0-indexed)",
      status: 400,
    };
    expect(classifyResponse(res(400, body, 2))).toMatchObject({ kind: 'rejected', indices: [0] });
  });
  it('400 documented form with batchIndex', () => {
    const body = {
      message:
        'Validation failed because [{field=Invalid Conversion time, batchIndex=2, type=INVALID_CONVERSION_TIME_FIELD_VALUE, message=Conversion time should be within 90 days.}, ' +
        "{field=user, batchIndex=4, type=INVALID_USER_IDENTIFICATION_FIELD_VALUE, message=The request must contain one of these fields: SHA256_EMAIL or (firstName and lastName) or externalIds or lead, and the input shouldn't be empty string}]",
      status: 400,
    };
    const c = classifyResponse(res(400, body, 5));
    expect(c).toMatchObject({ kind: 'rejected', indices: [2, 4] });
    if (c.kind !== 'rejected') throw new Error('unreachable');
    expect(c.reasons[0]).toBe(
      'INVALID_CONVERSION_TIME_FIELD_VALUE: Conversion time should be within 90 days.',
    );
    expect(c.reasons[1]).toMatch(/^INVALID_USER_IDENTIFICATION_FIELD_VALUE: The request must contain/);
  });
  it('400 disabled rule names no index: index 0 for a single event, none for a batch', () => {
    const body = {
      message:
        "Invalid Conversion information provided, this event(s) is associated to a conversion that's marked as deleted. Conversion enabled should be true",
      status: 400,
    };
    expect(classifyResponse(res(400, body, 1))).toMatchObject({
      kind: 'rejected',
      indices: [0],
      reasons: [body.message],
    });
    expect(classifyResponse(res(400, body, 10))).toMatchObject({
      kind: 'rejected',
      indices: [],
      reasons: [body.message],
    });
  });
  it('422 single create: no index, so index 0 when the batch had one element', () => {
    const body = {
      message:
        'ERROR :: /conversionValue/amount :: 19.9 cannot be coerced to String\nERROR :: /user/userIds/0/idType :: "SHA256_PHONE_NUMBER" is not an enum symbol\n',
      status: 422,
    };
    expect(classifyResponse(res(422, body, 1))).toMatchObject({
      kind: 'rejected',
      status: 422,
      indices: [0],
      reasons: [
        '/conversionValue/amount :: 19.9 cannot be coerced to String; /user/userIds/0/idType :: "SHA256_PHONE_NUMBER" is not an enum symbol',
      ],
    });
    expect(classifyResponse(res(422, body, 3))).toMatchObject({ indices: [] });
  });
  it('422 batch: lines without "Index:" belong to the index above', () => {
    const body = {
      message:
        'Index: 1, ERROR :: /user/userInfo/lastName :: field is required but not found and has no default value\n' +
        'ERROR :: /conversion :: Invalid Urn format. Invalid prefix.\n' +
        'Index: 3, ERROR :: /user/userIds :: field is required but not found and has no default value\n',
      status: 422,
    };
    expect(classifyResponse(res(422, body, 4))).toMatchObject({
      kind: 'rejected',
      indices: [1, 3],
      reasons: [
        '/user/userInfo/lastName :: field is required but not found and has no default value; /conversion :: Invalid Urn format. Invalid prefix.',
        '/user/userIds :: field is required but not found and has no default value',
      ],
    });
  });
  it('ignores indices outside the batch', () => {
    expect(parseRejection(400, 'bad, indices [1, 7] (0-indexed).', 3)).toEqual({
      indices: [1],
      reasons: ['bad'],
    });
  });
  it('413 lets the caller split the batch', () => {
    expect(classifyResponse(res(413, '', 5000))).toMatchObject({
      kind: 'rejected',
      indices: [],
      reasons: ['payload too large'],
    });
  });
});

describe('parseRetryAfter', () => {
  it('returns null for absent or unreadable values and clamps past dates to 0', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
  });
});

describe('retry delays', () => {
  it('grows exponentially with full jitter and a cap', () => {
    const top = () => 0.999_999;
    expect(backoffMs(1, { random: top })).toBe(999);
    expect(backoffMs(4, { random: top })).toBe(7999);
    expect(backoffMs(40, { random: top, maxMs: 60_000 })).toBe(59_999);
    expect(backoffMs(3, { random: () => 0 })).toBe(0);
  });
  it('prefers Retry-After when LinkedIn sent one, capped at maxMs', () => {
    expect(retryDelayMs(120_000, 1, { random: () => 0 })).toBe(120_000);
    expect(retryDelayMs(86_400_000, 1, { maxMs: 60_000 })).toBe(60_000);
    expect(retryDelayMs(null, 2, { random: () => 0.5 })).toBe(1000);
  });
});
