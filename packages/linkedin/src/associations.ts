/** Campaign ↔ rule associations (/rest/campaignConversions), keyed by a compound key. */
import type { ApiRequest, JsonApiRequest } from './requests.js';
import { encode, encodeCompoundKey, encodeQuery } from './restli.js';
import { campaignUrn, conversionUrn } from './urns.js';
import type { CampaignConversion } from './wire-types.js';

const PATH = '/rest/campaignConversions';

export function association(campaign: string | number, rule: string | number): CampaignConversion {
  return { campaign: campaignUrn(campaign), conversion: conversionUrn(rule) };
}

/** `(campaign:urn%3Ali%3AsponsoredCampaign%3A1,conversion:urn%3Alla%3AllaPartnerConversion%3A2)` */
export function associationKey(campaign: string | number, rule: string | number): string {
  const a = association(campaign, rule);
  return encodeCompoundKey({ campaign: a.campaign, conversion: a.conversion });
}

/** PUT is idempotent: associating twice is harmless (204 both times). */
export function associateRequest(campaign: string | number, rule: string | number): JsonApiRequest {
  return {
    method: 'PUT',
    path: `${PATH}/${associationKey(campaign, rule)}`,
    body: JSON.stringify(association(campaign, rule)),
  };
}

export function dissociateRequest(campaign: string | number, rule: string | number): ApiRequest {
  return { method: 'DELETE', path: `${PATH}/${associationKey(campaign, rule)}` };
}

/** Associations of the given campaigns (the `campaigns` finder). */
export function listAssociationsRequest(campaigns: ReadonlyArray<string | number>): ApiRequest {
  if (campaigns.length === 0) throw new RangeError('listAssociations needs at least one campaign');
  return {
    method: 'GET',
    path: PATH,
    query: `${encodeQuery({ q: 'campaigns' })}&campaigns=${encode(campaigns.map(campaignUrn))}`,
  };
}
