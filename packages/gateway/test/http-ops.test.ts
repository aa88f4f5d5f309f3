import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory.js';
import { get, harness, nativeEvent, post } from './http-harness.js';

type OpenApi = {
  openapi: string;
  info: { description: string };
  paths: Record<
    string,
    Record<string, { security?: unknown[]; description?: string; responses: Record<string, unknown> }>
  >;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas?: unknown };
};

describe('operations routes', () => {
  it('/healthz answers 200 even while shutting down', async () => {
    const h = harness();
    h.intake.close();
    const res = await get(h, '/healthz', null);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  describe('/readyz', () => {
    it('200 when intake is open and the store answers', async () => {
      const res = await get(harness(), '/readyz', null);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', checks: { intake: 'open', store: 'ok' } });
    });

    it('503 SHUTTING_DOWN while intake is closed', async () => {
      const h = harness();
      h.intake.close();
      const res = await get(h, '/readyz', null);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'not_ready',
        checks: { intake: 'closed' },
        error: { code: 'SHUTTING_DOWN' },
      });
    });

    it('503 STORE_UNAVAILABLE when the store is unreachable', async () => {
      const store = createMemoryStore();
      store.ping = async () => {
        throw new Error('ECONNREFUSED');
      };
      const res = await get(harness({ store }), '/readyz', null);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body).toMatchObject({ checks: { store: 'unreachable' }, error: { code: 'STORE_UNAVAILABLE' } });
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
    });

    it('uses the injected readiness check', async () => {
      const h = harness({ readiness: async () => ({ ok: false, checks: { migrations: 'pending' } }) });
      const res = await get(h, '/readyz', null);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { intake: 'open', migrations: 'pending' } });
    });
  });

  describe('/metrics', () => {
    it('serves Prometheus text with a fresh queue depth', async () => {
      const h = harness();
      await post(h, '/v1/events', {
        events: [nativeEvent(), nativeEvent(), nativeEvent({ consent: { granted: false } })],
      });
      const res = await get(h, '/metrics', null);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('capigw_queue_depth{state="queued"} 2');
      expect(text).toContain('capigw_queue_depth{state="suppressed"} 1');
      expect(text).toContain('capigw_queue_depth{state="dead"} 0');
      expect(text).toMatch(/^capigw_oldest_queued_age_seconds \d+(\.\d+)?$/m);
      expect(text).toContain('capigw_events_ingested_total{source="website",status="accepted"} 2');
    });

    it('shows each paused ad account with its reason, and forgets it once resumed', async () => {
      const h = harness();
      const now = h.clock.now();
      await h.store.pauseAccount('512345678', now + 60_000, 'throttled');
      await h.store.pauseAccount('600000001', Number.MAX_SAFE_INTEGER, 'reauth');
      let text = await (await get(h, '/metrics', null)).text();
      expect(text).toContain('capigw_linkedin_account_paused{account="512345678",reason="throttled"} 1');
      expect(text).toContain('capigw_linkedin_account_paused{account="600000001",reason="reauth"} 1');
      await h.store.pauseAccount('512345678', 0, 'resumed');
      text = await (await get(h, '/metrics', null)).text();
      expect(text).not.toContain('account="512345678"');
      expect(text).toContain('capigw_linkedin_account_paused{account="600000001",reason="reauth"} 1');
    });

    it('still answers when the store cannot be read', async () => {
      const store = createMemoryStore();
      store.stats = async () => {
        throw new Error('down');
      };
      const res = await get(harness({ store }), '/metrics', null);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('capigw_events_ingested_total');
    });
  });

  describe('/openapi.json', () => {
    it('is OpenAPI 3.1 and documents every registered route, with security and limits', async () => {
      const h = harness();
      const res = await get(h, '/openapi.json', null);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as OpenApi;
      expect(doc.openapi).toBe('3.1.0');

      const registered = h.app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m} ${path}`),
      );
      expect(new Set(documented)).toEqual(new Set(registered));
      expect(new Set(registered).size).toBe(14);

      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
        'adminToken',
        'segmentWriteKey',
        'sourceKey',
      ]);
      expect(doc.components.securitySchemes.segmentWriteKey).toMatchObject({ type: 'http', scheme: 'basic' });
      expect(doc.paths['/v1/events']?.post?.security).toEqual([{ sourceKey: [] }]);
      expect(doc.paths['/v1/dead-letters']?.get?.security).toEqual([{ adminToken: [] }]);
      expect(doc.info.description).toContain(`${h.deps.config.bodyLimitBytes} bytes`);
      expect(doc.paths['/v1/events']?.post?.description).toContain('BODY_TOO_LARGE');
      expect(Object.keys(doc.paths['/v1/events']?.post?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '207', '400', '401', '413', '422', '503']),
      );
    });

    it("declares the request id header on every response, and LinkedIn's on the drop-in's", async () => {
      const doc = (await (await get(harness(), '/openapi.json', null)).json()) as OpenApi & {
        components: { headers?: Record<string, { schema: { pattern?: string } }> };
      };
      expect(Object.keys(doc.components.headers ?? {}).sort()).toEqual(['X-LI-UUID', 'X-Request-Id']);
      expect(doc.components.headers?.['X-Request-Id']?.schema.pattern).toBe('^[A-Za-z0-9._:-]{1,128}$');
      let responses = 0;
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const [status, response] of Object.entries(operation.responses)) {
            const headers = Object.keys((response as { headers?: object }).headers ?? {});
            const expected = path.startsWith('/rest/') ? ['X-LI-UUID', 'X-Request-Id'] : ['X-Request-Id'];
            expect(headers.filter((h) => h.startsWith('X-')).sort(), `${method} ${path} ${status}`).toEqual(
              expected,
            );
            responses += 1;
          }
        }
      }
      expect(responses).toBeGreaterThan(30);
    });

    it('describes the native event from the validating schema', async () => {
      const doc = (await (await get(harness(), '/openapi.json', null)).json()) as OpenApi;
      expect(JSON.stringify(doc.paths['/v1/events'])).toContain('#/components/schemas/NativeEvent');
      const schemas = doc.components.schemas as Record<
        string,
        { properties: Record<string, unknown>; additionalProperties?: boolean }
      >;
      expect(Object.keys(schemas.NativeEvent?.properties ?? {})).toEqual([
        'conversion',
        'eventId',
        'happenedAt',
        'value',
        'user',
        'consent',
        'context',
      ]);
      expect(schemas.NativeEvent?.additionalProperties).toBe(false);
      expect(Object.keys(schemas.NativeUser?.properties ?? {})).toContain('sha256Email');
      expect(JSON.stringify(schemas.NativeBatch)).toContain('"maxItems":5000');
      for (const name of [
        'SegmentTrack',
        'SegmentBatch',
        'LinkedInConversionEvent',
        'ErrorBody',
        'LinkedInError',
      ]) {
        expect(schemas).toHaveProperty(name);
      }
    });
  });

  it('unknown paths answer 404 NOT_FOUND as JSON (a known path with the wrong method is 405, see http-methods)', async () => {
    const h = harness();
    for (const res of [await get(h, '/nope', null), await post(h, '/v1/nope', {})]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        error: { code: 'NOT_FOUND', message: expect.any(String), fix: expect.any(String) },
      });
    }
  });

  it('unexpected failures answer 500 INTERNAL without internals, and are logged', async () => {
    const h = harness();
    h.deps.clock.now = () => {
      throw new Error('secret internal detail');
    };
    const res = await post(h, '/v1/events', nativeEvent());
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(text).not.toContain('secret internal detail');
    expect(h.logs.some((l) => l.includes('unhandled error') && l.includes('secret internal detail'))).toBe(
      true,
    );
  });
});
