/**
 * `capi sandbox --port 8181 [--seed file] [--data dir]`, also runnable directly:
 * `npx tsx packages/sandbox/src/main.ts --port 8181`. Prints the URL, the tokens and the rule ids,
 * and stops cleanly (flushing persistence) on SIGINT or SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { listenFailure } from './listen-failure.js';
import { createSandbox } from './sandbox.js';
import { activeVersions, versionInfo } from './versions.js';

export interface SandboxCliIo {
  /** Where the banner goes. Default console.log. */
  log?: (line: string) => void;
  /** Stops the sandbox when aborted (tests; the CLI itself listens for signals). */
  signal?: AbortSignal;
  /** Called once listening, with the URL. */
  onListening?: (url: string) => void;
}

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/**
 * Runs the sandbox until SIGINT/SIGTERM (or `io.signal`). `argv` holds the arguments only
 * (e.g. `['--port', '8181']`), not the node and script paths.
 */
export async function runSandboxCli(argv: string[], io: SandboxCliIo = {}): Promise<void> {
  const log = io.log ?? ((line: string) => console.log(line));
  const program = new Command('sandbox')
    .description('Run the LinkedIn Conversions API sandbox')
    .option('-p, --port <port>', 'port to listen on', intOption, 8181)
    .option('-H, --host <host>', 'interface to bind', '127.0.0.1')
    .option('-s, --seed <file>', 'seed file (YAML or JSON); default: the built-in demo seed')
    .option('-d, --data <dir>', 'persist state to this folder and load it at start')
    .option('--per-minute <n>', 'requests per token per minute', intOption)
    .option('--per-day <n>', 'requests per token per UTC day', intOption)
    .exitOverride()
    .configureOutput({ writeOut: (s) => log(s.trimEnd()), writeErr: (s) => log(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    // --help and --version end here too; only real errors are rethrown.
    if ((err as { code?: string }).code === 'commander.helpDisplayed') return;
    throw err;
  }
  const opts = program.opts<{
    port: number;
    host: string;
    seed?: string;
    data?: string;
    perMinute?: number;
    perDay?: number;
  }>();

  const limits = {
    ...(opts.perMinute !== undefined ? { perMinute: opts.perMinute } : {}),
    ...(opts.perDay !== undefined ? { perDay: opts.perDay } : {}),
  };
  const sandbox = createSandbox({ seed: opts.seed, dataDir: opts.data, limits });
  const at = { port: opts.port, host: opts.host };
  const { url } = await sandbox.start(at).catch((err: unknown) => {
    throw listenFailure(err, at);
  });

  const state = sandbox.state;
  log(`LinkedIn CAPI sandbox listening on ${url}`);
  const versions = activeVersions(sandbox.clock.now());
  // Suggest the newest version whose sunset is published, not a projected one.
  const pinned =
    versions.filter((v) => versionInfo(v)?.documented).at(-1) ?? versions.at(-1) ?? 'none active';
  log(`  REST base:   ${url}/rest   (LinkedIn-Version: ${pinned}; active: ${versions.join(', ')})`);
  log(`  OAuth:       ${url}/oauth/v2/accessToken`);
  log(`  Admin API:   ${url}/__sandbox/`);
  if (opts.data) log(`  State kept in ${opts.data}`);
  log('Tokens (Authorization: Bearer <token>):');
  for (const t of state.tokens.values()) {
    log(`  ${t.value.padEnd(28)} ${t.description ?? `${t.role}, ${t.scopes.join(',')}`}`);
  }
  log('Conversion rules (conversion: urn:lla:llaPartnerConversion:<id>):');
  for (const r of [...state.rules.values()].sort((a, b) => Number(a.id) - Number(b.id))) {
    const notes = [
      r.conversionMethod !== 'CONVERSIONS_API' ? r.conversionMethod : '',
      r.enabled ? '' : 'disabled',
    ]
      .filter((s) => s !== '')
      .join(', ');
    log(`  ${r.id.padEnd(10)} ${r.type.padEnd(26)} ${r.name}${notes ? ` (${notes})` : ''}`);
  }
  io.onListening?.(url);

  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      io.signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    io.signal?.addEventListener('abort', done, { once: true });
    if (io.signal?.aborted) done();
  });
  log('Stopping the sandbox...');
  await sandbox.stop();
}
