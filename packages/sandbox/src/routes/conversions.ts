/**
 * `/rest/conversions`: conversion rules. Create (optionally `autoAssociationType=ALL_CAMPAIGNS`),
 * get by id, batch get (`ids=List(...)`), the `q=account` finder, and PARTIAL_UPDATE (204).
 * Rules are never deleted; `enabled: false` is LinkedIn's "delete".
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
import type { AccessToken, ConversionRule } from '../model.js';
import { urnId } from '../restli.js';
import { project, ruleToWire } from '../to-wire.js';
import { errorLines } from '../validate-event.js';
import { accountIdOfUrn, checkRuleCreate, checkRulePatch, checkWindows } from '../validate-rule.js';
import { SCOPES, URN_PREFIX, type WireMoney } from '../wire.js';

const READ_SCOPES = [SCOPES.conversions, SCOPES.readAds];
const CAMPAIGN_STATUSES_AUTO: ReadonlySet<string> = new Set(['ACTIVE', 'DRAFT', 'PAUSED']);

export function conversionsRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const { state } = svc;

  const findRule = (c: SandboxContext, token: AccessToken): ConversionRule | Response => {
    const raw = restSegments(c)[1] ?? '';
    const key = keyOf(raw);
    const id = typeof key === 'string' ? urnId(key, URN_PREFIX.rule) : undefined;
    const rule = id === undefined ? undefined : state.rules.get(id);
    if (!rule || !canUseAccount(token, rule.account)) return ERRORS.notFound(`Conversion ${raw} not found`);
    const account = queryOf(c).string('account');
    if (account !== undefined && urnId(account, URN_PREFIX.account) !== rule.account) {
      return ERRORS.notFound(`Conversion ${raw} not found for account ${account}`);
    }
    return rule;
  };

  routes.get('/', (c) => {
    const token = c.get('token');
    const query = queryOf(c);
    const finder = query.string('q');
    if (finder === 'account') {
      const denied = requireScope(token, READ_SCOPES, 'conversions.FINDER-account');
      if (denied) return denied;
      const accountUrn = query.string('account');
      if (accountUrn === undefined) return ERRORS.badRequest("Parameter 'account' is required");
      const account = urnId(accountUrn, URN_PREFIX.account);
      const rules =
        account !== undefined && canUseAccount(token, account) ? state.rulesOfAccount(account) : [];
      const fields = query.fields();
      return jsonResponse(
        200,
        page(
          rules.map((r) => project(ruleToWire(r, state), fields)),
          query,
        ),
      );
    }
    const ids = query.list('ids');
    if (finder === undefined && ids !== undefined) {
      const denied = requireScope(token, READ_SCOPES, 'conversions.BATCH_GET');
      if (denied) return denied;
      const results: Record<string, unknown> = {};
      const errors: Record<string, unknown> = {};
      for (const id of ids) {
        const rule = state.rules.get(id);
        if (rule && canUseAccount(token, rule.account)) results[id] = ruleToWire(rule, state);
        else errors[id] = { status: 404, message: `Conversion ${id} not found` };
      }
      return jsonResponse(200, { results, statuses: {}, errors });
    }
    return ERRORS.badRequest(
      finder === undefined ? 'GET on a collection needs a finder (q=account)' : `Unknown finder q=${finder}`,
    );
  });

  routes.post('/', async (c) => {
    const method = restliMethod(c);
    if (method !== '' && method !== 'CREATE') return ERRORS.unsupported('POST', resourcePath(c), method);
    const token = c.get('token');
    const denied = requireScope(token, [SCOPES.conversions], 'conversions.CREATE');
    if (denied) return denied;
    const auto = queryOf(c).string('autoAssociationType');
    if (auto !== undefined && auto !== 'ALL_CAMPAIGNS') {
      return ERRORS.badRequest(`Invalid value ${auto} for parameter autoAssociationType`);
    }
    const body = await readJson(c);
    const errors = checkRuleCreate(body, c.get('version'));
    if (errors.length > 0) return ERRORS.schema(errorLines(errors));
    const input = body as WireRuleInputBody;
    const account = accountIdOfUrn(input.account);
    if (!state.accounts.has(account) || !canUseAccount(token, account))
      return ERRORS.notAuthorized('conversions.CREATE');
    const roleDenied = requireWriteRole(token, account, 'conversions.CREATE');
    if (roleDenied) return roleDenied;
    const postClick = input.postClickAttributionWindowSize ?? 30;
    const viewThrough = input.viewThroughAttributionWindowSize ?? 7;
    const badWindow = checkWindows(input.type, postClick, viewThrough);
    if (badWindow) return badWindow;

    const now = svc.clock.now();
    const rule = state.addRule({
      account,
      name: input.name,
      conversionMethod: input.conversionMethod,
      type: input.type,
      enabled: input.enabled ?? true,
      attributionType: input.attributionType ?? 'LAST_TOUCH_BY_CAMPAIGN',
      postClickAttributionWindowSize: postClick,
      viewThroughAttributionWindowSize: viewThrough,
      valueType: input.valueType ?? 'DYNAMIC',
      value: input.value,
      created: now,
      lastModified: now,
    });
    if (auto === 'ALL_CAMPAIGNS') {
      for (const campaign of state.campaignsOfAccount(account)) {
        if (CAMPAIGN_STATUSES_AUTO.has(campaign.status)) state.associate(campaign.id, rule.id, now);
      }
    }
    return jsonResponse(201, ruleToWire(rule, state), {
      'x-restli-id': rule.id,
      Location: `/conversions/${rule.id}`,
    });
  });

  routes.get('/:key', (c) => {
    const token = c.get('token');
    const denied = requireScope(token, READ_SCOPES, 'conversions.GET');
    if (denied) return denied;
    const rule = findRule(c, token);
    if (rule instanceof Response) return rule;
    return jsonResponse(200, project(ruleToWire(rule, state), queryOf(c).fields()));
  });

  routes.post('/:key', async (c) => {
    const method = restliMethod(c);
    if (method !== 'PARTIAL_UPDATE') return ERRORS.unsupported('POST', resourcePath(c), method);
    const token = c.get('token');
    const denied = requireScope(token, [SCOPES.conversions], 'conversions.PARTIAL_UPDATE');
    if (denied) return denied;
    const rule = findRule(c, token);
    if (rule instanceof Response) return rule;
    const roleDenied = requireWriteRole(token, rule.account, 'conversions.PARTIAL_UPDATE');
    if (roleDenied) return roleDenied;
    const checked = checkRulePatch(await readJson(c), c.get('version'));
    if ('errors' in checked) return ERRORS.schema(errorLines(checked.errors));
    const next: ConversionRule = { ...rule, ...(checked.patch.set as Partial<ConversionRule>) };
    if (checked.patch.deleteValue) delete next.value;
    const badWindow = checkWindows(
      next.type,
      next.postClickAttributionWindowSize,
      next.viewThroughAttributionWindowSize,
    );
    if (badWindow) return badWindow;
    delete (next as { urlRules?: unknown }).urlRules;
    next.lastModified = svc.clock.now();
    state.rules.set(rule.id, next);
    state.changed();
    return emptyResponse(204);
  });

  routes.all('*', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}

/** A create body after `checkRuleCreate` passed. */
interface WireRuleInputBody {
  name: string;
  account: string;
  conversionMethod: ConversionRule['conversionMethod'];
  type: ConversionRule['type'];
  enabled?: boolean;
  attributionType?: ConversionRule['attributionType'];
  postClickAttributionWindowSize?: number;
  viewThroughAttributionWindowSize?: number;
  valueType?: ConversionRule['valueType'];
  value?: WireMoney;
}
