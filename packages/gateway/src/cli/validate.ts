/**
 * `capi validate <file|->`: runs events through exactly the ingest path (resolve the conversion,
 * normalise, hash, validate) without storing anything, and prints the LinkedIn payload that would
 * be sent plus every finding. Exit code 0 when every event is valid, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { buildConversionEvent } from '@capi-gateway/linkedin';
import { loadConfig } from '../config.js';
import { createConversionResolver } from '../domain/conversions.js';
import { type EventResult, planIngest, previewIngest } from '../domain/ingest.js';
import { nativeDraft } from '../domain/native-event.js';
import { withoutByteOrderMark } from '../http/body.js';
import { sandboxConfig } from '../sandbox-mode.js';

export interface ValidateIo {
  readText(file: string): string;
  print(line: string): void;
  printErr(line: string): void;
  now(): number;
}

const defaultIo: ValidateIo = {
  readText: (file) => readFileSync(file === '-' ? 0 : file, 'utf8'),
  print: (l) => process.stdout.write(`${l}\n`),
  printErr: (l) => process.stderr.write(`${l}\n`),
  now: () => Date.now(),
};

export async function runValidate(
  file: string,
  opts: { config?: string; json?: boolean },
  io: ValidateIo = defaultIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let base = loadConfig({ env, purpose: 'validate', ...(opts.config ? { file: opts.config } : {}) });
  // In sandbox mode the demo rules are what `capi start` would use; validate against the same.
  if (base.sandbox)
    base = sandboxConfig(
      base,
      'http://127.0.0.1',
      base.accounts[0]?.limits ?? { perMinute: 600, perDay: 500_000 },
    );

  let text: string;
  try {
    text = io.readText(file);
  } catch (err) {
    io.printErr(`capi: cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  let body: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse refuses.
    body = JSON.parse(withoutByteOrderMark(text));
  } catch (err) {
    io.printErr(`capi: ${file === '-' ? 'stdin' : file} is not valid JSON: ${jsonSyntaxText(err)}`);
    return 2;
  }
  const elements = Array.isArray(body)
    ? body
    : body !== null && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events)
      ? (body as { events: unknown[] }).events
      : [body];

  const resolver = createConversionResolver({ rules: base.rules, accounts: base.accounts.map((a) => a.id) });
  // One reading of the clock, as the HTTP routes take one receipt time per request: an unreadable
  // happenedAt is stood in for by the receipt time, which a later "now" would call the future.
  const receivedAt = io.now();
  const buildOptions = {
    version: base.linkedin.version,
    now: receivedAt,
    hashNames: base.identity.hashNames,
    hashIp: base.identity.hashIp,
    cleanCompanySuffix: base.identity.cleanCompanySuffix,
  };
  let n = 0;
  const plan = planIngest(elements.map(nativeDraft), {
    resolve: (c) => resolver.resolve(c),
    build: (input) => buildConversionEvent(input, buildOptions),
    source: 'cli',
    receivedAt,
    newId: () => `validate-${++n}`,
  });
  const results = previewIngest(plan);
  const invalid = results.filter((r) => r.status === 'rejected').length;

  if (opts.json) {
    io.print(JSON.stringify({ valid: results.length - invalid, invalid, results }, null, 2));
  } else {
    for (const [i, r] of results.entries()) io.print(formatResult(r, i));
    io.print(`${results.length - invalid} valid, ${invalid} invalid`);
  }
  return invalid === 0 ? 0 : 1;
}

function formatResult(r: EventResult, index: number): string {
  const head = `#${index} eventId=${r.eventId ?? '(none)'}: ${r.status === 'rejected' ? 'INVALID' : 'ok'}`;
  const lines = [head];
  for (const e of r.errors ?? []) lines.push(`  error   ${e.code} at ${e.path ?? '/'}: ${e.message}`);
  for (const w of r.warnings ?? []) lines.push(`  warning ${w.code} at ${w.path ?? '/'}: ${w.message}`);
  if (r.payload) lines.push(`  LinkedIn payload: ${JSON.stringify(r.payload)}`);
  return lines.join('\n');
}

/**
 * JSON.parse's complaint without the slice of input V8 quotes in some of its messages (`Unexpected
 * token 'a', "{"e": ada@exampl"... is not valid JSON`): the input may hold raw emails or names.
 */
export function jsonSyntaxText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
}
