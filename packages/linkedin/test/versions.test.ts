import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LINKEDIN_VERSION,
  LINKEDIN_VERSIONS,
  supportsHashedNames,
  versionStatus,
} from '../src/index.js';
import { DAY, NOW } from './fixtures.js';

describe('LINKEDIN_VERSIONS', () => {
  it('lists documented versions in order with ISO sunset dates, without 202512', () => {
    const versions = LINKEDIN_VERSIONS.map((v) => v.version);
    expect(versions).toEqual([...versions].sort());
    expect(versions).not.toContain('202512');
    for (const v of LINKEDIN_VERSIONS) expect(v.sunset).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(LINKEDIN_VERSIONS.find((v) => v.version === '202601')?.sunset).toBe('2027-01-15');
  });
  it('defaults to an active version of at least 202609, far from its sunset', () => {
    expect(DEFAULT_LINKEDIN_VERSION >= '202609').toBe(true);
    const s = versionStatus(DEFAULT_LINKEDIN_VERSION, NOW);
    expect(s).toMatchObject({ active: true, warning: null });
    expect(s.daysLeft).toBeGreaterThan(60);
  });
});

describe('versionStatus', () => {
  it('warns within 60 days of sunset (202601 on 2026-11-22 has 54 days left)', () => {
    const s = versionStatus('202601', NOW);
    expect(s).toMatchObject({ active: true, sunset: '2027-01-15', daysLeft: 54 });
    expect(s.warning).toMatch(/2027-01-15/);
  });
  it('does not warn at 61 days and warns at exactly 60', () => {
    const sunset = Date.parse('2027-01-15T00:00:00Z');
    expect(versionStatus('202601', sunset - 61 * DAY).warning).toBeNull();
    expect(versionStatus('202601', sunset - 60 * DAY).warning).not.toBeNull();
  });
  it('reports sunset versions as inactive, from the sunset day on', () => {
    expect(versionStatus('202511', NOW)).toMatchObject({ active: false, sunset: '2026-11-16' });
    expect(versionStatus('202601', Date.parse('2027-01-15T00:00:00Z')).active).toBe(false);
    expect(versionStatus('202601', Date.parse('2027-01-14T23:59:59Z')).active).toBe(true);
  });
  it('treats unlisted old versions as inactive and unlisted newer ones as unknown', () => {
    expect(versionStatus('202509', NOW).active).toBe(false);
    expect(versionStatus('202512', NOW).active).toBe(false);
    const newer = versionStatus('202703', NOW);
    expect(newer).toMatchObject({ active: true, sunset: null, daysLeft: null });
    expect(newer.warning).toMatch(/unknown/);
  });
  it('refuses malformed versions', () => {
    for (const v of ['2026-09', '20269', '202613', '202600', 'latest']) {
      expect(versionStatus(v, NOW)).toMatchObject({
        active: false,
        warning: expect.stringMatching(/YYYYMM/),
      });
    }
  });
  it('knows which versions have hashed names', () => {
    expect(supportsHashedNames('202608')).toBe(false);
    expect(supportsHashedNames('202609')).toBe(true);
    expect(supportsHashedNames('garbage')).toBe(false);
  });
});
