/**
 * The store thread times its checkpoints by the writes it forwards, so every forwarded method is
 * classed as a read or a write (FORWARDED_ACCESS). This holds the reads to it against a real file:
 * none of them adds a byte to the write-ahead log.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { fakeClock, T0 } from '../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { FORWARDED_ACCESS, type ForwardedMethod } from '../src/store/sqlite-thread/protocol.js';
import { events } from './worker-harness.js';

/** Plausible arguments for each read. */
const READ_ARGS: Partial<Record<ForwardedMethod, unknown[]>> = {
  listDead: [{}],
  summarizeDead: [{}],
  findByEventId: ['evt-1'],
  auditForEvent: ['00000000-0000-7000-8000-000000000000'],
  stats: [],
  ping: [],
  pausedAccounts: [T0],
  releaseClaim: ['token-1', T0],
};

describe('FORWARDED_ACCESS', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('names every read, and no read writes to the file', async () => {
    const reads = (Object.keys(FORWARDED_ACCESS) as ForwardedMethod[]).filter(
      (m) => FORWARDED_ACCESS[m] === 'read',
    );
    expect(reads.sort()).toEqual(Object.keys(READ_ARGS).sort());

    const dir = mkdtempSync(join(tmpdir(), 'capi-access-'));
    dirs.push(dir);
    const path = join(dir, 'outbox.db');
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    await store.migrate();
    await store.enqueue(events(clock, 20));
    const wal = () => statSync(`${path}-wal`).size;
    const before = wal();
    for (const method of reads) {
      const call = store[method] as (...args: unknown[]) => Promise<unknown>;
      await call.apply(store as OutboxStore, READ_ARGS[method] ?? []);
      expect(wal(), `${method} wrote to the log`).toBe(before);
    }
    await store.close();
  });
});
