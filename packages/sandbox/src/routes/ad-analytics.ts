/**
 * `GET /rest/adAnalytics?q=analytics`: one pivot (ACCOUNT, CAMPAIGN or CONVERSION),
 * `timeGranularity` (DAILY, MONTHLY, YEARLY, ALL), a `dateRange`, `accounts`/`campaigns` facets
 * and a `fields` projection. Needs `r_ads_reporting`. No paging, as on LinkedIn.
 */
import { Hono } from 'hono';
import {
  computeAnalytics,
  dayOf,
  GRANULARITIES,
  type Granularity,
  PIVOTS,
  type Pivot,
} from '../analytics.js';
import { requireScope } from '../auth.js';
import { utcDay } from '../clock.js';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { ERRORS, jsonResponse } from '../errors.js';
import { queryOf, resourcePath, restliMethod } from '../http.js';
import { type RestliValue, urnId } from '../restli.js';
import { project } from '../to-wire.js';
import { SCOPES, URN_PREFIX, type WireDate } from '../wire.js';

/** Pivots LinkedIn has but the sandbox has no data for: valid, always empty. */
const EMPTY_PIVOTS: ReadonlySet<string> = new Set([
  'CAMPAIGN_GROUP',
  'CREATIVE',
  'COMPANY',
  'SHARE',
  'SERVING_LOCATION',
  'CARD_INDEX',
  'CONVERSATION_NODE',
  'MEMBER_COMPANY_SIZE',
  'MEMBER_INDUSTRY',
  'MEMBER_SENIORITY',
  'MEMBER_JOB_TITLE',
  'MEMBER_JOB_FUNCTION',
  'MEMBER_COUNTRY_V2',
  'MEMBER_REGION_V2',
  'MEMBER_COMPANY',
]);

function wireDate(v: RestliValue | undefined): WireDate | undefined {
  if (v === undefined || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const year = Number(v.year);
  const month = Number(v.month);
  const day = Number(v.day);
  if (![year, month, day].every(Number.isInteger) || month < 1 || month > 12 || day < 1 || day > 31)
    return undefined;
  return { year, month, day };
}

export function adAnalyticsRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();

  routes.get('/', (c) => {
    const token = c.get('token');
    const query = queryOf(c);
    const finder = query.string('q');
    if (finder !== 'analytics')
      return ERRORS.badRequest(`Unsupported finder q=${finder ?? ''}; use q=analytics`);
    const denied = requireScope(token, [SCOPES.reporting], 'adAnalytics.FINDER-analytics');
    if (denied) return denied;

    const pivot = query.string('pivot');
    if (pivot === undefined) return ERRORS.badRequest("Parameter 'pivot' is required");
    const granularity = query.string('timeGranularity');
    if (granularity === undefined || !(GRANULARITIES as readonly string[]).includes(granularity)) {
      return ERRORS.badRequest(`Invalid timeGranularity ${granularity ?? '(missing)'}`);
    }
    const range = query.value('dateRange');
    const start = wireDate(typeof range === 'object' && !Array.isArray(range) ? range.start : undefined);
    if (!start) return ERRORS.badRequest("Parameter 'dateRange' with a valid start is required");
    const endValue = typeof range === 'object' && !Array.isArray(range) ? range.end : undefined;
    const end = endValue === undefined ? undefined : wireDate(endValue);
    if (endValue !== undefined && !end) return ERRORS.badRequest('Invalid dateRange end');

    const accounts = query.list('accounts')?.map((u) => urnId(u, URN_PREFIX.account) ?? u);
    const campaigns = query.list('campaigns')?.map((u) => urnId(u, URN_PREFIX.campaign) ?? u);
    if (!accounts && !campaigns)
      return ERRORS.badRequest('At least one facet (accounts or campaigns) is required');

    const fields = query.fields();
    if (EMPTY_PIVOTS.has(pivot))
      return jsonResponse(200, { paging: { start: 0, count: 0, links: [] }, elements: [] });
    if (!(PIVOTS as readonly string[]).includes(pivot)) return ERRORS.badRequest(`Invalid pivot ${pivot}`);

    const startDay = dayOf(start);
    const endDay = end ? dayOf(end) : utcDay(svc.clock.now());
    const rows = computeAnalytics(svc.state, {
      pivot: pivot as Pivot,
      granularity: granularity as Granularity,
      startDay,
      endDay: Math.min(endDay, startDay + 3660),
      accounts,
      campaigns,
      token,
    });
    const elements = rows.map((r) => project(r, fields));
    return jsonResponse(200, { paging: { start: 0, count: elements.length, links: [] }, elements });
  });

  routes.all('*', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}
