/**
 * The sandbox's own control API under `/__sandbox/` (not part of LinkedIn's): faults, scripted
 * responses, rate limits, the request recorder, accepted events, stats, reset, token minting and
 * the clock. Unauthenticated by design: the sandbox holds no real data. Documented in docs/sandbox.md.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { jsonResponse } from '../errors.js';
import { faultSettingsSchema } from '../faults.js';
import type { AccessToken } from '../model.js';
import { rateLimitsSchema } from '../rate-limit.js';
import { urnId } from '../restli.js';
import { scriptedResponseSchema } from '../script.js';
import { ACCOUNT_ROLES, URN_PREFIX } from '../wire.js';

const tokenRequestSchema = z.strictObject({
  value: z.string().min(1).optional(),
  member: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  accounts: z.array(z.union([z.string(), z.number()])).optional(),
  /** Seconds from now; negative mints an already expired token. */
  expiresInSeconds: z.number().optional(),
  expiresAt: z.union([z.number(), z.string(), z.null()]).optional(),
  revoked: z.boolean().optional(),
  description: z.string().optional(),
});

const codeRequestSchema = z.strictObject({
  code: z.string().min(1).optional(),
  clientId: z.string(),
  member: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  accounts: z.array(z.union([z.string(), z.number()])).optional(),
  redirectUri: z.string().optional(),
});

const clockSchema = z.union([
  z.strictObject({ offsetMs: z.number() }),
  z.strictObject({ now: z.union([z.number(), z.string()]) }),
]);

const scriptSchema = z.union([
  z.array(scriptedResponseSchema),
  z.strictObject({ responses: z.array(scriptedResponseSchema) }),
]);

const DEFAULT_SCOPES = ['rw_conversions', 'r_ads', 'r_ads_reporting'];

/** Parses the JSON body with `schema`; a 400 listing the problems when it does not fit. */
async function body<T>(req: { text(): Promise<string> }, schema: z.ZodType<T>): Promise<T | Response> {
  const text = await req.text();
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return jsonResponse(400, { error: 'Body is not valid JSON' });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return jsonResponse(400, { error: z.prettifyError(parsed.error) });
  return parsed.data;
}

function timeParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

function intParam(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
}

function toTime(
  v: number | string | null | undefined,
  inSeconds: number | undefined,
  now: number,
): number | null {
  if (inSeconds !== undefined) return now + inSeconds * 1000;
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

const accountIds = (list: (string | number)[] | undefined) =>
  list?.map((a) => urnId(String(a), URN_PREFIX.account) ?? String(a));

export function adminRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const { state, clock } = svc;

  routes.get('/', (c) =>
    c.json({
      endpoints: [
        'GET|PUT|DELETE /__sandbox/faults',
        'GET|POST|DELETE /__sandbox/script',
        'GET|PUT /__sandbox/limits',
        'GET|DELETE /__sandbox/requests',
        'GET /__sandbox/events',
        'GET /__sandbox/stats',
        'GET /__sandbox/state',
        'POST /__sandbox/reset',
        'GET|POST /__sandbox/tokens',
        'POST /__sandbox/tokens/{value}/revoke',
        'POST /__sandbox/oauth/codes',
        'GET|POST /__sandbox/clock',
      ],
    }),
  );

  routes.get('/faults', (c) => c.json(svc.faults()));
  routes.put('/faults', async (c) => {
    const settings = await body(c.req, faultSettingsSchema);
    if (settings instanceof Response) return settings;
    svc.setFaults(settings);
    return c.json(svc.faults());
  });
  routes.delete('/faults', (c) => {
    svc.setFaults({});
    return c.json(svc.faults());
  });

  routes.get('/script', (c) => c.json({ pending: svc.script.pending() }));
  routes.post('/script', async (c) => {
    const parsed = await body(c.req, scriptSchema);
    if (parsed instanceof Response) return parsed;
    svc.script.push(Array.isArray(parsed) ? parsed : parsed.responses);
    return c.json({ pending: svc.script.pending() }, 201);
  });
  routes.delete('/script', (c) => {
    svc.script.clear();
    return c.json({ pending: [] });
  });

  routes.get('/limits', (c) => c.json(svc.limiter.limits));
  routes.put('/limits', async (c) => {
    const limits = await body(c.req, rateLimitsSchema);
    if (limits instanceof Response) return limits;
    svc.limiter.set(limits);
    return c.json(svc.limiter.limits);
  });

  routes.get('/requests', (c) => {
    const all = svc.recorder.list({
      path: c.req.query('path'),
      method: c.req.query('method'),
      since: timeParam(c.req.query('since')),
      afterSeq: timeParam(c.req.query('afterSeq')),
    });
    const start = intParam(c.req.query('start'), 0);
    const count = intParam(c.req.query('count'), 1000);
    return c.json({ count: all.length, elements: all.slice(start, start + count) });
  });
  routes.delete('/requests', (c) => {
    svc.recorder.clear();
    return c.body(null, 204);
  });

  routes.get('/events', (c) => {
    const rule = c.req.query('rule');
    const all = state.events.query({
      rule: rule === undefined ? undefined : (urnId(rule, URN_PREFIX.rule) ?? rule),
      eventId: c.req.query('eventId'),
      afterSeq: timeParam(c.req.query('afterSeq')),
    });
    const start = intParam(c.req.query('start'), 0);
    const count = intParam(c.req.query('count'), 1000);
    return c.json({
      count: all.length,
      total: state.events.total,
      retained: state.events.retained,
      elements: all.slice(start, start + count),
    });
  });

  routes.get('/stats', (c) =>
    c.json({ ...svc.stats.report(), limits: svc.limiter.limits, usage: svc.limiter.usage(clock.now()) }),
  );

  routes.get('/state', (c) => {
    const { events: _events, ...rest } = state.toSnapshot();
    return c.json({ ...rest, eventsAccepted: state.events.total });
  });

  routes.post('/reset', (c) => {
    svc.reset();
    return c.json({ reset: true, now: clock.now() });
  });

  routes.get('/tokens', (c) => c.json({ elements: [...state.tokens.values()] }));
  routes.post('/tokens', async (c) => {
    const req = await body(c.req, tokenRequestSchema);
    if (req instanceof Response) return req;
    const now = clock.now();
    const token: AccessToken = {
      value: req.value ?? `sandbox-minted-${randomBytes(12).toString('base64url')}`,
      member: req.member ?? `${URN_PREFIX.person}sandboxMember`,
      scopes: req.scopes ?? DEFAULT_SCOPES,
      role: req.role ?? 'ACCOUNT_MANAGER',
      accounts: accountIds(req.accounts),
      expiresAt: toTime(req.expiresAt, req.expiresInSeconds, now),
      revoked: req.revoked ?? false,
      createdAt: now,
      description: req.description,
    };
    state.tokens.set(token.value, token);
    state.changed();
    return c.json(token, 201);
  });
  routes.post('/tokens/:value/revoke', (c) => {
    const token = state.tokens.get(c.req.param('value'));
    if (!token) return c.json({ error: 'No such token' }, 404);
    token.revoked = true;
    state.changed();
    return c.json(token);
  });

  routes.post('/oauth/codes', async (c) => {
    const req = await body(c.req, codeRequestSchema);
    if (req instanceof Response) return req;
    const code = req.code ?? `sandbox-code-${randomBytes(12).toString('base64url')}`;
    state.authorizationCodes.set(code, {
      code,
      clientId: req.clientId,
      member: req.member ?? `${URN_PREFIX.person}sandboxMember`,
      scopes: req.scopes ?? DEFAULT_SCOPES,
      role: req.role ?? 'ACCOUNT_MANAGER',
      accounts: accountIds(req.accounts),
      redirectUri: req.redirectUri,
      used: false,
    });
    state.changed();
    return c.json({ code }, 201);
  });

  routes.get('/clock', (c) =>
    c.json({ now: clock.now(), iso: new Date(clock.now()).toISOString(), offsetMs: clock.offsetMs }),
  );
  routes.post('/clock', async (c) => {
    const req = await body(c.req, clockSchema);
    if (req instanceof Response) return req;
    if ('offsetMs' in req) clock.setOffset(req.offsetMs);
    else {
      const at = typeof req.now === 'number' ? req.now : Date.parse(req.now);
      if (Number.isNaN(at)) return c.json({ error: `Invalid time ${req.now}` }, 400);
      clock.setNow(at);
    }
    return c.json({ now: clock.now(), iso: new Date(clock.now()).toISOString(), offsetMs: clock.offsetMs });
  });

  return routes;
}
