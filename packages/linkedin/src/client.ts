/**
 * A thin client for LinkedIn's Conversions API and the few Marketing API resources around it.
 *
 * Two kinds of calls, two error styles:
 * - sending events (`sendBatchRaw`, `sendEvents`, `sendEvent`) never throws for HTTP or network
 *   outcomes; it returns a Classification the delivery worker acts on;
 * - administrative calls (rules, associations, accounts, campaigns, reporting, OAuth) return typed
 *   results and throw LinkedInApiError, because a person or a setup step is waiting on them.
 */
import type { Dispatcher } from 'undici';
import {
  adAccountUsersRequest,
  campaignsRequest,
  DEFAULT_CAMPAIGN_STATUSES,
  usableAccountUsers,
} from './accounts.js';
import { type AdAnalyticsQuery, analyticsRequest } from './analytics.js';
import { associateRequest, dissociateRequest, listAssociationsRequest } from './associations.js';
import { type Classification, classifyNetworkError, classifyResponse, headerValue } from './classify.js';
import { LinkedInApiError } from './errors.js';
import {
  createTransport,
  type FetchLike,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from './http.js';
import {
  authorizationCodeForm,
  DEFAULT_OAUTH_BASE_URL,
  type OAuthClient,
  type OAuthToken,
  refreshTokenForm,
  requestToken,
} from './oauth.js';
import {
  type ApiRequest,
  batchCreateRequest,
  chunk,
  linkedInHeaders,
  singleCreateRequest,
} from './requests.js';
import { tunnelIfLong } from './restli.js';
import { createRuleRequest, getRuleRequest, listRulesRequest, updateRuleRequest } from './rules.js';
import { DEFAULT_LINKEDIN_VERSION, isVersionString, type VersionStatus, versionStatus } from './versions.js';
import type {
  AdAccountUser,
  AdAnalyticsRow,
  Campaign,
  CampaignConversion,
  CampaignStatus,
  Collection,
  ConversionEvent,
  ConversionRule,
  ConversionRulePatch,
  NewConversionRule,
} from './wire-types.js';

export const DEFAULT_BASE_URL = 'https://api.linkedin.com';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = 'capi-gateway-linkedin/0.1';

export interface LinkedInClientOptions {
  /** A token, or a function asked before every request (so a refreshed token is picked up). */
  accessToken: string | (() => string | Promise<string>);
  /** Default https://api.linkedin.com; requests go to `${baseUrl}/rest/...`. */
  baseUrl?: string;
  /** Default https://www.linkedin.com (token endpoint /oauth/v2/accessToken). */
  oauthBaseUrl?: string;
  /** LinkedIn-Version; default DEFAULT_LINKEDIN_VERSION. */
  version?: string;
  /** Per request, connection to last body byte. Default 30 s. */
  timeoutMs?: number;
  /** Largest response body read, in bytes; past it the request fails as RESPONSE_TOO_LARGE (retried). Default 16 MiB. */
  maxResponseBytes?: number;
  /** Injected undici dispatcher (e.g. MockAgent); default a keep-alive Agent owned by the client. */
  dispatcher?: Dispatcher;
  /** Any fetch-compatible function; when given, it is used instead of undici's dispatcher. */
  fetch?: FetchLike;
  userAgent?: string;
}

/** Page sizes: LinkedIn's finders cap `count` at 100 here and `pageSize` at 1,000. */
const PAGE_COUNT = 100;
const CAMPAIGN_PAGE_SIZE = 1000;
/** Guards against a server that keeps returning full pages forever. */
const MAX_PAGES = 1000;

export class LinkedInClient {
  readonly version: string;
  readonly baseUrl: string;
  readonly oauthBaseUrl: string;
  readonly #transport: HttpTransport;
  readonly #token: LinkedInClientOptions['accessToken'];
  readonly #userAgent: string;

  constructor(opts: LinkedInClientOptions) {
    const version = opts.version ?? DEFAULT_LINKEDIN_VERSION;
    if (!isVersionString(version)) throw new TypeError('LinkedInClient: version must be written YYYYMM');
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new RangeError('LinkedInClient: timeoutMs must be positive');
    this.version = version;
    this.baseUrl = trimSlash(opts.baseUrl ?? DEFAULT_BASE_URL);
    this.oauthBaseUrl = trimSlash(opts.oauthBaseUrl ?? DEFAULT_OAUTH_BASE_URL);
    this.#token = opts.accessToken;
    this.#userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.#transport = createTransport({
      timeoutMs,
      dispatcher: opts.dispatcher,
      fetch: opts.fetch,
      ...(opts.maxResponseBytes !== undefined ? { maxResponseBytes: opts.maxResponseBytes } : {}),
    });
  }

  /** Where the pinned version stands; log `warning` at start-up when it is not null. */
  versionStatus(now: number = Date.now()): VersionStatus {
    return versionStatus(this.version, now);
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /**
   * One BATCH_CREATE of pre-serialised events (the gateway's hot path: no parsing, no re-encoding).
   * Rejects with RangeError for more than 5,000 events; every HTTP or network outcome is a value.
   */
  async sendBatchRaw(payloadJson: string[], signal?: AbortSignal): Promise<Classification> {
    return this.#deliver(batchCreateRequest(payloadJson), payloadJson.length, 'batch', signal);
  }

  /** Any number of events, split into BATCH_CREATEs of at most 5,000; one Classification per chunk. */
  async sendEvents(events: ConversionEvent[], signal?: AbortSignal): Promise<Classification[]> {
    const results: Classification[] = [];
    for (const part of chunk(events)) {
      results.push(
        await this.sendBatchRaw(
          part.map((e) => JSON.stringify(e)),
          signal,
        ),
      );
    }
    return results;
  }

  /** Single create: LinkedIn answers 201 with an empty body. */
  async sendEvent(event: ConversionEvent, signal?: AbortSignal): Promise<Classification> {
    return this.#deliver(singleCreateRequest(JSON.stringify(event)), 1, 'single', signal);
  }

  async #deliver(
    req: ApiRequest,
    batchSize: number,
    request: 'batch' | 'single',
    signal: AbortSignal | undefined,
  ): Promise<Classification> {
    // Outside the try: a failing token provider is the caller's infrastructure, not a network error.
    const prepared = await this.#prepare(req, signal);
    let res: HttpResponse;
    try {
      res = await this.#transport.send(prepared);
    } catch (err) {
      return classifyNetworkError(err);
    }
    const outcome = classifyResponse({
      status: res.status,
      headers: res.headers,
      body: res.body,
      batchSize,
      request,
    });
    return withoutCredentials(outcome, prepared.headers.Authorization);
  }

  // -------------------------------------------------------------------------------------------
  // Conversion rules

  /**
   * Creates a CAPI rule, by default associated with every campaign of the account
   * (`autoAssociationType=ALL_CAMPAIGNS`). Not idempotent: do not retry blindly.
   */
  async createConversionRule(
    rule: NewConversionRule,
    opts: { autoAssociate?: boolean } = {},
  ): Promise<ConversionRule> {
    const req = createRuleRequest(rule, { autoAssociate: opts.autoAssociate ?? true });
    const res = await this.#call('create conversion rule', req);
    if (res.body.length > 0) return parseJson<ConversionRule>('create conversion rule', res);
    // Older recordings show an empty body; the id is then only in x-restli-id.
    const id = Number(headerValue(res.headers, 'x-restli-id'));
    return { enabled: true, ...(JSON.parse(req.body) as NewConversionRule), id } as ConversionRule;
  }

  async getConversionRule(rule: string | number, account: string | number): Promise<ConversionRule> {
    return parseJson<ConversionRule>(
      'get conversion rule',
      await this.#call('get conversion rule', getRuleRequest(rule, account)),
    );
  }

  /** Every rule of the account (all pages), Insight Tag rules included: filter on conversionMethod. */
  async listConversionRules(account: string | number): Promise<ConversionRule[]> {
    return this.#collect('list conversion rules', (start) => listRulesRequest(account, start, PAGE_COUNT));
  }

  async updateConversionRule(
    rule: string | number,
    account: string | number,
    patch: ConversionRulePatch,
  ): Promise<void> {
    await this.#call('update conversion rule', updateRuleRequest(rule, account, patch));
  }

  /** Disabling is how a rule is "deleted"; events sent to a disabled rule get 400. */
  async setConversionRuleEnabled(
    rule: string | number,
    account: string | number,
    enabled: boolean,
  ): Promise<void> {
    await this.updateConversionRule(rule, account, { enabled });
  }

  // -------------------------------------------------------------------------------------------
  // Campaign associations

  async associateCampaign(campaign: string | number, rule: string | number): Promise<void> {
    await this.#call('associate campaign', associateRequest(campaign, rule));
  }

  async dissociateCampaign(campaign: string | number, rule: string | number): Promise<void> {
    await this.#call('dissociate campaign', dissociateRequest(campaign, rule));
  }

  async listCampaignAssociations(campaigns: ReadonlyArray<string | number>): Promise<CampaignConversion[]> {
    const res = await this.#call('list campaign associations', listAssociationsRequest(campaigns));
    return parseJson<Collection<CampaignConversion>>('list campaign associations', res).elements ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // Accounts, campaigns, reporting

  /** The member's ad accounts with a role that may send conversions (VIEWER left out). */
  async listAdAccounts(): Promise<AdAccountUser[]> {
    const users = await this.#collect<AdAccountUser>('list ad accounts', (start) =>
      adAccountUsersRequest(start, PAGE_COUNT),
    );
    return usableAccountUsers(users);
  }

  async listCampaigns(
    account: string | number,
    opts: { statuses?: readonly CampaignStatus[] } = {},
  ): Promise<Campaign[]> {
    const statuses = opts.statuses ?? DEFAULT_CAMPAIGN_STATUSES;
    const out: Campaign[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.#call(
        'list campaigns',
        campaignsRequest(account, statuses, CAMPAIGN_PAGE_SIZE, token),
      );
      const body = parseJson<Collection<Campaign>>('list campaigns', res);
      out.push(...(body.elements ?? []));
      token = body.metadata?.nextPageToken;
      if (!token) break;
    }
    return out;
  }

  /** adAnalytics rows (finder `analytics`; needs the r_ads_reporting scope). No paging exists. */
  async adAnalytics(query: AdAnalyticsQuery): Promise<AdAnalyticsRow[]> {
    const res = await this.#call('adAnalytics', analyticsRequest(query));
    return parseJson<Collection<AdAnalyticsRow>>('adAnalytics', res).elements ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // OAuth

  async exchangeAuthorizationCode(
    client: OAuthClient,
    code: string,
    redirectUri: string,
  ): Promise<OAuthToken> {
    const form = authorizationCodeForm(client, code, redirectUri);
    return requestToken(
      this.#transport,
      this.oauthBaseUrl,
      form,
      'authorization code exchange',
      this.#userAgent,
    );
  }

  async refreshAccessToken(client: OAuthClient, refreshToken: string): Promise<OAuthToken> {
    const form = refreshTokenForm(client, refreshToken);
    return requestToken(this.#transport, this.oauthBaseUrl, form, 'token refresh', this.#userAgent);
  }

  /** Closes the keep-alive pool the client created (an injected dispatcher is left open). */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  async #prepare(req: ApiRequest, signal?: AbortSignal): Promise<HttpRequest> {
    const token = typeof this.#token === 'function' ? await this.#token() : this.#token;
    const headers = linkedInHeaders(token, this.version, req.restliMethod);
    headers['User-Agent'] = this.#userAgent;
    let url = this.baseUrl + req.path;
    let method: string = req.method;
    let body = req.body;
    if ((req.method === 'GET' || req.method === 'DELETE') && req.query) {
      const t = tunnelIfLong(req.method, req.path, req.query);
      url = this.baseUrl + t.url;
      method = t.method;
      body = t.body;
      Object.assign(headers, t.headers);
    } else if (req.query) {
      url += `?${req.query}`;
    }
    if (body === undefined) delete headers['Content-Type'];
    return { method, url, headers, body, signal };
  }

  /** Administrative call: a 2xx response, or a LinkedInApiError. */
  async #call(what: string, req: ApiRequest): Promise<HttpResponse> {
    const prepared = await this.#prepare(req);
    let res: HttpResponse;
    try {
      res = await this.#transport.send(prepared);
    } catch (cause) {
      throw new LinkedInApiError(`${what} failed: network error`, { status: 0, cause });
    }
    if (res.status < 200 || res.status >= 300) {
      throw LinkedInApiError.fromResponse(
        what,
        res.status,
        res.body,
        headerValue(res.headers, 'x-li-uuid') ?? null,
      );
    }
    return res;
  }

  /** Follows start/count paging until a short page, the reported total, or MAX_PAGES. */
  async #collect<T>(what: string, pageAt: (start: number) => ApiRequest): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0, start = 0; page < MAX_PAGES; page++) {
      const res = await this.#call(what, pageAt(start));
      const body = parseJson<Collection<T>>(what, res);
      const elements = body.elements ?? [];
      out.push(...elements);
      start += elements.length;
      const total = body.paging?.total;
      if (elements.length < PAGE_COUNT || (typeof total === 'number' && total >= 0 && start >= total)) break;
    }
    return out;
  }
}

/** A 2xx body that is not JSON (a proxy page, a truncated answer) is an API error, not a crash. */
function parseJson<T>(what: string, res: HttpResponse): T {
  try {
    return JSON.parse(res.body) as T;
  } catch (cause) {
    throw new LinkedInApiError(`${what} returned a body that is not JSON`, {
      status: res.status,
      body: res.body.slice(0, 2000),
      requestId: headerValue(res.headers, 'x-li-uuid') ?? null,
      cause,
    });
  }
}

/**
 * A response body is kept for logs, audit rows and dead letters, and a server that is not LinkedIn
 * (a wrong base URL, a proxy) may echo the request back: the token must not travel on in it.
 */
function withoutCredentials(outcome: Classification, authorization: string | undefined): Classification {
  if (!('body' in outcome) || !outcome.body) return outcome;
  const token = authorization?.replace(/^Bearer\s+/i, '') ?? '';
  let body = token.length >= 8 ? outcome.body.replaceAll(token, '***') : outcome.body;
  body = body.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1***');
  return body === outcome.body ? outcome : { ...outcome, body };
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
