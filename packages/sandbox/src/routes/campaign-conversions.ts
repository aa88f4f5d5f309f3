/**
 * `/rest/campaignConversions`: which campaigns a rule may credit. The entity key is compound,
 * `(campaign:urn%3Ali%3AsponsoredCampaign%3A1,conversion:urn%3Alla%3AllaPartnerConversion%3A2)`.
 * PUT associates (204, idempotent), DELETE dissociates (204), GET reads one, and the
 * `q=campaigns&campaigns=List(...)` finder lists the associations of campaigns.
 */
import { Hono } from 'hono';
import { canUseAccount, requireScope, requireWriteRole } from '../auth.js';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { ERRORS, emptyResponse, jsonResponse } from '../errors.js';
import { page } from '../finder.js';
import {
  keyOf,
  queryOf,
  readJson,
  resourcePath,
  restliMethod,
  restSegments,
  type SandboxContext,
} from '../http.js';
import type { AccessToken } from '../model.js';
import { urnId } from '../restli.js';
import { errorLines, REASONS, type SchemaError } from '../validate-event.js';
import { SCOPES, URN_PREFIX } from '../wire.js';

interface Pair {
  campaign: string;
  rule: string;
  campaignUrn: string;
  ruleUrn: string;
}

const READ_SCOPES = [SCOPES.conversions, SCOPES.readAds];

function toWire(campaign: string, rule: string, associatedAt?: number) {
  const out: Record<string, unknown> = {
    campaign: `${URN_PREFIX.campaign}${campaign}`,
    conversion: `${URN_PREFIX.rule}${rule}`,
  };
  if (associatedAt !== undefined) out.associatedAt = associatedAt;
  return out;
}

export function campaignConversionsRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const { state } = svc;

  /** Parses and resolves the compound key; a Response when it is malformed or unknown. */
  const pairOf = (c: SandboxContext, token: AccessToken): Pair | Response => {
    const raw = restSegments(c)[1] ?? '';
    const key = keyOf(raw);
    if (typeof key !== 'object' || Array.isArray(key))
      return ERRORS.badRequest(`Invalid compound key: ${raw}`);
    const campaignUrn = key.campaign;
    const ruleUrn = key.conversion;
    if (typeof campaignUrn !== 'string' || typeof ruleUrn !== 'string') {
      return ERRORS.badRequest(`Invalid compound key: ${raw}`);
    }
    const campaign = campaignUrn.startsWith(URN_PREFIX.campaign)
      ? urnId(campaignUrn, URN_PREFIX.campaign)
      : undefined;
    const rule = ruleUrn.startsWith(URN_PREFIX.rule) ? urnId(ruleUrn, URN_PREFIX.rule) : undefined;
    if (campaign === undefined || rule === undefined)
      return ERRORS.badRequest(`Invalid compound key: ${raw}`);
    const c1 = state.campaigns.get(campaign);
    const r1 = state.rules.get(rule);
    if (!c1 || !canUseAccount(token, c1.account)) return ERRORS.notFound(`Campaign ${campaignUrn} not found`);
    if (!r1 || !canUseAccount(token, r1.account)) return ERRORS.notFound(`Conversion ${ruleUrn} not found`);
    if (c1.account !== r1.account) {
      return ERRORS.badRequest(
        `Campaign ${campaignUrn} and conversion ${ruleUrn} belong to different ad accounts`,
      );
    }
    return { campaign, rule, campaignUrn, ruleUrn };
  };

  routes.put('/:key', async (c) => {
    const token = c.get('token');
    const denied = requireScope(token, [SCOPES.conversions], 'campaignConversions.UPDATE');
    if (denied) return denied;
    const pair = pairOf(c, token);
    if (pair instanceof Response) return pair;
    const roleDenied = requireWriteRole(
      token,
      state.rules.get(pair.rule)?.account ?? '',
      'campaignConversions.UPDATE',
    );
    if (roleDenied) return roleDenied;
    const body = await readJson(c);
    if (body !== undefined) {
      const errors: SchemaError[] = [];
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        errors.push({ path: '/', reason: REASONS.notMap(body) });
      } else {
        for (const k in body) {
          if (k !== 'campaign' && k !== 'conversion') errors.push({ path: `/${k}`, reason: REASONS.unknown });
        }
      }
      if (errors.length > 0) return ERRORS.schema(errorLines(errors));
      const b = body as { campaign?: unknown; conversion?: unknown };
      if (
        (b.campaign !== undefined && b.campaign !== pair.campaignUrn) ||
        (b.conversion !== undefined && b.conversion !== pair.ruleUrn)
      ) {
        return ERRORS.badRequest('The entity in the body does not match the key in the URI');
      }
    }
    state.associate(pair.campaign, pair.rule, svc.clock.now());
    return emptyResponse(204);
  });

  routes.delete('/:key', (c) => {
    const token = c.get('token');
    const denied = requireScope(token, [SCOPES.conversions], 'campaignConversions.DELETE');
    if (denied) return denied;
    const pair = pairOf(c, token);
    if (pair instanceof Response) return pair;
    const roleDenied = requireWriteRole(
      token,
      state.rules.get(pair.rule)?.account ?? '',
      'campaignConversions.DELETE',
    );
    if (roleDenied) return roleDenied;
    state.dissociate(pair.campaign, pair.rule);
    return emptyResponse(204);
  });

  routes.get('/:key', (c) => {
    const token = c.get('token');
    const denied = requireScope(token, READ_SCOPES, 'campaignConversions.GET');
    if (denied) return denied;
    const pair = pairOf(c, token);
    if (pair instanceof Response) return pair;
    const a = state.associations.get(`${pair.campaign}|${pair.rule}`);
    if (!a) return ERRORS.notFound(`No association between ${pair.campaignUrn} and ${pair.ruleUrn}`);
    return jsonResponse(200, toWire(a.campaign, a.rule, a.associatedAt));
  });

  routes.get('/', (c) => {
    const token = c.get('token');
    const query = queryOf(c);
    const finder = query.string('q');
    if (finder !== 'campaigns') {
      return ERRORS.badRequest(
        finder === undefined
          ? 'GET on a collection needs a finder (q=campaigns)'
          : `Unknown finder q=${finder}`,
      );
    }
    const denied = requireScope(token, READ_SCOPES, 'campaignConversions.FINDER-campaigns');
    if (denied) return denied;
    const urns = query.list('campaigns');
    if (urns === undefined) return ERRORS.badRequest("Parameter 'campaigns' is required");
    const elements: Record<string, unknown>[] = [];
    for (const urn of urns) {
      const id = urnId(urn, URN_PREFIX.campaign);
      const campaign = id === undefined ? undefined : state.campaigns.get(id);
      if (!campaign || !canUseAccount(token, campaign.account)) continue;
      for (const rule of state.rulesOfCampaign(campaign.id)) {
        const a = state.associations.get(`${campaign.id}|${rule}`);
        elements.push(toWire(campaign.id, rule, a?.associatedAt));
      }
    }
    return jsonResponse(200, page(elements, query));
  });

  routes.all('*', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}
