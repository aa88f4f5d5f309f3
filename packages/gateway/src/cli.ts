/**
 * `capi`: the command line. Each command is a thin shell over the library: `start` composes the
 * gateway, the admin commands talk to a running gateway over its HTTP API (a SQLite store is owned
 * by one process, so the CLI never opens it behind the server's back).
 */
import { Command, Option } from 'commander';
import { runAdminCommand } from './cli/admin.js';
import { runConfig } from './cli/config.js';
import { failureReport } from './cli/failure.js';
import { runMigrate } from './cli/migrate.js';
import { runStart } from './cli/start.js';
import { runValidate } from './cli/validate.js';
import { adminTargetUrl } from './config.js';

const program = new Command();
program
  .name('capi')
  .description('capi-gateway: send conversions to the LinkedIn Conversions API, durably.')
  .showHelpAfterError();

program
  .command('start')
  .description('run the gateway (sandbox mode when no LinkedIn token is configured)')
  .option('-c, --config <file>', 'YAML configuration file (or CAPI_CONFIG)')
  .action(async (opts: { config?: string }) => {
    await runStart(opts);
  });

program
  .command('sandbox')
  .description('run the LinkedIn API sandbox on its own')
  .allowUnknownOption(true)
  .helpOption(false)
  .argument('[args...]')
  .action(async (args: string[]) => {
    const { runSandboxCli } = await import('@capi-gateway/sandbox/cli');
    await runSandboxCli(args);
  });

program
  .command('validate')
  .description('validate events from a JSON file (or - for stdin) and print the LinkedIn payloads')
  .argument('<file>', 'a JSON file with one event, an array, or {"events": [...]}; - reads stdin')
  .option('-c, --config <file>', 'YAML configuration file (or CAPI_CONFIG)')
  .option('--json', 'machine-readable output')
  .action(async (file: string, opts: { config?: string; json?: boolean }) => {
    process.exitCode = await runValidate(file, opts);
  });

const SINCE_HELP = 'dead-lettered at or after this time: ISO-8601 or epoch milliseconds';

const adminOptions = (cmd: Command) =>
  cmd
    .addOption(
      new Option(
        '--url <url>',
        'gateway base URL (default: http://$CAPI_HOST:$CAPI_PORT, else http://127.0.0.1:8080)',
      ).env('CAPI_URL'),
    )
    .addOption(new Option('--token <token>', 'admin token').env('CAPI_ADMIN_TOKEN'))
    .option('--json', 'machine-readable output');

adminOptions(
  program
    .command('status')
    .description("show an event's state and delivery attempts")
    .argument('<eventId>', 'the business eventId'),
).action(async (eventId: string, opts: AdminOpts) => {
  process.exitCode = await runAdminCommand({ kind: 'status', eventId }, target(opts));
});

const dlq = program.command('dlq').description('dead letters: list and redrive');
adminOptions(
  dlq
    .command('list')
    .description('list dead-lettered events')
    .option('--rule <ruleId>')
    .option('--account <account>')
    .option('--reason <reason>')
    .option('--since <time>', SINCE_HELP)
    .option('--limit <n>', 'at most this many', '100')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor'),
).action(async (opts: AdminOpts & DlqFilterOpts & { cursor?: string }) => {
  process.exitCode = await runAdminCommand({ kind: 'dlq-list', filter: opts }, target(opts));
});
adminOptions(
  dlq
    .command('summary')
    .description('count dead letters by account, rule and reason, with what to do about each reason')
    .option('--rule <ruleId>')
    .option('--account <account>')
    .option('--reason <reason>')
    .option('--since <time>', SINCE_HELP),
).action(async (opts: AdminOpts & DlqFilterOpts) => {
  process.exitCode = await runAdminCommand({ kind: 'dlq-summary', filter: opts }, target(opts));
});
adminOptions(
  dlq
    .command('redrive')
    .description('send dead-lettered events again (by ids or by filter)')
    .option('--id <id...>', 'internal event ids')
    .option('--event-id <eventId...>', 'business eventIds')
    .option('--rule <ruleId>')
    .option('--account <account>')
    .option('--reason <reason>')
    .option('--since <time>', SINCE_HELP)
    .option('--dry-run', 'move nothing: print what the filters match, grouped by account, rule and reason'),
).action(
  async (opts: AdminOpts & DlqFilterOpts & { id?: string[]; eventId?: string[]; dryRun?: boolean }) => {
    process.exitCode = await runAdminCommand({ kind: 'dlq-redrive', filter: opts }, target(opts));
  },
);

const accounts = program.command('accounts').description('ad accounts: delivery pauses');
adminOptions(
  accounts.command('paused').description('list the ad accounts whose delivery is paused, and why'),
).action(async (opts: AdminOpts) => {
  process.exitCode = await runAdminCommand({ kind: 'accounts-paused' }, target(opts));
});
adminOptions(
  accounts
    .command('resume')
    .description("lift an account's delivery pause (after replacing a refused token), for every instance")
    .argument('<account>', 'a configured ad account id, or "all"'),
).action(async (account: string, opts: AdminOpts) => {
  process.exitCode = await runAdminCommand({ kind: 'accounts-resume', account }, target(opts));
});

program
  .command('config')
  .description(
    'check the configuration as start would, and print the settings it would run with (secrets hidden)',
  )
  .option('-c, --config <file>', 'YAML configuration file (or CAPI_CONFIG)')
  .option('--json', 'JSON instead of YAML')
  .action((opts: { config?: string; json?: boolean }) => {
    runConfig(opts);
  });

program
  .command('migrate')
  .description('create or upgrade the store schema (also done at start)')
  .option('-c, --config <file>', 'YAML configuration file (or CAPI_CONFIG)')
  .action(async (opts: { config?: string }) => {
    await runMigrate(opts);
  });

interface AdminOpts {
  url?: string;
  token?: string;
  json?: boolean;
}
interface DlqFilterOpts {
  rule?: string;
  account?: string;
  reason?: string;
  since?: string;
  limit?: string;
}

/** The gateway an admin command talks to: --url, else CAPI_URL (commander reads both), else CAPI_HOST and CAPI_PORT. */
function target<T extends AdminOpts>(opts: T): T & { url: string } {
  // An empty CAPI_URL is unset, as every empty variable is for the configuration.
  return { ...opts, url: opts.url?.trim() ? opts.url : adminTargetUrl() };
}

program.parseAsync(process.argv).catch((err: unknown) => {
  const report = failureReport(err);
  for (const line of report.lines) process.stderr.write(`${line}\n`);
  process.exit(report.exitCode);
});
