import { createSandbox, DEMO_SEED, ruleUrn } from './src/index.js';
import { parseBatch } from './src/routes/conversion-events.js';
const sb = createSandbox({ keepEvents: 100_000 });
const now = Date.now();
const ev = (i: number) => ({ conversion: ruleUrn(DEMO_SEED.rules.lead), conversionHappenedAt: now - 1000 - i, eventId: `evt-${i}-abcdef`, conversionValue: { currencyCode: 'EUR', amount: '129.00' }, user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }, { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'df5gf5-gh6t7-ph4j7h-fgf6n1' }], userInfo: { firstName: 'Jane', lastName: 'Doe', companyName: 'Example GmbH', countryCode: 'DE' } } });
const body = JSON.stringify({ elements: Array.from({ length: 5000 }, (_, i) => ev(i)) });
console.log('body bytes', body.length);
const H = { Authorization: `Bearer ${DEMO_SEED.tokens.valid}`, 'LinkedIn-Version': '202609', 'X-RestLi-Method': 'BATCH_CREATE', 'Content-Type': 'application/json' };
for (let k = 0; k < 3; k++) { const t = performance.now(); const parsed = JSON.parse(body); const t1 = performance.now(); parseBatch(parsed, 202609); const t2 = performance.now(); console.log(`JSON.parse ${(t1 - t).toFixed(1)} ms, schema ${(t2 - t1).toFixed(1)} ms`); }
const times: number[] = [];
for (let k = 0; k < 20; k++) {
  const t = performance.now();
  const r = await sb.app.request('/rest/conversionEvents', { method: 'POST', headers: H, body });
  await r.text();
  times.push(performance.now() - t);
  if (r.status !== 200) console.log(r.status);
}
times.sort((a, b) => a - b);
console.log('full request ms median', times[10].toFixed(1), 'max', times[19].toFixed(1), 'mem MB', (process.memoryUsage().heapUsed / 1e6).toFixed(0));
for (const opts of [{ recordBodies: 'none' as const, keepEvents: false }, { recordBodies: 'full' as const, keepEvents: false }, { recordBodies: 'none' as const, keepEvents: 100000 }]) {
  const s2 = createSandbox(opts);
  const ts: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    const r = await s2.app.request('/rest/conversionEvents', { method: 'POST', headers: H, body });
    await r.text();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log(JSON.stringify(opts), 'median', ts[10].toFixed(1));
}
{
  const ts: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    const req = new Request('http://x/rest', { method: 'POST', headers: H, body });
    const txt = await req.text();
    JSON.parse(txt);
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  console.log('baseline Request+text+parse median', ts[10].toFixed(1));
}
