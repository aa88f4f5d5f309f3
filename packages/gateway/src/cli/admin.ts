/**
 * Admin commands (`status`, `dlq list`, `dlq redrive`, `accounts paused`, `accounts resume`) talk to a running gateway over its admin API,
 * so they work the same against SQLite (owned by one process) and PostgreSQL.
 */
import { maskCredentialsInText, redactUrlCredentials } from '../redact-url.js';

/** What the gateway's error bodies hold, as far as the CLI prints them. */
interface ErrorShape {
  code?: string;
  message?: string;
  fix?: string;
  details?: Array<{ code?: string; path?: string; message?: string }>;
}

/** The filters of `capi dlq list`, as typed; `dlq summary` takes all but the paging. */
interface DlqListFilter {
  rule?: string;
  account?: string;
  reason?: string;
  since?: string;
  limit?: string;
  cursor?: string;
}

export type AdminCommand =
  | { kind: 'status'; eventId: string }
  | { kind: 'dlq-list'; filter: DlqListFilter }
  | { kind: 'dlq-summary'; filter: Omit<DlqListFilter, 'limit' | 'cursor'> }
  | {
      kind: 'dlq-redrive';
      filter: {
        rule?: string;
        account?: string;
        reason?: string;
        since?: string;
        id?: string[];
        eventId?: string[];
        /** Move nothing; print what the filters match. */
        dryRun?: boolean;
      };
    }
  | { kind: 'accounts-paused' }
  | { kind: 'accounts-resume'; account: string };

interface AdminOptions {
  url: string;
  token?: string;
  json?: boolean;
}

type Print = (line: string) => void;

/** Returns the process exit code: 0 ok, 1 not found / API error, 2 usage error. */
export async function runAdminCommand(
  command: AdminCommand,
  opts: AdminOptions,
  print: Print = (l) => process.stdout.write(`${l}\n`),
  printErr: Print = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  if (!opts.token) {
    printErr('capi: an admin token is required: pass --token or set CAPI_ADMIN_TOKEN');
    return 2;
  }
  const base = opts.url.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' };
  let res: Response;
  try {
    if (command.kind === 'status') {
      res = await fetch(`${base}/v1/events/${encodeURIComponent(command.eventId)}`, { headers });
    } else if (command.kind === 'dlq-list' || command.kind === 'dlq-summary') {
      const q = new URLSearchParams();
      const f: DlqListFilter = command.filter;
      if (f.rule) q.set('ruleId', f.rule);
      if (f.account) q.set('account', f.account);
      if (f.reason) q.set('reason', f.reason);
      if (f.since) q.set('since', f.since);
      if (f.limit) q.set('limit', f.limit);
      if (f.cursor) q.set('cursor', f.cursor);
      const route = command.kind === 'dlq-list' ? '/v1/dead-letters' : '/v1/dead-letters/summary';
      res = await fetch(`${base}${route}?${q}`, { headers });
    } else if (command.kind === 'accounts-paused') {
      res = await fetch(`${base}/v1/accounts/paused`, { headers });
    } else if (command.kind === 'accounts-resume') {
      res = await fetch(`${base}/v1/accounts/${encodeURIComponent(command.account)}/resume`, {
        method: 'POST',
        headers,
      });
    } else {
      const f = command.filter;
      const body = {
        ...(f.id ? { ids: f.id } : {}),
        ...(f.eventId ? { eventIds: f.eventId } : {}),
        ...(f.rule ? { ruleId: f.rule } : {}),
        ...(f.account ? { account: f.account } : {}),
        ...(f.reason ? { reason: f.reason } : {}),
        // As given: the gateway reads ISO-8601 and epoch milliseconds alike, and says which it refuses.
        ...(f.since ? { since: f.since } : {}),
      };
      if (Object.keys(body).length === 0) {
        printErr('capi: dlq redrive needs --id, --event-id, --rule, --account, --reason or --since');
        return 2;
      }
      res = await fetch(`${base}/v1/dead-letters/redrive`, {
        method: 'POST',
        headers,
        body: JSON.stringify(f.dryRun ? { ...body, dryRun: true } : body),
      });
    }
  } catch (err) {
    // Credentials in the URL (CAPI_URL=http://user:password@…) are not printed; fetch's own
    // message quotes the URL too.
    const message = maskCredentialsInText((err as Error).message);
    printErr(
      `capi: cannot reach the gateway at ${redactUrlCredentials(base)}: ${message}. Is it running? (--url / CAPI_URL, else CAPI_HOST and CAPI_PORT)`,
    );
    return 1;
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  if (!res.ok) {
    const error = (data as { error?: ErrorShape }).error;
    printErr(`capi: ${res.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim());
    // The server's details name each field at fault, which the summary line above does not.
    for (const d of error?.details ?? []) printErr(`  ${d.path ?? ''}: ${d.message ?? d.code ?? ''}`);
    if (error?.fix) printErr(`fix: ${error.fix}`);
    return 1;
  }
  if (opts.json) {
    print(JSON.stringify(data, null, 2));
    return 0;
  }
  print(formatAdminResult(command, data));
  return 0;
}

/** Human-readable rendering; identifiers are never in these answers, only their types. */
export function formatAdminResult(command: AdminCommand, data: unknown): string {
  if (command.kind === 'dlq-redrive') {
    const answer = data as { redriven?: number; dryRun?: boolean; matched?: number; groups?: unknown[] };
    if (!answer.dryRun) return `redriven: ${answer.redriven ?? 0}`;
    const groups = formatAdminResult(
      { kind: 'dlq-summary', filter: {} },
      { groups: answer.groups, total: answer.matched },
    );
    return `dry run, nothing moved: ${answer.matched ?? 0} dead letters match\n${groups}`;
  }
  if (command.kind === 'dlq-list') {
    const items = ((data as { deadLetters?: unknown[] }).deadLetters ?? []) as Array<Record<string, unknown>>;
    if (items.length === 0) return 'no dead letters';
    const rows = items.map((d) => [d.id, d.eventId, d.ruleId, d.lastReason, d.deadAt].map(String).join('  '));
    const next = (data as { nextCursor?: string | null }).nextCursor;
    const more = next ? [`more: capi dlq list --cursor ${next} (with the same filters)`] : [];
    return ['id  eventId  rule  reason  deadAt', ...rows, ...more].join('\n');
  }
  if (command.kind === 'dlq-summary') {
    const groups = ((data as { groups?: unknown[] }).groups ?? []) as Array<Record<string, unknown>>;
    if (groups.length === 0) return 'no dead letters';
    const lines = ['count  account  rule  reason  newest  oldest'];
    for (const g of groups) {
      lines.push(
        [g.count, g.account, g.ruleId, g.reason, g.newestDeadAt, g.oldestDeadAt].map(String).join('  '),
      );
      if (typeof g.fix === 'string') lines.push(`  fix: ${g.fix}`);
    }
    lines.push(`total: ${(data as { total?: number }).total ?? 0}`);
    return lines.join('\n');
  }
  if (command.kind === 'accounts-paused') {
    const pauses = ((data as { pauses?: unknown[] }).pauses ?? []) as Array<Record<string, unknown>>;
    if (pauses.length === 0) return 'no account is paused';
    const rows = pauses.map((p) => [p.account, p.reason, p.until ?? 'until resumed'].map(String).join('  '));
    return ['account  reason  until', ...rows].join('\n');
  }
  if (command.kind === 'accounts-resume') {
    const resumed = (data as { resumed?: string[] }).resumed ?? [];
    return `resumed: ${resumed.join(', ') || 'none'}`;
  }
  if (command.kind === 'status') {
    const events = ((data as { events?: unknown[] }).events ?? []) as StatusView[];
    if (events.length > 0) return events.map(formatStatus).join('\n\n');
  }
  return JSON.stringify(data, null, 2);
}

/** What `capi status` reads of an event view (GET /v1/events/{eventId}). */
interface StatusView {
  id?: string;
  eventId?: string;
  ruleId?: string;
  account?: string;
  source?: string;
  state?: string;
  attemptCount?: number;
  nextAttemptAt?: string | null;
  deliveredAt?: string | null;
  lastReason?: string | null;
  lastResponse?: string | null;
  identifierTypes?: string[];
  consent?: boolean | null;
  attempts?: Array<{
    at?: string;
    status?: number;
    outcome?: string;
    requestId?: string | null;
    batchSize?: number;
    durationMs?: number;
    errorBody?: string | null;
  }>;
}

/** LinkedIn's error bodies can be long; a line of the status shows their start. */
const BODY_SHOWN = 200;

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > BODY_SHOWN ? `${line.slice(0, BODY_SHOWN)}…` : line;
}

function formatStatus(e: StatusView): string {
  const tries = `${e.attemptCount ?? 0} attempt${e.attemptCount === 1 ? '' : 's'}`;
  let state = `${e.state} (${tries})`;
  if (e.state === 'delivered' && e.deliveredAt) state = `delivered at ${e.deliveredAt} (${tries})`;
  if ((e.state === 'queued' || e.state === 'retrying') && e.nextAttemptAt) {
    state = `${e.state}, next attempt at ${e.nextAttemptAt} (${tries} so far)`;
  }
  const consent = e.consent === true ? 'granted' : e.consent === false ? 'denied' : 'not given';
  const lines = [
    `${e.eventId}  rule ${e.ruleId}  account ${e.account}  source ${e.source}  (id ${e.id})`,
    `  state:       ${state}`,
  ];
  if (e.lastReason) lines.push(`  reason:      ${e.lastReason}`);
  if (e.lastResponse) lines.push(`  response:    ${clip(e.lastResponse)}`);
  lines.push(`  identifiers: ${(e.identifierTypes ?? []).join(', ') || 'none'}   consent: ${consent}`);
  const attempts = e.attempts ?? [];
  if (attempts.length > 0) lines.push('  LinkedIn requests, newest first:');
  for (const a of attempts) {
    const request = a.requestId ? `  request ${a.requestId}` : '';
    const error = a.errorBody ? `  ${clip(a.errorBody)}` : '';
    lines.push(
      `    ${a.at}  ${a.status} ${a.outcome}  batch ${a.batchSize}  ${a.durationMs} ms${request}${error}`,
    );
  }
  return lines.join('\n');
}
