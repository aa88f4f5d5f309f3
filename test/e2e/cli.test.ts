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
  return { status: run.status, out: `${run.stdout}${run.stderr}`, stderr: run.stderr };
}

describe('capi', () => {
  it('says once that capi sandbox --port got no number', () => {
    const { status, out } = capi(['sandbox', '--port', 'abc']);
    expect(status).toBe(1);
    expect(out.match(/'abc' is invalid/g)).toHaveLength(1);
    expect(out).not.toContain('commander.');
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
