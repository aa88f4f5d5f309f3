/** `capi config`: check the configuration as `capi start` would, and print what it would run with. */
import { stringify } from 'yaml';
import { loadConfig, unknownEnvironmentVariables } from '../config.js';
import { unknownVariableText } from '../config-keys.js';
import { configView } from './config-view.js';

export function runConfig(
  opts: { config?: string; json?: boolean },
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): void {
  // Throws ConfigError for an invalid configuration: the CLI prints it and exits with code 2.
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  for (const unknown of unknownEnvironmentVariables())
    err(`capi: warning: ${unknownVariableText(unknown)}\n`);
  const view = configView(config);
  if (opts.json) {
    out(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  if (config.sandbox) {
    out("# Sandbox mode: no LinkedIn token is configured. capi start adds the sandbox's demo ad\n");
    out('# account, conversion rules, source key and admin token to what is listed here.\n');
  }
  out(stringify(view));
}
