import { createServer } from 'node:http';
import { Agent, request } from 'undici';
const server = createServer((req, res) => { let n = 0; req.on('data', (c) => { n += c.length; }); req.on('end', () => { res.writeHead(200, {'content-type':'application/json'}); res.end('{"elements":[]}'); }); });
server.keepAliveTimeout = 60000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as any).port}/x`;
const agent = new Agent();
for (const size of [100, 100_000, 1_000_000, 2_500_000]) {
  const body = 'x'.repeat(size);
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    const res = await request(url, { method: 'POST', body, dispatcher: agent, headers: { 'content-type': 'application/json' } });
    await res.body.text();
    times.push(performance.now() - t);
  }
  console.log(size, times.map((t) => t.toFixed(1)).join(' '));
}
for (const size of [2_500_000]) {
  const body = Buffer.from('x'.repeat(size));
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    const res = await request(url, { method: 'POST', body, dispatcher: agent, headers: { 'content-type': 'application/json' } });
    await res.body.text();
    times.push(performance.now() - t);
  }
  console.log('buffer', size, times.map((t) => t.toFixed(1)).join(' '));
}
await agent.close();
server.close();
