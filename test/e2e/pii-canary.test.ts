/**
 * PII canary: unique canary emails and names go in through every ingest route (accepted, rejected
 * and validate_only), then the database files, the logs, the metrics, every response and every
 * request LinkedIn received are searched for them. Nothing may be found in plain text; the
 * LinkedIn token and the source key must not be found outside the requests that carry them either.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SEED } from '@capi-gateway/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type GatewayProcess, spawnGateway } from '../support/processes.js';
import {
  ADMIN_TOKEN,
  gatewayEnv,
  RULES,
  type SandboxHandle,
  SOURCE_KEY,
  startSandbox,
  tempDir,
} from './harness.js';

describe('PII canary', () => {
  let sb: SandboxHandle;
  let tmp: ReturnType<typeof tempDir>;
  let gw: GatewayProcess;

  beforeAll(async () => {
    sb = await startSandbox({ recordBodies: 'full' });
    tmp = tempDir('canary');
    gw = await spawnGateway(
      gatewayEnv(sb.url, `sqlite:${tmp.dir}/gateway.db`, {
        CAPI_IDENTITY_HASH_NAMES: 'true',
        LINKEDIN_VERSION: '202609',
        CAPI_LOG_LEVEL: 'trace',
      }),
    );
  });

  afterAll(async () => {
    await gw?.kill9().catch(() => undefined);
    await sb?.stop();
    tmp?.cleanup();
  });

  it('finds no canary in the database, logs, metrics, responses or LinkedIn requests', async () => {
    const tag = randomUUID().replace(/-/g, '').slice(0, 12);
    const email = (n: number) => `Canary.${tag}.${n}@Pii-Canary.test`;
    const first = `Zyxfirst${tag}`;
    const last = `Qwvlast${tag}`;
    const canaries = [first, last, ...Array.from({ length: 8 }, (_, i) => email(i))];
    const now = Date.now() - 60_000;
    const bearer = { authorization: `Bearer ${SOURCE_KEY}`, 'content-type': 'application/json' };
    const responses: string[] = [];
    const post = async (path: string, body: unknown, headers: Record<string, string> = bearer) => {
      const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      responses.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${text}`);
      return res.status;
    };
    const user = (n: number) => ({
      email: email(n),
      firstName: first,
      lastName: last,
      companyName: 'Canary Inc',
    });

    // Native: accepted, rejected (seconds timestamp), validate_only.
    expect(
      await post('/v1/events', { conversion: 'lead', eventId: `c-${tag}-0`, happenedAt: now, user: user(0) }),
    ).toBe(200);
    expect(
      await post('/v1/events', {
        conversion: 'lead',
        eventId: `c-${tag}-1`,
        happenedAt: Math.floor(now / 1000),
        user: user(1),
      }),
    ).toBe(422);
    expect(
      await post('/v1/events?validate_only=true', {
        conversion: 'lead',
        eventId: `c-${tag}-2`,
        happenedAt: now,
        user: user(2),
      }),
    ).toBe(200);
    // Native with the email in a field where it does not belong (context).
    await post('/v1/events', {
      conversion: 'lead',
      eventId: `c-${tag}-3`,
      happenedAt: now,
      user: { email: email(3) },
      context: { note: email(3), owner: first },
    });
    // Segment-compatible: track (Basic auth) and batch (Bearer).
    const basic = {
      authorization: `Basic ${Buffer.from(`${SOURCE_KEY}:`).toString('base64')}`,
      'content-type': 'application/json',
    };
    await post(
      '/v1/track',
      {
        type: 'track',
        event: 'lead',
        messageId: `c-${tag}-4`,
        timestamp: new Date(now).toISOString(),
        context: { traits: { email: email(4), firstName: first, lastName: last } },
        properties: {},
      },
      basic,
    );
    await post('/v1/batch', {
      batch: [
        {
          type: 'track',
          event: 'purchase',
          messageId: `c-${tag}-5`,
          timestamp: new Date(now).toISOString(),
          properties: { email: email(5), revenue: 12.5, currency: 'EUR' },
        },
        { type: 'identify', messageId: `c-${tag}-6`, traits: { email: email(6), firstName: first } },
      ],
    });
    // LinkedIn-compatible drop-in: plain names with a hashed email, and a schema error echoing nothing.
    await post('/rest/conversionEvents', {
      conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
      conversionHappenedAt: now,
      eventId: `c-${tag}-7`,
      user: { userIds: [], userInfo: { firstName: first, lastName: last } },
    });
    await post('/rest/conversionEvents', {
      conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
      conversionHappenedAt: now,
      user: { userIds: [{ idType: 'EMAIL', idValue: email(7) }] },
    });

    // Wait for delivery of the accepted ones, then read everything back through the admin API.
    await eventually(() => sb.sandbox.events().length >= 4, 30_000, 'canary events delivered');
    for (let i = 0; i <= 7; i++) {
      const res = await fetch(`${gw.url}/v1/events/c-${tag}-${i}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      responses.push(await res.text());
    }
    const dead = await fetch(`${gw.url}/v1/dead-letters`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    responses.push(await dead.text());
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();

    expect(await gw.terminate()).toBe(0);
    const dbBytes = readdirSync(tmp.dir)
      .map((f) => readFileSync(join(tmp.dir, f)).toString('latin1'))
      .join('\n');
    const linkedinSaw = sb.sandbox
      .requests()
      .map((r) => `${JSON.stringify(r.headers)} ${r.body ?? ''}`)
      .join('\n');
    const haystacks: Record<string, string> = {
      database: dbBytes,
      logs: gw.output(),
      metrics,
      responses: responses.join('\n'),
      linkedin: linkedinSaw,
    };
    expect(dbBytes.length).toBeGreaterThan(0);
    expect(gw.output().length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(haystacks)) {
      const lower = text.toLowerCase();
      for (const canary of canaries) {
        expect(lower.includes(canary.toLowerCase()), `${canary} found in ${where}`).toBe(false);
      }
    }
    // Secrets: the LinkedIn token only travels in LinkedIn requests, the source key nowhere stored.
    for (const where of ['database', 'logs', 'metrics', 'responses'] as const) {
      expect(haystacks[where]!.includes(DEMO_SEED.tokens.valid), `LinkedIn token found in ${where}`).toBe(
        false,
      );
      expect(haystacks[where]!.includes(SOURCE_KEY), `source key found in ${where}`).toBe(false);
      expect(haystacks[where]!.includes(ADMIN_TOKEN), `admin token found in ${where}`).toBe(false);
    }
  }, 120_000);
});
