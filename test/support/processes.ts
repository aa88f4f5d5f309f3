/**
 * Real processes for end-to-end tests: a gateway started exactly as `npm start` starts it (the
 * bundle in dist/, built once per test process, under the node flags scripts/node-flags.mjs gives
 * for this host), reachable over a real socket, and killable with SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGateway } from '../../scripts/build.mjs';
import { gatewayNodeFlags } from '../../scripts/node-flags.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let built: Promise<string> | undefined;
/** The CLI bundle, rebuilt from the current sources the first time a test process needs it. */
function gatewayBundle(): Promise<string> {
  built ??= buildGateway();
  return built;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface GatewayProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  kill9(): Promise<void>;
  /** SIGTERM and wait; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

export async function spawnGateway(
  env: Record<string, string>,
  opts: { port?: number; nodeFlags?: readonly string[] } = {},
): Promise<GatewayProcess> {
  const port = opts.port ?? (await freePort());
  // node runs the bundle directly, so the pid is the gateway itself: SIGKILL must hit it.
  const nodeFlags = opts.nodeFlags ?? gatewayNodeFlags();
  const child = spawn(process.execPath, [...nodeFlags, await gatewayBundle(), 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      CAPI_HOST: '127.0.0.1',
      CAPI_PORT: String(port),
      CAPI_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = collectOutput(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child, output);
  return {
    url,
    port,
    child,
    output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Everything a child with piped stdout and stderr writes, and its exit code once it exits. */
export function collectOutput(child: ChildProcess): { output(): string; exited: Promise<number | null> } {
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output: () => out, exited };
}

export async function waitForReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway not ready after ${timeoutMs} ms:\n${output()}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or the time is up. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
