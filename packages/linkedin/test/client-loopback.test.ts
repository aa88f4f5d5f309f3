/**
 * The client against a real loopback HTTP server: the default keep-alive Agent, the fetch option,
 * timeouts and connection failures, with canned responses only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkedInClient } from '../src/index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: number;
}

let server: Server;
let baseUrl: string;
let seen: Seen[];
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
const clients: LinkedInClient[] = [];

beforeEach(async () => {
  seen = [];
  const sockets = new Map<object, number>();
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-li-uuid': 'loop-1' });
    res.end('{"elements":[{"status":201}]}');
  };
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, sockets.size);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        socket: sockets.get(req.socket) ?? -1,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(opts: Partial<ConstructorParameters<typeof LinkedInClient>[0]> = {}): LinkedInClient {
  const c = new LinkedInClient({ accessToken: 'tok', baseUrl, ...opts });
  clients.push(c);
  return c;
}

describe('LinkedInClient over loopback HTTP', () => {
  it('sends to the base URL under /rest and reuses one keep-alive connection', async () => {
    const c = client();
    expect(await c.sendBatchRaw(['{"a":1}'])).toEqual({
      kind: 'delivered',
      status: 200,
      requestId: 'loop-1',
    });
    // undici returns a socket to its pool a moment after the body is read; a request sent in the
    // same tick may open a second connection, which is fine but not what this test is about.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await c.sendBatchRaw(['{"b":2}'])).toMatchObject({ kind: 'delivered' });
    expect(seen.map((s) => [s.method, s.url, s.socket])).toEqual([
      ['POST', '/rest/conversionEvents', 0],
      ['POST', '/rest/conversionEvents', 0],
    ]);
    expect(seen[0]?.headers['x-restli-method']).toBe('BATCH_CREATE');
    expect(seen[0]?.headers['linkedin-version']).toBe('202609');
    expect(seen[1]?.body).toBe('{"elements":[{"b":2}]}');
  });

  it('never hands back a body that echoes the token, whatever the answer', async () => {
    const c = client({ accessToken: 'AQXcanarytoken0123456789' });
    // A server that is not LinkedIn (a wrong base URL) echoing the request's headers.
    handler = (req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echoed: req.headers, note: 'token AQXcanarytoken0123456789 again' }));
    };
    const outcome = await c.sendBatchRaw(['{}']);
    expect(outcome.kind).toBe('config');
    const body = 'body' in outcome ? (outcome.body ?? '') : '';
    expect(body).toContain('Bearer ***');
    expect(body).not.toContain('AQXcanarytoken');
  });

  it('works through an injected fetch', async () => {
    const c = client({ fetch: (url, init) => fetch(url, init) });
    handler = (_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          message:
            'Index: 0, ERROR :: /user/userIds :: field is required but not found and has no default value\n',
          status: 422,
        }),
      );
    };
    expect(await c.sendBatchRaw(['{}', '{}'])).toMatchObject({ kind: 'rejected', indices: [0] });
    expect(seen[0]?.headers.authorization).toBe('Bearer tok');
  });

  it('gives up after timeoutMs and reports a retry', async () => {
    const c = client({ timeoutMs: 100 });
    handler = () => {
      // never answers
    };
    const started = Date.now();
    expect(await c.sendBatchRaw(['{}'])).toMatchObject({
      kind: 'retry',
      status: 0,
      reason: expect.stringMatching(/timeout/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('honours the caller’s abort signal', async () => {
    const c = client();
    handler = () => {};
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect(await c.sendBatchRaw(['{}'], ac.signal)).toMatchObject({
      kind: 'retry',
      status: 0,
      reason: expect.stringMatching(/abort/),
    });
  });

  it('cuts off an endless body at maxResponseBytes and reports a retry', async () => {
    const c = client({ maxResponseBytes: 64 * 1024 });
    let serverSawClose = false;
    handler = (_req, res) => {
      // No content-length and no end: only the client can stop this.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          // until the socket pushes back
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => {
        serverSawClose = true;
      });
      pump();
    };
    expect(await c.sendBatchRaw(['{}'])).toMatchObject({
      kind: 'retry',
      status: 0,
      reason: expect.stringMatching(/RESPONSE_TOO_LARGE/),
    });
    await vi.waitFor(() => expect(serverSawClose).toBe(true));
  });

  it('refuses a declared length over the limit without reading it, on both transports', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) });
      res.write('{"elements":[');
    };
    for (const c of [
      client({ maxResponseBytes: 1024 * 1024 }),
      client({ maxResponseBytes: 1024 * 1024, fetch: (url, init) => fetch(url, init) }),
    ]) {
      expect(await c.sendBatchRaw(['{}'])).toMatchObject({
        kind: 'retry',
        reason: expect.stringMatching(/RESPONSE_TOO_LARGE/),
      });
    }
  });

  it('reads a body right at the limit', async () => {
    const answer = '{"elements":[{"status":201}]}';
    const c = client({ maxResponseBytes: Buffer.byteLength(answer) });
    expect(await c.sendBatchRaw(['{}'])).toMatchObject({ kind: 'delivered' });
  });

  it('reports a refused connection as a retry', async () => {
    const c = client({ baseUrl: 'http://127.0.0.1:1' });
    expect(await c.sendBatchRaw(['{}'])).toMatchObject({
      kind: 'retry',
      status: 0,
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});
