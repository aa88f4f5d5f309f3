/**
 * LinkedIn SDK throughput.
 *
 *   npx tsx bench/linkedin-build.ts            # prints one JSON object
 *
 * (a) normalise + validate + build: `buildConversionEvent` on 100,000 varied inputs (email, click
 *     id, IP, names, company, value), then `serializeConversionEvent` as the gateway stores each
 *     event. Variants: without serialisation, with `JSON.stringify`, with hashed names.
 * (b) the same plus delivery: every 5,000 built events go out as one BATCH_CREATE through
 *     `LinkedInClient.sendBatchRaw` to a loopback node:http server that reads the body and answers
 *     like LinkedIn (200, one {"status":201} per element). Client and server share this process.
 *
 * Goal: at least 200,000 events/s for (a). Every figure is the best of several rounds, measured
 * both in wall-clock time and in this process's CPU time: on a shared 2-core machine the wall
 * clock also counts other processes, the CPU time does not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  type BuildOptions,
  buildConversionEvent,
  type ConversionEvent,
  type ConversionInput,
  LinkedInClient,
  MAX_BATCH_SIZE,
  serializeConversionEvent,
  validateConversionEvent,
} from '../packages/linkedin/src/index.js';

const EVENTS = Number(process.env.CAPI_BENCH_EVENTS ?? 100_000);
const NOW = Date.parse('2026-11-22T12:00:00Z');
const FIRST = ['Jane', 'Sam', 'Zoë', "O'Neil", 'Mary Ann', 'Jörg', 'Li', 'Ana-Maria'];
const LAST = ['Doe', 'Lee', 'Müller', 'Smith-Jones', 'van der Berg', 'Nguyen', 'García', 'Kowalski'];
const COMPANIES = ['Acme, Inc.', 'Example GmbH', 'Widgets LLC', 'Foo Co., Ltd.', 'Bar Holdings plc'];

/** Varied inputs so no string is hashed twice and branches are mixed as in real traffic. */
function makeInputs(count: number): ConversionInput[] {
  return Array.from({ length: count }, (_, i) => ({
    conversion: String(7_345_120 + (i % 4)),
    happenedAt: NOW - 60_000 - (i % 86_400) * 1000,
    eventId: `ord-${i}`,
    value:
      i % 3 === 0
        ? { amount: 19.9 + (i % 100), currency: 'eur' }
        : { amount: `${i % 500}.00`, currency: 'USD' },
    user: {
      email: i % 10 === 0 ? ` Buyer.${i}@Example.COM ` : `buyer.${i}@example.com`,
      liFatId: i % 2 === 0 ? `df5gf5-gh6t7-${i.toString(36)}` : undefined,
      ip: `203.0.${(i >> 8) & 255}.${i & 255 || 1}`,
      firstName: FIRST[i % FIRST.length],
      lastName: LAST[i % LAST.length],
      companyName: COMPANIES[i % COMPANIES.length],
      countryCode: i % 2 === 0 ? 'de' : 'US',
    },
  }));
}

function rate(events: number, ms: number): number {
  return Math.round((events / ms) * 1000);
}

type Serialiser = ((event: ConversionEvent) => string) | null;

interface Rate {
  wall: number;
  cpu: number;
}

/** Best of five rounds: the machine is shared and the first rounds pay for JIT warm-up. */
function measure(inputs: ConversionInput[], opts: BuildOptions, serialise: Serialiser): Rate {
  let bestWall = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    let failures = 0;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    for (const input of inputs) {
      const r = buildConversionEvent(input, opts);
      if (!r.ok) failures++;
      else if (serialise) serialise(r.event);
    }
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    if (failures > 0) throw new Error(`${failures} bench inputs failed to build`);
    bestWall = Math.min(bestWall, wall);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  return { wall: rate(inputs.length, bestWall), cpu: rate(inputs.length, bestCpu) };
}

/** Answers like LinkedIn's BATCH_CREATE: 200 with one {"status":201} per element. */
async function startLoopback(): Promise<{ server: Server; url: string }> {
  const ok = `{"elements":[${new Array(MAX_BATCH_SIZE).fill('{"status":201}').join(',')}]}`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-restli-protocol-version': '2.0.0' });
      res.end(ok);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function measureDelivery(inputs: ConversionInput[], opts: BuildOptions) {
  const { server, url } = await startLoopback();
  const client = new LinkedInClient({ accessToken: 'bench-token', baseUrl: url });
  try {
    let requests = 0;
    let requestMs = 0;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < inputs.length; i += MAX_BATCH_SIZE) {
      const payloads: string[] = [];
      for (const input of inputs.slice(i, i + MAX_BATCH_SIZE)) {
        const r = buildConversionEvent(input, opts);
        if (r.ok) payloads.push(serializeConversionEvent(r.event));
      }
      const sent = performance.now();
      const outcome = await client.sendBatchRaw(payloads);
      requestMs += performance.now() - sent;
      requests++;
      if (outcome.kind !== 'delivered') throw new Error(`loopback answered ${outcome.kind}`);
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    return {
      wall: rate(inputs.length, ms),
      cpu: rate(inputs.length, (cpu.user + cpu.system) / 1000),
      requests,
      meanRequestMs: Math.round((requestMs / requests) * 10) / 10,
    };
  } finally {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Best of three delivery runs, by wall clock. */
async function bestDelivery(inputs: ConversionInput[], opts: BuildOptions) {
  let best = await measureDelivery(inputs, opts);
  for (let round = 1; round < 3; round++) {
    const next = await measureDelivery(inputs, opts);
    if (next.wall > best.wall) best = next;
  }
  return best;
}

export async function run(): Promise<Record<string, unknown>> {
  const inputs = makeInputs(EVENTS);
  const opts: BuildOptions = { version: '202609', now: NOW, cleanCompanySuffix: true };
  measure(inputs.slice(0, 10_000), opts, serializeConversionEvent); // warm-up

  const buildAndSerialise = measure(inputs, opts, serializeConversionEvent);
  const buildAndStringify = measure(inputs, opts, (e) => JSON.stringify(e));
  const buildOnly = measure(inputs, opts, null);
  const hashedNames = measure(inputs, { ...opts, hashNames: true }, serializeConversionEvent);

  // The LinkedIn-compatible endpoint validates LinkedIn-shaped events instead of building them.
  const built = inputs.map((input) => {
    const r = buildConversionEvent(input, opts);
    if (!r.ok) throw new Error('bench input failed to build');
    return JSON.parse(serializeConversionEvent(r.event)) as unknown;
  });
  const validateStarted = performance.now();
  for (const event of built) validateConversionEvent(event, opts);
  const validatePerSec = rate(built.length, performance.now() - validateStarted);

  await measureDelivery(inputs.slice(0, MAX_BATCH_SIZE * 2), opts); // warm up the connection and JIT
  const delivery = await bestDelivery(inputs, opts);

  return {
    events: EVENTS,
    cpus: cpus().length,
    node: process.version,
    loadAverage1m: Math.round(loadavg()[0] ?? 0),
    buildAndSerializeEventsPerSec: buildAndSerialise.wall,
    buildAndSerializeEventsPerCpuSec: buildAndSerialise.cpu,
    buildAndJsonStringifyEventsPerSec: buildAndStringify.wall,
    buildOnlyEventsPerSec: buildOnly.wall,
    buildHashedNamesEventsPerSec: hashedNames.wall,
    validateWireEventsPerSec: validatePerSec,
    buildSerializeSendEventsPerSec: delivery.wall,
    buildSerializeSendEventsPerCpuSec: delivery.cpu,
    sendRequests: delivery.requests,
    sendMeanRequestMs: delivery.meanRequestMs,
    goalEventsPerSec: 200_000,
    goalMet: buildAndSerialise.wall >= 200_000,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    (figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
