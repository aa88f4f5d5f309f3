/**
 * SIGTERM under load: producers keep posting and LinkedIn (the sandbox, slowed to 1.5 s a request)
 * has batches in flight when the signal arrives. Then:
 * - for the drain (CAPI_SERVER_DRAIN_MS) the listener stays open: `/readyz` answers 503 within a
 *   second, so a load balancer stops sending traffic, and only after the drain are connections
 *   refused;
 * - new ingest gets 503 SHUTTING_DOWN with Retry-After (or, once the process is gone, no answer),
 *   never a 2xx that is not on disk;
 * - requests to LinkedIn already in flight finish and their outcomes are recorded (what was claimed
 *   but not sent is handed back: worker-shutdown.test.ts), so after a restart on the same store
 *   nothing waits for a lease to run out;
 * - the process exits with code 0, and every acknowledged event is delivered exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, sleep, spawnGateway } from '../support/processes.js';
import {
  acknowledge,
  expectDeliveredOnce,
  gatewayEnv,
  HOUR,
  type IngestResult,
  makeEvents,
  type NativeEvent,
  postOnce,
  postUntilAnswered,
  type SandboxHandle,
  startSandbox,
  tempDir,
} from './harness.js';

const LEASE_MS = 60_000;
const DRAIN_MS = 2_000;

describe('graceful stop under load (SIGTERM)', () => {
  let sb: SandboxHandle;
  let tmp: ReturnType<typeof tempDir>;
  let first: GatewayProcess;
  let second: GatewayProcess | undefined;
  const env = () =>
    gatewayEnv(sb.url, `sqlite:${tmp.dir}/gateway.db`, {
      CAPI_DELIVERY_LEASE_MS: String(LEASE_MS),
      CAPI_SERVER_DRAIN_MS: String(DRAIN_MS),
    });

  beforeAll(async () => {
    sb = await startSandbox();
    tmp = tempDir('graceful');
    first = await spawnGateway(env());
  });

  afterAll(async () => {
    await first?.kill9().catch(() => undefined);
    await second?.kill9().catch(() => undefined);
    await sb?.stop();
    tmp?.cleanup();
  });

  it('stops taking events, finishes what is in flight, exits 0, and loses nothing', async () => {
    sb.sandbox.setFaults({ latencyMs: 1_500 });
    const now = Date.now();
    const acknowledged = new Set<string>();
    const toResend: NativeEvent[][] = [];
    let signalled = false;
    let batchNo = 0;

    const producer = async () => {
      for (;;) {
        const batch = makeEvents(`stop-${batchNo++}`, 500, now - HOUR);
        let answer: Awaited<ReturnType<typeof postOnce>>;
        try {
          answer = await postOnce(first.url, batch);
        } catch {
          // No answer: only once the process is going away. Sent again after the restart.
          expect(signalled).toBe(true);
          toResend.push(batch);
          return;
        }
        if (answer.status === 200) {
          acknowledge(acknowledged, (answer.body as { results: IngestResult[] }).results, ['accepted']);
          continue;
        }
        expect(signalled, `${answer.status} before SIGTERM`).toBe(true);
        expect(answer.status).toBe(503);
        expect(answer.retryAfter).toBe('5');
        expect(answer.body).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
        toResend.push(batch);
        return;
      }
    };
    const producers = Array.from({ length: 4 }, producer);

    // Load until LinkedIn holds requests in flight (recorded, not yet answered).
    const linkedIn = () => sb.sandbox.requests({ path: '/rest/conversionEvents' });
    const inFlight = () => linkedIn().filter((r) => r.status === null);
    while (inFlight().length === 0 || acknowledged.size < 10_000) await sleep(20);

    const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
    signalled = true;
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const cutInFlight = inFlight().map((r) => r.seq);
    expect(cutInFlight.length).toBeGreaterThan(0);

    // Readiness goes first: within a second, /readyz answers 503 (the listener is still open).
    const readiness = () =>
      fetch(`${first.url}/readyz`).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { error?: { code: string } } }),
        () => ({ status: 0, body: {} }),
      );
    let notReady: Awaited<ReturnType<typeof readiness>> | undefined;
    while (Date.now() - signalledAt < 5_000) {
      const answer = await readiness();
      if (answer.status !== 200) {
        notReady = answer;
        break;
      }
      await sleep(20);
    }
    expect(Date.now() - signalledAt).toBeLessThan(1_000);
    expect(notReady).toMatchObject({ status: 503, body: { error: { code: 'SHUTTING_DOWN' } } });
    // An orchestrator may repeat its signal: the stop goes on as before, and still exits 0.
    first.child.kill('SIGTERM');
    // Through the drain it keeps answering so; after it, nothing listens.
    await sleep(DRAIN_MS / 2 - (Date.now() - signalledAt));
    expect((await readiness()).status).toBe(503);
    await sleep(DRAIN_MS + 500 - (Date.now() - signalledAt));
    expect((await readiness()).status).toBe(0);

    await Promise.all(producers);
    expect(await exited).toBe(0);
    expect(toResend.length).toBeGreaterThan(0);
    // The requests in flight at the signal were let finish, and answered.
    const finished = new Map(linkedIn().map((r) => [r.seq, r.status]));
    for (const seq of cutInFlight) expect(finished.get(seq)).toBe(200);

    // Restart on the same store; the producers send again what got no 2xx.
    sb.sandbox.setFaults({});
    const restartedAt = Date.now();
    second = await spawnGateway(env());
    for (const batch of toResend) {
      acknowledge(acknowledged, await postUntilAnswered(() => second!.url, batch), ['accepted', 'duplicate']);
    }
    // Nothing was left leased at the stop, so everything goes out at once: well before a lease ends.
    await expectDeliveredOnce(sb.sandbox, acknowledged, LEASE_MS / 2);
    expect(Date.now() - restartedAt).toBeLessThan(LEASE_MS / 2);
  }, 180_000);
});
