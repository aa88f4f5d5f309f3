/**
 * Every ingest route when the store cannot commit: 503 with Retry-After and nothing acknowledged,
 * STORE_FULL when the disk is full (SQLite's own error) and STORE_UNAVAILABLE otherwise, counted
 * by reason in /metrics.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { harness, linkedInEvent, nativeEvent, post, trackCall } from './http-harness.js';
import { realDiskFullError } from './support/disk-full.js';

function failingStore(error: () => unknown): OutboxStore {
  const store = createMemoryStore();
  store.enqueue = () => Promise.reject(error());
  return store;
}

const ROUTES = [
  {
    name: 'native',
    path: '/v1/events',
    body: () => ({ events: [nativeEvent(), nativeEvent()] }),
    headers: {},
  },
  { name: 'Segment track', path: '/v1/track', body: () => trackCall(), headers: {} },
  {
    name: 'Segment batch',
    path: '/v1/batch',
    body: () => ({ batch: [trackCall(), trackCall()] }),
    headers: {},
  },
  { name: 'LinkedIn single', path: '/rest/conversionEvents', body: () => linkedInEvent(), headers: {} },
  {
    name: 'LinkedIn BATCH_CREATE',
    path: '/rest/conversionEvents',
    body: () => ({ elements: [linkedInEvent(), linkedInEvent()] }),
    headers: { 'x-restli-method': 'BATCH_CREATE' },
  },
] as const;

async function failures(h: ReturnType<typeof harness>, reason: string): Promise<number> {
  const { values } = await h.deps.metrics.ingestStoreFailures.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe.each(ROUTES)('$name ($path) when the store cannot commit', (route) => {
  it('answers 503 STORE_FULL with Retry-After when the disk is full, and counts it', async () => {
    const h = harness({ store: failingStore(realDiskFullError) });
    const res = await post(h, route.path, route.body(), { headers: route.headers });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as Record<string, unknown>;
    if (route.path.startsWith('/rest/')) {
      expect(body).toMatchObject({ status: 503, code: 'STORE_FULL' });
    } else {
      expect(body).toMatchObject({ error: { code: 'STORE_FULL', fix: expect.stringContaining('volume') } });
    }
    expect(await failures(h, 'full')).toBe(1);
    expect(await failures(h, 'unavailable')).toBe(0);
  });

  it('answers 503 STORE_UNAVAILABLE for any other store failure', async () => {
    const h = harness({
      store: failingStore(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    });
    const res = await post(h, route.path, route.body(), { headers: route.headers });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(await res.json())).toContain('STORE_UNAVAILABLE');
    expect(await failures(h, 'unavailable')).toBe(1);
    expect(await failures(h, 'full')).toBe(0);
  });
});
