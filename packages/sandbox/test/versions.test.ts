import { describe, expect, it } from 'vitest';
import { activeVersions, isActiveVersion, versionInfo } from '../src/versions.js';
import { DAY, event, json, NOW, postEvent, sandbox } from './helpers.js';

describe('version table', () => {
  it('knows the documented sunsets', () => {
    expect(versionInfo('202601')?.sunsetAt).toBe(Date.UTC(2027, 0, 15));
    expect(versionInfo('202608')?.sunsetAt).toBe(Date.UTC(2027, 7, 17));
    expect(versionInfo('202609')?.documented).toBe(true);
  });

  it('has no December versions and rejects malformed values', () => {
    expect(versionInfo('202512')).toBeUndefined();
    expect(versionInfo('2026-09')).toBeUndefined();
    expect(versionInfo('202613')).toBeUndefined();
  });

  it('is date-aware: active between release and sunset', () => {
    expect(isActiveVersion('202511', NOW)).toBe(false); // sunset 2026-11-16
    expect(isActiveVersion('202511', Date.UTC(2026, 10, 15))).toBe(true);
    expect(isActiveVersion('202601', Date.UTC(2027, 0, 14))).toBe(true);
    expect(isActiveVersion('202601', Date.UTC(2027, 0, 15))).toBe(false);
    expect(isActiveVersion('202609', Date.UTC(2026, 7, 20))).toBe(false); // not released yet
  });

  it('projects later versions from the monthly pattern', () => {
    expect(isActiveVersion('202611', NOW)).toBe(true);
    expect(isActiveVersion('202612', NOW)).toBe(false);
    expect(isActiveVersion('202701', NOW)).toBe(false); // future
    expect(versionInfo('202611')?.sunsetAt).toBe(Date.UTC(2027, 10, 15));
  });

  it('lists active versions oldest first', () => {
    expect(activeVersions(NOW)).toEqual([
      '202601',
      '202602',
      '202603',
      '202604',
      '202605',
      '202606',
      '202607',
      '202608',
      '202609',
      '202610',
      '202611',
    ]);
  });
});

describe('LinkedIn-Version header', () => {
  it('missing gives 400 VERSION_MISSING with X-Restli-Gateway-Error', async () => {
    const sb = sandbox();
    const res = await postEvent(sb, event(), { 'LinkedIn-Version': '' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-restli-gateway-error')).toBe('true');
    expect(await json(res)).toEqual({
      status: 400,
      code: 'VERSION_MISSING',
      message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
    });
  });

  it('a sunset version gives 426 NONEXISTENT_VERSION', async () => {
    const res = await postEvent(sandbox(), event(), { 'LinkedIn-Version': '202510' });
    expect(res.status).toBe(426);
    expect(await json(res)).toEqual({
      status: 426,
      code: 'NONEXISTENT_VERSION',
      message: 'Requested version 202510 is not active',
    });
  });

  it('an unknown version gives 426 too', async () => {
    for (const v of ['202512', '2026-09', 'latest']) {
      const res = await postEvent(sandbox(), event(), { 'LinkedIn-Version': v });
      expect(res.status).toBe(426);
      expect((await json(res)).message).toBe(`Requested version ${v} is not active`);
    }
  });

  it('follows the injected clock: 202601 dies on 2027-01-15', async () => {
    const sb = sandbox();
    const ok = await postEvent(sb, event(), { 'LinkedIn-Version': '202601' });
    expect(ok.status).toBe(201);
    sb.clock.setNow(Date.UTC(2027, 0, 15, 0, 0, 1));
    const gone = await postEvent(sb, event({ conversionHappenedAt: sb.clock.now() - DAY }), {
      'LinkedIn-Version': '202601',
    });
    expect(gone.status).toBe(426);
  });

  it('is checked before the token', async () => {
    const res = await postEvent(sandbox(), event(), { 'LinkedIn-Version': '', Authorization: '' });
    expect(res.status).toBe(400);
  });
});
