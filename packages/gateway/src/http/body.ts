/**
 * Reads a JSON request body under the configured size limit (counted on the decoded body, so a
 * small gzip bomb is cut off at the limit too). The common case, an uncompressed body with a
 * Content-Length, takes the server adapter's fast path; anything else is streamed and counted.
 *
 * Parse errors never echo the body: V8's JSON.parse messages quote the input, which may hold
 * personal data.
 */
import { GatewayError } from '../errors.js';
import { headerPath, WHOLE_BODY } from './problem-path.js';

type Encoding = 'identity' | 'gzip' | 'deflate';

const normalized = (header: string | null | undefined) => (header ?? '').trim().toLowerCase();
/** Content-Encoding values that leave the body as it is (absent counts as empty). */
const IDENTITY = new Set(['', 'identity']);

/** Whether a Content-Encoding header leaves the body as it is; the direct lane takes only those. */
export function isIdentityEncoding(header: string | null | undefined): boolean {
  return IDENTITY.has(normalized(header));
}

function encodingOf(header: string | null): Encoding {
  const value = normalized(header);
  if (IDENTITY.has(value)) return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  throw new GatewayError('BODY_ENCODING_UNSUPPORTED', { path: headerPath('content-encoding') });
}

export function tooLarge(limit: number): GatewayError {
  return new GatewayError('BODY_TOO_LARGE', {
    path: WHOLE_BODY,
    message: `The request body is larger than the limit of ${limit} bytes.`,
  });
}

/**
 * A body that ended before its end: the client hung up mid-request, or a compressed body was broken.
 * A 400 nobody may be left to read, rather than a 500 and an error in the log for every client that
 * gives up.
 */
export function unreadable(): GatewayError {
  return new GatewayError('BODY_INVALID_JSON', {
    path: WHOLE_BODY,
    message: 'The body could not be read or decompressed.',
  });
}

async function readCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>;
    try {
      step = await reader.read();
    } catch {
      throw unreadable();
    }
    if (step.done) break;
    total += step.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(step.value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * How every body becomes text, whatever its framing: as \`Request#text()\` decodes a declared-length
 * one (and the direct lane too), dropping one byte-order mark. \`Buffer#toString\` kept it, so a
 * chunked or compressed body starting with two marks was refused where the same bytes with a
 * Content-Length were read.
 */
const utf8 = new TextDecoder();

/** Body bytes as text, one byte-order mark dropped (see \`utf8\`). */
export function decodeBody(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

async function readText(req: Request, limit: number): Promise<string> {
  const encoding = encodingOf(req.headers.get('content-encoding'));
  const declared = req.headers.get('content-length');
  const length = declared === null ? Number.NaN : Number(declared);
  if (length > limit) throw tooLarge(limit);
  if (encoding === 'identity' && Number.isInteger(length)) {
    return req.text().catch(() => {
      throw unreadable();
    });
  }
  if (req.body === null) return '';
  const stream = encoding === 'identity' ? req.body : req.body.pipeThrough(new DecompressionStream(encoding));
  return decodeBody(await readCapped(stream, limit));
}

/** The parsed body; GatewayError BODY_TOO_LARGE / BODY_INVALID_JSON / BODY_ENCODING_UNSUPPORTED. */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  return parseJsonText(await readBodyText(req, limit));
}

/**
 * The decoded body text, without a byte-order mark; BODY_TOO_LARGE / BODY_ENCODING_UNSUPPORTED.
 * Ingest routes read first and parse under an ingest permit (ingest-gate.ts), so a slow client
 * holds a socket, never a permit.
 */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  return withoutByteOrderMark(await readText(req, limit));
}

/** The text without a leading byte-order mark (some Windows tools write one before JSON). */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON.parse without echoing the input; BODY_INVALID_JSON. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '')
    throw new GatewayError('BODY_INVALID_JSON', {
      path: WHOLE_BODY,
      message: 'The body is empty; send a JSON document.',
    });
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('BODY_INVALID_JSON', { path: WHOLE_BODY });
  }
}
