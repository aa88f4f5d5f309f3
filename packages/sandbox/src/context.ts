/** Types shared by the Hono app, its middleware and its routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxClock } from './clock.js';
import type { FaultSettings, PendingHolds, ResolvedFaults } from './faults.js';
import type { AccessToken } from './model.js';
import type { RateLimiter } from './rate-limit.js';
import type { Recorder } from './recorder.js';
import type { ResponseScript } from './script.js';
import type { SandboxState } from './state.js';
import type { Stats } from './stats.js';

/** Present when served by a real socket (node-server); absent for `app.request()`. */
export interface SandboxBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

export interface SandboxVariables {
  /** The X-LI-UUID of this response. */
  requestId: string;
  /** Set by the auth middleware on every `/rest/` route. */
  token: AccessToken;
  /** `LinkedIn-Version` as a number (YYYYMM), set by the version middleware. */
  version: number;
  /** Which injected fault answered, for the recorder. */
  fault: string;
}

export type SandboxEnv = { Bindings: SandboxBindings; Variables: SandboxVariables };

/** Everything the routes and middleware share; built once by `createSandbox`. */
export interface SandboxServices {
  state: SandboxState;
  clock: SandboxClock;
  limiter: RateLimiter;
  stats: Stats;
  recorder: Recorder;
  script: ResponseScript;
  holds: PendingHolds;
  random: () => number;
  faults(): ResolvedFaults;
  setFaults(settings: FaultSettings): void;
  /** Back to the seed: state, recorder, stats, limits, faults, script and clock offset. */
  reset(): void;
}
