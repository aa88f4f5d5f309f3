/**
 * Failed authentications per client address: after `perMinute` invalid keys or tokens from one
 * address within a minute, that address is refused (429 AUTH_THROTTLED) without its credentials
 * being looked at, until the minute ends. Pure: time is passed in.
 *
 * Why refuse before checking: if a blocked address still had valid keys accepted, a guesser would
 * learn from the first success; refusing every attempt makes guessing cost a minute per window.
 * Source keys are long random strings, so the point is less the odds of a guess than the cost of a
 * flood (each attempt hashes the key and compares it with every configured one) and the noise it
 * puts in logs. Only wrong credentials count: a request with none is a misconfigured client, not a
 * guess, and is answered 401 as always.
 *
 * Windows are fixed: a client's window opens at its first failure and lasts a minute. An address
 * behind a shared proxy is the proxy's, so one client's failures there throttle every client behind
 * it: set the limit to 0 (off) or above what the proxy can send, or limit at the proxy.
 *
 * Memory is bounded: past `maxClients` addresses, windows that ended are dropped first, then the
 * oldest windows (a throttled address whose window is dropped may try again: bounded memory wins).
 */

export const WINDOW_MS = 60_000;
const DEFAULT_MAX_CLIENTS = 10_000;

interface Window {
  startedAt: number;
  failures: number;
}

export interface AuthFailureLimiter {
  /** When `client` may try again (epoch ms), or null if it may try now. */
  blockedUntil(client: string, now: number): number | null;
  /** Counts one wrong key or token from `client`; true when this failure reached the limit. */
  recordFailure(client: string, now: number): boolean;
  /** Addresses with an open window (metrics, tests). */
  size(): number;
}

export function createAuthFailureLimiter(
  perMinute: number,
  maxClients: number = DEFAULT_MAX_CLIENTS,
): AuthFailureLimiter {
  if (!Number.isInteger(perMinute) || perMinute < 0) {
    throw new RangeError(`authFailuresPerMinute must be a whole number ≥ 0, got ${perMinute}`);
  }
  // Map order is insertion order: a window is re-inserted when it opens, so the first entries are
  // the oldest windows.
  const windows = new Map<string, Window>();

  const current = (client: string, now: number): Window | null => {
    const w = windows.get(client);
    if (!w) return null;
    if (now - w.startedAt >= WINDOW_MS || now < w.startedAt) {
      windows.delete(client);
      return null;
    }
    return w;
  };

  const makeRoom = (now: number) => {
    if (windows.size < maxClients) return;
    for (const [client, w] of windows) {
      if (now - w.startedAt >= WINDOW_MS) windows.delete(client);
    }
    for (const client of windows.keys()) {
      if (windows.size < maxClients) break;
      windows.delete(client);
    }
  };

  return {
    blockedUntil(client, now) {
      if (perMinute === 0) return null;
      const w = current(client, now);
      return w && w.failures >= perMinute ? w.startedAt + WINDOW_MS : null;
    },
    recordFailure(client, now) {
      if (perMinute === 0) return false;
      let w = current(client, now);
      if (!w) {
        makeRoom(now);
        w = { startedAt: now, failures: 0 };
        windows.set(client, w);
      }
      w.failures += 1;
      return w.failures === perMinute;
    },
    size: () => windows.size,
  };
}

/**
 * The address a limit applies to: IPv4 as is (also when written as IPv4-mapped IPv6), IPv6 by its
 * /64 network, since one host is usually given a whole /64 and could otherwise rotate addresses.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...new Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
