/**
 * Groups of events that LinkedIn refused together without naming which one was wrong (a 400/422
 * with no index), that the worker then split in halves, and that went back to the queue before
 * every half was sent (the budget ran out, half the lease passed, a pause, a stop). The next claim
 * takes them back as one batch; sending that batch whole would start the bisection over, and with
 * a small budget or a slow LinkedIn (13 requests in a row to corner one event among 5,000) it would
 * never finish. So the halves are remembered and the claim is cut along them again.
 *
 * Kept in memory, per process: after a restart, or when another instance claims the events, the
 * bisection starts over, which costs requests but loses nothing.
 */
export class SplitHints {
  private readonly groupOf = new Map<string, number>();
  private nextGroup = 1;

  /** `maxEvents` bounds the memory: past it, every hint is forgotten (hints only save requests). */
  constructor(private readonly maxEvents = 100_000) {}

  get size(): number {
    return this.groupOf.size;
  }

  /** Remembers each group of event ids as one part, to be sent apart from the others. */
  remember(groups: readonly (readonly string[])[]): void {
    for (const ids of groups) {
      if (this.groupOf.size + ids.length > this.maxEvents) this.groupOf.clear();
      const group = this.nextGroup++;
      for (const id of ids) this.groupOf.set(id, group);
    }
  }

  /**
   * Cuts `events` along the remembered groups, in the order each group first appears; events with
   * no hint stay together. Every event is in exactly one part, and its hint is forgotten: once
   * sent, the part's outcome decides what happens next (a further split is remembered anew). No
   * part is empty.
   */
  partition<T extends { readonly id: string }>(events: readonly T[]): T[][] {
    if (events.length === 0) return [];
    if (this.groupOf.size === 0) return [events.slice()];
    const parts = new Map<number, T[]>();
    const plain: T[] = [];
    for (const event of events) {
      const group = this.groupOf.get(event.id);
      if (group === undefined) {
        plain.push(event);
        continue;
      }
      this.groupOf.delete(event.id);
      let part = parts.get(group);
      if (!part) {
        part = [];
        parts.set(group, part);
      }
      part.push(event);
    }
    const out = [...parts.values()];
    if (plain.length > 0) out.push(plain);
    return out;
  }
}
