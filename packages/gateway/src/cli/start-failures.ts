/**
 * `capi start` and `capi migrate` failures that one setting decides, told with the setting to
 * change: the listening address (CAPI_PORT, CAPI_HOST) and the store (CAPI_STORE_URL). Other
 * errors pass unchanged.
 */

import { maskCredentialsInText } from '../redact-url.js';
import { isStoreError } from '../store/errors.js';
import { redactStoreUrl } from '../store/open.js';

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The original's code stays, so the CLI still prints it first; the original stays as the cause. */
function explained(err: unknown, code: string | undefined, message: string): Error {
  const out = new Error(message, { cause: err });
  if (code !== undefined) Object.assign(out, { code });
  return out;
}

/** An error of `gateway.listen()`. */
export function listenFailure(err: unknown, at: { host: string; port: number }): unknown {
  const code = codeOf(err);
  switch (code) {
    case 'EADDRINUSE':
      return explained(
        err,
        code,
        `port ${at.port} on ${at.host} is already in use: stop what listens there, or set CAPI_PORT (server.port) to a free port`,
      );
    case 'EACCES':
      return explained(
        err,
        code,
        `this process may not listen on port ${at.port}: set CAPI_PORT (server.port) to 1024 or above`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return explained(
        err,
        code,
        `cannot listen on ${at.host}, which is no address of this machine: set CAPI_HOST (server.host)`,
      );
    default:
      return err;
  }
}

/** Node's codes for a server that cannot be reached, or a path that cannot be opened. */
const ACCESS_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'EROFS',
]);

/**
 * Whether opening the store failed for a reason its URL decides: the network, PostgreSQL's refusal
 * (SQLSTATE classes 08 connection, 28 authorization, 3D database), a file SQLite cannot open, or
 * the connect timeout (which `pg` raises without a code). The store's own errors (STORE_LOCKED, …)
 * say what to do already.
 */
function isStoreAccessFailure(err: unknown): boolean {
  if (isStoreError(err)) return false;
  const code = codeOf(err);
  if (code === undefined) {
    const message = err instanceof Error ? err.message : '';
    return /connect/i.test(message) && /timeout/i.test(message);
  }
  return ACCESS_CODES.has(code) || code.startsWith('SQLITE_CANTOPEN') || /^(08|28|3D)[0-9A-Z]{3}$/.test(code);
}

/** An error of opening or migrating the store at `storeUrl`. */
export function storeFailure(err: unknown, storeUrl: string): unknown {
  if (!isStoreAccessFailure(err)) return err;
  // A driver's message may quote the connection string it failed on.
  const message = maskCredentialsInText(err instanceof Error ? err.message : String(err));
  return explained(
    err,
    codeOf(err),
    `cannot open the store at ${redactStoreUrl(storeUrl)}: ${message}. Check CAPI_STORE_URL (store.url)`,
  );
}
