import { expect, it } from 'vitest';
import type { IdempotencyStart } from '../../domain/idempotency.js';
import type { OutboxStore } from '../../ports.js';
import { HOUR, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore };
type PeerSetup = () => { store: OutboxStore; peer: () => Promise<OutboxStore> };

const WINDOW = 24 * HOUR;
const STALE = 60_000;
const start = (over: Partial<IdempotencyStart> = {}): IdempotencyStart => ({
  source: 'crm',
  key: 'key-1',
  fingerprint: 'f'.repeat(64),
  now: T0,
  windowMs: WINDOW,
  staleMs: STALE,
  ...over,
});

export function idempotencyCases(setup: Setup): void {
  it('keeps the first answer to a key and hands it back; another request with the key is refused', async () => {
    const { store } = setup();
    expect(await store.beginIdempotent(start())).toEqual({ kind: 'new' });
    // A big answer with multi-byte text comes back byte for byte.
    const body = JSON.stringify({
      results: Array.from({ length: 2_000 }, (_, i) => ({ eventId: `é-${i}`, n: i })),
    });
    await store.finishIdempotent('crm', 'key-1', { status: 207, body });
    expect(await store.beginIdempotent(start({ now: T0 + HOUR }))).toEqual({
      kind: 'replay',
      status: 207,
      body,
    });
    expect(await store.beginIdempotent(start({ fingerprint: 'e'.repeat(64) }))).toEqual({ kind: 'mismatch' });
    // Keys belong to their source.
    expect(await store.beginIdempotent(start({ source: 'website' }))).toEqual({ kind: 'new' });
    // An answered key is not changed by a late finish of any kind.
    await store.finishIdempotent('crm', 'key-1', null);
    await store.finishIdempotent('crm', 'key-1', { status: 500, body: 'x' });
    expect(await store.beginIdempotent(start({ now: T0 + 2 * HOUR }))).toEqual({
      kind: 'replay',
      status: 207,
      body,
    });
  });

  it('tells a second request to wait while the first runs, and frees a key given back or left stale', async () => {
    const { store } = setup();
    expect(await store.beginIdempotent(start())).toEqual({ kind: 'new' });
    expect(await store.beginIdempotent(start({ now: T0 + 1_000 }))).toEqual({ kind: 'pending' });
    // A different request is refused even while the first runs.
    expect(await store.beginIdempotent(start({ now: T0 + 1_000, fingerprint: 'e'.repeat(64) }))).toEqual({
      kind: 'mismatch',
    });
    // Given back (the request failed with a 503): the next one runs.
    await store.finishIdempotent('crm', 'key-1', null);
    expect(await store.beginIdempotent(start({ now: T0 + 2_000 }))).toEqual({ kind: 'new' });
    // Never answered (its process died): after staleMs the next one runs, and holds it anew.
    expect(await store.beginIdempotent(start({ now: T0 + 2_000 + STALE - 1 }))).toEqual({ kind: 'pending' });
    expect(await store.beginIdempotent(start({ now: T0 + 2_000 + STALE }))).toEqual({ kind: 'new' });
    expect(await store.beginIdempotent(start({ now: T0 + 2_000 + STALE + 1 }))).toEqual({ kind: 'pending' });
  });

  it('forgets a key after its window, for replays and refusals alike, and expires old keys', async () => {
    const { store } = setup();
    await store.beginIdempotent(start());
    await store.finishIdempotent('crm', 'key-1', { status: 200, body: '{}' });
    await store.beginIdempotent(start({ key: 'key-2', now: T0 + HOUR }));
    expect(await store.beginIdempotent(start({ now: T0 + WINDOW, fingerprint: 'e'.repeat(64) }))).toEqual({
      kind: 'new',
    });
    await store.finishIdempotent('crm', 'key-1', { status: 422, body: '{"n":2}' });
    expect(await store.beginIdempotent(start({ now: T0 + WINDOW + 1, fingerprint: 'e'.repeat(64) }))).toEqual(
      {
        kind: 'replay',
        status: 422,
        body: '{"n":2}',
      },
    );
    // key-2 began at T0 + HOUR, key-1 again at T0 + WINDOW.
    expect(await store.expireIdempotency(T0 + 2 * HOUR)).toBe(1);
    expect(await store.beginIdempotent(start({ key: 'key-2', now: T0 + WINDOW + 2 }))).toEqual({
      kind: 'new',
    });
    expect(await store.expireIdempotency(T0 + 2 * HOUR)).toBe(0);
  });
}

export function idempotencyConcurrencyCases(setup: PeerSetup): void {
  it('lets exactly one of many simultaneous requests with a key run, across instances', async () => {
    const { store, peer } = setup();
    const other = await peer();
    const begins = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? store : other).beginIdempotent(start({ now: T0 + i })),
      ),
    );
    expect(begins.filter((b) => b.kind === 'new')).toHaveLength(1);
    expect(begins.filter((b) => b.kind === 'pending')).toHaveLength(19);
  });
}
