import { describe, expect, it } from 'vitest';
import { runValidate, type ValidateIo } from '../src/cli/validate.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

function io(text: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ValidateIo = {
    readText: () => text,
    print: (l) => out.push(l),
    printErr: (l) => err.push(l),
    now: () => NOW,
  };
  return { io, out, err };
}

describe('capi validate', () => {
  it('prints the hashed LinkedIn payload and exits 0 for valid events (sandbox rules)', async () => {
    const { io: x, out } = io(
      JSON.stringify({
        conversion: 'lead',
        eventId: 'e1',
        happenedAt: NOW - 60_000,
        user: { email: ' Buyer@Example.COM ' },
      }),
    );
    const code = await runValidate('-', {}, x, {});
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('urn:lla:llaPartnerConversion:');
    expect(text).toContain('SHA256_EMAIL');
    expect(text).not.toMatch(/buyer@example\.com/i);
    expect(text).toContain('1 valid, 0 invalid');
  });

  it('lists findings with code and path and exits 1', async () => {
    const { io: x, out } = io(
      JSON.stringify({
        events: [
          {
            conversion: 'lead',
            eventId: 'e1',
            happenedAt: Math.floor(NOW / 1000),
            user: { email: 'a@b.co' },
          },
          { conversion: 'nope', eventId: 'e2', happenedAt: NOW, user: { email: 'a@b.co' } },
        ],
      }),
    );
    const code = await runValidate('-', { json: true }, x, {});
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as {
      invalid: number;
      results: Array<{ errors?: Array<{ code: string; path: string }> }>;
    };
    expect(report.invalid).toBe(2);
    expect(report.results[0]?.errors?.[0]?.code).toBe('HAPPENED_AT_SECONDS');
    expect(report.results[1]?.errors?.[0]).toMatchObject({ code: 'CONVERSION_UNKNOWN', path: '/conversion' });
  });

  it('lists every problem of an event in one run, not the first one only', async () => {
    const { io: x, out } = io(
      JSON.stringify({ conversion: 'nope', eventId: 'e3', happenedAt: 'last week', user: {} }),
    );
    expect(await runValidate('-', { json: true }, x, {})).toBe(1);
    const report = JSON.parse(out.join('\n')) as {
      results: Array<{ errors?: Array<{ code: string; path: string }> }>;
    };
    expect(report.results[0]?.errors?.map((e) => e.code)).toEqual([
      'HAPPENED_AT_INVALID',
      'CONVERSION_UNKNOWN',
      'NO_IDENTIFIER',
    ]);
  });

  it('reads the clock once: an unreadable happenedAt is not also called the future', async () => {
    const { io: x, out } = io(
      JSON.stringify({
        conversion: 'lead',
        eventId: 'e1',
        happenedAt: '2026-13-45',
        user: { email: 'a@b.co' },
      }),
    );
    // A clock that moves on at every reading, as a real one may between two readings.
    let ticks = 0;
    x.now = () => NOW + ticks++;
    expect(await runValidate('-', { json: true }, x, {})).toBe(1);
    const report = JSON.parse(out.join('\n')) as { results: Array<{ errors?: Array<{ code: string }> }> };
    expect(report.results[0]?.errors?.map((e) => e.code)).toEqual(['HAPPENED_AT_INVALID']);
    expect(ticks).toBe(1);
  });

  it('reads a file that starts with a UTF-8 byte order mark', async () => {
    const event = { conversion: 'lead', eventId: 'e1', happenedAt: NOW - 60_000, user: { email: 'a@b.co' } };
    const { io: x, out, err } = io(`\uFEFF${JSON.stringify(event)}`);
    expect(await runValidate('events.json', {}, x, {})).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toContain('1 valid, 0 invalid');
  });

  it('validates against live rules without source keys or an ad account, which it does not use', async () => {
    const {
      io: x,
      out,
      err,
    } = io(
      JSON.stringify({
        conversion: 'lead',
        eventId: 'e1',
        happenedAt: NOW - 60_000,
        user: { email: 'a@b.co' },
      }),
    );
    const env = { LINKEDIN_ACCESS_TOKEN: 'tok', CAPI_CONVERSIONS: 'lead=22285180' };
    expect(await runValidate('-', {}, x, env)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toContain('urn:lla:llaPartnerConversion:22285180');
  });

  it('refuses input that is not JSON with exit code 2', async () => {
    const { io: x, err } = io('{oops');
    expect(await runValidate('events.json', {}, x, {})).toBe(2);
    expect(err.join('')).toContain('events.json is not valid JSON');
  });

  it.each([
    ['an unquoted email', '{"user": {"email": ada.lovelace@example.com}}', "Unexpected token 'a'"],
    ['an email as the whole input', 'ada.lovelace@example.com', "Unexpected token 'a'"],
    [
      'text after the document',
      '{"eventId": "e1"} ada.lovelace@example.com',
      'Unexpected non-whitespace character after JSON at position 18',
    ],
  ])('says why input with %s is not JSON without quoting it', async (_name, text, why) => {
    const { io: x, err } = io(text);
    expect(await runValidate('-', {}, x, {})).toBe(2);
    const said = err.join('');
    expect(said).toContain(`stdin is not valid JSON: ${why}`);
    expect(said).not.toMatch(/ada|lovel|example/);
  });
});
