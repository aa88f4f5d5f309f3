import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { runSandboxCli } from '../src/cli.js';
import { DEMO_SEED } from '../src/index.js';

describe('runSandboxCli', () => {
  it('starts, prints the URL, tokens and rule ids, and stops when told to', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    let url = '';
    const done = runSandboxCli(['--port', '0', '--per-minute', '5'], {
      log: (l) => lines.push(l),
      signal: controller.signal,
      onListening: (u) => {
        url = u;
      },
    });
    await vi.waitFor(() => expect(url).not.toBe(''));
    const res = await fetch(`${url}/__sandbox/limits`);
    expect(await res.json()).toEqual({ perMinute: 5, perDay: 500_000 });
    controller.abort();
    await done;
    const out = lines.join('\n');
    expect(out).toContain(`listening on ${url}`);
    for (const token of Object.values(DEMO_SEED.tokens)) expect(out).toContain(token);
    for (const id of Object.values(DEMO_SEED.rules)) expect(out).toContain(id);
    expect(out).toContain('Stopping');
    await expect(fetch(`${url}/__sandbox/stats`)).rejects.toThrow();
  });

  it('--help prints usage and returns', async () => {
    const lines: string[] = [];
    await runSandboxCli(['--help'], { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/--seed <file>/);
  });

  it('rejects a bad port', async () => {
    await expect(runSandboxCli(['--port', 'abc'], { log: () => {} })).rejects.toThrow();
  });

  it('names the option to change when the port is taken or the host is not this machine', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(runSandboxCli(['--port', String(port)], { log: () => {} })).rejects.toMatchObject({
        code: 'EADDRINUSE',
        message: `port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another with --port (0 picks a free one)`,
      });
    } finally {
      taken.close();
    }
    await expect(
      runSandboxCli(['--port', '0', '--host', '192.0.2.1'], { log: () => {} }),
    ).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
      message: 'cannot listen on 192.0.2.1, which is no address of this machine: choose another --host',
    });
  });

  it('says why a --data folder cannot be used, before listening', async () => {
    let listened = false;
    await expect(
      runSandboxCli(['--port', '0', '--data', '/dev/null/state'], {
        log: () => {},
        onListening: () => {
          listened = true;
        },
      }),
    ).rejects.toThrow(
      "Cannot keep the sandbox's state in /dev/null/state: a part of the path is not a folder.",
    );
    expect(listened).toBe(false);
  });
});
