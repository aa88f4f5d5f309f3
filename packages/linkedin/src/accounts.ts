/** Ad accounts the authenticated member can use, and the campaigns of an account. */
import type { ApiRequest } from './requests.js';
import { encodeKey, encodeQuery } from './restli.js';
import { accountIdFrom } from './urns.js';
import type { AdAccountUser, CampaignStatus } from './wire-types.js';

/** Member ↔ account roles of the token's member, paged with start/count. */
export function adAccountUsersRequest(start: number, count: number): ApiRequest {
  return {
    method: 'GET',
    path: '/rest/adAccountUsers',
    query: encodeQuery({ q: 'authenticatedUser', start, count }),
  };
}

/** VIEWER cannot send conversions or manage rules, so such accounts are useless here. */
export function usableAccountUsers(users: readonly AdAccountUser[]): AdAccountUser[] {
  return users.filter((u) => u.role !== 'VIEWER');
}

export const DEFAULT_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['ACTIVE', 'PAUSED', 'DRAFT'];

/** Campaign search inside one account; cursor-paged with pageSize/pageToken. */
export function campaignsRequest(
  account: string | number,
  statuses: readonly CampaignStatus[],
  pageSize: number,
  pageToken?: string,
): ApiRequest {
  const id = accountIdFrom(account);
  if (id === null) throw new TypeError('expected a numeric ad account id or account URN');
  return {
    method: 'GET',
    path: `/rest/adAccounts/${encodeKey(id)}/adCampaigns`,
    query: encodeQuery({ q: 'search', search: { status: { values: statuses } }, pageSize, pageToken }),
  };
}
