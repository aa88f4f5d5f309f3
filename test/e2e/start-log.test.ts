/**
 * `capi start` says in its first log line how its store runs (durability and, on SQLite, the
 * checkpoint thread) and how it tuned V8's collector.
 */
import { describe, expect, it } from 'vitest';
import { spawnGateway } from '../support/processes.js';
import { tempDir } from './harness.js';

async function listeningLine(extra: Record<string, string>): Promise<Record<string, unknown>> {
  const tmp = tempDir('start-log');
  const gw = await spawnGateway({
    CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db`,
    CAPI_LOG_LEVEL: 'info',
    ...extra,
  });
  try {
    const line = gw
      .output()
      .split('\n')
      .find((l) => l.includes('capi-gateway listening'));
    expect(line, gw.output()).toBeDefined();
    return JSON.parse(line!) as Record<string, unknown>;
  } finally {
    await gw.terminate();
    tmp.cleanup();
  }
}

describe('the start log', () => {
  it('names the durability, where SQLite checkpoints run and the V8 tuning, by default and when set', async () => {
    expect(await listeningLine({})).toMatchObject({
      durability: 'normal',
      sqliteCheckpoints: 'own thread',
      heapGrowthPercent: 20,
      allocationSitePretenuring: false,
    });
    expect(
      await listeningLine({
        CAPI_DURABILITY: 'strict',
        CAPI_STORE_SQLITE_CHECKPOINT_THREAD: 'false',
        CAPI_SERVER_HEAP_GROWTH_PERCENT: '0',
        CAPI_SERVER_ALLOCATION_SITE_PRETENURING: 'true',
      }),
    ).toMatchObject({
      durability: 'strict',
      sqliteCheckpoints: 'store thread',
      heapGrowthPercent: 'V8 default',
      allocationSitePretenuring: true,
    });
  });
});
