/**
 * The Hono app: LinkedIn's endpoints under `/rest/` and `/oauth/v2/`, the control API under
 * `/__sandbox/`. Middleware order on `/rest/` follows how LinkedIn's stack answers:
 *
 *   tunnel → X-LI-UUID → stats → recorder → scripted response → faults → LinkedIn-Version → token
 *   → route (rate limit, scope, validation, business rules)
 *
 * Faults and scripts sit in front of the version and token checks because they stand for the
 * infrastructure in front of LinkedIn's API (a 503 from a load balancer knows nothing of tokens).
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { authMiddleware } from './auth.js';
import type { SandboxEnv, SandboxServices } from './context.js';
import { DroppedConnection, ERRORS, Problem } from './errors.js';
import { faultMiddleware } from './faults.js';
import { recorderMiddleware } from './recorder.js';
import { RestliSyntaxError } from './restli.js';
import { adAccountsRoutes, adAccountUsersRoutes } from './routes/ad-accounts.js';
import { adAnalyticsRoutes } from './routes/ad-analytics.js';
import { adminRoutes } from './routes/admin.js';
import { campaignConversionsRoutes } from './routes/campaign-conversions.js';
import { conversionEventsRoutes } from './routes/conversion-events.js';
import { conversionsRoutes } from './routes/conversions.js';
import { oauthRoutes } from './routes/oauth.js';
import { scriptMiddleware } from './script.js';
import { stampHeaders } from './stamp.js';
import { statsMiddleware } from './stats.js';
import { untunnel } from './tunnel.js';
import { versionMiddleware } from './versions.js';

export type SandboxApp = Hono<SandboxEnv>;

export function createApp(svc: SandboxServices): SandboxApp {
  const app = new Hono<SandboxEnv>();
  const now = () => svc.clock.now();

  app.use('*', async (c, next) => {
    const plain = await untunnel(c.req.raw);
    if (plain) return app.fetch(plain, c.env);
    return next();
  });

  app.use('*', async (c, next) => {
    // LinkedIn's request ids are 16 random bytes, base64.
    c.set('requestId', randomBytes(16).toString('base64'));
    await next();
    stampHeaders(c.res, c.get('requestId'));
  });

  const edge = [
    statsMiddleware(svc.stats, svc.clock),
    recorderMiddleware(svc.recorder, svc.clock),
    scriptMiddleware(svc.script),
    faultMiddleware({ faults: () => svc.faults(), random: svc.random, holds: svc.holds }),
  ] as const;
  app.use('/rest/*', ...edge, versionMiddleware(now), authMiddleware(svc.state, svc.clock));
  app.use('/oauth/*', ...edge);

  app.route('/rest/conversionEvents', conversionEventsRoutes(svc));
  app.route('/rest/conversions', conversionsRoutes(svc));
  app.route('/rest/campaignConversions', campaignConversionsRoutes(svc));
  app.route('/rest/adAccountUsers', adAccountUsersRoutes(svc));
  app.route('/rest/adAccounts', adAccountsRoutes(svc));
  app.route('/rest/adAnalytics', adAnalyticsRoutes(svc));
  app.route('/oauth/v2', oauthRoutes(svc));
  app.route('/__sandbox', adminRoutes(svc));

  app.notFound((c) => ERRORS.noRootResource(c.req.path.replace(/^\/rest(?=\/)/, '')));

  app.onError((err) => {
    if (err instanceof Problem) return err.response;
    if (err instanceof RestliSyntaxError) return ERRORS.badRequest(`Invalid Rest.li syntax: ${err.message}`);
    // Dropping the connection means answering nothing at all: let it reach the HTTP layer.
    if (err instanceof DroppedConnection) throw err;
    console.error('[sandbox] unexpected error', err);
    return ERRORS.internal();
  });

  return app;
}
