import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { pathPattern } from '../src/http/method-not-allowed.js';
import { get, harness, linkedInEvent, nativeEvent, post, type Transport, trackCall } from './http-harness.js';

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

  it('never answers 405 naming the method that was sent', async () => {
    for (const [method, path] of [
      ['POST', '/v1/events/'],
      ['GET', '/v1/events/order-123/'],
      ['GET', '/healthz/'],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).not.toBe(405);
    }
  });

  it('is in the error catalogue as 405', () => {
    expect(ERROR_CODES.METHOD_NOT_ALLOWED.status).toBe(405);
  });
});

describe('pathPattern', () => {
  it('turns OpenAPI templates into anchored patterns', () => {
    const p = pathPattern('/v1/events/{eventId}');
    expect(p.test('/v1/events/abc')).toBe(true);
    // Strict, as the router: a trailing slash is another path.
    expect(p.test('/v1/events/abc/')).toBe(false);
    expect(p.test('/v1/events')).toBe(false);
    expect(p.test('/v1/events/a/b')).toBe(false);
    expect(pathPattern('/openapi.json').test('/openapiXjson')).toBe(false);
  });
});

describe.each(['in-process', 'socket'] as Transport[])(
  'a trailing slash on an ingest route (%s)',
  (transport) => {
    it.each([
      ['/v1/events/', nativeEvent(), '/v1/events'],
      ['/v1/track/', trackCall(), '/v1/track'],
      ['/v1/batch/', { batch: [trackCall()] }, '/v1/batch'],
    ])(
      'POST %s answers 404 naming the route without the slash, and stores nothing',
      async (path, body, route) => {
        const h = harness({ transport });
        const res = await post(h, path, body);
        expect(res.status).toBe(404);
        expect(res.headers.get('allow')).toBeNull();
        const { error } = (await res.json()) as {
          error: { code: string; path: string; message: string; fix: string };
        };
        expect(error).toMatchObject({ code: 'NOT_FOUND', path: 'request:path' });
        expect(error.message).toContain(`${route} (without it) answers POST`);
        expect(error.fix).toContain(route);
        expect((await h.store.stats()).byState.queued ?? 0).toBe(0);
      },
    );

    it('POST /rest/conversionEvents/ answers 404 in LinkedIn’s gateway shape', async () => {
      const res = await post(harness({ transport }), '/rest/conversionEvents/', linkedInEvent());
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        status: 404,
        code: 'NOT_FOUND',
        path: 'request:path',
        message: expect.stringContaining('/rest/conversionEvents (without it) answers POST'),
      });
    });

    it('names the route template, never the client’s own path (it may hold an eventId)', async () => {
      const res = await get(harness({ transport }), '/v1/events/jane@example.com/');
      const text = await res.text();
      expect(res.status).toBe(404);
      expect(text).toContain('/v1/events/{eventId} (without it) answers GET, HEAD');
      expect(text).not.toContain('jane');
    });
  },
);
