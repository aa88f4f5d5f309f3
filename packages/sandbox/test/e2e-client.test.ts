/**
 * Our LinkedIn client against the sandbox: the sandbox is the oracle. Only this test file imports
 * the client; the sandbox's sources never do.
 */
import {
  type ConversionEvent,
  type FetchLike,
  LinkedInApiError,
  LinkedInClient,
  needsReconsent,
} from '@capi-gateway/linkedin';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SEED, ruleUrn, type Sandbox } from '../src/index.js';
import { DAY, event, NOW, sandbox } from './helpers.js';

const BASE = 'http://sandbox.test';

/** The client's fetch seam wired to the sandbox in-process: no sockets. */
const inProcess =
  (sb: Sandbox): FetchLike =>
  (url, init) =>
    Promise.resolve(sb.app.request(url, init));

function client(sb: Sandbox, token: string | (() => string) = DEMO_SEED.tokens.valid) {
  return new LinkedInClient({ accessToken: token, baseUrl: BASE, oauthBaseUrl: BASE, fetch: inProcess(sb) });
}

const raw = (events: Record<string, unknown>[]) => events.map((e) => JSON.stringify(e));
/** Test events are plain objects; some are deliberately malformed, hence no static typing. */
const one = (e: Record<string, unknown>) => e as unknown as ConversionEvent;

describe('client ↔ sandbox (in-process)', () => {
  it('delivers a batch', async () => {
    const sb = sandbox();
    const result = await client(sb).sendBatchRaw(raw([event({ eventId: 'a' }), event({ eventId: 'b' })]));
    expect(result).toMatchObject({ kind: 'delivered', status: 200 });
    expect(sb.events().map((e) => e.eventId)).toEqual(['a', 'b']);
  });

  it('a business rejection names the offending indices and stores nothing', async () => {
    const sb = sandbox();
    const result = await client(sb).sendBatchRaw(
      raw([
        event(),
        event({ conversionHappenedAt: NOW - 91 * DAY }),
        event(),
        event({ conversionHappenedAt: NOW + DAY }),
      ]),
    );
    expect(result).toMatchObject({ kind: 'rejected', status: 400, indices: [1, 3] });
    expect(sb.events()).toHaveLength(0);
    // Removing the named elements and resending the rest goes through.
    const retry = await client(sb).sendBatchRaw(raw([event(), event()]));
    expect(retry.kind).toBe('delivered');
  });

  it('a schema rejection names indices from the "Index: N," lines', async () => {
    const sb = sandbox();
    const result = await client(sb).sendBatchRaw(
      raw([
        event(),
        event({ conversionValue: { currencyCode: 'EUR', amount: 19.9 } }),
        event({ user: { userIds: [], userInfo: { firstName: 'x' } }, extra: true }),
      ]),
    );
    expect(result).toMatchObject({ kind: 'rejected', status: 422, indices: [1, 2] });
  });

  it('an unknown rule is "forbidden, unknown rule"; an expired token asks for reauth', async () => {
    const sb = sandbox();
    const unknown = await client(sb).sendEvent(one(event({ conversion: ruleUrn('1') })));
    expect(unknown).toMatchObject({ kind: 'forbidden', unknownRule: true });
    const expired = await client(sb, DEMO_SEED.tokens.expired).sendEvent(one(event()));
    expect(expired).toMatchObject({ kind: 'reauth', status: 401, revoked: false });
    const revoked = await client(sb, DEMO_SEED.tokens.revoked).sendEvent(one(event()));
    expect(revoked).toMatchObject({ kind: 'reauth', revoked: true });
  });

  it('429 is "retry" with no server-given delay; the budget returns in the next minute', async () => {
    const sb = sandbox({ limits: { perMinute: 2 } });
    const c = client(sb);
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await c.sendBatchRaw(raw([event()]))).kind);
    expect(kinds).toEqual(['delivered', 'delivered', 'retry']);
    const throttled = await c.sendBatchRaw(raw([event()]));
    expect(throttled).toMatchObject({ kind: 'retry', status: 429, afterMs: null, reason: 'throttled' });
    sb.clock.setNow(NOW + 60_000);
    expect((await c.sendBatchRaw(raw([event()]))).kind).toBe('delivered');
    // Over the whole run the sandbox never accepted more than 2 requests in a minute.
    const minutes = sb.stats().tokens[DEMO_SEED.tokens.valid]?.minutes ?? [];
    expect(minutes.map((m) => m.count)).toEqual([4, 1]);
    expect(sb.stats().byStatus).toEqual({ '200': 3, '429': 2 });
  });

  it('refreshes an expired token and delivers with the new one', async () => {
    const sb = sandbox();
    let token: string = DEMO_SEED.tokens.expired;
    const c = client(sb, () => token);
    expect((await c.sendEvent(one(event()))).kind).toBe('reauth');
    const oauth = { clientId: DEMO_SEED.oauth.clientId, clientSecret: DEMO_SEED.oauth.clientSecret };
    const fresh = await c.refreshAccessToken(oauth, DEMO_SEED.oauth.refreshToken);
    expect(fresh).toMatchObject({ expiresIn: 5_184_000, refreshToken: DEMO_SEED.oauth.refreshToken });
    token = fresh.accessToken;
    expect((await c.sendEvent(one(event()))).kind).toBe('delivered');
  });

  it('an expired refresh token means a new consent', async () => {
    const sb = sandbox();
    sb.clock.setNow(NOW + 400 * DAY);
    const oauth = { clientId: DEMO_SEED.oauth.clientId, clientSecret: DEMO_SEED.oauth.clientSecret };
    const err = await client(sb)
      .refreshAccessToken(oauth, DEMO_SEED.oauth.refreshToken)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LinkedInApiError);
    expect(needsReconsent(err)).toBe(true);
  });

  it('reads rules, accounts and associations through the client', async () => {
    const c = client(sandbox());
    const rules = await c.listConversionRules(DEMO_SEED.account.id);
    expect(rules.map((r) => String(r.id))).toEqual(Object.values(DEMO_SEED.rules));
    const accounts = await c.listAdAccounts();
    expect(accounts.map((a) => a.account)).toEqual([DEMO_SEED.account.urn]);
    const associations = await c.listCampaignAssociations([DEMO_SEED.campaigns.retargeting]);
    expect(associations.map((a) => a.conversion)).toEqual([
      ruleUrn(DEMO_SEED.rules.sql),
      ruleUrn(DEMO_SEED.rules.purchase),
    ]);
  });
});

describe('client ↔ sandbox over a real socket', () => {
  let running: Sandbox | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('a dropped connection is a network "retry"', async () => {
    running = sandbox({ faults: { timeout: { afterMs: 50 } } });
    const { url } = await running.start();
    const c = new LinkedInClient({ accessToken: DEMO_SEED.tokens.valid, baseUrl: url, timeoutMs: 5000 });
    const result = await c.sendBatchRaw(raw([event()]));
    expect(result).toMatchObject({ kind: 'retry', status: 0 });
    running.setFaults({});
    expect((await c.sendBatchRaw(raw([event()]))).kind).toBe('delivered');
    await c.close();
  });

  it("a hang is cut by the client's own timeout", async () => {
    running = sandbox({ faults: { timeout: { mode: 'hang' } } });
    const { url } = await running.start();
    const c = new LinkedInClient({ accessToken: DEMO_SEED.tokens.valid, baseUrl: url, timeoutMs: 200 });
    const result = await c.sendBatchRaw(raw([event()]));
    expect(result).toMatchObject({ kind: 'retry', status: 0 });
    expect(result.kind === 'retry' && result.reason).toMatch(/timeout|aborted|network/);
    await c.close();
  });
});
