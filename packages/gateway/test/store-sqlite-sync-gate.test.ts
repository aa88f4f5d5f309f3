import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSyncGate } from '../src/store/sqlite-thread/sync-gate.js';

interface Reply {
  id: number;
  /** Writes committed when the reply was given (its own included). */
  needs: number;
  failed?: string;
}

/** A gate whose syncs the test finishes by hand, recording what each covered. */
function harness() {
  let writes = 0;
  let nextId = 0;
  const posted: Array<Reply & { coveredAtPost: number }> = [];
  /** Writes the newest finished sync covers (writes made before it started). */
  let covered = 0;
  const outstanding: Array<{ startedAt: number; done: (error: Error | null) => void }> = [];
  let maxOutstanding = 0;
  const fatal: Error[] = [];
  const turnEnds: Array<() => void> = [];
  const gate = createSyncGate<Reply>({
    post: (m) => posted.push({ ...m, coveredAtPost: covered }),
    failed: (m, error) => ({ ...m, failed: error.message }),
    sync(done) {
      outstanding.push({ startedAt: writes, done });
      maxOutstanding = Math.max(maxOutstanding, outstanding.length);
    },
    onFatal: (error) => fatal.push(error),
    defer: (start) => turnEnds.push(start),
  });
  return {
    gate,
    posted,
    fatal,
    outstanding: () => outstanding.length,
    maxOutstanding: () => maxOutstanding,
    write() {
      writes += 1;
      gate.wrote();
      gate.reply({ id: nextId++, needs: writes });
    },
    read() {
      gate.reply({ id: nextId++, needs: writes });
    },
    /** The thread's turn ends: deferred sync starts run. */
    turn() {
      for (const start of turnEnds.splice(0)) start();
    },
    deferredStarts: () => turnEnds.length,
    finish(error: Error | null = null) {
      const sync = outstanding.shift();
      if (!sync) return;
      if (!error) covered = Math.max(covered, sync.startedAt);
      sync.done(error);
    },
    given: () => nextId,
  };
}

const op = fc.constantFrom('write', 'read', 'turn', 'finish');

describe('SQLite sync gate (strict durability beside the writer)', () => {
  it('answers in order, never before a sync that started after the write, and all once synced', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const h = harness();
        for (const o of ops) {
          if (o === 'write') h.write();
          else if (o === 'read') h.read();
          else if (o === 'turn') h.turn();
          else h.finish();
          for (const p of h.posted) expect(p.needs).toBeLessThanOrEqual(p.coveredAtPost);
        }
        while (h.outstanding() > 0 || h.deferredStarts() > 0) {
          h.turn();
          h.finish();
        }
        expect(h.posted.map((p) => p.id)).toEqual([...Array(h.given()).keys()]);
        for (const p of h.posted) {
          expect(p.needs).toBeLessThanOrEqual(p.coveredAtPost);
          expect(p.failed).toBeUndefined();
        }
        expect(h.maxOutstanding()).toBeLessThanOrEqual(1);
        expect(h.fatal).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers a read at once when nothing waits, and holds it behind a write that waits', () => {
    const h = harness();
    h.read();
    expect(h.posted.map((p) => p.id)).toEqual([0]);
    h.write();
    h.read();
    h.turn();
    expect(h.posted.map((p) => p.id)).toEqual([0]);
    h.finish();
    expect(h.posted.map((p) => p.id)).toEqual([0, 1, 2]);
  });

  it("starts one sync for all of a turn's writes, after the turn", () => {
    const h = harness();
    h.write();
    h.write();
    expect(h.outstanding()).toBe(0);
    h.turn();
    expect(h.outstanding()).toBe(1);
    h.finish();
    expect(h.posted.map((p) => p.id)).toEqual([0, 1]);
    expect(h.outstanding()).toBe(0);
  });

  it('covers writes made during a sync with the next one, not the running one', () => {
    const h = harness();
    h.write();
    h.turn();
    h.write();
    h.turn();
    expect(h.outstanding()).toBe(1);
    h.finish();
    expect(h.posted.map((p) => p.id)).toEqual([0]);
    expect(h.outstanding()).toBe(1);
    h.finish();
    expect(h.posted.map((p) => p.id)).toEqual([0, 1]);
  });

  it('fails every waiting and later reply after a failed sync, and reports it once', async () => {
    const h = harness();
    h.write();
    h.read();
    h.turn();
    const waitingForDrain = h.gate.drained();
    h.finish(new Error('EIO'));
    // A drain asked for before the failure ends with it too (close must not hang).
    await waitingForDrain;
    h.write();
    expect(h.posted.map((p) => [p.id, p.failed])).toEqual([
      [0, 'EIO'],
      [1, 'EIO'],
      [2, 'EIO'],
    ]);
    expect(h.fatal.map((e) => e.message)).toEqual(['EIO']);
    expect(h.outstanding()).toBe(0);
    await h.gate.drained();
  });

  it('drains once every write is synced and every reply has left', async () => {
    const h = harness();
    h.write();
    let drained = false;
    const waiting = h.gate.drained().then(() => {
      drained = true;
    });
    await Promise.resolve();
    expect(drained).toBe(false);
    h.turn();
    await Promise.resolve();
    expect(drained).toBe(false);
    h.finish();
    await waiting;
    expect(drained).toBe(true);
  });
});
