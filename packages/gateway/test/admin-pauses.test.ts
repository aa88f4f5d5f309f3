/**
 * Delivery pauses seen and lifted by an operator: the admin routes and the `capi accounts` and
 * `capi status` / `capi dlq` commands, against a listening gateway whose worker delivers to a
 * scripted transport (LinkedIn refusing the token first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../src/cli/admin.js';
import { PAUSE_INDEFINITELY } from '../src/domain/delivery-plan.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import type { DeliveryOutcome, LinkedInTransport, OutboxStore } from '../src/ports.js';
import { createMemoryStore } from '../src/store/memory.js';
import { ACCOUNT, harness, KEYS, nativeEvent, testConfig } from './http-harness.js';

let running: Gateway | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const refused: DeliveryOutcome = {
  kind: 'reauth',
  status: 401,
  requestId: 'req-401',
  revoked: false,
  body: '{"status":401,"code":"EXPIRED_ACCESS_TOKEN"}',
};
const accepted: DeliveryOutcome = { kind: 'delivered', status: 200, requestId: 'req-200' };

/** Answers 401 while `refusing` is true, then 200; counts requests. */
function linkedIn() {
  const state = { refusing: true, requests: 0 };
  const transport: LinkedInTransport = {
    async sendBatch() {
      state.requests += 1;
      return state.refusing ? refused : accepted;
    },
  };
  return { state, transport };
}

async function listening(transport: LinkedInTransport, store: OutboxStore = createMemoryStore()) {
  const logs: string[] = [];
  const gateway = await createGateway(
    testConfig({ env: { CAPI_PORT: '0', CAPI_HOST: '127.0.0.1', CAPI_DELIVERY_LINGER_MS: '0' } }),
    { store, transport, logger: createLogger('info', { write: (l: string) => void logs.push(l) }) },
  );
  running = gateway;
  const { url } = await gateway.listen();
  return { url, logs, gateway };
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs a CLI admin command, capturing what it prints. */
async function capi(
  command: Parameters<typeof runAdminCommand>[0],
  url: string,
  json = false,
  token: string = KEYS.admin,
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCommand(
    command,
    { url, token, json },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function ingest(url: string, eventId: string) {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS.website}`, 'content-type': 'application/json' },
    body: JSON.stringify(nativeEvent({ eventId })),
  });
  expect(res.status).toBe(200);
}

describe('delivery pauses, for operators', () => {
  it('shows a 401 pause, keeps the events, and delivers them once an operator resumes the account', async () => {
    const li = linkedIn();
    const { url, logs } = await listening(li.transport);
    await ingest(url, 'paused-1');

    const paused = await until('the pause', async () => {
      const r = await capi({ kind: 'accounts-paused' }, url, true);
      const pauses = (JSON.parse(r.out) as { pauses: unknown[] }).pauses;
      return pauses.length > 0 ? pauses : null;
    });
    expect(paused).toEqual([{ account: ACCOUNT, reason: 'reauth', until: null }]);
    const table = await capi({ kind: 'accounts-paused' }, url);
    expect(table.out).toContain(`${ACCOUNT}  reauth  until resumed`);

    // Kept, not dead: the event waits in the queue while the account is paused.
    const status = await capi({ kind: 'status', eventId: 'paused-1' }, url, true);
    expect(status.code).toBe(0);
    const [event] = (JSON.parse(status.out) as { events: Array<{ state: string }> }).events;
    expect(['queued', 'retrying']).toContain(event?.state);
    expect((await capi({ kind: 'dlq-list', filter: {} }, url)).out).toBe('no dead letters');
    await new Promise((r) => setTimeout(r, 300));
    expect(li.state.requests).toBe(1);

    // The token is replaced; the operator resumes the account.
    li.state.refusing = false;
    const unknown = await capi({ kind: 'accounts-resume', account: 'jane@example.com' }, url);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/404 NOT_FOUND .*configured: /);
    // The id asked for is client input, and is not repeated.
    expect(unknown.err).not.toContain('jane@example.com');
    const resumed = await capi({ kind: 'accounts-resume', account: ACCOUNT }, url);
    expect(resumed).toMatchObject({ code: 0, out: `resumed: ${ACCOUNT}` });
    await until('the delivery', async () => {
      const r = await capi({ kind: 'status', eventId: 'paused-1' }, url, true);
      const [e] = (JSON.parse(r.out) as { events: Array<{ state: string }> }).events;
      return e?.state === 'delivered' ? true : null;
    });
    expect((await capi({ kind: 'accounts-paused' }, url)).out).toBe('no account is paused');
    expect(logs.some((l) => l.includes('delivery pause lifted by an operator'))).toBe(true);
  });

  it('lifts a 401 pause from before a restart (the new token is tried), not a 429 pause', async () => {
    const store = createMemoryStore();
    const now = Date.now();
    await store.pauseAccount(ACCOUNT, PAUSE_INDEFINITELY, 'reauth');
    await store.pauseAccount('508999999', now + 600_000, 'throttled');
    const li = linkedIn();
    li.state.refusing = false;
    const { url, logs } = await listening(li.transport, store);
    await ingest(url, 'after-restart-1');
    await until('the delivery', async () => (li.state.requests > 0 ? true : null));
    const pauses = (await store.pausedAccounts(Date.now())).map((p) => [p.account, p.reason]);
    expect(pauses).toEqual([['508999999', 'throttled']]);
    expect(logs.some((l) => l.includes('token pause from before this start lifted'))).toBe(true);
  });

  it('without a worker, lifts the pause in the store and wakes delivery; "all" lifts every account', async () => {
    const h = harness();
    await h.store.pauseAccount(ACCOUNT, PAUSE_INDEFINITELY, 'revoked');
    const post = (path: string, key: string = KEYS.admin) =>
      h.app.request(`http://gateway.test${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
    expect((await post(`/v1/accounts/${ACCOUNT}/resume`, KEYS.website)).status).toBe(401);
    const res = await post('/v1/accounts/all/resume');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resumed: [ACCOUNT],
      wasPaused: [{ account: ACCOUNT, reason: 'revoked', until: null }],
    });
    expect(await h.store.pausedAccounts(h.clock.now())).toEqual([]);
    expect(h.wakeups()).toBe(1);
  });

  it("shows this instance's pause of all sending (a setup error), in the pauses and in /metrics, until resumed", async () => {
    let misconfigured = true;
    const transport: LinkedInTransport = {
      async sendBatch() {
        return misconfigured
          ? { kind: 'config', status: 404, requestId: null, code: 'HTTP_404', body: null }
          : accepted;
      },
    };
    const { url, gateway } = await listening(transport);
    await ingest(url, 'setup-1');
    const admin = { authorization: `Bearer ${KEYS.admin}` };
    const listed = await until('the pause of all sending', async () => {
      const { pauses } = (await (await fetch(`${url}/v1/accounts/paused`, { headers: admin })).json()) as {
        pauses: Array<{ account: string; reason: string; until: string | null }>;
      };
      return pauses.length > 0 ? pauses : null;
    });
    expect(listed).toEqual([{ account: 'all', reason: 'config', until: expect.any(String) }]);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain(
      'capigw_linkedin_account_paused{account="all",reason="config"} 1',
    );

    misconfigured = false;
    const resumed = await fetch(`${url}/v1/accounts/all/resume`, { method: 'POST', headers: admin });
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { resumed: string[] }).resumed[0]).toBe('all');
    expect(gateway.worker.processPause()).toBeNull();
    expect(await (await fetch(`${url}/metrics`)).text()).not.toContain('account="all"');
    await until('delivery', async () =>
      (await gateway.store.stats()).byState.delivered === 1 ? true : null,
    );
  });

  it('capi admin commands: usage and connection errors are exit codes with a reason', async () => {
    const li = linkedIn();
    const { url } = await listening(li.transport);
    const noToken = await capi({ kind: 'accounts-paused' }, url, false, '');
    expect(noToken.code).toBe(2);
    expect(noToken.err).toMatch(/admin token is required/);
    const wrong = await capi({ kind: 'accounts-paused' }, url, false, 'not-the-admin-token-at-all');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/401 AUTH_INVALID/);
    expect(wrong.err).toMatch(/^fix: /m);
    const missing = await capi({ kind: 'status', eventId: 'never-sent' }, url);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/404 NOT_FOUND/);
    // Credentials in the gateway's URL are never printed (fetch refuses such a URL, quoting it).
    const withPassword = url.replace('http://', 'http://admin:URLPASSCANARY@');
    const refused = await capi({ kind: 'accounts-paused' }, withPassword);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/cannot reach the gateway at http:\/\/admin:\*\*\*@/);
    expect(refused.err).not.toContain('URLPASSCANARY');
    const badLimit = await capi({ kind: 'dlq-list', filter: { limit: 'x' } }, url);
    expect(badLimit.code).toBe(1);
    expect(badLimit.err.split('\n')).toEqual([
      'capi: 400 QUERY_INVALID A query parameter has an invalid value.',
      '  query:limit: Must be a number.',
      expect.stringMatching(/^fix: /),
    ]);
    const redrive = await capi({ kind: 'dlq-redrive', filter: {} }, url);
    expect(redrive.code).toBe(2);
    const gone = await capi({ kind: 'accounts-paused' }, 'http://127.0.0.1:9');
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/cannot reach the gateway/);
  });
});
