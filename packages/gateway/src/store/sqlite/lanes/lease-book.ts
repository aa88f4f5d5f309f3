/**
 * Which ids each batch was last leased with, in order, for this connection. It lets a whole-batch
 * settle (the worker's common case: complete, retry or release of every event it was handed, in the
 * order it was handed them) go straight to the batch row instead of looking up 5,000 ids in
 * `events_id` (3.4 → 0.7 µs per event, measured).
 *
 * Leasing costs one map entry per batch, not per id: the check walks the ids given against the
 * batch's own list. Ids in another order, or anything else the book cannot vouch for, take the id
 * lookups instead. The book is a hint, never the truth: the settle still checks in SQL that the batch
 * is leased and holds exactly as many events as the ids given, so a stale entry (a lapsed lease, a
 * rolled-back transaction) can only cost the fast path, never settle the wrong events. An entry is
 * replaced by every lease of its batch, and forgotten whenever its batch is settled or loses events.
 */
export class LeaseBook {
  readonly #members = new Map<number, readonly string[]>();
  readonly #byFirstId = new Map<string, number>();

  leased(batch: number, ids: readonly string[]): void {
    this.forget(batch);
    if (ids.length === 0) return;
    this.#members.set(batch, ids);
    this.#byFirstId.set(ids[0]!, batch);
  }

  forget(batch: number): void {
    const members = this.#members.get(batch);
    if (!members) return;
    if (this.#byFirstId.get(members[0]!) === batch) this.#byFirstId.delete(members[0]!);
    this.#members.delete(batch);
  }

  /**
   * The batches these ids make up whole, each in its leased order (batch → number of ids), or null
   * when they do not: an unknown id, another order, part of a batch, a batch twice.
   */
  wholeBatches(ids: readonly string[]): Map<number, number> | null {
    const counts = new Map<number, number>();
    let i = 0;
    while (i < ids.length) {
      const batch = this.#byFirstId.get(ids[i]!);
      if (batch === undefined || counts.has(batch)) return null;
      const members = this.#members.get(batch)!;
      if (i + members.length > ids.length) return null;
      for (let k = 0; k < members.length; k += 1) if (ids[i + k] !== members[k]) return null;
      counts.set(batch, members.length);
      i += members.length;
    }
    return counts.size > 0 ? counts : null;
  }

  /** Batches in the book (for tests: it must not grow with the number of batches ever leased). */
  get size(): number {
    return this.#members.size;
  }
}
