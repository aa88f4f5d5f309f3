/**
 * LinkedIn's monthly API versions and their sunsets. A version is active from its release until
 * its sunset date; the check is against the sandbox clock, so tests can travel to a sunset.
 *
 * Documented versions carry their published sunset dates. Versions after the last documented one
 * are projected from LinkedIn's pattern (a release each month except December, sunset about twelve
 * months later, mid-month) so that a sandbox running next year accepts next year's versions
 * instead of rejecting every client that upgraded.
 */
import type { MiddlewareHandler } from 'hono';
import type { SandboxEnv } from './context.js';
import { ERRORS } from './errors.js';

export interface VersionInfo {
  version: string;
  releasedAt: number;
  sunsetAt: number;
  documented: boolean;
}

/** Sunset dates as published (active on 2026-09-23). 202512 does not exist. */
const DOCUMENTED_SUNSETS: Readonly<Record<string, string>> = {
  '202510': '2026-10-15',
  '202511': '2026-11-16',
  '202601': '2027-01-15',
  '202602': '2027-02-15',
  '202603': '2027-03-16',
  '202604': '2027-04-15',
  '202605': '2027-05-15',
  '202606': '2027-06-15',
  '202607': '2027-07-15',
  '202608': '2027-08-17',
  '202609': '2027-09-15',
};

/** Looks up a `LinkedIn-Version` value; undefined when no such version was ever released. */
export function versionInfo(version: string): VersionInfo | undefined {
  const m = /^(\d{4})(\d{2})$/.exec(version);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  // LinkedIn skips December releases (202412 and 202512 were never published).
  if (month === 12) return undefined;
  const releasedAt = Date.UTC(year, month - 1, 1);
  const documented = DOCUMENTED_SUNSETS[version];
  const sunsetAt = documented ? Date.parse(`${documented}T00:00:00Z`) : Date.UTC(year + 1, month - 1, 15);
  return { version, releasedAt, sunsetAt, documented: documented !== undefined };
}

export function isActiveVersion(version: string, now: number): boolean {
  const info = versionInfo(version);
  return info !== undefined && now >= info.releasedAt && now < info.sunsetAt;
}

/** All versions active at `now`, oldest first (for the CLI banner and docs). */
export function activeVersions(now: number): string[] {
  const out: string[] = [];
  const d = new Date(now);
  for (let back = 15; back >= 0; back--) {
    const at = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
    const v = `${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
    if (isActiveVersion(v, now)) out.push(v);
  }
  return out;
}

/** Version-bound behaviour of the event schema. */
export const VERSION_FEATURES = {
  /** `hashedFirstName`/`hashedLastName` and the relaxed name-pair rule. */
  hashedNames: 202609,
  /** ORACLE_MOAT_ID no longer an enum symbol. */
  moatIdRemoved: 202609,
  /** MARKETING_QUALIFIED_LEAD / SALES_QUALIFIED_LEAD rule types re-added. */
  mqlSqlTypes: 202608,
  /** Versions 202408 to 202607 rejected MQL/SQL rule types. */
  mqlSqlRemoved: 202408,
} as const;

/**
 * `LinkedIn-Version` is checked before anything else: missing gives 400 VERSION_MISSING, an
 * unknown or sunset version 426 NONEXISTENT_VERSION, both marked with X-Restli-Gateway-Error.
 */
export function versionMiddleware(now: () => number): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const version = c.req.header('linkedin-version')?.trim();
    if (!version) return ERRORS.versionMissing();
    if (!isActiveVersion(version, now())) return ERRORS.versionInactive(version);
    c.set('version', Number(version));
    return next();
  };
}
