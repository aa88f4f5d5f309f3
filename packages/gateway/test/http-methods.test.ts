import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { pathPattern } from '../src/http/method-not-allowed.js';
import { harness } from './http-harness.js';

const call = (method: string, path: string) =>
  harness().app.request(`http://gateway.test${path}`, { method });

describe('wrong method on a known path', () => {
  it('answers 405 METHOD_NOT_ALLOWED with an Allow header naming what the path serves', async () => {
    const res = await call('GET', '/v1/events');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.message).toMatch(/GET is not served at this path; it answers POST/);
  });

  it('matches path parameters', async () => {
    const res = await call('DELETE', '/v1/events/order-123');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('still answers 404 NOT_FOUND for a path nothing serves', async () => {
    const res = await call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('serves HEAD where GET is served', async () => {
    const res = await call('HEAD', '/healthz');
    expect(res.status).toBe(200);
  });

  it('is in the error catalogue as 405', () => {
    expect(ERROR_CODES.METHOD_NOT_ALLOWED.status).toBe(405);
  });
});

describe('pathPattern', () => {
  it('turns OpenAPI templates into anchored patterns', () => {
    const p = pathPattern('/v1/events/{eventId}');
    expect(p.test('/v1/events/abc')).toBe(true);
    expect(p.test('/v1/events/abc/')).toBe(true);
    expect(p.test('/v1/events')).toBe(false);
    expect(p.test('/v1/events/a/b')).toBe(false);
    expect(pathPattern('/openapi.json').test('/openapiXjson')).toBe(false);
  });
});
