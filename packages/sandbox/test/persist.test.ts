import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/index.js';
import { SNAPSHOT_FILE } from '../src/persist.js';
import { event, headers, postEvent, sandbox } from './helpers.js';

const rule = {
  name: 'Persisted rule',
  account: DEMO_SEED.account.urn,
  conversionMethod: 'CONVERSIONS_API',
  type: 'LEAD',
};

describe('persistence to a data folder', () => {
  it('writes a snapshot after changes and loads it at the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-data-'));
    const first = sandbox({ dataDir, persistDebounceMs: 10 });
    const created = await first.app.request('/rest/conversions', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(rule),
    });
    const id = created.headers.get('x-restli-id') as string;
    await postEvent(first, event({ eventId: 'kept' }));
    await first.stop(); // flushes
    const file = join(dataDir, SNAPSHOT_FILE);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);

    const second = sandbox({ dataDir });
    expect(second.state.rules.get(id)?.name).toBe('Persisted rule');
    expect(second.events().map((e) => e.eventId)).toEqual(['kept']);
    expect(second.state.events.total).toBe(1);
    // New rule ids continue after the persisted ones.
    const next = await second.app.request('/rest/conversions', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(rule),
    });
    expect(Number(next.headers.get('x-restli-id'))).toBe(Number(id) + 1);
  });

  it('debounces: a burst of changes is written once the burst is over', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-data-'));
    const sb = sandbox({ dataDir, persistDebounceMs: 50 });
    await new Promise((r) => setTimeout(r, 120));
    const file = join(dataDir, SNAPSHOT_FILE);
    expect(existsSync(file)).toBe(true); // the seeded state is written once at start
    for (let i = 0; i < 5; i++) await postEvent(sb, event({ eventId: `b${i}` }));
    expect(JSON.parse(readFileSync(file, 'utf8')).events.total).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(JSON.parse(readFileSync(file, 'utf8')).events.total).toBe(5);
    await sb.stop();
  });

  it('reset() goes back to the seed and persists that', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-data-'));
    const sb = sandbox({ dataDir, persistDebounceMs: 5 });
    await postEvent(sb, event());
    sb.reset();
    await sb.stop();
    expect(sandbox({ dataDir }).state.events.total).toBe(0);
  });
});
