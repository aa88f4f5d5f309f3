/** A second `capi start` on the same SQLite file refuses to start and says what to use instead. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type GatewayProcess, ROOT, spawnGateway } from '../support/processes.js';
import { tempDir } from './harness.js';

describe('SQLite guard', () => {
  let tmp: ReturnType<typeof tempDir>;
  let first: GatewayProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    tmp = tempDir('guard');
    env = { CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db` };
    first = await spawnGateway(env);
  });

  afterAll(async () => {
    await first?.terminate();
    tmp?.cleanup();
  });

  it('refuses a second instance with STORE_LOCKED and a pointer to PostgreSQL', async () => {
    const second = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/gateway/src/cli.ts'), 'start'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          CAPI_PORT: String(await freePort()),
          CAPI_LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('STORE_LOCKED');
    expect(second.stderr).toMatch(/postgres/i);
    // The first instance is untouched.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });
});
