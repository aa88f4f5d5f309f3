/**
 * The baseline for the single-event ingest benchmark: a bare `node:http` server in a process of its
 * own that reads each request body to the end and answers 202 with a short JSON body. No routing,
 * no parsing, no storage: the most this machine's Node can answer for the same requests.
 *
 *   node --import tsx bench/_bare-server.ts
 *
 * Prints one JSON line `{"url": ..., "pid": ...}` once listening; stops on SIGTERM or SIGINT or
 * when its stdin closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const REPLY = '{"status":"accepted"}';

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': String(REPLY.length) });
    res.end(REPLY);
  });
});
server.keepAliveTimeout = 60_000;

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
