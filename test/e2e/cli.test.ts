/**
 * `capi` as an operator runs it: each failure said once, naming the option or setting to change,
 * and the admin commands finding the gateway where CAPI_HOST and CAPI_PORT put it.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/processes.js';
import { tempDir } from './harness.js';

function capi(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'packages/gateway/src/cli.ts'), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', CAPI_LOG_LEVEL: 'warn', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: run.status, out: `${run.stdout}${run.stderr}`, stdout: run.stdout, stderr: run.stderr };
}

describe('capi', () => {
  it('says once that capi sandbox --port got no number', () => {
    const { status, out } = capi(['sandbox', '--port', 'abc']);
    expect(status).toBe(1);
    expect(out.match(/'abc' is invalid/g)).toHaveLength(1);
    expect(out).not.toContain('commander.');
  });

  it('capi config prints the settings start would run with, secrets hidden, and refuses what start refuses', () => {
    const live = {
      LINKEDIN_ACCESS_TOKEN: 'TOKENCANARY-1234567890',
      LINKEDIN_AD_ACCOUNT: '123',
      CAPI_CONVERSIONS: 'lead=111',
      CAPI_SOURCE_KEYS: 'web:KEYCANARY-1234567890',
      CAPI_ADMIN_TOKEN: 'ADMINCANARY-1234567890',
      CAPI_DELIVERY_BATCHSIZE: '10',
    };
    const yaml = capi(['config'], live);
    expect(yaml.status).toBe(0);
    expect(yaml.out).toMatch(/^mode: live$/m);
    expect(yaml.out).toMatch(/^ {2}batchSize: 5000$/m);
    expect(yaml.stderr).toContain(
      'capi: warning: environment variable CAPI_DELIVERY_BATCHSIZE is not a setting of capi-gateway and is ignored; did you mean CAPI_DELIVERY_BATCH_SIZE?',
    );
    expect(yaml.out).not.toMatch(/CANARY/);
    const json = capi(['config', '--json'], { ...live, CAPI_DURABILITY: 'strict' });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).store.durability).toBe('strict');
    const bad = capi(['config'], { ...live, CAPI_DELIVERY_LEASE_MS: '1000' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('CAPI_DELIVERY_LEASE_MS (delivery.leaseMs): must be at least twice');
    const sandbox = capi(['config']);
    expect(sandbox.status).toBe(0);
    expect(sandbox.out).toMatch(/^# Sandbox mode/m);
  });

  it('names --config for a file it cannot read', () => {
    const { status, stderr } = capi(['start', '--config', 'nope.yaml']);
    expect(status).toBe(2);
    expect(stderr).toContain('--config: cannot read nope.yaml');
  });

  it('names CAPI_PORT when the port is in use', async () => {
    const tmp = tempDir('cli-port');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const { status, stderr } = capi(['start'], {
        CAPI_PORT: String(port),
        CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db`,
      });
      expect(status).toBe(1);
      expect(stderr).toContain(`EADDRINUSE: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).toContain('CAPI_PORT (server.port)');
    } finally {
      taken.close();
      tmp.cleanup();
    }
  });

  it('sends the admin commands to CAPI_HOST and CAPI_PORT unless --url or CAPI_URL says otherwise', async () => {
    const port = await freePort();
    const env = { CAPI_PORT: String(port), CAPI_ADMIN_TOKEN: 'admin-token-0123456789abcdef' };
    expect(capi(['status', 'e1'], env).stderr).toContain(
      `cannot reach the gateway at http://127.0.0.1:${port}`,
    );
    expect(capi(['dlq', 'list'], { ...env, CAPI_HOST: '0.0.0.0' }).stderr).toContain(
      `cannot reach the gateway at http://127.0.0.1:${port}`,
    );
    const other = `http://127.0.0.1:${await freePort()}`;
    expect(capi(['status', 'e1'], { ...env, CAPI_URL: other }).stderr).toContain(`gateway at ${other}`);
    // An empty CAPI_URL is unset, as every empty variable is.
    expect(capi(['status', 'e1'], { ...env, CAPI_URL: '' }).stderr).toContain(
      `cannot reach the gateway at http://127.0.0.1:${port}`,
    );
  });
});
