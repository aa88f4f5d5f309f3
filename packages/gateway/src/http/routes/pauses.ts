/**
 * Admin routes for delivery pauses (admin token). A 401 pauses an account until someone lifts the
 * pause: these routes show the pauses and lift them, for every instance (pauses live in the store).
 * Delivery itself is resumed through `deps.resumeDelivery` (the worker), which also drops this
 * process's own short holds; without a worker the pause is lifted in the store directly.
 */
import { z } from 'zod';
import { PAUSE_INDEFINITELY } from '../../domain/delivery-plan.js';
import { GatewayError } from '../../errors.js';
import { type App, json, type RouteContext } from '../context.js';
import { pathParameterPath } from '../problem-path.js';
import { ErrorBodySchema, PausesResponseSchema, ResumeResponseSchema } from '../schemas.js';
import type { AdminKit } from './admin-kit.js';

/** Every configured account, and this process's setup pause (a `config` outcome), at once. */
const ALL = 'all';

const AccountParamSchema = z.object({
  account: z.string().describe('A configured ad account id (digits), or "all".'),
});

export function registerPauseRoutes(app: App, ctx: RouteContext, kit: AdminKit): void {
  const { deps } = ctx;
  const { store, logger } = deps;
  const { admin, security, authErrors, fromStore } = kit;
  const resume =
    deps.resumeDelivery ??
    (async (account: string) => {
      await store.pauseAccount(account, 0, 'resumed');
      deps.onAccepted?.();
    });

  const pauses = async () => {
    const rows = await fromStore('pausedAccounts', () => store.pausedAccounts(deps.clock.now()));
    // This instance's own pause of all sending, which no store row shows (it is not the others').
    const own = deps.processPause?.();
    const all = own ? [{ account: ALL, ...own }, ...rows] : rows;
    return all.map((p) => ({
      account: p.account,
      reason: p.reason,
      until: p.until >= PAUSE_INDEFINITELY ? null : new Date(p.until).toISOString(),
    }));
  };

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/accounts/paused',
    tags: ['admin'],
    summary: 'Ad accounts whose delivery is paused',
    description:
      'Pauses in force for every instance: LinkedIn throttled (429), refused the token (401) or a permission (403).',
    security,
    responses: { 200: json(PausesResponseSchema, 'The pauses in force.'), ...authErrors },
  });
  app.get('/v1/accounts/paused', admin, async (c) => c.json({ pauses: await pauses() }, 200));

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/accounts/{account}/resume',
    tags: ['admin'],
    summary: "Lift an account's delivery pause",
    description:
      'Its queued events are sent again at once, by every instance. Use it after replacing a token LinkedIn refused (401) or fixing a permission (403). "all" lifts every pause, and this instance\'s pause of all sending after a setup error.',
    security,
    request: { params: AccountParamSchema },
    responses: {
      200: json(ResumeResponseSchema, 'The pause is lifted (or there was none).'),
      404: json(ErrorBodySchema, 'NOT_FOUND: no configured ad account has this id.'),
      ...authErrors,
    },
  });
  app.post('/v1/accounts/:account/resume', admin, async (c) => {
    const account = c.req.param('account');
    const configured = deps.config.accounts.map((a) => a.id);
    if (account !== ALL && !configured.includes(account)) {
      throw new GatewayError('NOT_FOUND', {
        path: pathParameterPath('account'),
        // The id is not repeated: a path parameter is client input, and may be anything.
        message: `No configured ad account has this id; configured: ${configured.join(', ')}.`,
        fix: `Use one of the configured account ids, or ${ALL} for every account.`,
      });
    }
    const before = await pauses();
    const targets = account === ALL ? configured : [account];
    await fromStore('resume', async () => {
      for (const target of targets) await resume(target);
      // '*' is the worker's own pause of all sending (a setup error); there is none without a worker.
      if (account === ALL && deps.resumeDelivery) await deps.resumeDelivery('*');
    });
    // An operator action: always logged.
    logger.info({ accounts: targets }, 'delivery pause lifted by an operator');
    // "all" first when this instance's pause of all sending was among them: it was lifted too.
    const resumed = account === ALL && before.some((p) => p.account === ALL) ? [ALL, ...targets] : targets;
    return c.json(
      { resumed, wasPaused: before.filter((p) => account === ALL || p.account === account) },
      200,
    );
  });
}
