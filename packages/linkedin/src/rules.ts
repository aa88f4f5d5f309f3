/** Conversion rules (/rest/conversions): requests and the account-scoped keys LinkedIn expects. */
import type { ApiRequest, JsonApiRequest } from './requests.js';
import { encodeKey, encodeQuery } from './restli.js';
import { accountUrn, ruleIdFromConversion } from './urns.js';
import type { ConversionRulePatch, NewConversionRule } from './wire-types.js';

const PATH = '/rest/conversions';

function ruleKey(rule: string | number): string {
  const id = ruleIdFromConversion(rule);
  if (id === null) throw new TypeError('expected a numeric conversion rule id or rule URN');
  return encodeKey(id);
}

/**
 * Create a CAPI rule. `autoAssociate` adds `autoAssociationType=ALL_CAMPAIGNS`, which associates
 * every campaign of the account (a query parameter, not a body field). Not idempotent: a retry
 * creates a second rule.
 */
export function createRuleRequest(
  rule: NewConversionRule,
  opts: { autoAssociate?: boolean } = {},
): JsonApiRequest {
  const body = { ...rule, account: accountUrn(rule.account) };
  const req: JsonApiRequest = { method: 'POST', path: PATH, body: JSON.stringify(body) };
  if (opts.autoAssociate) req.query = encodeQuery({ autoAssociationType: 'ALL_CAMPAIGNS' });
  return req;
}

export function getRuleRequest(rule: string | number, account: string | number): ApiRequest {
  return {
    method: 'GET',
    path: `${PATH}/${ruleKey(rule)}`,
    query: encodeQuery({ account: accountUrn(account) }),
  };
}

/** The only finder: rules of one ad account, paged with start/count. */
export function listRulesRequest(account: string | number, start: number, count: number): ApiRequest {
  return {
    method: 'GET',
    path: PATH,
    query: encodeQuery({ q: 'account', account: accountUrn(account), start, count }),
  };
}

/** PARTIAL_UPDATE with `$set`; LinkedIn answers 204. "Deleting" a rule is `{ enabled: false }`. */
export function updateRuleRequest(
  rule: string | number,
  account: string | number,
  patch: ConversionRulePatch,
): JsonApiRequest {
  return {
    method: 'POST',
    path: `${PATH}/${ruleKey(rule)}`,
    query: encodeQuery({ account: accountUrn(account) }),
    restliMethod: 'PARTIAL_UPDATE',
    body: JSON.stringify({ patch: { $set: patch } }),
  };
}
