/**
 * Waiting primitives for the loop. They use real timers: the injected Clock says what time it is
 * (for budgets, leases, expiry), timers only decide how long the process naps between looks.
 */

/** The wait after the `failures`-th failure in a row (1, 2, …): `baseMs`, doubling, at most `maxMs`. */
export function doublingBackoffMs(baseMs: number, failures: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A level-triggered wake-up for one waiter (the loop): a `kick()` that lands while nobody waits is
 * remembered, so the loop never sleeps through work that arrived between its last look and its nap.
 */
export interface Wakeup {
  kick(): void;
  /** Resolves on the next (or a pending) kick, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void>;
}

export function createWakeup(): Wakeup {
  let pending = false;
  let wakeWaiter: (() => void) | null = null;
  return {
    kick() {
      pending = true;
      wakeWaiter?.();
    },
    wait(timeoutMs) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeWaiter = null;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        wakeWaiter = done;
      });
    },
  };
}
