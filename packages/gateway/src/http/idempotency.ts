/**
 * `Idempotency-Key` on POST /v1/events (docs/api.md): the first answer to a key is kept and handed
 * back, byte for byte, to the same request sent again; the store decides (domain/idempotency.ts),
 * for every instance at once.
 *
 * What eventIds already give: an event is stored and sent once, whatever the retries. What a key adds:
 * a client that lost the answer to a request gets that answer, with "accepted" where it said
 * accepted, instead of a new one saying "duplicate".
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';
import { classifyStoreFailure } from '../store/failure.js';
import type { HttpDeps } from './deps.js';
import { storeRefusal } from './ingest.js';
import type { IngestReply } from './ingest-reply.js';
import { headerPath } from './problem-path.js';

/** A request still unanswered after this long (its process died) gives its key to the next one. */
export const IDEMPOTENCY_STALE_MS = 60_000;
const MAX_KEY_LENGTH = 255;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const KEY_HEADER = headerPath('Idempotency-Key');

/** The header's key, null when absent; IDEMPOTENCY_KEY_INVALID when it is not a usable key. */
export function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (header.length === 0 || header.length > MAX_KEY_LENGTH || !VISIBLE_ASCII.test(header)) {
    throw new GatewayError('IDEMPOTENCY_KEY_INVALID', { path: KEY_HEADER });
  }
  return header;
}

/**
 * What the store keeps instead of the key: SHA-256 of the source and the key. A key is free text
 * a client chooses (an order number, at worst an email address) and the store is kept for days;
 * the digest finds the same row for the same key and says nothing readable about it, as request
 * ids are never kept when they could hold personal data either (request-id.ts).
 */
export function storedKeyOf(source: string, key: string): string {
  // The NUL keeps ("ab", "c") and ("a", "bc") apart; neither a source name nor a key holds one.
  return createHash('sha256').update(`${source}\u0000${key}`).digest('hex');
}

/** What a request asks, for comparing a retry with the first request: its parsed body. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/** How long a request waits for the answer of the first request with its key, and how often it looks. */
const PENDING_WAIT_MS = 5_000;
const PENDING_POLL_MS = 20;

async function beginOrFail(deps: HttpDeps, request: { source: string; key: string; fingerprint: string }) {
  try {
    return await deps.store.beginIdempotent({
      ...request,
      now: deps.clock.now(),
      windowMs: deps.config.idempotencyWindowMs,
      staleMs: IDEMPOTENCY_STALE_MS,
    });
  } catch (err) {
    const reason = classifyStoreFailure(err);
    deps.logger.error({ err, reason }, 'could not look up an idempotency key; answering 503');
    throw storeRefusal(reason);
  }
}

export type IdempotentReply = IngestReply | { replay: { status: number; body: string } };

export async function runIdempotent(
  deps: HttpDeps,
  request: { source: string; key: string; fingerprint: string },
  run: () => Promise<IngestReply>,
): Promise<IdempotentReply> {
  const { store, logger } = deps;
  const { source } = request;
  const key = storedKeyOf(source, request.key);
  const stored = { source, key, fingerprint: request.fingerprint };
  // A request sent again while the first is still running (a client that timed out and retried at
  // once) waits for the first one's answer rather than failing; past the wait it gets a 409.
  const waitUntil = performance.now() + PENDING_WAIT_MS;
  for (;;) {
    const begin = await beginOrFail(deps, stored);
    if (begin.kind === 'new') break;
    if (begin.kind === 'replay') return { replay: { status: begin.status, body: begin.body } };
    if (begin.kind === 'mismatch') throw new GatewayError('IDEMPOTENCY_KEY_REUSED', { path: KEY_HEADER });
    if (performance.now() >= waitUntil) {
      throw new GatewayError('IDEMPOTENCY_KEY_IN_USE', {
        path: KEY_HEADER,
        headers: { 'Retry-After': '1' },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
  }
  let reply: IngestReply;
  try {
    reply = await run();
  } catch (err) {
    // No answer worth keeping (a 503, or a request refused whole): a retry runs again.
    await store.finishIdempotent(source, key, null).catch((e: unknown) => {
      logger.warn({ err: e }, 'could not give an idempotency key back; it frees itself in a minute');
    });
    throw err;
  }
  try {
    await store.finishIdempotent(source, key, { status: reply.status, body: JSON.stringify(reply.body) });
  } catch (err) {
    // The events are committed and the client gets its answer; a retry within the minute is told
    // to wait, a later one runs again and finds its events stored (duplicate).
    logger.warn({ err }, 'could not keep the answer of an idempotency key');
  }
  return reply;
}
