/**
 * Operations: liveness, readiness, Prometheus metrics and the OpenAPI document. None needs a key:
 * they reveal no event data (metrics labels are low-cardinality by design).
 */
import { z } from 'zod';
import { type ErrorCode, errorBody } from '../../errors.js';
import { OUTBOX_STATES } from '../../ports.js';
import { type App, json, type RouteContext } from '../context.js';
import type { Readiness } from '../deps.js';
import { HealthSchema, ReadySchema } from '../schemas.js';

export function registerOpsRoutes(app: App, ctx: RouteContext, openApiDocument: () => unknown): void {
  const { deps } = ctx;
  const { store, metrics, logger } = deps;

  const probeStore = async (): Promise<Readiness> => {
    try {
      await store.ping();
      return { ok: true, checks: { store: 'ok' } };
    } catch {
      return { ok: false, checks: { store: 'unreachable' } };
    }
  };
  const readiness = deps.readiness ?? probeStore;

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/healthz',
    tags: ['operations'],
    summary: 'Liveness',
    description: '200 whenever the process is running.',
    responses: { 200: json(HealthSchema, 'Alive.') },
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' as const }, 200));

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/readyz',
    tags: ['operations'],
    summary: 'Readiness',
    description: '503 while intake is closed (shutting down) or the store is unreachable.',
    responses: { 200: json(ReadySchema, 'Ready.'), 503: json(ReadySchema, 'Not ready; checks say why.') },
  });
  app.get('/readyz', async (c) => {
    let result: Readiness;
    try {
      result = await readiness();
    } catch {
      result = { ok: false, checks: { readiness: 'failed' } };
    }
    // Read after the checks: a SIGTERM during the store's ping must answer SHUTTING_DOWN.
    const accepting = deps.intake.accepting();
    const checks = { intake: accepting ? 'open' : 'closed', ...result.checks };
    if (accepting && result.ok) return c.json({ status: 'ready' as const, checks }, 200);
    const code: ErrorCode = accepting ? 'STORE_UNAVAILABLE' : 'SHUTTING_DOWN';
    if (!accepting) c.header('Connection', 'close');
    return c.json({ status: 'not_ready' as const, checks, error: errorBody(code).error }, 503);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics',
    description: 'Prometheus text exposition; capigw_queue_depth is read from the store at each scrape.',
    responses: { 200: { description: 'Metrics.', content: { 'text/plain': { schema: z.string() } } } },
  });
  app.get('/metrics', async (c) => {
    const gate = ctx.gate.state();
    metrics.ingestWaiting.set(gate.waiting);
    metrics.ingestInFlightBytes.set(gate.inFlightBytes);
    try {
      const stats = await store.stats();
      for (const state of OUTBOX_STATES) metrics.queueDepth.set({ state }, stats.byState[state] ?? 0);
      const oldest = stats.oldestQueuedAt;
      metrics.oldestQueuedAge.set(oldest === null ? 0 : Math.max(0, (deps.clock.now() - oldest) / 1000));
      const paused = await store.pausedAccounts(deps.clock.now());
      metrics.accountPaused.reset();
      for (const { account, reason } of paused) metrics.accountPaused.set({ account, reason }, 1);
      const own = deps.processPause?.();
      if (own) metrics.accountPaused.set({ account: 'all', reason: own.reason }, 1);
    } catch (err) {
      // Serve the other metrics anyway; a stale gauge is better than a failed scrape.
      logger.warn({ err }, 'could not refresh queue depth or paused accounts for /metrics');
    }
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['operations'],
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The document.') },
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument() as Record<string, unknown>, 200));
}
