import type { OutboxState } from '../../../ports.js';
import type { StateDeltas } from '../counters.js';
import { type BatchRow, batchFromRow, FRESH, type LaneStatements, type RawBatchRow } from './statements.js';

/** How a settling call ends an event (complete, retryLater, release, kill of the port). */
export type Settlement =
  | { kind: 'complete'; now: number }
  | { kind: 'retry'; at: number; reason: string }
  | { kind: 'release'; now: number }
  | { kind: 'kill'; reason: string; response: string | null; now: number };

const NO_CAP = Number.MAX_SAFE_INTEGER;

/**
 * Applies a settlement to the fresh events among `ids` and returns the ids it did not handle (events
 * with a state of their own), for the per-row statements. Only events of a leased batch are settled,
 * except by kill, which also takes queued and retrying ones, as on the per-row path.
 */
export function settleFresh(
  l: LaneStatements,
  ids: string[],
  settlement: Settlement,
  deltas: StateDeltas,
): string[] {
  if (settleWholeBatches(l, ids, settlement, deltas)) return [];
  const rows = l.resolveIds.all(JSON.stringify(ids)) as Array<[number, string, string, string, string]>;
  const perRow: string[] = [];
  const lanes = new Map<string, { account: string; ruleId: string; seqs: number[] }>();
  for (const [seq, account, ruleId, state, id] of rows) {
    if (state !== FRESH) {
      perRow.push(id);
      continue;
    }
    const key = `${account}\u0000${ruleId}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = { account, ruleId, seqs: [] };
      lanes.set(key, lane);
    }
    lane.seqs.push(seq);
  }
  for (const { account, ruleId, seqs } of lanes.values()) {
    seqs.sort((a, b) => a - b);
    const batches = coveringBatches(l, account, ruleId, seqs[0]!, seqs[seqs.length - 1]!);
    const unbatched: number[] = [];
    let i = 0;
    let group: number[] = [];
    for (const seq of seqs) {
      while (i < batches.length && batches[i]!.lastSeq < seq) {
        if (group.length > 0) settleBatch(l, batches[i]!, group, settlement, deltas);
        group = [];
        i += 1;
      }
      if (i < batches.length && batches[i]!.firstSeq <= seq) group.push(seq);
      else unbatched.push(seq);
    }
    if (group.length > 0) settleBatch(l, batches[i]!, group, settlement, deltas);
    if (unbatched.length > 0 && settlement.kind === 'kill') {
      // Queued and never leased: dead without an attempt.
      detach(
        l,
        unbatched,
        'dead',
        0,
        null,
        NO_CAP,
        null,
        settlement.now,
        settlement.reason,
        settlement.response,
      );
      deltas.move('queued', 'dead', unbatched.length);
    }
  }
  return perRow;
}

/**
 * The fast path: the ids are exactly the events of one or more leased batches, as the lease book
 * says and the batch rows confirm. Returns false (having written nothing) when that cannot be
 * shown; kill always takes the slow path, since dead letters are per event.
 */
function settleWholeBatches(
  l: LaneStatements,
  ids: string[],
  settlement: Settlement,
  deltas: StateDeltas,
): boolean {
  if (settlement.kind === 'kill') return false;
  const groups = l.book.wholeBatches(ids);
  if (!groups) return false;
  const batches: BatchRow[] = [];
  for (const [seq, n] of groups) {
    const raw = l.batchBySeq.get(seq) as RawBatchRow | undefined;
    if (!raw) return false;
    const batch = batchFromRow(raw);
    if (batch.state !== 'sending' || batch.live !== n) return false;
    batches.push(batch);
  }
  for (const batch of batches) {
    l.book.forget(batch.seq);
    settleWhole(l, batch, settlement, deltas);
  }
  return true;
}

/**
 * The lane's batches that overlap [from, to], in seq order. A lane's batches cover disjoint ranges,
 * so the walk stops at the first one starting past `to`: the batches claimed after these (possibly
 * many, after a long outage) are never read.
 */
function coveringBatches(l: LaneStatements, account: string, ruleId: string, from: number, to: number) {
  const batches: BatchRow[] = [];
  for (const raw of l.covering.iterate(account, ruleId, from) as IterableIterator<RawBatchRow>) {
    const batch = batchFromRow(raw);
    if (batch.firstSeq > to) break;
    batches.push(batch);
  }
  return batches;
}

function settleBatch(
  l: LaneStatements,
  b: BatchRow,
  seqs: number[],
  settlement: Settlement,
  deltas: StateDeltas,
): void {
  const leased = b.state === 'sending';
  if (settlement.kind === 'kill' ? !['queued', 'retrying', 'sending'].includes(b.state) : !leased) return;
  // Settled in whole or in part, the batch no longer has the members it was leased with.
  l.book.forget(b.seq);
  if (seqs.length === b.live && settlement.kind !== 'kill') {
    // The whole batch: one row. (Kill always detaches: dead letters are listed and redriven per event.)
    settleWhole(l, b, settlement, deltas);
    return;
  }
  const released: OutboxState = b.attempts > 0 ? 'retrying' : 'queued';
  const next = b.nextAttemptAt;
  switch (settlement.kind) {
    case 'complete':
      detach(l, seqs, 'delivered', b.attempts + 1, next, NO_CAP, settlement.now, null, b.lastReason, null);
      deltas.move(b.state, 'delivered', seqs.length);
      break;
    case 'retry':
      detach(l, seqs, 'retrying', b.attempts + 1, settlement.at, NO_CAP, null, null, settlement.reason, null);
      deltas.move(b.state, 'retrying', seqs.length);
      break;
    case 'release':
      detach(l, seqs, released, b.attempts, next, settlement.now, null, null, b.lastReason, null);
      deltas.move(b.state, released, seqs.length);
      break;
    case 'kill':
      detach(
        l,
        seqs,
        'dead',
        b.attempts + (leased ? 1 : 0),
        next,
        NO_CAP,
        null,
        settlement.now,
        settlement.reason,
        settlement.response,
      );
      deltas.move(b.state, 'dead', seqs.length);
      break;
  }
  const live = b.live - seqs.length;
  if (live > 0) l.setLive.run(live, b.seq);
  else l.deleteBatch.run(b.seq);
}

/** A whole leased batch, settled with one update of its row. */
function settleWhole(
  l: LaneStatements,
  b: BatchRow,
  settlement: Exclude<Settlement, { kind: 'kill' }>,
  deltas: StateDeltas,
): void {
  switch (settlement.kind) {
    case 'complete':
      l.completeBatch.run(settlement.now, b.seq);
      deltas.move(b.state, 'delivered', b.live);
      return;
    case 'retry':
      l.retryBatch.run(settlement.at, settlement.reason, b.seq);
      deltas.move(b.state, 'retrying', b.live);
      return;
    case 'release':
      l.releaseBatch.run(settlement.now, b.seq);
      deltas.move(b.state, b.attempts > 0 ? 'retrying' : 'queued', b.live);
      return;
  }
}

function detach(
  l: LaneStatements,
  seqs: number[],
  state: OutboxState,
  attempts: number,
  nextAttemptAt: number | null,
  nextAttemptCap: number,
  deliveredAt: number | null,
  deadAt: number | null,
  lastReason: string | null,
  lastResponse: string | null,
): void {
  l.detach.run(
    state,
    attempts,
    nextAttemptAt,
    nextAttemptCap,
    deliveredAt,
    deadAt,
    lastReason,
    lastResponse,
    JSON.stringify(seqs),
  );
}
