/**
 * `capi dlq list` and `capi dlq redrive`: what they ask the admin API, seen by a server that
 * records each request and answers as the gateway does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdminCommand, formatAdminResult, runAdminCommand } from '../src/cli/admin.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function recorder(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const listening = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      res.end(req.method === 'POST' ? '{"redriven":0}' : '{"deadLetters":[],"count":0}');
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, seen };
}

async function capi(command: AdminCommand, url: string) {
  const err: string[] = [];
  const code = await runAdminCommand(
    command,
    { url, token: 'admin-token-0123456789abcdef' },
    () => {},
    (l) => err.push(l),
  );
  return { code, err };
}

describe('capi dlq --since', () => {
  it('lists the dead letters since a time, passed on as the since query parameter', async () => {
    const { url, seen } = await recorder();
    const since = '2026-11-20T00:00:00Z';
    expect((await capi({ kind: 'dlq-list', filter: { reason: 'rejected', since } }, url)).code).toBe(0);
    const query = new URL(seen[0]?.url ?? '', url).searchParams;
    expect(seen[0]?.method).toBe('GET');
    expect(query.get('since')).toBe(since);
    expect(query.get('reason')).toBe('rejected');
  });

  it('redrives the dead letters since a time, since alone being filter enough', async () => {
    const { url, seen } = await recorder();
    expect((await capi({ kind: 'dlq-redrive', filter: { since: '1795000000000' } }, url)).code).toBe(0);
    expect(seen[0]?.method).toBe('POST');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ since: '1795000000000' });
  });

  it('names --since among the filters a bare redrive lacks', async () => {
    const { url, seen } = await recorder();
    const { code, err } = await capi({ kind: 'dlq-redrive', filter: {} }, url);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--since');
    expect(seen).toEqual([]);
  });
});

describe('capi dlq list --cursor', () => {
  it('asks for the page after the cursor, with the same filters', async () => {
    const { url, seen } = await recorder();
    const cursor = 'MTc5NTAwMDAwMDAwMDphYmM';
    expect((await capi({ kind: 'dlq-list', filter: { reason: 'expired', cursor } }, url)).code).toBe(0);
    const query = new URL(seen[0]?.url ?? '', url).searchParams;
    expect(query.get('cursor')).toBe(cursor);
    expect(query.get('reason')).toBe('expired');
  });

  it('prints each dead letter with its dead-letter time, and how to ask for the next page when there is one', () => {
    const command: AdminCommand = { kind: 'dlq-list', filter: {} };
    const row = {
      id: 'i1',
      eventId: 'e1',
      ruleId: '7',
      lastReason: 'rejected',
      deadAt: '2026-12-01T00:00:00.000Z',
    };
    const full = formatAdminResult(command, { deadLetters: [row], count: 1, nextCursor: 'NEXT' }).split('\n');
    expect(full).toEqual([
      'id  eventId  rule  reason  deadAt',
      'i1  e1  7  rejected  2026-12-01T00:00:00.000Z',
      'more: capi dlq list --cursor NEXT (with the same filters)',
    ]);
    const last = formatAdminResult(command, { deadLetters: [row], count: 1, nextCursor: null });
    expect(last).not.toContain('more:');
  });
});

describe('capi status', () => {
  const command: AdminCommand = { kind: 'status', eventId: 'e1' };

  it('prints each stored event as a block: state, reason, identifiers and LinkedIn requests', () => {
    const text = formatAdminResult(command, {
      events: [
        {
          id: 'i1',
          eventId: 'e1',
          ruleId: '7',
          account: '9',
          source: 'web',
          state: 'dead',
          attemptCount: 1,
          nextAttemptAt: null,
          deliveredAt: null,
          lastReason: 'rejected',
          lastResponse: `{"message":"${'x'.repeat(300)}"}`,
          identifierTypes: ['SHA256_EMAIL', 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID'],
          consent: null,
          attempts: [
            {
              at: 'T1',
              status: 400,
              outcome: 'rejected',
              requestId: 'r1',
              batchSize: 5,
              durationMs: 12,
              errorBody: '{"m":1}',
            },
          ],
        },
        {
          id: 'i2',
          eventId: 'e1',
          ruleId: '8',
          account: '9',
          source: 'web',
          state: 'retrying',
          attemptCount: 2,
          nextAttemptAt: 'T9',
          deliveredAt: null,
          lastReason: 'http_503',
          lastResponse: null,
          identifierTypes: [],
          consent: false,
          attempts: [],
        },
      ],
    });
    const [dead, retrying] = text.split('\n\n');
    expect(dead?.split('\n')).toEqual([
      'e1  rule 7  account 9  source web  (id i1)',
      '  state:       dead (1 attempt)',
      '  reason:      rejected',
      `  response:    {"message":"${'x'.repeat(188)}…`,
      '  identifiers: SHA256_EMAIL, LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID   consent: not given',
      '  LinkedIn requests, newest first:',
      '    T1  400 rejected  batch 5  12 ms  request r1  {"m":1}',
    ]);
    expect(retrying?.split('\n')).toEqual([
      'e1  rule 8  account 9  source web  (id i2)',
      '  state:       retrying, next attempt at T9 (2 attempts so far)',
      '  reason:      http_503',
      '  identifiers: none   consent: denied',
    ]);
  });

  it('falls back to the answer as JSON when it holds no events', () => {
    expect(formatAdminResult(command, { events: [] })).toBe(JSON.stringify({ events: [] }, null, 2));
  });
});

describe('capi dlq summary', () => {
  it('asks the summary route with the filters', async () => {
    const { url, seen } = await recorder();
    expect((await capi({ kind: 'dlq-summary', filter: { rule: '7', since: '2026-12-01' } }, url)).code).toBe(
      0,
    );
    const asked = new URL(seen[0]?.url ?? '', url);
    expect(asked.pathname).toBe('/v1/dead-letters/summary');
    expect(asked.searchParams.get('ruleId')).toBe('7');
    expect(asked.searchParams.get('since')).toBe('2026-12-01');
  });

  it('prints a line per group, the fix under it when there is one, and the total', () => {
    const command: AdminCommand = { kind: 'dlq-summary', filter: {} };
    const group = { account: '9', ruleId: '7', newestDeadAt: 'N', oldestDeadAt: 'O' };
    const text = formatAdminResult(command, {
      groups: [
        { ...group, reason: 'rejected', count: 3, fix: 'Fix the data.' },
        { ...group, reason: 'mystery', count: 1, fix: null },
      ],
      total: 4,
    });
    expect(text.split('\n')).toEqual([
      'count  account  rule  reason  newest  oldest',
      '3  9  7  rejected  N  O',
      '  fix: Fix the data.',
      '1  9  7  mystery  N  O',
      'total: 4',
    ]);
    expect(formatAdminResult(command, { groups: [], total: 0 })).toBe('no dead letters');
  });
});

describe('capi dlq redrive --dry-run', () => {
  it('asks for a dry run with the filters', async () => {
    const { url, seen } = await recorder();
    expect(
      (await capi({ kind: 'dlq-redrive', filter: { reason: 'rejected', dryRun: true } }, url)).code,
    ).toBe(0);
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ reason: 'rejected', dryRun: true });
  });

  it('says that nothing moved, how many match, and the groups', () => {
    const command: AdminCommand = { kind: 'dlq-redrive', filter: { reason: 'rejected', dryRun: true } };
    const group = {
      account: '9',
      ruleId: '7',
      reason: 'rejected',
      count: 2,
      newestDeadAt: 'N',
      oldestDeadAt: 'O',
      fix: null,
    };
    expect(
      formatAdminResult(command, { redriven: 0, dryRun: true, matched: 2, groups: [group] }).split('\n'),
    ).toEqual([
      'dry run, nothing moved: 2 dead letters match',
      'count  account  rule  reason  newest  oldest',
      '2  9  7  rejected  N  O',
      'total: 2',
    ]);
    expect(formatAdminResult(command, { redriven: 3 })).toBe('redriven: 3');
  });
});
