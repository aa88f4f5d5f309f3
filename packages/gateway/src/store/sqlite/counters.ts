import type { OutboxState } from '../../ports.js';
import type { SqliteStatements } from './statements.js';

/**
 * Per-state row counts, kept in `state_counts` by the same transaction that moves the rows, so
 * stats() reads six numbers instead of counting millions of rows on every health check. Every write
 * path tallies what it moved (from `changes`, RETURNING or a pre-read) and applies it before commit.
 */
export class StateDeltas {
  readonly #deltas = new Map<OutboxState, number>();

  add(state: OutboxState, n: number): this {
    if (n !== 0) this.#deltas.set(state, (this.#deltas.get(state) ?? 0) + n);
    return this;
  }

  move(from: OutboxState, to: OutboxState, n: number): this {
    return this.add(from, -n).add(to, n);
  }

  merge(other: StateDeltas): this {
    for (const [state, n] of other.#deltas) this.add(state, n);
    return this;
  }

  /** The deltas so far, by state (zeros included). */
  entries(): ReadonlyMap<OutboxState, number> {
    return this.#deltas;
  }

  /** The sum of every delta: for new events, how many there are. */
  total(): number {
    let n = 0;
    for (const d of this.#deltas.values()) n += d;
    return n;
  }

  apply(s: SqliteStatements): void {
    for (const [state, n] of this.#deltas) if (n !== 0) s.bumpState.run(n, state);
  }
}
