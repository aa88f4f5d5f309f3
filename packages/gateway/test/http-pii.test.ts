/**
 * PII canary: unique emails, names, IP addresses and a secret key are sent through every ingest
 * route, in the right fields and in wrong ones. Afterwards none of them may appear in any response,
 * any field the store returns, the SQLite file itself, or any log line.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@capi-gateway/linkedin';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxStore } from '../src/ports.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { basic, HOUR, harness, KEYS, NOW, nativeEvent, post, RULES, testConfig } from './http-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function canaries() {
  const run = randomUUID().replaceAll('-', '').slice(0, 10);
  return {
    run,
    email: `canary.${run}@pii-canary.example`,
    first: `Zorbafirst${run}`,
    last: `Quxlast${run}`,
    ip: '81.2.69.142',
    secret: `canary-secret-${run}`,
  };
}
type Canaries = ReturnType<typeof canaries>;
const encoded = encodeURIComponent;

/** Sends canaries through every route, in proper and improper places; returns every response text. */
async function sendCanaries(
  h: ReturnType<typeof harness>,
  c: Canaries,
  validateOnly: boolean,
): Promise<{ texts: string[]; eventIds: string[] }> {
  const texts: string[] = [];
  const eventIds: string[] = [];
  const id = (name: string) => {
    const eventId = `${name}-${c.run}`;
    eventIds.push(eventId);
    return eventId;
  };
  const send = async (path: string, body: unknown, options: Parameters<typeof post>[3] = {}) => {
    const res = await post(h, path, body, options);
    texts.push(`${res.status} ${[...res.headers].join(' ')} ${await res.text()}`);
  };
  const user = {
    email: ` ${c.email.toUpperCase()} `,
    firstName: c.first,
    lastName: c.last,
    ip: c.ip,
    companyName: 'Acme',
  };

  // Native: proper fields, then personal data where it does not belong.
  await send('/v1/events', nativeEvent({ eventId: id('native'), user }));
  await send('/v1/events', {
    events: [
      nativeEvent({ eventId: id('native-batch'), user, context: { accountDomain: 'acme.example' } }),
      nativeEvent({ eventId: c.email }),
      nativeEvent({ eventId: id('ctx-value'), context: { owner: c.email } }),
      nativeEvent({ eventId: id('ctx-key'), context: { [c.email]: 1 } }),
      nativeEvent({ eventId: id('ctx-encoded'), context: { u: `https://x.example/?e=${encoded(c.email)}` } }),
      nativeEvent({
        eventId: id('ctx-encoded-twice'),
        context: { u: `https://x.example/?next=${encoded(`/?e=${encoded(c.email)}`)}` },
      }),
      nativeEvent({ eventId: id('external'), user: { externalId: c.email } }),
      nativeEvent({
        eventId: id('first-is-email'),
        user: { email: c.email, firstName: c.email, lastName: c.last },
      }),
      nativeEvent({ eventId: id('unknown-key'), user: { [c.email]: c.first } }),
      nativeEvent({ eventId: id('alias'), conversion: c.email }),
      nativeEvent({ eventId: id('phone'), user: { email: c.email, phone: c.first } }),
      nativeEvent({ eventId: id('hash-is-email'), user: { sha256Email: c.email } }),
    ],
  });
  if (validateOnly)
    await send('/v1/events', nativeEvent({ eventId: id('dry'), user }), { query: 'validate_only=true' });
  await send('/v1/events', null, { raw: `{"eventId":"x","user":{"email":"${c.email}"` });
  await send('/v1/events', nativeEvent({ user }), { key: c.secret });
  await send('/v1/events', nativeEvent({ user }), {
    key: null,
    headers: { authorization: `Basic ${c.secret}` },
  });

  // LinkedIn-compatible: hashed email and plain names as LinkedIn takes them, then mistakes.
  const liUser = {
    userIds: [
      { idType: 'SHA256_EMAIL', idValue: sha256Hex(c.email) },
      { idType: 'PLAINTEXT_IP_ADDRESS', idValue: c.ip },
    ],
    userInfo: { firstName: c.first, lastName: c.last },
  };
  const li = (eventId: string, extra: Record<string, unknown> = {}) => ({
    conversion: `urn:lla:llaPartnerConversion:${RULES.lead}`,
    conversionHappenedAt: NOW - HOUR,
    eventId,
    user: liUser,
    ...extra,
  });
  await send('/rest/conversionEvents', li(id('li')));
  await send(
    '/rest/conversionEvents',
    { elements: [li(id('li-batch'))] },
    { headers: { 'x-restli-method': 'BATCH_CREATE' } },
  );
  for (const mistake of [
    li(id('li-raw'), { user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: c.email }] } }),
    li(id('li-ext'), { user: { userIds: [], externalIds: [c.email] } }),
    li(c.email),
    li(id('li-key'), { [c.email]: 1 }),
    li(id('li-name'), { user: { userIds: [], userInfo: { firstName: c.email, lastName: c.last } } }),
  ]) {
    await send('/rest/conversionEvents', mistake);
  }
  if (validateOnly) await send('/rest/conversionEvents', li(id('li-dry')), { query: 'validate_only=true' });
  await send('/rest/conversionEvents', li(id('li-auth')), { key: c.secret });

  // Segment-compatible.
  const call = (messageId: string, extra: Record<string, unknown> = {}) => ({
    type: 'track',
    event: 'Lead',
    messageId,
    timestamp: new Date(NOW - HOUR).toISOString(),
    context: { ip: c.ip, traits: { email: c.email, firstName: c.first, lastName: c.last, company: 'Acme' } },
    properties: { email: c.email },
    ...extra,
  });
  await send('/v1/track', call(id('seg')), { key: null, headers: { authorization: basic(KEYS.website) } });
  await send('/v1/batch', {
    batch: [
      call(id('seg-batch')),
      call(c.email),
      call(id('seg-fat'), { properties: { li_fat_id: c.email } }),
      { type: 'identify', messageId: id('seg-identify'), traits: { email: c.email, name: c.first } },
    ],
  });
  if (validateOnly) await send('/v1/track', call(id('seg-dry')), { query: 'validate_only=true' });
  await send(
    '/v1/batch',
    { batch: [call(id('seg-auth'))] },
    { key: null, headers: { authorization: basic(c.secret) } },
  );
  return { texts, eventIds };
}

async function storedText(
  store: OutboxStore,
  eventIds: string[],
): Promise<{ all: string; payloads: string; rest: string }> {
  const rows = (await Promise.all(eventIds.map((id) => store.findByEventId(id)))).flat();
  rows.push(...(await store.listDead({ limit: 1000 })));
  const audits = await Promise.all(rows.map((r) => store.auditForEvent(r.id)));
  const payloads = rows.map((r) => r.payload).join('\n');
  const rest = JSON.stringify([
    rows.map(({ payload: _payload, ...other }) => other),
    audits,
    await store.stats(),
  ]);
  return { all: `${payloads}\n${rest}`, payloads, rest };
}

function sqliteStore() {
  const dir = mkdtempSync(join(tmpdir(), 'capi-pii-'));
  dirs.push(dir);
  const clock = { now: () => NOW };
  return { dir, store: createSqliteStore({ path: join(dir, 'gateway.db'), clock }) };
}

/** Every byte of the database directory (main file, WAL, lock) as text. */
function filesText(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

function forbidden(c: Canaries, includeNames: boolean): string[] {
  const out = [
    c.email,
    c.email.toUpperCase(),
    `canary.${c.run}@`,
    `canary.${c.run}%40`,
    `canary.${c.run}%2540`,
    c.secret,
  ];
  if (includeNames) out.push(c.first, c.last, c.first.toLowerCase(), c.last.toLowerCase(), c.ip);
  return out;
}

describe('PII canary', () => {
  it('with name and IP hashing on, no canary appears in responses, stored rows, the database file or logs', async () => {
    const { dir, store } = sqliteStore();
    await store.migrate();
    const config = testConfig({ yaml: 'identity: { hashNames: true, hashIp: true }\n' });
    const h = harness({ config, store });
    const c = canaries();
    const { texts, eventIds } = await sendCanaries(h, c, true);
    const stored = await storedText(store, eventIds);
    // The proper events were stored (so the scan looks at real rows), hashed.
    expect(stored.payloads).toContain(sha256Hex(c.email));
    expect(stored.payloads).toContain(sha256Hex(c.first.toLowerCase()));
    expect((await store.stats()).byState.queued).toBeGreaterThanOrEqual(6);
    await store.close();

    const places = {
      responses: texts.join('\n'),
      stored: stored.all,
      files: filesText(dir),
      logs: h.logs.join(''),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const canary of forbidden(c, true)) {
        expect(text.includes(canary), `${canary} found in ${place}`).toBe(false);
      }
    }
  });

  it('with defaults, emails never appear; plain names live only inside the payload awaiting delivery', async () => {
    const h = harness();
    const c = canaries();
    const { texts, eventIds } = await sendCanaries(h, c, false);
    const stored = await storedText(h.store, eventIds);
    expect(stored.payloads).toContain(c.first);

    const places = {
      responses: texts.join('\n'),
      storedOutsidePayload: stored.rest,
      payloads: stored.payloads,
      logs: h.logs.join(''),
    };
    for (const [place, text] of Object.entries(places)) {
      const banned = place === 'payloads' ? forbidden(c, false) : forbidden(c, true);
      for (const canary of banned) {
        expect(text.includes(canary), `${canary} found in ${place}`).toBe(false);
      }
    }
  });
});
