/**
 * Throttling of wrong credentials per client address (domain/auth-failures.ts says why and how),
 * wired to the HTTP layer: the client's address, the 429, the metric and one log line per address
 * and window.
 */
import type { Context } from 'hono';
import { type AuthFailureLimiter, clientKey } from '../domain/auth-failures.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Clock } from '../ports.js';
import { AUTHORIZATION } from './problem-path.js';

export interface AuthGuard {
  /**
   * Throws AUTH_THROTTLED (429, Retry-After) while `client` is over its limit, without running
   * `authenticate`; otherwise runs it, and a wrong key or token (AUTH_INVALID) counts against `client`.
   */
  authenticate<T>(client: string | null, authenticate: () => T): T;
}

/**
 * The socket's peer address when the app is served by @hono/node-server; null in-process
 * (`app.request()` in tests), where nothing is throttled.
 */
export function clientAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}

export function createAuthGuard(deps: {
  limiter: AuthFailureLimiter;
  clock: Clock;
  metrics: GatewayMetrics;
  logger: Logger;
}): AuthGuard {
  const { limiter, clock, metrics, logger } = deps;
  const check = (client: string | null) => {
    // Nearly always empty: no address parsing on the hot path.
    if (client === null || limiter.size() === 0) return;
    const now = clock.now();
    const until = limiter.blockedUntil(clientKey(client), now);
    if (until === null) return;
    metrics.authFailures.inc({ result: 'throttled' });
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    throw new GatewayError('AUTH_THROTTLED', {
      path: AUTHORIZATION,
      headers: { 'Retry-After': String(seconds) },
    });
  };
  return {
    authenticate(client, authenticate) {
      check(client);
      try {
        return authenticate();
      } catch (err) {
        if (err instanceof GatewayError && err.code === 'AUTH_INVALID') {
          metrics.authFailures.inc({ result: 'rejected' });
          const key = client === null ? null : clientKey(client);
          if (key !== null && limiter.recordFailure(key, clock.now())) {
            logger.warn(
              { client: key },
              'too many wrong keys or tokens from one address: refusing its requests for the rest of the minute',
            );
          }
        }
        throw err;
      }
    },
  };
}
