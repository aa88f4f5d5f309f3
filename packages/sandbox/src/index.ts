/**
 * @capi-gateway/sandbox: a LinkedIn Conversions API emulator.
 *
 * ```ts
 * import { createSandbox, DEMO_SEED } from '@capi-gateway/sandbox';
 * const sandbox = createSandbox();
 * const res = await sandbox.app.request('/rest/conversionEvents', {
 *   method: 'POST',
 *   headers: { Authorization: `Bearer ${DEMO_SEED.tokens.valid}`, 'LinkedIn-Version': '202609' },
 *   body: JSON.stringify(event),
 * });
 * ```
 */
export type { SandboxApp } from './app.js';
export { SandboxClock } from './clock.js';
export type { SandboxEnv } from './context.js';
export { accountUrn, campaignUrn, DEMO_SEED, demoSeed, ruleUrn } from './demo-seed.js';
export { BUSINESS_MESSAGES, ERRORS } from './errors.js';
export type { DayTotals, EventFilter } from './event-log.js';
export type { FaultSettings, ResolvedFaults, TimeoutMode } from './faults.js';
export type {
  AccessToken,
  AdAccount,
  Association,
  Campaign,
  ConversionRule,
  Delivery,
  StoredEvent,
} from './model.js';
export { DEFAULT_LIMITS, type RateLimits } from './rate-limit.js';
export type { RecordBodies, RecordedRequest, RecorderOptions, RequestFilter } from './recorder.js';
export { encodeRestli, parseRestli, type RestliRecord, type RestliValue } from './restli.js';
export { MAX_BATCH } from './routes/conversion-events.js';
export { createSandbox, DEFAULT_KEEP_EVENTS, type Sandbox, type SandboxOptions } from './sandbox.js';
export type { ScriptedResponse } from './script.js';
export {
  loadSeedFile,
  parseSeed,
  type SandboxSeed,
  type SeedAccount,
  type SeedAuthorizationCode,
  type SeedCampaign,
  type SeedClient,
  type SeedDelivery,
  SeedError,
  type SeedGrant,
  type SeedId,
  type SeedRefreshToken,
  type SeedRule,
  type SeedTime,
  type SeedToken,
} from './seed.js';
export type { Listening, ListenOptions } from './server.js';
export type { SandboxState, StateSnapshot } from './state.js';
export type { StatsReport } from './stats.js';
export { activeVersions, isActiveVersion, versionInfo } from './versions.js';
export type * from './wire.js';
