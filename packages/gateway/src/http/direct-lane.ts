/**
 * The direct lane: the plain ingest requests (`POST /v1/events`, Segment's `POST /v1/track` and
 * `POST /v1/batch`, LinkedIn's `POST /rest/conversionEvents`) answered straight from node:http, in
 * front of the Hono app.
 *
 * Why: single-event requests are the gateway's most frequent request, and for them the framework
 * was a large share of the work. Building a fetch-style Request and Response per request, routing
 * and writing back through the adapter measured about 10 µs of CPU per request on this project's
 * 2-vCPU hosts, against 19 µs for everything a bare node:http server does (docs/benchmarks.md,
 * "The direct lane"). The lane reads the same headers and body, calls the same `answerNative`,
 * `answerSegment` or `answerLinkedIn` as the Hono routes, and writes the same status, headers and
 * body; a property test sends generated requests to both and compares the answers.
 *
 * It takes only the plain case: exactly one of those paths, POST, no query string, no
 * Content-Encoding, and a Content-Length. Everything else (a query, gzip, a chunked body, any other
 * path) goes on to the app unchanged, so the lane never has to know those rules.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isIdentityEncoding, tooLarge, unreadable } from './body.js';
import type { RouteContext } from './context.js';
import type { IdempotentReply } from './idempotency.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { errorBodyFor, logUnexpected } from './respond.js';
import { answerLinkedIn, LINKEDIN_EVENTS_PATH, type LinkedInReply } from './routes/linkedin.js';
import { answerNative, type NativeCall, REPLAYED_HEADER } from './routes/native.js';
import { answerSegment, SEGMENT_ROUTES, type SegmentRoute } from './routes/segment.js';

/**
 * What a route needs from the request, read from node:http: the native route's call, which holds
 * everything the Segment routes read too (they take no Idempotency-Key, and ignore it as their Hono
 * routes do); the LinkedIn route also reads X-RestLi-Method from the request itself.
 */
type LaneAnswer = (
  ctx: RouteContext,
  call: NativeCall,
  req: IncomingMessage,
) => Promise<IdempotentReply | LinkedInReply>;

/** A path the lane serves, with the answer its Hono route gives. */
interface Lane {
  path: string;
  answer: LaneAnswer;
}

const SERVED: readonly Lane[] = [
  { path: '/v1/events', answer: answerNative },
  ...SEGMENT_ROUTES.map(
    (route: SegmentRoute): Lane => ({ path: route, answer: (ctx, call) => answerSegment(ctx, route, call) }),
  ),
  {
    path: LINKEDIN_EVENTS_PATH,
    answer: (ctx, call, req) =>
      answerLinkedIn(ctx, { ...call, restliMethod: joinedHeader(req, 'x-restli-method') }),
  },
];

const LANES: ReadonlyMap<string, Lane> = new Map(SERVED.map((lane) => [lane.path, lane]));

/** The lane that answers this request, from its request line and headers alone; none: the app does. */
function laneOf(req: IncomingMessage): Lane | undefined {
  if (req.method !== 'POST' || req.url === undefined) return undefined;
  const lane = LANES.get(req.url);
  if (lane === undefined || !isIdentityEncoding(req.headers['content-encoding'])) return undefined;
  // node:http has already checked the header's form; a body without one is chunked.
  return req.headers['content-length'] !== undefined ? lane : undefined;
}

/** Whether the lane answers this request, from its request line and headers alone. */
export function takesDirectly(req: IncomingMessage): boolean {
  return laneOf(req) !== undefined;
}

/** Wraps the app's listener: plain ingest requests are answered here, the rest by the app. */
export function directLane(ctx: RouteContext, logger: Logger): (app: RequestListener) => RequestListener {
  const limit = ctx.deps.config.bodyLimitBytes;
  return (app) => (req, res) => {
    const lane = laneOf(req);
    if (lane === undefined) {
      app(req, res);
      return;
    }
    const { path } = lane;
    const requestId = requestIdOfResponse(res);
    let answer: Promise<IdempotentReply | LinkedInReply>;
    try {
      answer = lane.answer(
        ctx,
        {
          authorization: joinedHeader(req, 'authorization'),
          client: req.socket.remoteAddress ?? null,
          // No query string reaches the lane, so no validate_only either.
          validateOnly: undefined,
          requestId,
          read: () => readIncoming(req, limit),
          idempotencyKey: joinedHeader(req, 'idempotency-key'),
        },
        req,
      );
    } catch (err) {
      answer = Promise.reject(err);
    }
    const unexpected = (err: unknown) => logUnexpected(logger, err, { method: 'POST', path, requestId });
    answer
      .then(
        (reply) => {
          if ('replay' in reply)
            send(res, reply.replay.status, reply.replay.body, { [REPLAYED_HEADER]: 'true' });
          else if ('headers' in reply) sendLinkedIn(res, reply);
          else send(res, reply.status, JSON.stringify(reply.body));
        },
        (err: unknown) => {
          if (!(err instanceof GatewayError)) unexpected(err);
          const known = err instanceof GatewayError ? err : new GatewayError('INTERNAL');
          send(res, known.status, JSON.stringify(errorBodyFor(known, path)), known.headers);
        },
      )
      // Writing the answer failed (the socket broke mid-write): log it; never crash the process.
      .catch(unexpected);
  };
}

function requestIdOfResponse(res: ServerResponse): string | undefined {
  const id = res.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : undefined;
}

/**
 * A header as the app sees it: every occurrence joined with ", ", as the fetch API's Headers do.
 * Not `req.headers`, which keeps only the first Authorization of a request that repeats it.
 */
function joinedHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) {
      value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
    }
  }
  return value;
}

/**
 * The body's bytes under the limit, decoded later as body.ts decodes the adapter's (see
 * `withIngestText`): until its ingest permit, a request holds them outside the JavaScript heap.
 */
function readIncoming(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (Number(req.headers['content-length']) > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(unreadable()));
    req.once('close', () => {
      if (!req.complete) reject(unreadable());
    });
  });
}

function send(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** A LinkedIn-compatible answer: its own headers, and a JSON body or none (a single create's 201). */
function sendLinkedIn(res: ServerResponse, reply: LinkedInReply): void {
  if (reply.body !== null) {
    send(res, reply.status, JSON.stringify(reply.body), reply.headers);
    return;
  }
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, reply.headers);
  res.end();
}
