/**
 * Reading the advertiser's structure: `adAccountUsers?q=authenticatedUser` (which accounts the
 * token's member can use, and in which role), `adAccounts` (get, `q=search`) and
 * `adAccounts/{id}/adCampaigns` (get, `q=search`). All need `r_ads` (or `rw_ads`).
 */
import { Hono } from 'hono';
import { canUseAccount, requireScope } from '../auth.js';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { ERRORS, jsonResponse } from '../errors.js';
import { page } from '../finder.js';
import { keyOf, queryOf, resourcePath, restliMethod, restSegments, type SandboxContext } from '../http.js';
import type { AccessToken } from '../model.js';
import { type RestliValue, urnId } from '../restli.js';
import { accountToWire, accountUserToWire, campaignToWire, project } from '../to-wire.js';
import { SCOPES, URN_PREFIX } from '../wire.js';

const READ = [SCOPES.readAds, SCOPES.writeAds];

/**
 * Applies a Rest.li `search=(field:(values:List(a,b)),test:true)` criterion to flat attributes.
 * Unknown search fields are ignored, as LinkedIn ignores criteria it does not index.
 */
export function matchesSearch(
  attrs: Record<string, string | boolean | undefined>,
  search: RestliValue | undefined,
) {
  if (search === undefined || typeof search !== 'object' || Array.isArray(search)) return true;
  for (const [field, criterion] of Object.entries(search)) {
    if (!(field in attrs)) continue;
    const actual = attrs[field];
    if (typeof criterion === 'string') {
      if (String(actual) !== criterion) return false;
    } else if (!Array.isArray(criterion) && Array.isArray(criterion.values)) {
      const wanted = criterion.values.filter((v): v is string => typeof v === 'string');
      if (!wanted.includes(String(actual))) return false;
    }
  }
  return true;
}

function accountIdOf(c: SandboxContext): string | undefined {
  const key = keyOf(restSegments(c)[1] ?? '');
  return typeof key === 'string' ? urnId(key, URN_PREFIX.account) : undefined;
}

export function adAccountUsersRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  routes.get('/', (c) => {
    const token = c.get('token');
    const denied = requireScope(token, READ, 'adAccountUsers.FINDER-authenticatedUser');
    if (denied) return denied;
    const query = queryOf(c);
    if (query.string('q') !== 'authenticatedUser')
      return ERRORS.badRequest('Unknown or missing finder; use q=authenticatedUser');
    const elements = [...svc.state.accounts.keys()]
      .filter((id) => canUseAccount(token, id))
      .sort()
      .map((id) => accountUserToWire(token, id));
    return jsonResponse(200, page(elements, query));
  });
  routes.all('*', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}

export function adAccountsRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const { state } = svc;

  const guard = (token: AccessToken, resourceMethod: string) => requireScope(token, READ, resourceMethod);

  routes.get('/', (c) => {
    const token = c.get('token');
    const denied = guard(token, 'adAccounts.FINDER-search');
    if (denied) return denied;
    const query = queryOf(c);
    if (query.string('q') !== 'search') return ERRORS.badRequest('Unknown or missing finder; use q=search');
    const search = query.value('search');
    const accounts = [...state.accounts.values()]
      .filter((a) => canUseAccount(token, a.id))
      .filter((a) =>
        matchesSearch(
          {
            id: a.id,
            name: a.name,
            status: a.status,
            type: a.type,
            reference: a.reference,
            test: a.test,
            currency: a.currency,
          },
          normaliseIds(search, URN_PREFIX.account),
        ),
      )
      .sort((a, b) => Number(a.id) - Number(b.id));
    return jsonResponse(
      200,
      page(
        accounts.map((a) => project(accountToWire(a), query.fields())),
        query,
      ),
    );
  });

  routes.get('/:id', (c) => {
    const token = c.get('token');
    const denied = guard(token, 'adAccounts.GET');
    if (denied) return denied;
    const id = accountIdOf(c);
    const account = id === undefined ? undefined : state.accounts.get(id);
    if (!account || !canUseAccount(token, account.id))
      return ERRORS.notFound(`Ad account ${restSegments(c)[1]} not found`);
    return jsonResponse(200, project(accountToWire(account), queryOf(c).fields()));
  });

  routes.get('/:id/adCampaigns', (c) => {
    const token = c.get('token');
    const denied = guard(token, 'adCampaigns.FINDER-search');
    if (denied) return denied;
    const id = accountIdOf(c);
    const account = id === undefined ? undefined : state.accounts.get(id);
    if (!account || !canUseAccount(token, account.id))
      return ERRORS.notFound(`Ad account ${restSegments(c)[1]} not found`);
    const query = queryOf(c);
    if (query.string('q') !== 'search') return ERRORS.badRequest('Unknown or missing finder; use q=search');
    const search = normaliseIds(query.value('search'), URN_PREFIX.campaign);
    const campaigns = state.campaignsOfAccount(account.id).filter((cp) =>
      matchesSearch(
        {
          id: cp.id,
          name: cp.name,
          status: cp.status,
          type: cp.type,
          objectiveType: cp.objectiveType,
          campaignGroup:
            cp.campaignGroup === undefined ? undefined : `${URN_PREFIX.campaignGroup}${cp.campaignGroup}`,
          test: account.test,
        },
        search,
      ),
    );
    const fields = query.fields();
    return jsonResponse(
      200,
      page(
        campaigns.map((cp) => project(campaignToWire(cp, account.currency), fields)),
        query,
      ),
    );
  });

  routes.get('/:id/adCampaigns/:campaign', (c) => {
    const token = c.get('token');
    const denied = guard(token, 'adCampaigns.GET');
    if (denied) return denied;
    const id = accountIdOf(c);
    const account = id === undefined ? undefined : state.accounts.get(id);
    const key = keyOf(restSegments(c)[3] ?? '');
    const campaignId = typeof key === 'string' ? urnId(key, URN_PREFIX.campaign) : undefined;
    const campaign = campaignId === undefined ? undefined : state.campaigns.get(campaignId);
    if (!account || !campaign || campaign.account !== account.id || !canUseAccount(token, account.id)) {
      return ERRORS.notFound(`Campaign ${restSegments(c)[3]} not found`);
    }
    return jsonResponse(200, project(campaignToWire(campaign, account.currency), queryOf(c).fields()));
  });

  routes.all('*', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}

/** `search=(id:(values:List(urn:li:sponsoredAccount:1)))` compares by plain id. */
function normaliseIds(search: RestliValue | undefined, prefix: string): RestliValue | undefined {
  if (search === undefined || typeof search !== 'object' || Array.isArray(search)) return search;
  const id = search.id;
  if (id === undefined || typeof id !== 'object' || Array.isArray(id) || !Array.isArray(id.values))
    return search;
  const values = id.values.map((v) => (typeof v === 'string' ? (urnId(v, prefix) ?? v) : v));
  return { ...search, id: { values } };
}
