import { describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/index.js';
import { event, get, json, postEvent, sandbox } from './helpers.js';

describe('response headers', () => {
  it('every response carries a fresh X-LI-UUID and x-restli-protocol-version 2.0.0', async () => {
    const sb = sandbox();
    const responses = [
      await postEvent(sb, event()),
      await postEvent(sb, { bad: true }),
      await get(sb, '/rest/nothingHere'),
      await sb.app.request('/oauth/v2/accessToken', { method: 'POST', body: '' }),
      await sb.app.request('/__sandbox/stats'),
    ];
    const ids = new Set<string>();
    for (const res of responses) {
      const id = res.headers.get('x-li-uuid');
      expect(id).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      ids.add(id as string);
      expect(res.headers.get('x-restli-protocol-version')).toBe('2.0.0');
    }
    expect(ids.size).toBe(responses.length);
  });

  it('never sends Retry-After or rate-limit headers', async () => {
    const sb = sandbox({ limits: { perMinute: 0 } });
    const res = await postEvent(sb, event());
    expect(res.status).toBe(429);
    expect([...res.headers.keys()].filter((h) => /retry-after|ratelimit/i.test(h))).toEqual([]);
  });
});

describe('routing errors', () => {
  it('unknown resources give the Rest.li 404', async () => {
    const res = await get(sandbox(), '/rest/conversionEvent');
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({
      message: "No root resource defined for path '/conversionEvent'",
      status: 404,
    });
  });

  it('unsupported methods give 400 naming the method', async () => {
    const res = await get(sandbox(), '/rest/conversionEvents');
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe(
      "GET operation not supported for URI '/conversionEvents' with X-RestLi-Method ''",
    );
  });

  it('an unsupported X-RestLi-Method on conversionEvents gives 400', async () => {
    const res = await postEvent(sandbox(), event(), { 'X-RestLi-Method': 'BATCH_DELETE' });
    expect(res.status).toBe(400);
  });

  it('malformed JSON gives 400', async () => {
    const res = await postEvent(sandbox(), '{"conversion":');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ message: 'Cannot parse request entity', status: 400 });
  });

  it('malformed Rest.li syntax in a query gives 400', async () => {
    const res = await get(sandbox(), `/rest/adAccounts?q=search&search=(status:(values:List(ACTIVE)`);
    expect(res.status).toBe(400);
    expect(String((await json(res)).message)).toMatch(/^Invalid Rest.li syntax/);
  });

  it('accepts the header names in any case', async () => {
    const res = await sandbox().app.request('/rest/conversionEvents', {
      method: 'POST',
      headers: { 'linkedin-version': '202609', authorization: `bearer ${DEMO_SEED.tokens.valid}` },
      body: JSON.stringify(event()),
    });
    expect(res.status).toBe(201);
  });
});
