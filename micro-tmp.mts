import { buildConversionEvent, sha256Hex, normalizeEmail, cleanCompanyName, normalizeIp, normalizeLiFatId, cleanPlainName, normalizeCountryCode } from './packages/linkedin/src/index.ts';
const NOW = Date.parse('2026-11-22T12:00:00Z');
const N = 100000;
const emails = Array.from({ length: N }, (_, i) => `buyer.${i}@example.com`);
const inputs = Array.from({ length: N }, (_, i) => ({
  conversion: String(7345120 + (i % 4)), happenedAt: NOW - 60000 - (i % 86400) * 1000, eventId: `ord-${i}`,
  value: i % 3 === 0 ? { amount: 19.9 + (i % 100), currency: 'eur' } : { amount: `${i % 500}.00`, currency: 'USD' },
  user: { email: emails[i], liFatId: `df5gf5-${i}`, ip: `203.0.${(i >> 8) & 255}.${i & 255 || 1}`, firstName: 'Jane', lastName: 'Doe', companyName: 'Acme, Inc.', countryCode: 'de' },
}));
function cpu(label: string, fn: () => void) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const c = process.cpuUsage(); fn(); const d = process.cpuUsage(c); best = Math.min(best, (d.user + d.system) / 1000); }
  console.log(label.padEnd(20), (N / best * 1000 | 0).toString().padStart(9), '/s', best.toFixed(1), 'ms');
}
const opts = { version: '202609', now: NOW, cleanCompanySuffix: true };
const built = inputs.map((x) => { const r = buildConversionEvent(x, opts); if (!r.ok) throw 1; return r.event; });
cpu('sha256', () => { for (const e of emails) sha256Hex(e); });
cpu('normalizeEmail', () => { for (const e of emails) normalizeEmail(e); });
cpu('company', () => { for (let i = 0; i < N; i++) cleanCompanyName('Acme, Inc.'); });
cpu('ip', () => { for (const x of inputs) normalizeIp(x.user.ip); });
cpu('lifat', () => { for (const x of inputs) normalizeLiFatId(x.user.liFatId); });
cpu('plainName', () => { for (let i = 0; i < N; i++) cleanPlainName('Jane'); });
cpu('country', () => { for (let i = 0; i < N; i++) normalizeCountryCode('de'); });
cpu('stringify', () => { for (const e of built) JSON.stringify(e); });
cpu('build', () => { for (const x of inputs) buildConversionEvent(x, opts); });
cpu('build+stringify', () => { for (const x of inputs) { const r = buildConversionEvent(x, opts); if (r.ok) JSON.stringify(r.event); } });
