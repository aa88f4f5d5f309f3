/**
 * @capi-gateway/linkedin — a small SDK for LinkedIn's Conversions API: wire types, identifier
 * normalisation and hashing, a local validator that mirrors LinkedIn's rules, Rest.li encoding,
 * a response classifier and a client on undici. Usable without the gateway.
 */

export {
  adAccountUsersRequest,
  campaignsRequest,
  DEFAULT_CAMPAIGN_STATUSES,
  usableAccountUsers,
} from './accounts.js';
export type { AdAnalyticsQuery } from './analytics.js';
export { analyticsRequest, dateParts, MAX_ANALYTICS_METRICS } from './analytics.js';
export {
  associateRequest,
  association,
  associationKey,
  dissociateRequest,
  listAssociationsRequest,
} from './associations.js';
export type { BackoffOptions } from './backoff.js';
export { backoffMs, retryDelayMs } from './backoff.js';
export type { BuildOptions, BuildResult } from './build.js';
export { buildConversionEvent } from './build.js';
export type { Classification, ClassificationKind, ResponseSnapshot } from './classify.js';
export { classifyNetworkError, classifyResponse, headerValue, parseRetryAfter } from './classify.js';
export type { LinkedInClientOptions } from './client.js';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT, LinkedInClient } from './client.js';
export { COMPANY_LEGAL_SUFFIXES, cleanCompanyName } from './company.js';
export { COUNTRY_CODES, normalizeCountryCode } from './countries.js';
export { isLinkedInApiError, LinkedInApiError } from './errors.js';
export type { Finding, FindingClass, FindingCode, Severity } from './findings.js';
export { FINDING_CODES, findingClass } from './findings.js';
export { isLowerSha256Hex, isSha256Hex, sha256Hex } from './hash.js';
export type { FetchLike, HttpRequest, HttpResponse, HttpTransport } from './http.js';
export {
  createDefaultAgent,
  createTransport,
  DEFAULT_MAX_RESPONSE_BYTES,
  ResponseTooLargeError,
} from './http.js';
export type { Normalized } from './identifiers.js';
export {
  cleanPlainName,
  hashEmail,
  hashName,
  isPlausibleEmail,
  normalizeEmail,
  normalizeEmailHash,
  normalizeIp,
  normalizeIpHash,
  normalizeLiFatId,
  normalizeName,
  normalizePlain,
} from './identifiers.js';
export type { ConversionInput, IdentifierInput } from './input-types.js';
export { DEFAULT_MAX_AGE_MS, MAX_BATCH_SIZE, QUERY_TUNNEL_THRESHOLD } from './limits.js';
export { decimalFromNumber, isCurrencyCode, isDecimalString } from './money.js';
export type { OAuthClient, OAuthToken } from './oauth.js';
export {
  AUTHORIZATION_PATH,
  authorizationCodeForm,
  authorizationUrl,
  CAPI_SCOPES,
  DEFAULT_OAUTH_BASE_URL,
  needsReconsent,
  parseTokenResponse,
  refreshTokenForm,
  TOKEN_PATH,
} from './oauth.js';
export {
  EMAIL_PLACEHOLDERS,
  IDENTIFIER_PLACEHOLDERS,
  isPlaceholderEmail,
  isPlaceholderEmailHash,
  isPlaceholderValue,
} from './placeholders.js';
export type { Rejection } from './rejections.js';
export { parseRejection } from './rejections.js';
export type { ApiRequest } from './requests.js';
export {
  batchCreateBody,
  batchCreateRequest,
  CONVERSION_EVENTS_PATH,
  chunk,
  linkedInHeaders,
  RESTLI_PROTOCOL_VERSION,
  singleCreateRequest,
} from './requests.js';
export type { RestliDecoded, RestliValue, TunnelledRequest } from './restli.js';
export {
  decode as decodeRestli,
  decodeQuery as decodeRestliQuery,
  encode as encodeRestli,
  encodeCompoundKey,
  encodeFields,
  encodeKey,
  encodeQuery as encodeRestliQuery,
  encodeString as encodeRestliString,
  tunnelIfLong,
} from './restli.js';
export { createRuleRequest, getRuleRequest, listRulesRequest, updateRuleRequest } from './rules.js';
export { serializeConversionEvent } from './serialize.js';
export {
  ACCOUNT_URN_PREFIX,
  accountUrn,
  CAMPAIGN_URN_PREFIX,
  CONVERSION_URN_PREFIX,
  campaignUrn,
  conversionUrn,
  isConversionUrn,
  isLeadUrn,
  LEAD_URN_PREFIX,
  leadUrn,
  ruleIdFromConversion,
} from './urns.js';
export type { ValidateOptions } from './validate.js';
export { validateConversionEvent } from './validate.js';
export type { VersionStatus } from './versions.js';
export {
  DEFAULT_LINKEDIN_VERSION,
  HASHED_NAMES_SINCE,
  isVersionString,
  LINKEDIN_VERSIONS,
  SUNSET_WARNING_DAYS,
  supportsHashedNames,
  versionStatus,
} from './versions.js';
export * from './wire-types.js';
