/**
 * The composition root: builds every part from the configuration and passes dependencies in.
 * Nothing below this file picks an adapter or reads the environment; tests build a gateway here
 * with their own clock, store URL or transport.
 */
import { type ServerType, serve } from '@hono/node-server';
import type { GatewayConfig } from './config.js';
import { createGatewayHttp, type GatewayHttp } from './http/app.js';
import { serverWithRequestIds } from './http/request-id.js';
import { createLinkedInTransport } from './linkedin-transport.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import type { Clock, LinkedInTransport, OutboxStore } from './ports.js';
import { systemClock } from './ports.js';
import { createRetentionJob } from './retention.js';
import { type EmbeddedSandbox, startEmbeddedSandbox } from './sandbox-mode.js';
import { openStore } from './store/open.js';
import { createDeliveryWorker } from './worker/index.js';

export interface GatewayOverrides {
  clock?: Clock;
  logger?: Logger;
  store?: OutboxStore;
  transport?: LinkedInTransport;
  /** Do not start the delivery worker (ingest-only benchmarks and tests). */
  noWorker?: boolean;
}

export interface Gateway {
  /** The effective configuration (in sandbox mode: with the sandbox's account, rules and keys). */
  readonly config: Readonly<GatewayConfig>;
  readonly app: GatewayHttp['app'];
  readonly store: OutboxStore;
  readonly metrics: GatewayMetrics;
  readonly worker: ReturnType<typeof createDeliveryWorker>;
  readonly sandbox: EmbeddedSandbox | null;
  readonly logger: Logger;
  /** Listens on config.host:config.port (0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /** Graceful stop: intake answers 503, in-flight work finishes, leases are released. */
  stop(): Promise<void>;
}

export async function createGateway(
  baseConfig: Readonly<GatewayConfig>,
  overrides: GatewayOverrides = {},
): Promise<Gateway> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(baseConfig.logLevel);

  // Without a LinkedIn token the gateway runs the sandbox in-process and adopts its demo account.
  const sandbox = baseConfig.sandbox && !overrides.transport ? await startEmbeddedSandbox(baseConfig) : null;
  const config = sandbox ? sandbox.config : baseConfig;

  const store =
    overrides.store ??
    (await openStore(config.storeUrl, {
      durability: config.durability,
      thread: config.storeThread,
      sqliteCacheMiB: config.sqliteCacheMiB,
      sqliteCheckpointThread: config.sqliteCheckpointThread,
      pgConnectTimeoutMs: config.pgConnectTimeoutMs,
      pgQueryTimeoutMs: config.pgQueryTimeoutMs,
      dedupWindowMs: config.dedupWindowMs,
      clock,
    }));
  try {
    await store.migrate();
  } catch (err) {
    await sandbox?.stop();
    throw err;
  }

  let accepting = true;
  const metrics = createMetrics();
  const tokens = new Map(config.accounts.map((a) => [a.id, a.token]));
  const transport =
    overrides.transport ??
    createLinkedInTransport({
      baseUrl: config.linkedin.baseUrl,
      version: config.linkedin.version,
      timeoutMs: config.linkedin.timeoutMs,
      tokenFor: (account) => tokens.get(account) ?? null,
    });
  const worker = createDeliveryWorker({ store, transport, clock, config, metrics, logger });
  const retention = createRetentionJob({
    store,
    clock,
    retentionMs: config.retentionMs,
    dedupWindowMs: config.dedupWindowMs,
    idempotencyWindowMs: config.idempotencyWindowMs,
    intervalMs: 3_600_000,
    logger,
  });
  const http = createGatewayHttp({
    config,
    store,
    clock,
    metrics,
    logger,
    intake: { accepting: () => accepting },
    onAccepted: () => worker.kick(),
    resumeDelivery: (account) => worker.resumeAccount(account),
    processPause: () => worker.processPause(),
    readiness: async () => {
      const checks: Record<string, string> = {};
      checks.intake = accepting ? 'open' : 'closed';
      try {
        // ping, not stats: a load balancer polls this, and on PostgreSQL stats() counts rows.
        await store.ping();
        checks.store = 'ok';
      } catch (err) {
        // /readyz is unauthenticated: the detail goes to the log, not to the caller.
        logger.warn({ err }, 'readiness: store unreachable');
        checks.store = 'unreachable';
      }
      return { ok: accepting && checks.store === 'ok', checks };
    },
  });
  const app = http.app;

  let server: ServerType | null = null;
  let stopped: Promise<void> | null = null;

  async function shutdown(): Promise<void> {
    accepting = false;
    const retentionStopped = retention.stop();
    const workerStopped = worker.stop();
    // The drain: the listener stays open, answering 503 to intake and /readyz, until a load
    // balancer's health check has seen the instance go unready; then connections are refused.
    if (server && config.drainMs > 0) await new Promise((r) => setTimeout(r, config.drainMs));
    // Stop taking requests, then let the worker finish what it has in flight.
    const closing = server
      ? new Promise<void>((resolve) => {
          server?.close(() => resolve());
          // Keep-alive sockets would hold close() open; idle ones can go now.
          (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        })
      : Promise.resolve();
    await Promise.all([workerStopped, retentionStopped]);
    await Promise.race([closing, new Promise((r) => setTimeout(r, config.shutdownGraceMs).unref())]);
    (server as { closeAllConnections?: () => void } | null)?.closeAllConnections?.();
    if ('close' in transport && typeof transport.close === 'function') await transport.close();
    await store.close();
    await sandbox?.stop();
  }

  return {
    config,
    app,
    store,
    metrics,
    worker,
    sandbox,
    logger,
    async listen() {
      const port = await new Promise<number>((resolve, reject) => {
        const s = serve(
          {
            fetch: app.fetch,
            port: config.port,
            hostname: config.host,
            createServer: serverWithRequestIds(http.directLane),
          },
          (info) => resolve(info.port),
        );
        s.once('error', reject);
        server = s;
      });
      if (!overrides.noWorker) worker.start();
      retention.start();
      return { url: `http://${config.host}:${port}`, port };
    },
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };
}
