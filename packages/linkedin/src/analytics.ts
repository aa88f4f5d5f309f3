/** GET /rest/adAnalytics (finder `analytics`): conversions and cost per campaign or per rule. */
import type { ApiRequest } from './requests.js';
import { encodeFields, encodeQuery, type RestliValue } from './restli.js';
import { accountUrn, campaignUrn } from './urns.js';
import {
  type AdAnalyticsMetric,
  type AdAnalyticsPivot,
  CONVERSION_METRICS,
  type DateParts,
  type TimeGranularity,
} from './wire-types.js';

export interface AdAnalyticsQuery {
  /** CAMPAIGN → one row per campaign; CONVERSION → one row per rule (pivotValues[0] is the rule URN). */
  pivot: AdAnalyticsPivot;
  granularity: TimeGranularity;
  /** Inclusive; 'YYYY-MM-DD' or date parts. */
  start: string | DateParts;
  end?: string | DateParts;
  accounts?: ReadonlyArray<string | number>;
  campaigns?: ReadonlyArray<string | number>;
  /** Default: the conversion and cost metrics. LinkedIn allows up to 20 fields per call. */
  metrics?: readonly (AdAnalyticsMetric | string)[];
}

/** LinkedIn returns at most 20 fields; pivotValues and dateRange take two of them. */
export const MAX_ANALYTICS_METRICS = 18;

export function dateParts(d: string | DateParts): DateParts {
  if (typeof d !== 'string') return d;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) throw new TypeError('dates must be written YYYY-MM-DD');
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function analyticsRequest(q: AdAnalyticsQuery): ApiRequest {
  const metrics = q.metrics ?? CONVERSION_METRICS;
  if (metrics.length > MAX_ANALYTICS_METRICS) {
    throw new RangeError(`adAnalytics takes at most ${MAX_ANALYTICS_METRICS} metrics per call`);
  }
  if (!q.accounts?.length && !q.campaigns?.length) {
    throw new RangeError('adAnalytics needs at least one account or campaign facet');
  }
  const dateRange: Record<string, RestliValue> = { start: { ...dateParts(q.start) } };
  if (q.end !== undefined) dateRange.end = { ...dateParts(q.end) };
  const query = encodeQuery({
    q: 'analytics',
    pivot: q.pivot,
    timeGranularity: q.granularity,
    dateRange,
    accounts: q.accounts?.length ? q.accounts.map(accountUrn) : undefined,
    campaigns: q.campaigns?.length ? q.campaigns.map(campaignUrn) : undefined,
  });
  return {
    method: 'GET',
    path: '/rest/adAnalytics',
    query: `${query}&${encodeFields(['pivotValues', 'dateRange', ...metrics])}`,
  };
}
