/**
 * An append-only log that keeps the newest `capacity` items (any capacity, including Infinity).
 * Eviction only moves a head index; the array is compacted now and then, so appends stay O(1)
 * amortised even at benchmark rates.
 */
export class RingLog<T> {
  #items: T[] = [];
  #head = 0;
  capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
    while (this.size > this.capacity) this.shift();
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as T;
  }

  toArray(): T[] {
    return this.#items.slice(this.#head);
  }
}
