import { readFileSync } from 'node:fs';
import { FINDING_CODES } from '@capi-gateway/linkedin';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorBody, GatewayError } from '../src/errors.js';
import {
  get,
  type Harness,
  harness,
  KEYS,
  linkedInEvent,
  nativeEvent,
  post,
  type SendOptions,
  type Transport,
  trackCall,
} from './http-harness.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

/** Codes listed in docs/errors.md: the first cell of each table row, written `CODE`. */
function documentedCodes(): string[] {
  const text = readFileSync(DOC, 'utf8');
  return [...text.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1] as string);
}

describe('error catalogue', () => {
  it('each key equals its code, with a status, a kind, a message and a fix', () => {
    for (const [key, info] of Object.entries(ERROR_CODES)) {
      expect(info.code).toBe(key);
      expect(key).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect([200, 400, 401, 404, 405, 409, 413, 415, 422, 429, 500, 503]).toContain(info.status);
      expect(['request', 'event', 'warning']).toContain(info.kind);
      expect(info.message.length).toBeGreaterThan(10);
      expect(info.fix.length).toBeGreaterThan(10);
    }
  });

  it('includes every SDK finding code, passed through per event', () => {
    for (const code of Object.keys(FINDING_CODES)) expect(ERROR_CODES).toHaveProperty(code);
  });

  it('includes the codes the issue names', () => {
    for (const code of [
      'AUTH_MISSING',
      'AUTH_INVALID',
      'ADMIN_DISABLED',
      'BODY_TOO_LARGE',
      'BODY_INVALID_JSON',
      'BODY_INVALID',
      'TOO_MANY_EVENTS',
      'EVENT_INVALID',
      'EVENT_ID_MISSING',
      'CONVERSION_UNKNOWN',
      'HAPPENED_AT_INVALID',
      'NOT_FOUND',
      'SHUTTING_DOWN',
      'STORE_UNAVAILABLE',
      'INTERNAL',
    ]) {
      expect(ERROR_CODES).toHaveProperty(code);
    }
  });

  it('docs/errors.md lists exactly the catalogue’s codes, each once', () => {
    const documented = documentedCodes();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('docs/errors.md gives each code the catalogue’s status', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(text).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${info.status}\\s*\\|`, 'm'));
    }
  });

  it('builds request-level bodies with the catalogue’s fix', () => {
    expect(errorBody('NOT_FOUND')).toEqual({
      error: { code: 'NOT_FOUND', message: ERROR_CODES.NOT_FOUND.message, fix: ERROR_CODES.NOT_FOUND.fix },
    });
    const err = new GatewayError('BODY_INVALID', {
      path: '/events',
      message: 'x',
      details: [{ code: 'a', path: '/b', message: 'c' }],
    });
    expect(err.status).toBe(400);
    expect(err.toBody()).toEqual({
      error: {
        code: 'BODY_INVALID',
        message: 'x',
        fix: ERROR_CODES.BODY_INVALID.fix,
        path: '/events',
        details: [{ code: 'a', path: '/b', message: 'c' }],
      },
    });
  });
});

/** One request that goes wrong, and the code and path its answer must carry. */
interface Case {
  name: string;
  send: (h: Harness) => Promise<Response>;
  status: number;
  code: string;
  path: string;
}

const LIMITS = 'server: { bodyLimitBytes: 1000, maxEventsPerRequest: 2 }\n';
const noKey: SendOptions = { key: null };
const events = (n: number) => ({ events: Array.from({ length: n }, () => nativeEvent()) });
const asAdmin: SendOptions = { key: KEYS.admin };

const INGEST_CASES: Case[] = [
  {
    name: 'no credentials',
    send: (h) => post(h, '/v1/events', nativeEvent(), noKey),
    status: 401,
    code: 'AUTH_MISSING',
    path: 'header:authorization',
  },
  {
    name: 'a wrong key',
    send: (h) => post(h, '/v1/events', nativeEvent(), { key: 'not-a-key-0000000000000' }),
    status: 401,
    code: 'AUTH_INVALID',
    path: 'header:authorization',
  },
  {
    name: 'broken JSON',
    send: (h) => post(h, '/v1/events', null, { raw: '{"events": [' }),
    status: 400,
    code: 'BODY_INVALID_JSON',
    path: '',
  },
  {
    name: 'an empty body',
    send: (h) => post(h, '/v1/events', null, { raw: '' }),
    status: 400,
    code: 'BODY_INVALID_JSON',
    path: '',
  },
  {
    name: 'a body over the limit',
    send: (h) => post(h, '/v1/events', events(2), { raw: JSON.stringify({ pad: 'x'.repeat(2000) }) }),
    status: 413,
    code: 'BODY_TOO_LARGE',
    path: '',
  },
  {
    name: 'an unknown Content-Encoding',
    send: (h) => post(h, '/v1/events', nativeEvent(), { headers: { 'content-encoding': 'br' } }),
    status: 415,
    code: 'BODY_ENCODING_UNSUPPORTED',
    path: 'header:content-encoding',
  },
  {
    name: 'too many events',
    send: (h) => post(h, '/v1/events', events(3)),
    status: 413,
    code: 'TOO_MANY_EVENTS',
    path: '/events',
  },
  {
    name: 'an unreadable validate_only',
    send: (h) => post(h, '/v1/events', nativeEvent(), { query: 'validate_only=yes' }),
    status: 400,
    code: 'QUERY_INVALID',
    path: 'query:validate_only',
  },
  {
    name: 'an unusable Idempotency-Key',
    send: (h) => post(h, '/v1/events', nativeEvent(), { headers: { 'idempotency-key': 'two words' } }),
    status: 400,
    code: 'IDEMPOTENCY_KEY_INVALID',
    path: 'header:idempotency-key',
  },
  {
    name: 'a body whose every event is refused',
    send: (h) => post(h, '/v1/events', nativeEvent({ conversion: 'nope' })),
    status: 422,
    code: 'EVENT_INVALID',
    path: '',
  },
  {
    name: 'GET on an ingest route',
    send: (h) => get(h, '/v1/events', KEYS.website),
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    path: 'request:method',
  },
  {
    name: 'a Segment batch without calls',
    send: (h) => post(h, '/v1/batch', { batch: [] }),
    status: 400,
    code: 'BODY_INVALID',
    path: '/batch',
  },
  {
    name: 'a Segment track body that is not one call',
    send: (h) => post(h, '/v1/track', [trackCall()]),
    status: 400,
    code: 'BODY_INVALID',
    path: '',
  },
];

/** The drop-in's gateway problems: LinkedIn's gateway shape, with the path. */
const LINKEDIN_CASES: Case[] = [
  {
    name: 'no credentials',
    send: (h) => post(h, '/rest/conversionEvents', linkedInEvent(), noKey),
    status: 401,
    code: 'AUTH_MISSING',
    path: 'header:authorization',
  },
  {
    name: 'broken JSON',
    send: (h) => post(h, '/rest/conversionEvents', null, { raw: '{' }),
    status: 400,
    code: 'BODY_INVALID_JSON',
    path: '',
  },
  {
    name: 'an unknown X-RestLi-Method',
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent(), { headers: { 'x-restli-method': 'GET' } }),
    status: 400,
    code: 'RESTLI_METHOD_UNSUPPORTED',
    path: 'header:x-restli-method',
  },
  {
    name: 'too many elements',
    send: (h) =>
      post(
        h,
        '/rest/conversionEvents',
        { elements: [linkedInEvent(), linkedInEvent(), linkedInEvent()] },
        { headers: { 'x-restli-method': 'BATCH_CREATE' } },
      ),
    status: 413,
    code: 'TOO_MANY_EVENTS',
    path: '/elements',
  },
  {
    name: 'an unknown Content-Encoding',
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent(), { headers: { 'content-encoding': 'br' } }),
    status: 415,
    code: 'BODY_ENCODING_UNSUPPORTED',
    path: 'header:content-encoding',
  },
];

const OTHER_CASES: Case[] = [
  {
    name: 'an unknown path',
    send: (h) => get(h, '/v1/nothing-here'),
    status: 404,
    code: 'NOT_FOUND',
    path: 'request:path',
  },
  {
    name: 'an admin route without a token',
    send: (h) => get(h, '/v1/dead-letters', null),
    status: 401,
    code: 'AUTH_MISSING',
    path: 'header:authorization',
  },
  {
    name: 'an eventId nothing is stored under',
    send: (h) => get(h, '/v1/events/never-sent'),
    status: 404,
    code: 'NOT_FOUND',
    path: 'path:eventId',
  },
  {
    name: 'an account that is not configured',
    send: (h) => post(h, '/v1/accounts/999/resume', {}, asAdmin),
    status: 404,
    code: 'NOT_FOUND',
    path: 'path:account',
  },
  {
    name: 'a bad dead-letter query',
    send: (h) => get(h, '/v1/dead-letters?limit=0'),
    status: 400,
    code: 'QUERY_INVALID',
    path: 'query:limit',
  },
  {
    name: 'a redrive without a filter',
    send: (h) => post(h, '/v1/dead-letters/redrive', {}, asAdmin),
    status: 400,
    code: 'REDRIVE_FILTER_MISSING',
    path: '',
  },
  {
    name: 'a redrive body that is not an object',
    send: (h) => post(h, '/v1/dead-letters/redrive', [], asAdmin),
    status: 400,
    code: 'BODY_INVALID',
    path: '',
  },
];

describe.each(['in-process', 'socket'] as Transport[])(
  'every 4xx names the part at fault in path (%s)',
  (transport) => {
    const h = () => harness({ yaml: LIMITS, transport });

    it.each(INGEST_CASES.map((c) => [c.name, c] as const))('ingest: %s', async (_name, c) => {
      const res = await c.send(h());
      expect(res.status).toBe(c.status);
      const body = (await res.json()) as { error: { code: string; path: string; message: string } };
      expect(body.error).toMatchObject({ code: c.code, path: c.path, message: expect.any(String) });
    });

    it.each(LINKEDIN_CASES.map((c) => [c.name, c] as const))('drop-in: %s', async (_name, c) => {
      const res = await c.send(h());
      expect(res.status).toBe(c.status);
      expect(await res.json()).toEqual({
        status: c.status,
        code: c.code,
        path: c.path,
        message: expect.any(String),
      });
    });

    it.each(OTHER_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const res = await c.send(h());
      expect(res.status).toBe(c.status);
      const body = (await res.json()) as { error: { code: string; path: string } };
      expect(body.error).toMatchObject({ code: c.code, path: c.path });
    });

    it('admin routes without a configured token: ADMIN_DISABLED', async () => {
      const yaml = `sources: [{ name: website, key: ${KEYS.website} }]\naccounts: [{ id: '1', conversions: { lead: 2 } }]\n`;
      const res = await get(harness({ replaceYaml: yaml, transport }), '/v1/dead-letters');
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { code: 'ADMIN_DISABLED', path: 'header:authorization' },
      });
    });
  },
);

describe('5xx answers name no path: nothing in the request was at fault', () => {
  it('SHUTTING_DOWN', async () => {
    const h = harness();
    h.intake.close();
    const res = await post(h, '/v1/events', nativeEvent());
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error.code).toBe('SHUTTING_DOWN');
    expect(body.error).not.toHaveProperty('path');
  });
});
