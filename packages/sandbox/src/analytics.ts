/**
 * adAnalytics computed from the sandbox's state: campaign delivery (cost, impressions, clicks per
 * day from the seed) and accepted conversion events (per-rule daily totals).
 *
 * Until the attribution simulator exists, credit is deterministic and simple:
 *  - events go to the day of `conversionHappenedAt`; an event with a click id counts post-click,
 *    any other post-view;
 *  - only campaigns associated with the rule are credited (LinkedIn's rule too), and only those
 *    that served on the day of the conversion; a day with none credits nothing;
 *  - LAST_TOUCH_BY_CAMPAIGN ("each campaign") credits every such campaign;
 *    LAST_TOUCH_BY_CONVERSION credits one: the one with the most clicks that day (lowest id on ties).
 * Test accounts return no data, as on LinkedIn.
 */
import { DAY_MS, utcDay } from './clock.js';
import type { AccessToken, Campaign, Delivery } from './model.js';
import type { SandboxState } from './state.js';
import { decimal } from './to-wire.js';
import { URN_PREFIX, type WireAnalyticsRow, type WireDate } from './wire.js';

export const PIVOTS = ['ACCOUNT', 'CAMPAIGN', 'CONVERSION'] as const;
export type Pivot = (typeof PIVOTS)[number];
export const GRANULARITIES = ['DAILY', 'MONTHLY', 'YEARLY', 'ALL'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const METRICS = [
  'externalWebsiteConversions',
  'externalWebsitePostClickConversions',
  'externalWebsitePostViewConversions',
  'conversionValueInLocalCurrency',
  'costInLocalCurrency',
  'impressions',
  'clicks',
] as const;

export interface AnalyticsQuery {
  pivot: Pivot;
  granularity: Granularity;
  /** UTC day numbers, inclusive. */
  startDay: number;
  endDay: number;
  /** Account ids; undefined means no account facet. */
  accounts?: string[];
  /** Campaign ids; undefined means no campaign facet. */
  campaigns?: string[];
  token: AccessToken;
}

interface Sums {
  postClick: number;
  postView: number;
  value: number;
  cost: number;
  impressions: number;
  clicks: number;
}

const zero = (): Sums => ({ postClick: 0, postView: 0, value: 0, cost: 0, impressions: 0, clicks: 0 });

export function dayOf(d: WireDate): number {
  return utcDay(Date.UTC(d.year, d.month - 1, d.day));
}

export function dateOf(day: number): WireDate {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function deliveryOn(c: Campaign, day: number): Delivery | undefined {
  if (c.status === 'DRAFT') return undefined;
  const iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
  if (iso < c.startDate || (c.endDate !== undefined && iso > c.endDate)) return undefined;
  return c.days[iso] ?? c.daily;
}

function bucketOf(day: number, g: Granularity): { key: number; first: number; last: number } {
  if (g === 'DAILY') return { key: day, first: day, last: day };
  if (g === 'ALL') return { key: 0, first: Number.NEGATIVE_INFINITY, last: Number.POSITIVE_INFINITY };
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  if (g === 'YEARLY')
    return { key: y, first: utcDay(Date.UTC(y, 0, 1)), last: utcDay(Date.UTC(y + 1, 0, 1)) - 1 };
  const m = d.getUTCMonth();
  return { key: y * 12 + m, first: utcDay(Date.UTC(y, m, 1)), last: utcDay(Date.UTC(y, m + 1, 1)) - 1 };
}

export function computeAnalytics(state: SandboxState, q: AnalyticsQuery): WireAnalyticsRow[] {
  const visible = (account: string) => {
    const a = state.accounts.get(account);
    return (
      a !== undefined && !a.test && (q.token.accounts === undefined || q.token.accounts.includes(account))
    );
  };
  const accountFacet = q.accounts ? new Set(q.accounts) : undefined;
  const campaignFacet = q.campaigns ? new Set(q.campaigns) : undefined;
  const campaigns = [...state.campaigns.values()]
    .filter((c) => visible(c.account))
    .filter((c) => !accountFacet || accountFacet.has(c.account))
    .filter((c) => !campaignFacet || campaignFacet.has(c.id))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const inScope = new Set(campaigns.map((c) => c.id));
  const rules = [...state.rules.values()]
    .filter((r) => state.campaignsOfRule(r.id).some((c) => inScope.has(c)))
    .sort((a, b) => Number(a.id) - Number(b.id));

  // bucket key → pivot value → sums
  const buckets = new Map<number, { first: number; last: number; rows: Map<string, Sums> }>();
  const add = (day: number, pivotValue: string, f: (s: Sums) => void) => {
    const b = bucketOf(day, q.granularity);
    let bucket = buckets.get(b.key);
    if (!bucket) {
      bucket = { first: Math.max(b.first, q.startDay), last: Math.min(b.last, q.endDay), rows: new Map() };
      buckets.set(b.key, bucket);
    }
    let sums = bucket.rows.get(pivotValue);
    if (!sums) {
      sums = zero();
      bucket.rows.set(pivotValue, sums);
    }
    f(sums);
  };
  const pivotOfCampaign = (c: Campaign) =>
    q.pivot === 'ACCOUNT' ? `${URN_PREFIX.account}${c.account}` : `${URN_PREFIX.campaign}${c.id}`;

  for (let day = q.startDay; day <= q.endDay; day++) {
    const delivered = new Map<string, Delivery>();
    for (const c of campaigns) {
      const d = deliveryOn(c, day);
      if (!d) continue;
      delivered.set(c.id, d);
      if (q.pivot !== 'CONVERSION') {
        add(day, pivotOfCampaign(c), (s) => {
          s.cost += d.cost;
          s.impressions += d.impressions;
          s.clicks += d.clicks;
        });
      }
    }
    for (const r of rules) {
      const associated = state.campaignsOfRule(r.id).filter((c) => inScope.has(c));
      if (q.pivot === 'CONVERSION') {
        const key = `${URN_PREFIX.rule}${r.id}`;
        for (const c of associated) {
          const d = delivered.get(c);
          if (d) {
            add(day, key, (s) => {
              s.cost += d.cost;
              s.impressions += d.impressions;
              s.clicks += d.clicks;
            });
          }
        }
      }
      const t = state.events.totalsFor(r.id, day);
      // Members can only have interacted with campaigns that served that day.
      const serving = associated.filter((c) => delivered.has(c));
      if (!t || serving.length === 0) continue;
      const credit = (s: Sums) => {
        s.postClick += t.postClick;
        s.postView += t.postView;
        s.value += t.value;
      };
      if (q.pivot === 'CONVERSION') add(day, `${URN_PREFIX.rule}${r.id}`, credit);
      else if (q.pivot === 'ACCOUNT') add(day, `${URN_PREFIX.account}${r.account}`, credit);
      else {
        const credited =
          r.attributionType === 'LAST_TOUCH_BY_CAMPAIGN' ? serving : lastTouch(serving, delivered);
        for (const c of credited) add(day, `${URN_PREFIX.campaign}${c}`, credit);
      }
    }
  }

  const rows: WireAnalyticsRow[] = [];
  for (const key of [...buckets.keys()].sort((a, b) => a - b)) {
    const bucket = buckets.get(key)!;
    for (const [pivotValue, s] of [...bucket.rows.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (s.postClick + s.postView + s.value + s.cost + s.impressions + s.clicks === 0) continue;
      rows.push({
        pivotValues: [pivotValue],
        dateRange: { start: dateOf(bucket.first), end: dateOf(bucket.last) },
        externalWebsiteConversions: s.postClick + s.postView,
        externalWebsitePostClickConversions: s.postClick,
        externalWebsitePostViewConversions: s.postView,
        conversionValueInLocalCurrency: decimal(s.value),
        costInLocalCurrency: decimal(s.cost),
        impressions: s.impressions,
        clicks: s.clicks,
      });
    }
  }
  return rows;
}

/** The one campaign a "last campaign" rule credits on a day: most clicks, lowest id on ties. */
function lastTouch(associated: string[], delivered: Map<string, Delivery>): string[] {
  let best: string | undefined;
  let bestClicks = -1;
  for (const c of associated) {
    const clicks = delivered.get(c)?.clicks ?? 0;
    if (clicks > bestClicks) {
      best = c;
      bestClicks = clicks;
    }
  }
  return best === undefined ? [] : [best];
}
