/**
 * Optional persistence (`--data dir`): the whole state as one JSON snapshot, written after changes
 * (debounced, so a burst of batches costs one write) and loaded at start. Writes go to a temporary
 * file that is renamed into place, so a crash never leaves a half-written snapshot.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsReason } from './fs-reason.js';
import type { StateSnapshot } from './state.js';

export const SNAPSHOT_FILE = 'sandbox-state.json';

export interface SnapshotOptions {
  /** Quiet period before writing. Default 200 ms. */
  debounceMs?: number;
  /** Longest a change may wait under constant load. Default 2,000 ms. */
  maxWaitMs?: number;
}

export class SnapshotStore {
  readonly file: string;
  readonly #debounceMs: number;
  readonly #maxWaitMs: number;
  #timer: NodeJS.Timeout | undefined;
  #firstPendingAt: number | undefined;
  #take: (() => StateSnapshot) | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    options: SnapshotOptions = {},
  ) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new Error(`Cannot keep the sandbox's state in ${dir}: ${fsReason(err)}.`, { cause: err });
    }
    this.file = join(dir, SNAPSHOT_FILE);
    this.#debounceMs = options.debounceMs ?? 200;
    this.#maxWaitMs = options.maxWaitMs ?? 2000;
  }

  load(): StateSnapshot | undefined {
    if (!existsSync(this.file)) return undefined;
    const data = JSON.parse(readFileSync(this.file, 'utf8')) as StateSnapshot;
    if (data.format !== 1) throw new Error(`Unsupported snapshot format in ${this.file}`);
    return data;
  }

  /** Notes a change; the snapshot is taken (by calling `take`) only when the write happens. */
  schedule(take: () => StateSnapshot): void {
    this.#take = take;
    const now = Date.now();
    this.#firstPendingAt ??= now;
    if (this.#timer) clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.#debounceMs, this.#firstPendingAt + this.#maxWaitMs - now));
    this.#timer = setTimeout(() => void this.flush(), wait);
    this.#timer.unref();
  }

  /** Writes now if a change is pending; resolves when every write so far is on disk. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#firstPendingAt = undefined;
    const take = this.#take;
    this.#take = undefined;
    if (take) {
      const json = JSON.stringify(take());
      this.#writing = this.#writing.then(() => this.#write(json));
    }
    return this.#writing;
  }

  async #write(json: string): Promise<void> {
    const tmp = `${this.file}.tmp`;
    try {
      await writeFile(tmp, json);
      await rename(tmp, this.file);
    } catch (err) {
      console.error(`[sandbox] could not write ${this.file}:`, err);
    }
  }
}
