import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEntry, fakeClock, newEvent, outboxStoreConformance, T0 } from '../src/store/conformance.js';
import { isStoreError } from '../src/store/errors.js';
import { sqliteMigrations } from '../src/store/migrations/sqlite.js';
import { migrateSqlite } from '../src/store/sqlite/migrate.js';
import { prepareStatements } from '../src/store/sqlite/statements.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { queryPlan } from './support/query-plan.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capi-store-'));
  dirs.push(dir);
  return dir;
}
const tempDbPath = () => join(tempDir(), 'outbox.db');

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Many model runs here: the lanes (sqlite/lanes.ts) are where the adapters differ most from the port's
// one-event-at-a-time model.
outboxStoreConformance(
  'sqlite (WAL file)',
  async ({ clock }) => {
    const store = createSqliteStore({ path: tempDbPath(), clock });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 300 },
);

// The same promises with a dedup key index of tiny levels: level 0 flushes every 3 keys and every
// level moves at twice the one above, in slices of 2, so flushes and moves are under way (between
// other calls) through nearly every case and the model runs.
outboxStoreConformance(
  'sqlite (WAL file, tiny key levels)',
  async ({ clock }) => {
    const store = createSqliteStore({
      path: tempDbPath(),
      clock,
      keyLevels: { recentKeys: 3, growth: 2, sliceKeys: 2 },
    });
    return { store, cleanup: () => store.close() };
  },
  { modelRuns: 300 },
);

// --- a real second process -------------------------------------------------------------------------

const sqliteModule = pathToFileURL(fileURLToPath(new URL('../src/store/sqlite.ts', import.meta.url))).href;
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts a tiny TypeScript program in its own Node process; resolves with it and a line reader. */
function startChild(source: string) {
  const script = join(tempDir(), 'child.mts');
  writeFileSync(script, source.replaceAll('SQLITE_MODULE', sqliteModule));
  const child = spawn(process.execPath, ['--import', tsxLoader, script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
      newline = buffer.indexOf('\n');
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (test: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find(test);
      if (seen !== undefined) return resolve(seen);
      waiters.push({ test, resolve });
      void exited.then((code) =>
        reject(new Error(`child exited (${code}) before the line; stderr: ${stderr}`)),
      );
    });
  const kill9 = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return { child, lines, waitFor, exited, kill9, stderr: () => stderr };
}

const HOLD_STORE = `
import { createSqliteStore } from 'SQLITE_MODULE';
const store = createSqliteStore({ path: process.argv[2] ?? '' });
await store.migrate();
console.log('ready');
setInterval(() => {}, 1000);
`;

const TRY_OPEN = `
import { createSqliteStore } from 'SQLITE_MODULE';
try {
  createSqliteStore({ path: process.argv[2] ?? '' });
  console.log('opened');
} catch (err) {
  console.log('refused ' + err.code + ' ' + err.message);
}
`;

function childWithArgs(source: string, path: string) {
  return startChild(source.replace("process.argv[2] ?? ''", JSON.stringify(path)));
}

describe('SQLite guard: one gateway process per store', () => {
  it('refuses a second process with STORE_LOCKED and points to PostgreSQL', async () => {
    const path = tempDbPath();
    const holder = childWithArgs(HOLD_STORE, path);
    await holder.waitFor((l) => l === 'ready');
    let refused: unknown;
    try {
      createSqliteStore({ path });
    } catch (err) {
      refused = err;
    }
    expect(isStoreError(refused, 'STORE_LOCKED')).toBe(true);
    expect((refused as Error).message).toMatch(/serves one gateway process/);
    expect((refused as Error).message).toMatch(/CAPI_STORE_URL=postgres:\/\//);

    // The lock dies with its process, kill -9 included: the store can be taken over at once.
    await holder.kill9();
    const store = createSqliteStore({ path });
    await store.migrate();
    const intruder = childWithArgs(TRY_OPEN, path);
    const line = await intruder.waitFor((l) => l.startsWith('refused') || l === 'opened');
    expect(line).toMatch(/^refused STORE_LOCKED .*serves one gateway process/);
    await store.close();
    const after = childWithArgs(TRY_OPEN, path);
    expect(await after.waitFor((l) => l.startsWith('refused') || l === 'opened')).toBe('opened');
  });

  it('refuses a second store on the same file within one process, until the first closes', async () => {
    const path = tempDbPath();
    const first = createSqliteStore({ path });
    expect(() => createSqliteStore({ path })).toThrow(/serves one gateway process/);
    await first.close();
    const second = createSqliteStore({ path });
    await second.close();
  });
});

describe('SQLite durability', () => {
  it('runs in WAL with synchronous=NORMAL by default and FULL in strict mode', async () => {
    const normal = createSqliteStore({ path: tempDbPath() });
    expect(normal.durabilitySettings()).toEqual({ journalMode: 'wal', synchronous: 1, cacheKiB: 16 * 1024 });
    await normal.close();
    const strict = createSqliteStore({ path: tempDbPath(), durability: 'strict' });
    expect(strict.durabilitySettings()).toEqual({ journalMode: 'wal', synchronous: 2, cacheKiB: 16 * 1024 });
    await strict.close();
  });

  it('caps the page cache at store.sqliteCacheMiB', async () => {
    const store = createSqliteStore({ path: tempDbPath(), cacheMiB: 8 });
    expect(store.durabilitySettings().cacheKiB).toBe(8 * 1024);
    await store.close();
  });

  const ENQUEUE_FOREVER = `
import { randomUUID } from 'node:crypto';
import { createSqliteStore } from 'SQLITE_MODULE';
const store = createSqliteStore({ path: process.argv[2] ?? '', durability: 'DURABILITY' });
await store.migrate();
const event = (b, i) => ({
  id: randomUUID(), account: '1', ruleId: '2', eventId: 'evt-' + b + '-' + i, source: 'web',
  payload: JSON.stringify({ conversionHappenedAt: 1, user: { userIds: [] }, pad: 'x'.repeat(200) }),
  happenedAt: 1, receivedAt: 2, state: 'queued', identifierTypes: ['SHA256_EMAIL'], consent: null, context: null,
});
let b = 0;
for (;;) {
  // Four concurrent callers per round, so acknowledgements come out of merged group commits.
  const round = [b, b + 1, b + 2, b + 3];
  b += 4;
  await Promise.all(round.map(async (n) => {
    await store.enqueue(Array.from({ length: 50 }, (_, i) => event(n, i)));
    console.log('ack ' + n);
  }));
}
`;

  it.each(['normal', 'strict'] as const)(
    'keeps every acknowledged event when the process is killed with SIGKILL (%s)',
    async (durability) => {
      const path = tempDbPath();
      const writer = childWithArgs(ENQUEUE_FOREVER.replace('DURABILITY', durability), path);
      await writer.waitFor((l) => l === 'ack 200');
      await writer.kill9();
      const acked = writer.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
      expect(acked.length).toBeGreaterThanOrEqual(200);

      const store = createSqliteStore({ path });
      await store.migrate();
      for (const n of acked) {
        const found = await store.findByEventId(`evt-${n}-49`);
        expect(found, `batch ${n} was acknowledged`).toHaveLength(1);
      }
      // Atomic batches: no batch is half there.
      const reader = new Database(path, { readonly: true });
      const partial = reader
        .prepare(
          "SELECT count(*) FROM (SELECT substr(event_id, 1, instr(substr(event_id, 5), '-') + 4) AS b, count(*) AS n FROM events GROUP BY b) WHERE n <> 50",
        )
        .pluck()
        .get();
      reader.close();
      expect(partial).toBe(0);
      await store.close();
    },
  );
});

describe('SQLite group commit', () => {
  it('merges 200 concurrent enqueues into one transaction, each resolved after the commit', async () => {
    const path = tempDbPath();
    const store = createSqliteStore({ path, clock: fakeClock(T0), durability: 'strict' });
    await store.migrate();
    const before = store.writeStats();
    const batches = Array.from({ length: 200 }, () => [newEvent(), newEvent()]);
    let seenByReaderAtFirstAck = -1;
    const results = await Promise.all(
      batches.map((b, i) =>
        store.enqueue(b).then((statuses) => {
          if (i === 0) {
            // Another connection sees the rows as soon as the first caller hears back: committed.
            const reader = new Database(path, { readonly: true });
            seenByReaderAtFirstAck = reader.prepare('SELECT count(*) FROM events').pluck().get() as number;
            reader.close();
          }
          return statuses;
        }),
      ),
    );
    expect(results.flat().every((s) => s === 'inserted')).toBe(true);
    expect(seenByReaderAtFirstAck).toBe(400);
    const after = store.writeStats();
    expect(after.flushes - before.flushes).toBe(1);
    expect(after.batches - before.batches).toBe(200);
    expect(after.rows - before.rows).toBe(400);
    await store.close();
  });

  it('flushes early when enough rows are pending, without waiting for the tick', async () => {
    const store = createSqliteStore({ path: tempDbPath(), groupCommitRows: 100 });
    await store.migrate();
    const pending = Array.from({ length: 10 }, () =>
      store.enqueue(Array.from({ length: 50 }, () => newEvent())),
    );
    await Promise.all(pending);
    expect(store.writeStats().flushes).toBe(5);
    await store.close();
  });

  it('rejects only the failing batch of a merged group', async () => {
    const store = createSqliteStore({ path: tempDbPath() });
    await store.migrate();
    const good = newEvent();
    const clash = newEvent();
    const bad = [newEvent(), { ...newEvent(), id: clash.id }];
    const [a, b, c] = await Promise.allSettled([
      store.enqueue([good]),
      store.enqueue([clash]),
      store.enqueue(bad),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: ['inserted'] });
    expect(b).toEqual({ status: 'fulfilled', value: ['inserted'] });
    expect(c.status).toBe('rejected');
    // The failed batch left nothing behind, not even its dedup keys.
    expect(await store.findByEventId(bad[0]!.eventId)).toEqual([]);
    expect(await store.enqueue([{ ...bad[0]!, id: 'fresh-id' }])).toEqual(['inserted']);
    expect(store.writeStats().flushes).toBe(2);
    await store.close();
  });

  it('writes one-row batches of a group together, each with its own statuses in order', async () => {
    const store = createSqliteStore({ path: tempDbPath() });
    await store.migrate();
    const first = newEvent();
    const repeat = { ...first, id: 'other-outbox-id' };
    const singles = Array.from({ length: 60 }, () => [newEvent()]);
    // A large batch between the singles goes on its own; the singles after it form a second run.
    const large = Array.from({ length: 60 }, () => newEvent());
    const results = await Promise.all([
      store.enqueue([first]),
      ...singles.slice(0, 30).map((b) => store.enqueue(b)),
      store.enqueue([...large, { ...large[0]!, id: 'repeat-in-batch' }]),
      ...singles.slice(30).map((b) => store.enqueue(b)),
      store.enqueue([repeat, newEvent()]),
    ]);
    expect(results[0]).toEqual(['inserted']);
    expect(results.slice(1, 31).every((r) => r.length === 1 && r[0] === 'inserted')).toBe(true);
    expect(results[31]).toEqual([...large.map(() => 'inserted'), 'duplicate']);
    expect(results.slice(32, -1).every((r) => r.length === 1 && r[0] === 'inserted')).toBe(true);
    // A repeat in a later batch of the same flush is a duplicate, as if the batches went one by one.
    expect(results.at(-1)).toEqual(['duplicate', 'inserted']);
    expect(store.writeStats().flushes).toBe(1);
    expect((await store.stats()).byState.queued).toBe(1 + 60 + 60 + 1);
    await store.close();
  });

  it('when the group fails together, writes each batch alone: keys of the failed batch are not taken', async () => {
    const store = createSqliteStore({ path: tempDbPath() });
    await store.migrate();
    const stored = newEvent();
    await store.enqueue([stored]);
    const reused = newEvent();
    const [before, bad, after] = await Promise.allSettled([
      store.enqueue([newEvent()]),
      store.enqueue([reused, { ...newEvent(), id: stored.id }]),
      store.enqueue([{ ...reused, id: 'a-new-outbox-id' }]),
    ]);
    expect(before).toEqual({ status: 'fulfilled', value: ['inserted'] });
    expect(bad.status).toBe('rejected');
    // The failed batch was rolled back, so its eventId is new to the batch after it.
    expect(after).toEqual({ status: 'fulfilled', value: ['inserted'] });
    expect((await store.findByEventId(reused.eventId)).map((e) => e.id)).toEqual(['a-new-outbox-id']);
    await store.close();
  });

  it('writes everything pending before close resolves', async () => {
    const path = tempDbPath();
    const store = createSqliteStore({ path });
    await store.migrate();
    const pending = store.enqueue([newEvent(), newEvent()]);
    await store.close();
    expect(await pending).toEqual(['inserted', 'inserted']);
    const reopened = createSqliteStore({ path });
    expect((await reopened.stats()).byState.queued).toBe(2);
    await reopened.close();
  });
});

describe('SQLite schema upgrade', () => {
  it('moves payloads out of the events table (v1 → v2) and keeps every event readable', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    migrateSqlite(db, sqliteMigrations.slice(0, 1));
    const payload = JSON.stringify({
      conversion: 'urn:lla:llaPartnerConversion:1',
      conversionHappenedAt: T0,
    });
    db.prepare(`INSERT INTO events (id, account, rule_id, event_id, source, payload, happened_at, received_at,
      seen_at, state, next_attempt_at, identifier_types) VALUES ('00000000-0000-7000-8000-000000000001', '1', '2',
      'old-1', 'web', ?, ?, ?, ?, 'queued', ?, 'SHA256_EMAIL')`).run(payload, T0, T0, T0, T0);
    db.prepare("UPDATE state_counts SET n = 1 WHERE state = 'queued'").run();
    db.close();

    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    await store.migrate();
    const [old] = await store.findByEventId('old-1');
    expect(old?.payload).toBe(payload);
    // New events continue after the old seqs; claims return both payloads.
    await store.enqueue([newEvent({ account: '1', ruleId: '2', receivedAt: T0 })]);
    const batch = await store.claim({ limit: 10, leaseMs: 1000, now: T0 + 1 });
    expect(batch?.events.map((e) => e.eventId)[0]).toBe('old-1');
    expect(batch?.events.every((e) => e.payload.length > 0)).toBe(true);
    await store.close();
    const reader = new Database(path, { readonly: true });
    const columns = reader.prepare("SELECT name FROM pragma_table_info('events')").pluck().all();
    reader.close();
    expect(columns).not.toContain('payload');
  });
});

describe('SQLite audit purge', () => {
  it('deletes old audit rows with their links, chunk by chunk, and keeps the newer ones whole', async () => {
    const path = tempDbPath();
    const store = createSqliteStore({ path, clock: fakeClock(T0) });
    const entry = (at: number, eventIds: string[]) =>
      auditEntry({ at, eventIds, batchSize: eventIds.length });
    // More old rows than one purge chunk holds; an event id shared by an old and a new row.
    for (let i = 0; i < 45; i += 1)
      await store.appendAudit(entry(T0 - 1000 + i, [`old-${i}-a`, `old-${i}-b`, 'shared']));
    await store.appendAudit(entry(T0 + 10, ['new-a', 'shared']));
    expect(await store.purge(T0)).toEqual({ events: 0, audit: 45 });
    const links = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT event_id FROM audit_events ORDER BY event_id').pluck().all();
      } finally {
        db.close();
      }
    };
    expect(links()).toEqual(['new-a', 'shared']);
    expect((await store.auditForEvent('shared')).map((a) => a.at)).toEqual([T0 + 10]);
    expect(await store.auditForEvent('old-3-a')).toEqual([]);
    await store.close();
  });
});

describe('SQLite capacity', () => {
  it('keeps state_counts equal to the rows after a mixed workload', async () => {
    const path = tempDbPath();
    const clock = fakeClock(T0);
    const store = createSqliteStore({ path, clock });
    await store.migrate();
    const events = Array.from({ length: 60 }, (_, i) =>
      newEvent({ account: String(i % 2), ruleId: String(i % 3), receivedAt: T0 - 10 * 86_400_000 + i }),
    );
    await store.enqueue([...events, newEvent({ state: 'suppressed', receivedAt: T0 - 86_400_000 })]);
    for (let round = 0; round < 6; round += 1) {
      const batch = await store.claim({ limit: 7, leaseMs: 1000, now: T0 + round * 2000 });
      const ids = (batch?.events ?? []).map((e) => e.id);
      if (round % 3 === 0) await store.complete(ids.slice(0, 3), T0);
      if (round % 3 === 1) await store.retryLater(ids.slice(0, 3), T0 + 5000, 'http_500');
      await store.kill(ids.slice(3, 5), 'rejected', null, T0);
      await store.release(ids.slice(5), T0);
    }
    await store.kill([events[59]!.id], 'expired', null, T0);
    await store.redrive({ reason: 'expired' }, T0);
    await store.claim({ limit: 1, leaseMs: 1000, now: T0 + 60_000 });
    await store.purge(T0);
    const counted = await store.stats();
    await store.close();

    const reader = new Database(path, { readonly: true });
    // Resolved: an event still on its lane has its batch's state (see sqlite/lanes.ts).
    const rows = reader
      .prepare('SELECT state, count(*) AS n FROM events_resolved GROUP BY state')
      .all() as Array<{
      state: string;
      n: number;
    }>;
    // Every event has its payload row and no payload outlives its event (purge removes both).
    const orphans = reader
      .prepare(
        `SELECT (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM payloads p WHERE p.seq = e.seq))
              + (SELECT count(*) FROM payloads p WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = p.seq))`,
      )
      .pluck()
      .get();
    reader.close();
    expect(orphans).toBe(0);
    const actual = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    for (const [state, n] of Object.entries(counted.byState)) expect(n, state).toBe(actual[state] ?? 0);
    expect(Object.values(counted.byState).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('answers the hot paths from indexes, never a scan of the events table', () => {
    const db = new Database(':memory:');
    migrateSqlite(db);
    const s = prepareStatements(db);
    const plan = (statement: { source: string }) => queryPlan(db, statement);
    const hot = {
      pickQueue: 'events_due',
      dueInQueue: 'events_due',
      reclaimExpired: 'events_lease',
      complete: 'events_id',
      oldestDue: 'events_age',
      purgeChunk: 'events_final',
      byEventId: 'SEARCH event_keys USING PRIMARY KEY (level=? AND event_id=?)',
      // expireDedup's count: bisecting and counting by seq, never by seen_at (version 8).
      firstSeenAtOrAfter: 'SEARCH events USING INTEGER PRIMARY KEY (rowid>?)',
      countSeqBetween: 'SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)',
    } as const;
    for (const [name, index] of Object.entries(hot)) {
      const detail = plan(s[name as keyof typeof hot]);
      expect(detail, name).toContain(index);
      expect(detail, name).not.toMatch(/SCAN (events|e|d)\b(?! USING)/);
    }
    // The newest event's seen_at and the seq bounds: read from the ends of the key, no sort, no count.
    expect(plan(s.lastSeenAt)).toBe('SCAN events');
    expect(plan(s.seqBounds)).not.toMatch(/TEMP B-TREE|SCAN events(?! USING)/);
    // Claims read due events in index order: no sort step; each payload is one rowid lookup.
    expect(plan(s.dueInQueue)).not.toContain('TEMP B-TREE');
    expect(plan(s.dueInQueue)).toMatch(/SEARCH payloads USING INTEGER PRIMARY KEY/);
    // An event's newest rows (the key index's level 0) by a rowid range, never a scan of the table.
    expect(plan(s.byEventId)).toContain('SEARCH events USING INTEGER PRIMARY KEY (rowid>?)');
    // The ingest probe for a chunk of eventIds: one descent per (level, id), the event by its seq.
    const probe = db.prepare(`SELECT k.event_id, k.rule_id FROM event_keys k JOIN events e ON e.seq = k.seq
      WHERE k.level IN (1, 2) AND k.event_id IN (?, ?, ?)
        AND e.event_id = k.event_id AND e.rule_id = k.rule_id AND e.seen_at > ?`);
    expect(plan(probe)).toBe(
      'SEARCH k USING PRIMARY KEY (level=? AND event_id=?) | SEARCH e USING INTEGER PRIMARY KEY (rowid=?)',
    );
    // Purging an audit row's links: through its own ids, by the links' primary key (version 7).
    expect(plan(s.unlinkAudit)).toContain(
      'SEARCH audit_events USING PRIMARY KEY (event_id=? AND audit_seq=?)',
    );
    expect(plan(s.unlinkAudit)).not.toMatch(/SCAN audit_events\b/);
    db.close();
  });
});
