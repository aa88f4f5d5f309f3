import { createSandbox, DEMO_SEED, ruleUrn } from './src/index.js';
const sb = createSandbox({ recordBodies: 'full' });
const now = Date.now();
const ev = (i: number) => ({ conversion: ruleUrn(DEMO_SEED.rules.lead), conversionHappenedAt: now - 1000 - i, eventId: `evt-${i}-abcdef`, conversionValue: { currencyCode: 'EUR', amount: '129.00' }, user: { userIds: [{ idType: 'SHA256_EMAIL', idValue: 'a'.repeat(64) }, { idType: 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID', idValue: 'df5gf5-gh6t7-ph4j7h-fgf6n1' }], userInfo: { firstName: 'Jane', lastName: 'Doe', companyName: 'Example GmbH', countryCode: 'DE' } } });
const body = JSON.stringify({ elements: Array.from({ length: 5000 }, (_, i) => ev(i)) });
const H = { Authorization: `Bearer ${DEMO_SEED.tokens.valid}`, 'LinkedIn-Version': '202609', 'X-RestLi-Method': 'BATCH_CREATE', 'Content-Type': 'application/json' };
const t = performance.now();
for (let k = 0; k < 100; k++) {
  const r = await sb.app.request('/rest/conversionEvents', { method: 'POST', headers: H, body });
  await r.text();
}
console.log('avg ms', ((performance.now() - t) / 100).toFixed(1));
