import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinkedInTransport, NO_TOKEN_BODY } from '../src/linkedin-transport.js';

const BASE = 'https://api.linkedin.test';
const payloads = ['{"eventId":"a"}', '{"eventId":"b"}'];

let agent: MockAgent;
const tokens = new Map<string, string | null>([['500100', 'token-one']]);

function transport() {
  return createLinkedInTransport({
    baseUrl: BASE,
    version: '202609',
    timeoutMs: 2_000,
    tokenFor: (account) => tokens.get(account) ?? null,
    dispatcher: agent,
  });
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  agent
    .get(BASE)
    .intercept({ path: '/rest/conversionEvents', method: 'POST' })
    .reply(status, typeof body === 'string' ? body : JSON.stringify(body), {
      headers: { 'content-type': 'application/json', 'x-li-uuid': 'uuid-1', ...headers },
    });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  tokens.set('500100', 'token-one');
});
afterEach(async () => {
  await agent.close();
});

describe('LinkedIn transport', () => {
  it('sends one BATCH_CREATE with the account token and version, and reads the request id', async () => {
    let seen: { headers: Record<string, string>; body: string } | null = null;
    agent
      .get(BASE)
      .intercept({ path: '/rest/conversionEvents', method: 'POST' })
      .reply((req) => {
        seen = { headers: req.headers as Record<string, string>, body: String(req.body) };
        return {
          statusCode: 200,
          data: JSON.stringify({ elements: [{ status: 201 }, { status: 201 }] }),
          responseOptions: { headers: { 'x-li-uuid': 'uuid-ok' } },
        };
      });
    const t = transport();
    expect(await t.sendBatch('500100', payloads)).toEqual({
      kind: 'delivered',
      status: 200,
      requestId: 'uuid-ok',
    });
    expect(seen!.headers).toMatchObject({
      Authorization: 'Bearer token-one',
      'LinkedIn-Version': '202609',
      'X-RestLi-Method': 'BATCH_CREATE',
    });
    expect(JSON.parse(seen!.body)).toEqual({ elements: [{ eventId: 'a' }, { eventId: 'b' }] });
    await t.close();
  });

  it('maps each LinkedIn answer onto the port outcome', async () => {
    const t = transport();
    reply(400, {
      message: 'Conversion time should be within 90 days, indices [1] (0-indexed).',
      status: 400,
    });
    expect(await t.sendBatch('500100', payloads)).toMatchObject({
      kind: 'rejected',
      status: 400,
      indices: [1],
    });

    reply(401, { status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'revoked' });
    expect(await t.sendBatch('500100', payloads)).toMatchObject({ kind: 'reauth', revoked: true });

    reply(403, { message: 'No ad accounts found', status: 403 });
    expect(await t.sendBatch('500100', payloads)).toMatchObject({ kind: 'forbidden', unknownRule: true });

    reply(426, {
      status: 426,
      code: 'NONEXISTENT_VERSION',
      message: 'Requested version 202509 is not active',
    });
    expect(await t.sendBatch('500100', payloads)).toMatchObject({
      kind: 'config',
      code: 'NONEXISTENT_VERSION',
    });

    reply(429, { message: 'throttled', status: 429 }, { 'retry-after': '30' });
    expect(await t.sendBatch('500100', payloads)).toEqual({
      kind: 'retry',
      status: 429,
      requestId: 'uuid-1',
      afterMs: 30_000,
      reason: 'throttled',
      body: '{"message":"throttled","status":429}',
    });
    await t.close();
  });

  it('passes on elements a 200 still reports as failed', async () => {
    const t = transport();
    reply(200, { elements: [{ status: 201 }, { status: 400, error: { message: 'bad' } }] });
    expect(await t.sendBatch('500100', payloads)).toMatchObject({
      kind: 'delivered',
      elementErrors: [{ index: 1, status: 400, message: 'bad' }],
    });
    await t.close();
  });

  it('turns a network failure into a retry with status 0', async () => {
    const t = transport();
    agent
      .get(BASE)
      .intercept({ path: '/rest/conversionEvents', method: 'POST' })
      .replyWithError(new Error('ECONNRESET'));
    expect(await t.sendBatch('500100', payloads)).toMatchObject({
      kind: 'retry',
      status: 0,
      requestId: null,
    });
    await t.close();
  });

  it('answers reauth without a request when the account has no token', async () => {
    const t = transport();
    expect(await t.sendBatch('999', payloads)).toEqual({
      kind: 'reauth',
      status: 0,
      requestId: null,
      revoked: false,
      body: NO_TOKEN_BODY,
    });
    agent.assertNoPendingInterceptors();
    await t.close();
  });

  it('uses a replaced token from the next request on', async () => {
    const auth: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      agent
        .get(BASE)
        .intercept({ path: '/rest/conversionEvents', method: 'POST' })
        .reply((req) => {
          auth.push((req.headers as Record<string, string>).Authorization ?? '');
          return { statusCode: 200, data: '{"elements":[]}' };
        });
    }
    const t = transport();
    await t.sendBatch('500100', payloads);
    tokens.set('500100', 'token-two');
    await t.sendBatch('500100', payloads);
    expect(auth).toEqual(['Bearer token-one', 'Bearer token-two']);
    await t.close();
  });

  it('leaves an injected dispatcher open on close', async () => {
    const t = transport();
    await t.close();
    reply(200, { elements: [] });
    const again = transport();
    expect((await again.sendBatch('500100', payloads)).kind).toBe('delivered');
    await again.close();
  });
});
