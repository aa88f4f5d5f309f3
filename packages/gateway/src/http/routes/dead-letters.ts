/**
 * Dead-letter routes (admin token): list dead letters a page at a time, count them by account, rule
 * and reason with the fix for each reason, and redrive them (or see what a redrive would move).
 */
import type { z } from 'zod';
import { summarizeInPages } from '../../dead-letter-summary.js';
import { deadLetterFix } from '../../domain/dead-letter-fixes.js';
import { countDeadLetters } from '../../domain/dead-letter-groups.js';
import { parseHappenedAt } from '../../domain/happened-at.js';
import { problemsFromIssues } from '../../domain/issues.js';
import { GatewayError } from '../../errors.js';
import type { DeadLetterFilter, DeadLetterGroup, DeadLetterPosition } from '../../ports.js';
import { redriveInPages } from '../../redrive.js';
import { readJsonBody } from '../body.js';
import { type App, json, type RouteContext } from '../context.js';
import { decodeDeadLetterCursor, encodeDeadLetterCursor } from '../dead-letter-cursor.js';
import { queryPath, queryPathFromPointer, WHOLE_BODY } from '../problem-path.js';
import {
  DeadLetterQuerySchema,
  DeadLetterSummaryQuerySchema,
  DeadLetterSummaryResponseSchema,
  DeadLettersResponseSchema,
  ErrorBodySchema,
  RedriveRequestSchema,
  RedriveResponseSchema,
} from '../schemas.js';
import type { AdminKit } from './admin-kit.js';
import { eventView } from './event-view.js';

const DEFAULT_LIST_LIMIT = 100;

/** A query string read with its schema, or 400 QUERY_INVALID naming each parameter at fault. */
function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const details = problemsFromIssues(parsed.error.issues, () => 'QUERY_INVALID').map((p) => ({
      ...p,
      path: queryPathFromPointer(p.path),
    }));
    throw new GatewayError('QUERY_INVALID', { path: details[0]?.path, details });
  }
  return parsed.data;
}

/**
 * The filters every dead-letter route takes, from a query (list, summary) or a body (redrive);
 * `sincePath` and `code` name a bad `since` where the request put it.
 */
function deadLetterFilter(
  fields: { ruleId?: string; account?: string; reason?: string; since?: string | number },
  sincePath: string,
  code: 'QUERY_INVALID' | 'BODY_INVALID',
): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (fields.ruleId) filter.ruleId = fields.ruleId;
  if (fields.account) filter.account = fields.account;
  if (fields.reason) filter.reason = fields.reason;
  const since = sinceMs(fields.since, sincePath, code);
  if (since !== undefined) filter.since = since;
  return filter;
}

function groupView(g: DeadLetterGroup) {
  return {
    account: g.account,
    ruleId: g.ruleId,
    reason: g.reason,
    count: g.count,
    newestDeadAt: new Date(g.newestAt).toISOString(),
    oldestDeadAt: new Date(g.oldestAt).toISOString(),
    fix: deadLetterFix(g.reason),
  };
}

function cursorPosition(cursor: string): DeadLetterPosition {
  const position = decodeDeadLetterCursor(cursor);
  if (position === null) {
    throw new GatewayError('QUERY_INVALID', {
      path: queryPath('cursor'),
      message: 'Not a cursor this gateway gave out: pass the nextCursor of the previous page unchanged.',
    });
  }
  return position;
}

function sinceMs(
  value: string | number | undefined,
  path: string,
  code: 'QUERY_INVALID' | 'BODY_INVALID',
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseHappenedAt(value);
  if (ms === null)
    throw new GatewayError(code, { path, message: 'since must be ISO-8601 or epoch milliseconds.' });
  return ms;
}

export function registerDeadLetterRoutes(app: App, ctx: RouteContext, kit: AdminKit): void {
  const { deps } = ctx;
  const { store, logger } = deps;
  const { admin, security, authErrors, fromStore } = kit;

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/dead-letters',
    tags: ['admin'],
    summary: 'List dead letters',
    security,
    request: { query: DeadLetterQuerySchema },
    responses: {
      200: json(DeadLettersResponseSchema, 'Dead letters matching the filters.'),
      400: json(ErrorBodySchema, 'QUERY_INVALID.'),
      ...authErrors,
    },
  });
  app.get('/v1/dead-letters', admin, async (c) => {
    const q = parseQuery(DeadLetterQuerySchema, c.req.query());
    const filter = deadLetterFilter(q, queryPath('since'), 'QUERY_INVALID');
    filter.limit = q.limit ?? DEFAULT_LIST_LIMIT;
    if (q.cursor !== undefined) filter.after = cursorPosition(q.cursor);
    const dead = await fromStore('listDead', () => store.listDead(filter));
    const last = dead.at(-1);
    return c.json(
      {
        deadLetters: dead.map((d) => ({ ...eventView(d), deadAt: new Date(d.deadAt).toISOString() })),
        count: dead.length,
        // A full page may have more after it; a short one is the last.
        nextCursor: last && dead.length === filter.limit ? encodeDeadLetterCursor(last) : null,
      },
      200,
    );
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/dead-letters/summary',
    tags: ['admin'],
    summary: 'Dead letters counted by account, rule and reason, with the fix for each reason',
    security,
    request: { query: DeadLetterSummaryQuerySchema },
    responses: {
      200: json(DeadLetterSummaryResponseSchema, 'Groups of dead letters, the largest first.'),
      400: json(ErrorBodySchema, 'QUERY_INVALID.'),
      ...authErrors,
    },
  });
  app.get('/v1/dead-letters/summary', admin, async (c) => {
    const q = parseQuery(DeadLetterSummaryQuerySchema, c.req.query());
    const filter = deadLetterFilter(q, queryPath('since'), 'QUERY_INVALID');
    const groups = await fromStore('summarizeDead', () => summarizeInPages(store, filter));
    return c.json({ groups: groups.map(groupView), total: countDeadLetters(groups) }, 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/dead-letters/redrive',
    tags: ['admin'],
    summary: 'Redrive dead letters',
    description:
      'Moves matching dead letters back to the queue (attempts kept). At least one filter is required.',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: RedriveRequestSchema } } } },
    responses: {
      200: json(RedriveResponseSchema, 'How many dead letters were moved back to the queue.'),
      400: json(ErrorBodySchema, 'BODY_INVALID_JSON, BODY_INVALID or REDRIVE_FILTER_MISSING.'),
      ...authErrors,
    },
  });
  app.post('/v1/dead-letters/redrive', admin, async (c) => {
    const body = await readJsonBody(c.req.raw, deps.config.bodyLimitBytes);
    const parsed = RedriveRequestSchema.safeParse(body);
    if (!parsed.success) {
      // The domain's pointers name the whole body "", as request-level problems do.
      const details = problemsFromIssues(parsed.error.issues, () => 'BODY_INVALID');
      throw new GatewayError('BODY_INVALID', { path: details[0]?.path ?? WHOLE_BODY, details });
    }
    const r = parsed.data;
    const filter = deadLetterFilter(r, '/since', 'BODY_INVALID');
    if (r.ids && r.ids.length > 0) filter.ids = r.ids;
    if (r.eventIds && r.eventIds.length > 0) filter.eventIds = r.eventIds;
    if (Object.keys(filter).length === 0)
      throw new GatewayError('REDRIVE_FILTER_MISSING', { path: WHOLE_BODY });
    if (r.dryRun === true) {
      const groups = await fromStore('summarizeDead', () => summarizeInPages(store, filter));
      return c.json(
        {
          redriven: 0,
          dryRun: true,
          matched: countDeadLetters(groups),
          groups: groups.map(groupView),
        },
        200,
      );
    }

    const redriven = await fromStore('redrive', () => redriveInPages(store, filter, deps.clock.now()));
    // An operator action: always logged (filters only, never event contents).
    logger.info(
      {
        redriven,
        filter: { ...filter, ids: filter.ids?.length, eventIds: filter.eventIds?.length },
      },
      'dead letters redriven',
    );
    if (redriven > 0) deps.onAccepted?.();
    return c.json({ redriven }, 200);
  });
}
