import type { ClaimRequest, EnqueueStatus, OutboxStore, StoreCapabilities } from '../../ports.js';
import type { IngestRows } from '../sqlite/ingest-rows.js';
import type { Durability } from '../sqlite/pragmas.js';

/**
 * Messages between the gateway's main thread and the thread that owns the SQLite connection.
 * Everything here crosses `postMessage`, so it is plain data: no functions, no class instances.
 */

/**
 * The OutboxStore methods forwarded as they are (enqueue goes through `enqueueMany`, claim through
 * `claimLeased`).
 */
export type ForwardedMethod = Exclude<keyof OutboxStore, 'capabilities' | 'enqueue' | 'claim' | 'close'>;

/**
 * Whether each forwarded method only reads. The thread counts writes to time its checkpoints, and a
 * read must not bring one forward. A record over every forwarded method, so a method added to the
 * port does not compile until it is placed here.
 */
export const FORWARDED_ACCESS: Readonly<Record<ForwardedMethod, 'read' | 'write'>> = {
  migrate: 'write',
  complete: 'write',
  retryLater: 'write',
  kill: 'write',
  release: 'write',
  releaseClaim: 'read', // never writes on SQLite (see sqlite.ts)
  redrive: 'write',
  listDead: 'read',
  summarizeDead: 'read',
  findByEventId: 'read',
  appendAudit: 'write',
  auditForEvent: 'read',
  stats: 'read',
  ping: 'read',
  purge: 'write',
  expireDedup: 'write',
  takeBudget: 'write',
  pauseAccount: 'write',
  pausedAccounts: 'read',
  beginIdempotent: 'write',
  finishIdempotent: 'write',
  expireIdempotency: 'write',
};

export interface ThreadOptions {
  path: string;
  durability: Durability;
  dedupWindowMs?: number;
  groupCommitRows?: number;
  cacheMiB?: number;
  /** Checkpoints on a thread of their own (checkpointer.ts). */
  checkpointThread?: boolean;
  /** The module the boot file imports: this folder's host, as .ts under tsx or .js when compiled. */
  entry: string;
}

export type ThreadRequest =
  | { id: number; now: number; method: ForwardedMethod; args: unknown[] }
  /** A claim answered as the store leased it (see ../sqlite/leased.ts); the caller makes the events. */
  | { id: number; now: number; method: 'claimLeased'; args: [ClaimRequest] }
  /** Several callers' batches, as rows, written in one transaction on the thread (group commit). */
  | { id: number; now: number; method: 'enqueueMany'; args: [IngestRows[]] }
  | { id: number; now: number; method: 'close'; args: [] };

export type BatchResult = { statuses: EnqueueStatus[] } | { error: WireError };

export type ThreadReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError };

export type ThreadStartup =
  | { kind: 'ready'; capabilities: StoreCapabilities }
  | { kind: 'failed'; error: WireError };

/** An Error flattened for postMessage; `code` keeps StoreError and SQLite codes stable across threads. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}
