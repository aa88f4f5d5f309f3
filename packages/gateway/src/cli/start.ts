/** `capi start`: load the configuration, compose the gateway, listen, and stop gracefully on signals. */
import { loadConfig, unknownEnvironmentVariables } from '../config.js';
import { unknownVariableText } from '../config-keys.js';
import { budgetPlans } from '../domain/token-budgets.js';
import { createGateway } from '../gateway.js';
import { singleThreadedGc, singleThreadedGcAdvice } from '../gc-threads.js';
import { applyHeapGrowth } from '../heap-growth.js';
import { applyAllocationSitePretenuring } from '../pretenuring.js';
import { redactStoreUrl } from '../store/open.js';
import { confineSemiSpaceSizeToMainThread } from '../young-generation.js';
import { listenFailure, storeFailure } from './start-failures.js';

export async function runStart(opts: { config?: string }): Promise<void> {
  const config = loadConfig(opts.config ? { file: opts.config } : {});
  // V8 settings first: before the gateway allocates anything that matters, so every collection uses
  // them, and before the store starts its threads (young-generation.ts).
  applyHeapGrowth(config.heapGrowthPercent);
  applyAllocationSitePretenuring(config.allocationSitePretenuring);
  confineSemiSpaceSizeToMainThread();
  const gateway = await createGateway(config).catch((err: unknown) => {
    throw storeFailure(err, config.storeUrl);
  });
  const { url } = await gateway.listen().catch((err: unknown) => {
    throw listenFailure(err, config);
  });
  const effective = gateway.config;
  gateway.logger.info(
    {
      url,
      store: redactStoreUrl(effective.storeUrl),
      mode: effective.sandbox ? 'sandbox' : 'live',
      accounts: effective.accounts.map((a) => a.id),
      rules: effective.rules.map((r) => `${r.alias}=${r.ruleId}`),
      heapGrowthPercent: effective.heapGrowthPercent || 'V8 default',
      allocationSitePretenuring: effective.allocationSitePretenuring,
      // Started with node's --single-threaded-gc (scripts/node-flags.mjs says when and why).
      singleThreadedGc: singleThreadedGc(),
      durability: effective.durability,
      // Which thread copies the WAL into the database file (store.sqliteCheckpointThread).
      ...(effective.storeUrl.startsWith('sqlite:')
        ? { sqliteCheckpoints: effective.sqliteCheckpointThread ? 'own thread' : 'store thread' }
        : {}),
    },
    'capi-gateway listening',
  );
  // Names only, never values: a misspelt variable would otherwise be ignored in silence.
  for (const unknown of unknownEnvironmentVariables()) {
    gateway.logger.warn(
      { variable: unknown.name, ...(unknown.meant ? { meant: unknown.meant } : {}) },
      unknownVariableText(unknown),
    );
  }
  const gcAdvice = singleThreadedGcAdvice();
  if (gcAdvice !== null) gateway.logger.info(gcAdvice);
  if (gateway.sandbox) process.stderr.write(gateway.sandbox.banner(url));
  const shared = new Map([...budgetPlans(effective.accounts).values()].map((plan) => [plan.key, plan]));
  for (const plan of shared.values()) {
    if (plan.accounts.length < 2) continue;
    gateway.logger.info(
      { accounts: plan.accounts, perMinute: plan.limits.perMinute, perDay: plan.limits.perDay },
      'these ad accounts share a LinkedIn token, so they share its request budget (the smallest of theirs)',
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'stopping: intake closed, finishing in-flight work');
    gateway
      .stop()
      .then(() => {
        gateway.logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((err: unknown) => {
        gateway.logger.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  // `on`, not `once`: a second signal during the drain or the grace period (an orchestrator that
  // repeats its SIGTERM) must not fall through to Node's default, which kills the process mid-stop.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
