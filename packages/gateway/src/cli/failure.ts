/** What `capi` prints when a command fails, and the exit code it ends with. */
import { ConfigError } from '../config.js';

export interface FailureReport {
  lines: string[];
  exitCode: number;
}

export function failureReport(err: unknown): FailureReport {
  if (err instanceof ConfigError) return { lines: [`capi: ${err.message}`], exitCode: 2 };
  const code = (err as { code?: unknown } | null)?.code;
  // A command that parses its own arguments with commander (capi sandbox) has printed commander's
  // message already; printing it again would say the same thing twice.
  if (typeof code === 'string' && code.startsWith('commander.')) {
    const exitCode = (err as { exitCode?: unknown }).exitCode;
    return { lines: [], exitCode: typeof exitCode === 'number' && exitCode !== 0 ? exitCode : 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  // Node's own messages start with their code already ("ENOENT: no such file or directory, …").
  const prefix = typeof code === 'string' && !message.startsWith(`${code}:`) ? `${code}: ` : '';
  return { lines: [`capi: ${prefix}${message}`], exitCode: 1 };
}
