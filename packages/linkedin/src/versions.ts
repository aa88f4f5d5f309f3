/**
 * The one place the LinkedIn API version is pinned.
 *
 * LinkedIn releases a version every month and sunsets each about a year later; a sunset version
 * is answered with 426 NONEXISTENT_VERSION, and the latest version is never applied by default.
 * Sunset dates are copied from LinkedIn's "Migrations" page (read 2026-09-23):
 * https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations
 * Change log: https://learn.microsoft.com/en-us/linkedin/marketing/integrations/recent-changes
 *
 * Only documented versions are listed; add a row when LinkedIn publishes its sunset date.
 */

export const LINKEDIN_VERSIONS: ReadonlyArray<{ version: string; sunset: string }> = Object.freeze([
  { version: '202510', sunset: '2026-10-15' },
  { version: '202511', sunset: '2026-11-16' },
  // 202512 was never released.
  { version: '202601', sunset: '2027-01-15' },
  { version: '202602', sunset: '2027-02-15' },
  { version: '202603', sunset: '2027-03-16' },
  { version: '202604', sunset: '2027-04-15' },
  { version: '202605', sunset: '2027-05-15' },
  { version: '202606', sunset: '2027-06-15' },
  { version: '202607', sunset: '2027-07-15' },
  { version: '202608', sunset: '2027-08-17' },
  { version: '202609', sunset: '2027-09-15' },
]);

/** The newest documented version; also the first with hashedFirstName/hashedLastName. */
export const DEFAULT_LINKEDIN_VERSION = '202609';

/** Warn this many days before the pinned version's sunset. */
export const SUNSET_WARNING_DAYS = 60;

/** First version that accepts hashedFirstName/hashedLastName. */
export const HASHED_NAMES_SINCE = '202609';

const DAY_MS = 86_400_000;

/** The last version that passed, so the per-event check is one comparison in the usual case. */
let lastValid = '';

/** 'YYYYMM' with a month 01–12 and a year from 2020 on. */
export function isVersionString(version: string): boolean {
  if (version === lastValid) return true;
  if (typeof version !== 'string' || version.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    const c = version.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const month = Number(version.slice(4));
  const ok = month >= 1 && month <= 12 && Number(version.slice(0, 4)) >= 2020;
  if (ok) lastValid = version;
  return ok;
}

/** Both versions are 'YYYYMM', so string order is chronological order. */
export function versionAtLeast(version: string, minimum: string): boolean {
  return version >= minimum;
}

export function supportsHashedNames(version: string): boolean {
  return isVersionString(version) && versionAtLeast(version, HASHED_NAMES_SINCE);
}

export interface VersionStatus {
  /** False when the version is past its sunset, was never released, or is malformed. */
  active: boolean;
  /** YYYY-MM-DD, null when LinkedIn has not documented it. */
  sunset: string | null;
  /** Whole days until sunset (rounded up); negative after it; null when unknown. */
  daysLeft: number | null;
  /** A sentence to log at start-up, or null when all is well. */
  warning: string | null;
}

/**
 * Where a version stands at `now`. The sunset day itself counts as sunset (00:00 UTC), because
 * LinkedIn switches versions off during that day.
 */
export function versionStatus(version: string, now: number): VersionStatus {
  if (!isVersionString(version)) {
    return {
      active: false,
      sunset: null,
      daysLeft: null,
      warning: 'LinkedIn-Version must be written YYYYMM.',
    };
  }
  const row = LINKEDIN_VERSIONS.find((v) => v.version === version);
  if (!row) {
    const newest = LINKEDIN_VERSIONS[LINKEDIN_VERSIONS.length - 1]?.version ?? DEFAULT_LINKEDIN_VERSION;
    if (version > newest) {
      return {
        active: true,
        sunset: null,
        daysLeft: null,
        warning: `LinkedIn-Version ${version} is newer than the versions this SDK knows; its sunset date is unknown.`,
      };
    }
    return {
      active: false,
      sunset: null,
      daysLeft: null,
      warning: `LinkedIn-Version ${version} is not an active LinkedIn version; use ${DEFAULT_LINKEDIN_VERSION}.`,
    };
  }
  const daysLeft = Math.ceil((Date.parse(`${row.sunset}T00:00:00Z`) - now) / DAY_MS);
  if (daysLeft <= 0) {
    return {
      active: false,
      sunset: row.sunset,
      daysLeft,
      warning: `LinkedIn-Version ${version} was sunset on ${row.sunset}; LinkedIn answers 426. Use ${DEFAULT_LINKEDIN_VERSION}.`,
    };
  }
  const warning =
    daysLeft <= SUNSET_WARNING_DAYS
      ? `LinkedIn-Version ${version} is sunset on ${row.sunset} (in ${daysLeft} days); move to a newer version.`
      : null;
  return { active: true, sunset: row.sunset, daysLeft, warning };
}
