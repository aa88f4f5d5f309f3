/**
 * `capi start` says in its first log line how its store runs (durability and, on SQLite, the
 * checkpoint thread) and how it tuned V8's collector, and warns of variables it does not read.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { gatewayNodeFlags } from '../../scripts/node-flags.mjs';
import { spawnGateway } from '../support/processes.js';
import { tempDir } from './harness.js';

async function startOutput(extra: Record<string, string>): Promise<string> {
  const tmp = tempDir('start-log');
  const gw = await spawnGateway({ CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db`, ...extra });
  try {
    return gw.output();
  } finally {
    await gw.terminate();
    tmp.cleanup();
  }
}

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
      heapGrowthPercent: 15,
      allocationSitePretenuring: false,
      // As npm start starts it on this host.
      singleThreadedGc: gatewayNodeFlags().includes('--single-threaded-gc'),
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

  it('warns of a variable with its prefixes that it does not read, naming the one meant and never the value', async () => {
    const out = await startOutput({ LINKEDIN_TOKEN: 'VALUECANARY-0f3a', CAPI_PROT: '1' });
    const warnings = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.level === 40);
    expect(warnings.map((w) => [w.variable, w.meant])).toEqual([
      ['CAPI_PROT', 'CAPI_PORT'],
      ['LINKEDIN_TOKEN', 'LINKEDIN_ACCESS_TOKEN'],
    ]);
    expect(String(warnings[1]?.msg)).toMatch(
      /is not a setting of capi-gateway and is ignored; did you mean LINKEDIN_ACCESS_TOKEN\?/,
    );
    // The misspelt token did not configure anything: the gateway runs in sandbox mode.
    expect(out).toContain('SANDBOX MODE');
    expect(out).not.toContain('VALUECANARY');
  });

  it('advises --single-threaded-gc in its log when started without it on two vCPUs or fewer', async () => {
    const tmp = tempDir('start-log');
    const gw = await spawnGateway(
      { CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db`, CAPI_LOG_LEVEL: 'info' },
      { nodeFlags: [] },
    );
    try {
      const advised = gw.output().includes('start node with --single-threaded-gc');
      expect(advised).toBe(availableParallelism() <= 2);
      expect(gw.output()).toContain('"singleThreadedGc":false');
    } finally {
      await gw.terminate();
      tmp.cleanup();
    }
  });

  // npm-start.test.ts shows npm start running the gateway under them.
  it('gives --single-threaded-gc as the node flags on two vCPUs or fewer, and none on more', () => {
    expect(gatewayNodeFlags(1)).toEqual(['--single-threaded-gc']);
    expect(gatewayNodeFlags(2)).toEqual(['--single-threaded-gc']);
    expect(gatewayNodeFlags(3)).toEqual([]);
    expect(gatewayNodeFlags(16)).toEqual([]);
  });
});
