/**
 * `npm start`, run through npm itself: the gateway it starts runs under the node flags for this
 * host, takes the arguments after `--`, and stops gracefully when npm alone is told to stop, as a
 * container runtime tells the process it started. npm passes SIGTERM to the one process it started;
 * without the `exec` in the start script that process was the shell, which died of it and left the
 * gateway running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayNodeFlags } from '../../scripts/node-flags.mjs';
import { collectOutput, freePort, ROOT, waitForReady } from '../support/processes.js';
import { tempDir } from './harness.js';

interface NpmStart {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>, args: string[] = []): NpmStart {
  const child = spawn('npm', ['start', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CAPI_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...collectOutput(child) };
}

/** The processes `pid` started, with their command lines, from /proc. */
function childrenOf(pid: number): { pid: number; argv: string[] }[] {
  const tasks = join('/proc', String(pid), 'task');
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(join(tasks, task, 'children'), 'utf8')
        .split(' ')
        .filter(Boolean)
        .map((child) => ({
          pid: Number(child),
          argv: readFileSync(join('/proc', child, 'cmdline'), 'utf8')
            .split('\0')
            .filter(Boolean),
        }));
    } catch {
      return []; // ended while we looked
    }
  });
}

describe('npm start', () => {
  it('runs the gateway under the node flags for this host and stops it gracefully on SIGTERM to npm', async () => {
    const tmp = tempDir('npm-start');
    const port = await freePort();
    const started = npmStart({
      CAPI_PORT: String(port),
      CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db`,
      CAPI_LOG_LEVEL: 'info',
    });
    let gatewayPid: number | undefined;
    try {
      await waitForReady(`http://127.0.0.1:${port}`, started.child, started.output, 60_000);
      // npm's own child, with no shell between them: npm passes its SIGTERM on to that one process.
      const children = childrenOf(started.child.pid ?? 0);
      expect(children, JSON.stringify(children)).toHaveLength(1);
      const gateway = children[0];
      gatewayPid = gateway?.pid;
      expect(gateway?.argv.at(-2)).toMatch(/dist\/capi\.js$/);
      const argv = gateway?.argv ?? [];
      // node, its flags, the bundle, `start`: nothing else between node and the bundle.
      expect(argv.slice(1, argv.length - 2)).toEqual(gatewayNodeFlags());
      expect(argv.at(-1)).toBe('start');

      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      expect(started.output()).toContain('stopped cleanly');
      expect(existsSync(join('/proc', String(gatewayPid)))).toBe(false);
    } finally {
      started.child.kill('SIGKILL');
      if (gatewayPid !== undefined && existsSync(join('/proc', String(gatewayPid)))) {
        process.kill(gatewayPid, 'SIGKILL');
      }
      tmp.cleanup();
    }
  }, 90_000);

  it('passes the arguments after -- to capi start and ends with its exit status', async () => {
    const tmp = tempDir('npm-start');
    const config = join(tmp.dir, 'capi.yaml');
    writeFileSync(config, 'server:\n  prot: 8080\n');
    const started = npmStart({ CAPI_STORE_URL: `sqlite:${tmp.dir}/gateway.db` }, ['--config', config]);
    try {
      const code = await started.exited;
      expect(code).not.toBe(0);
      expect(started.output()).toMatch(/server\.prot/);
    } finally {
      started.child.kill('SIGKILL');
      tmp.cleanup();
    }
  }, 90_000);
});
