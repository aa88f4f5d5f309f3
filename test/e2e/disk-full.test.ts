/**
 * Disk full: the gateway's SQLite store sits on a 4 MiB tmpfs, a real filesystem that runs out of
 * space (ENOSPC on the WAL), and a producer ingests until it does. Then:
 * - every refused request gets 503 STORE_FULL with Retry-After, never a 2xx without a commit;
 * - the process stays up and healthy, and counts the refusals in /metrics;
 * - once the volume has room again (here: remounted larger), the refused requests, sent again as a
 *   producer does, are accepted; every acknowledged event reaches LinkedIn exactly once;
 * - the database file passes `PRAGMA integrity_check` after a graceful stop.
 *
 * Mounting needs root (CAP_SYS_ADMIN); where the test cannot mount, it is skipped with a notice.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/processes.js';
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
} from './harness.js';

interface Volume {
  dir: string;
  resize(mib: number): void;
  remove(): void;
}

/** A tmpfs of `mib` MiB at a fresh directory, or the reason there cannot be one here. */
function smallVolume(mib: number): Volume | string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-diskfull-'));
  const mount = (args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
  try {
    mount(['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${String((err as Error).message).split('\n')[0]})`;
  }
  return {
    dir,
    resize: (size) => mount(['-o', `remount,size=${size}m`, dir]),
    remove() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const volume = smallVolume(4);
if (typeof volume === 'string') {
  console.warn(`NOTICE: disk-full end-to-end test skipped: ${volume}. Run it as root to check it.`);
}

describe.skipIf(typeof volume === 'string')('disk full under the SQLite store', () => {
  const vol = volume as Volume;
  const dbPath = () => join(vol.dir, 'gateway.db');
  let sb: SandboxHandle;
  let gw: GatewayProcess;

  beforeAll(async () => {
    sb = await startSandbox();
    gw = await spawnGateway(gatewayEnv(sb.url, `sqlite:${dbPath()}`));
  });

  afterAll(async () => {
    await gw?.kill9().catch(() => undefined);
    await sb?.stop();
    vol.remove();
  });

  it('refuses with 503 STORE_FULL, loses nothing acknowledged, and recovers when space returns', async () => {
    const now = Date.now();
    const acknowledged = new Set<string>();
    const refused: NativeEvent[][] = [];
    for (let r = 0; r < 400 && refused.length < 3; r++) {
      const batch = makeEvents(`full-${r}`, 500, now - HOUR);
      const answer = await postOnce(gw.url, batch);
      if (answer.status === 200) {
        acknowledge(acknowledged, (answer.body as { results: IngestResult[] }).results, ['accepted']);
        continue;
      }
      // Refused: the whole request, with the code that names the cause and a time to come back.
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('5');
      expect(answer.body).toMatchObject({ error: { code: 'STORE_FULL' } });
      refused.push(batch);
    }
    expect(refused.length, 'the volume filled up').toBe(3);
    expect(acknowledged.size).toBeGreaterThan(0);

    // Still up and healthy, and saying why it refused.
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const full = /capigw_ingest_store_failures_total\{reason="full"\} (\d+)/.exec(metrics);
    expect(Number(full?.[1])).toBeGreaterThanOrEqual(3);

    // Room again: the refused requests, sent again, are taken (they were never stored).
    vol.resize(64);
    for (const batch of refused) {
      acknowledge(acknowledged, await postUntilAnswered(() => gw.url, batch, { maxMs: 60_000 }), [
        'accepted',
      ]);
    }

    await expectDeliveredOnce(sb.sandbox, acknowledged, 90_000);

    expect(await gw.terminate()).toBe(0);
    const db = new Database(dbPath(), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(acknowledged.size);
    } finally {
      db.close();
    }
  }, 180_000);
});
