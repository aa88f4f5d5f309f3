import type { Clock, OutboxStore } from '../ports.js';
import { redactUrlCredentials } from '../redact-url.js';
import { StoreError } from './errors.js';
import type { Durability } from './sqlite/pragmas.js';

/**
 * Chooses the adapter from CAPI_STORE_URL. Adapters are imported on demand, so a SQLite gateway
 * never loads `pg` and a PostgreSQL gateway never loads the native SQLite module.
 */
export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string; schema?: string }
  | { kind: 'memory' };

export interface OpenStoreOptions {
  /** SQLite only: 'strict' fsyncs every commit. PostgreSQL's durability is the server's to set. */
  durability?: Durability;
  dedupWindowMs?: number;
  clock?: Clock;
  /** PostgreSQL only: connections in this instance's pool. */
  poolSize?: number;
  /** PostgreSQL only: give up on opening a connection after this long. */
  pgConnectTimeoutMs?: number;
  /** PostgreSQL only: give up on any one query after this long. */
  pgQueryTimeoutMs?: number;
  /**
   * SQLite only: run the connection on a thread of its own (the default), so writing to disk does
   * not take turns with HTTP and hashing on the main thread. `false` keeps it on the caller's thread.
   */
  thread?: boolean;
  /** SQLite only: the page cache's ceiling in MiB (default 16). */
  sqliteCacheMiB?: number;
  /** SQLite on its thread only: checkpoints on a thread of their own (default false). */
  sqliteCheckpointThread?: boolean;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (trimmed === '') throw invalid(url);
  if (scheme === undefined) return { kind: 'sqlite', path: trimmed };
  if (scheme === 'sqlite') {
    // sqlite:./a.db, sqlite:/abs/a.db and sqlite:///abs/a.db all name a file.
    const path = trimmed.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '' || path.startsWith('//')) throw invalid(url);
    return { kind: 'sqlite', path };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const parsed = new URL(trimmed);
    const schema = parsed.searchParams.get('schema');
    // Without our own parameter the URL goes to `pg` exactly as given.
    if (schema === null) return { kind: 'postgres', connectionString: trimmed };
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  if (scheme === 'memory') return { kind: 'memory' };
  throw invalid(url);
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<OutboxStore> {
  const location = parseStoreUrl(url);
  const common = {
    ...(options.dedupWindowMs !== undefined ? { dedupWindowMs: options.dedupWindowMs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  switch (location.kind) {
    case 'sqlite': {
      const cache = options.sqliteCacheMiB !== undefined ? { cacheMiB: options.sqliteCacheMiB } : {};
      if (options.thread !== false) {
        const { createThreadedSqliteStore } = await import('./sqlite-threaded.js');
        return createThreadedSqliteStore({
          path: location.path,
          durability: options.durability ?? 'normal',
          ...cache,
          ...(options.sqliteCheckpointThread ? { checkpointThread: true } : {}),
          ...common,
        });
      }
      const { createSqliteStore } = await import('./sqlite.js');
      return createSqliteStore({
        path: location.path,
        durability: options.durability ?? 'normal',
        ...cache,
        ...common,
      });
    }
    case 'postgres': {
      const { createPostgresStore } = await import('./postgres.js');
      return createPostgresStore({
        connectionString: location.connectionString,
        ...(location.schema !== undefined ? { schema: location.schema } : {}),
        ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        ...(options.pgConnectTimeoutMs !== undefined ? { connectTimeoutMs: options.pgConnectTimeoutMs } : {}),
        ...(options.pgQueryTimeoutMs !== undefined ? { queryTimeoutMs: options.pgQueryTimeoutMs } : {}),
        ...common,
      });
    }
    case 'memory': {
      const { createMemoryStore } = await import('./memory.js');
      return createMemoryStore(common);
    }
  }
}

/** `capi migrate`: bring the schema at `url` up to date and close the store again. */
export async function migrate(url: string, options: OpenStoreOptions = {}): Promise<void> {
  const store = await openStore(url, options);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/** A store URL with any password replaced, safe for logs and error messages. */
export function redactStoreUrl(url: string): string {
  return redactUrlCredentials(url);
}

function invalid(url: string): StoreError {
  return new StoreError(
    'STORE_URL_INVALID',
    `CAPI_STORE_URL "${redactStoreUrl(url)}" names no supported store. Use sqlite:./path/to/gateway.db ` +
      '(or a plain file path) for one instance, or postgres://user:password@host:5432/database for several.',
  );
}
