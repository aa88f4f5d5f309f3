/**
 * Admin routes (Bearer admin token): look up an event and its delivery attempts; the dead-letter and
 * pause routes live beside this file. Views never include the payload: identifier types are shown,
 * never their values.
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import type { AuditEntry } from '../../ports.js';
import { type App, json, type RouteContext } from '../context.js';
import { pathParameterPath } from '../problem-path.js';
import { ErrorBodySchema, EventLookupResponseSchema } from '../schemas.js';
import { adminKit } from './admin-kit.js';
import { registerDeadLetterRoutes } from './dead-letters.js';
import { eventView } from './event-view.js';
import { registerPauseRoutes } from './pauses.js';

const ATTEMPTS_SHOWN = 50;

function attemptView(a: AuditEntry) {
  return {
    at: new Date(a.at).toISOString(),
    status: a.status,
    outcome: a.outcome,
    requestId: a.requestId,
    batchSize: a.batchSize,
    durationMs: a.durationMs,
    errorBody: a.errorBody,
  };
}

const EventIdParamSchema = z.object({ eventId: z.string().min(1).describe('The business eventId.') });

export function registerAdminRoutes(app: App, ctx: RouteContext): void {
  const { deps } = ctx;
  const { store } = deps;
  const kit = adminKit(ctx);
  const { admin, security, authErrors, fromStore } = kit;

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/events/{eventId}',
    tags: ['admin'],
    summary: 'An event’s state and delivery attempts',
    description: 'Every stored event with this eventId (several rules may share one), with its attempts.',
    security,
    request: { params: EventIdParamSchema },
    responses: {
      200: json(EventLookupResponseSchema, 'The events and their attempts.'),
      404: json(ErrorBodySchema, 'NOT_FOUND: no stored event has this eventId.'),
      ...authErrors,
    },
  });
  app.get('/v1/events/:eventId', admin, async (c) => {
    const eventId = c.req.param('eventId');
    const rows = await fromStore('findByEventId', () => store.findByEventId(eventId));
    if (rows.length === 0)
      throw new GatewayError('NOT_FOUND', {
        path: pathParameterPath('eventId'),
        message: 'No stored event has this eventId.',
        fix: 'Use the eventId the event was sent with. Rejected events are never stored, and events past the retention period are purged.',
      });
    const events = await Promise.all(
      rows.map(async (row) => {
        const audit = await fromStore('auditForEvent', () => store.auditForEvent(row.id, ATTEMPTS_SHOWN));
        return { ...eventView(row), attempts: audit.map(attemptView) };
      }),
    );
    return c.json({ events }, 200);
  });

  registerDeadLetterRoutes(app, ctx, kit);
  registerPauseRoutes(app, ctx, kit);
}
