/**
 * The answers the routes really give, checked against /openapi.json: each status must be declared
 * for its route, and each JSON body must match the schema declared for that status (the document's
 * own JSON Schema, read back with zod), so the document cannot drift from the code unnoticed.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ACCOUNT,
  get,
  type Harness,
  harness,
  KEYS,
  linkedInEvent,
  NOW,
  nativeEvent,
  post,
  trackCall,
} from './http-harness.js';

type Schema = Record<string, unknown>;
interface Doc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
}

/** The schema with every `#/components/schemas/…` reference replaced by what it names. */
function resolved(doc: Doc, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((s) => resolved(doc, s));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (target === undefined) throw new Error(`unresolved ${ref}`);
    return resolved(doc, target);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolved(doc, v)]));
}

interface Case {
  name: string;
  /** The route as the document names it. */
  route: string;
  method: 'get' | 'post';
  status: number;
  send: (h: Harness) => Promise<Response>;
}

const asAdmin = { key: KEYS.admin };
const LIMITS = 'server: { maxEventsPerRequest: 2 }\n';
const withKey = (key: string) => ({ headers: { 'idempotency-key': key } });

const CASES: Case[] = [
  // Native
  {
    name: 'accepted',
    route: '/v1/events',
    method: 'post',
    status: 200,
    send: (h) => post(h, '/v1/events', nativeEvent()),
  },
  {
    name: 'a dry run',
    route: '/v1/events',
    method: 'post',
    status: 200,
    send: (h) => post(h, '/v1/events', nativeEvent(), { query: 'validate_only=true' }),
  },
  {
    name: 'some rejected',
    route: '/v1/events',
    method: 'post',
    status: 207,
    send: (h) => post(h, '/v1/events', { events: [nativeEvent(), nativeEvent({ conversion: 'nope' })] }),
  },
  {
    name: 'none accepted',
    route: '/v1/events',
    method: 'post',
    status: 422,
    send: (h) => post(h, '/v1/events', nativeEvent({ conversion: 'nope' })),
  },
  {
    name: 'IDEMPOTENCY_KEY_REUSED',
    route: '/v1/events',
    method: 'post',
    status: 422,
    send: async (h) => {
      await post(h, '/v1/events', nativeEvent(), withKey('reused-key'));
      return post(h, '/v1/events', nativeEvent(), withKey('reused-key'));
    },
  },
  {
    name: 'a replayed answer',
    route: '/v1/events',
    method: 'post',
    status: 200,
    send: async (h) => {
      const body = nativeEvent();
      await post(h, '/v1/events', body, withKey('replayed-key'));
      return post(h, '/v1/events', body, withKey('replayed-key'));
    },
  },
  {
    name: 'BODY_INVALID_JSON',
    route: '/v1/events',
    method: 'post',
    status: 400,
    send: (h) => post(h, '/v1/events', null, { raw: '{' }),
  },
  {
    name: 'AUTH_MISSING',
    route: '/v1/events',
    method: 'post',
    status: 401,
    send: (h) => post(h, '/v1/events', nativeEvent(), { key: null }),
  },
  {
    name: 'TOO_MANY_EVENTS',
    route: '/v1/events',
    method: 'post',
    status: 413,
    send: (h) => post(h, '/v1/events', { events: [nativeEvent(), nativeEvent(), nativeEvent()] }),
  },
  {
    name: 'BODY_ENCODING_UNSUPPORTED',
    route: '/v1/events',
    method: 'post',
    status: 415,
    send: (h) => post(h, '/v1/events', nativeEvent(), { headers: { 'content-encoding': 'br' } }),
  },
  {
    name: 'SHUTTING_DOWN',
    route: '/v1/events',
    method: 'post',
    status: 503,
    send: (h) => {
      h.intake.close();
      return post(h, '/v1/events', nativeEvent());
    },
  },
  // LinkedIn-compatible
  {
    name: 'a single create',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 201,
    send: (h) => post(h, '/rest/conversionEvents', linkedInEvent()),
  },
  {
    name: 'a batch create',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 200,
    send: (h) =>
      post(
        h,
        '/rest/conversionEvents',
        { elements: [linkedInEvent()] },
        { headers: { 'x-restli-method': 'BATCH_CREATE' } },
      ),
  },
  {
    name: 'a dry run of a single create',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 200,
    send: (h) => post(h, '/rest/conversionEvents', linkedInEvent(), { query: 'validate_only=true' }),
  },
  {
    name: 'a LinkedIn schema problem',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 422,
    send: (h) => post(h, '/rest/conversionEvents', linkedInEvent({ conversionHappenedAt: 'soon' })),
  },
  {
    name: 'a LinkedIn semantic problem',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 400,
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent({ conversionHappenedAt: NOW - 100 * 86_400_000 })),
  },
  {
    name: 'an unconfigured rule',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 403,
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent({ conversion: 'urn:lla:llaPartnerConversion:999' })),
  },
  {
    name: 'AUTH_SCHEME_UNSUPPORTED',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 401,
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent(), {
        key: null,
        headers: { authorization: KEYS.website },
      }),
  },
  {
    name: 'BODY_ENCODING_UNSUPPORTED',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 415,
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent(), { headers: { 'content-encoding': 'br' } }),
  },
  {
    name: 'RESTLI_METHOD_UNSUPPORTED',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 400,
    send: (h) =>
      post(h, '/rest/conversionEvents', linkedInEvent(), { headers: { 'x-restli-method': 'GET' } }),
  },
  {
    name: 'TOO_MANY_EVENTS',
    route: '/rest/conversionEvents',
    method: 'post',
    status: 413,
    send: (h) =>
      post(
        h,
        '/rest/conversionEvents',
        { elements: [linkedInEvent(), linkedInEvent(), linkedInEvent()] },
        { headers: { 'x-restli-method': 'BATCH_CREATE' } },
      ),
  },
  // Segment-compatible
  {
    name: 'a track call',
    route: '/v1/track',
    method: 'post',
    status: 200,
    send: (h) => post(h, '/v1/track', trackCall()),
  },
  {
    name: 'a gzip batch',
    route: '/v1/batch',
    method: 'post',
    status: 200,
    send: (h) =>
      post(h, '/v1/batch', null, {
        raw: gzipSync(JSON.stringify({ batch: [trackCall(), { type: 'page' }] })),
        headers: { 'content-encoding': 'gzip' },
      }),
  },
  {
    name: 'BODY_INVALID',
    route: '/v1/batch',
    method: 'post',
    status: 400,
    send: (h) => post(h, '/v1/batch', { batch: [] }),
  },
  {
    name: 'BODY_ENCODING_UNSUPPORTED',
    route: '/v1/track',
    method: 'post',
    status: 415,
    send: (h) => post(h, '/v1/track', trackCall(), { headers: { 'content-encoding': 'br' } }),
  },
  // Admin
  {
    name: 'an event lookup',
    route: '/v1/events/{eventId}',
    method: 'get',
    status: 200,
    send: async (h) => {
      await post(h, '/v1/events', nativeEvent({ eventId: 'looked-up' }));
      return get(h, '/v1/events/looked-up');
    },
  },
  {
    name: 'NOT_FOUND',
    route: '/v1/events/{eventId}',
    method: 'get',
    status: 404,
    send: (h) => get(h, '/v1/events/none'),
  },
  {
    name: 'dead letters',
    route: '/v1/dead-letters',
    method: 'get',
    status: 200,
    send: (h) => get(h, '/v1/dead-letters'),
  },
  {
    name: 'QUERY_INVALID',
    route: '/v1/dead-letters',
    method: 'get',
    status: 400,
    send: (h) => get(h, '/v1/dead-letters?limit=0'),
  },
  {
    name: 'AUTH_MISSING',
    route: '/v1/dead-letters',
    method: 'get',
    status: 401,
    send: (h) => get(h, '/v1/dead-letters', null),
  },
  {
    name: 'a redrive',
    route: '/v1/dead-letters/redrive',
    method: 'post',
    status: 200,
    send: (h) => post(h, '/v1/dead-letters/redrive', { reason: 'expired' }, asAdmin),
  },
  {
    name: 'REDRIVE_FILTER_MISSING',
    route: '/v1/dead-letters/redrive',
    method: 'post',
    status: 400,
    send: (h) => post(h, '/v1/dead-letters/redrive', {}, asAdmin),
  },
  {
    name: 'pauses',
    route: '/v1/accounts/paused',
    method: 'get',
    status: 200,
    send: (h) => get(h, '/v1/accounts/paused'),
  },
  {
    name: 'a resume',
    route: '/v1/accounts/{account}/resume',
    method: 'post',
    status: 200,
    send: (h) => post(h, `/v1/accounts/${ACCOUNT}/resume`, {}, asAdmin),
  },
  {
    name: 'NOT_FOUND',
    route: '/v1/accounts/{account}/resume',
    method: 'post',
    status: 404,
    send: (h) => post(h, '/v1/accounts/999/resume', {}, asAdmin),
  },
  // Operations
  { name: 'liveness', route: '/healthz', method: 'get', status: 200, send: (h) => get(h, '/healthz', null) },
  { name: 'readiness', route: '/readyz', method: 'get', status: 200, send: (h) => get(h, '/readyz', null) },
  {
    name: 'not ready',
    route: '/readyz',
    method: 'get',
    status: 503,
    send: (h) => {
      h.intake.close();
      return get(h, '/readyz', null);
    },
  },
];

describe('answers match the OpenAPI document', async () => {
  const doc = (await (await get(harness(), '/openapi.json', null)).json()) as Doc;

  it.each(CASES.map((c) => [`${c.method.toUpperCase()} ${c.route} ${c.status} (${c.name})`, c] as const))(
    '%s',
    async (_name, c) => {
      const res = await c.send(harness({ yaml: LIMITS }));
      expect(res.status).toBe(c.status);
      const declared = doc.paths[c.route]?.[c.method]?.responses[String(c.status)];
      expect(declared, `${c.status} is declared`).toBeDefined();
      const text = await res.text();
      const schema = declared?.content?.['application/json']?.schema;
      if (schema === undefined) {
        expect(text).toBe('');
        return;
      }
      const parsed = z.fromJSONSchema(resolved(doc, schema) as never).safeParse(JSON.parse(text));
      expect(parsed.error?.issues ?? [], text).toEqual([]);
    },
  );
});
