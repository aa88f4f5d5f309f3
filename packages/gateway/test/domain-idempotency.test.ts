import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideIdempotency, type IdempotencyRow, type IdempotencyStart } from '../src/domain/idempotency.js';

const start: IdempotencyStart = {
  source: 's',
  key: 'k',
  fingerprint: 'A',
  now: 1_000_000,
  windowMs: 10_000,
  staleMs: 1_000,
};

describe('decideIdempotency', () => {
  it('decides every case as the rules say (property)', () => {
    const row = fc.option(
      fc.record({
        fingerprint: fc.constantFrom('A', 'B'),
        createdAt: fc.integer({ min: start.now - 20_000, max: start.now }),
        status: fc.option(fc.constantFrom(200, 207, 422), { nil: null }),
        body: fc.option(fc.string(), { nil: null }),
      }),
      { nil: null },
    );
    fc.assert(
      fc.property(row, (r: IdempotencyRow | null) => {
        const { begin, claim } = decideIdempotency(r, start);
        const age = r === null ? Number.POSITIVE_INFINITY : start.now - r.createdAt;
        // Taken (the row is rewritten as unanswered) exactly when the caller is told to run.
        expect(claim).toBe(begin.kind === 'new');
        if (r === null || age >= start.windowMs) expect(begin.kind).toBe('new');
        else if (r.fingerprint !== start.fingerprint) expect(begin.kind).toBe('mismatch');
        else if (r.status !== null)
          expect(begin).toEqual({ kind: 'replay', status: r.status, body: r.body ?? '' });
        else expect(begin.kind).toBe(age >= start.staleMs ? 'new' : 'pending');
      }),
      { numRuns: 2_000 },
    );
  });

  it('counts the window and the stale time to the millisecond', () => {
    const answered = { fingerprint: 'A', status: 200, body: '{}' };
    expect(decideIdempotency({ ...answered, createdAt: start.now - 9_999 }, start).begin.kind).toBe('replay');
    expect(decideIdempotency({ ...answered, createdAt: start.now - 10_000 }, start).begin.kind).toBe('new');
    const running = { fingerprint: 'A', status: null, body: null };
    expect(decideIdempotency({ ...running, createdAt: start.now - 999 }, start).begin.kind).toBe('pending');
    expect(decideIdempotency({ ...running, createdAt: start.now - 1_000 }, start).begin.kind).toBe('new');
  });
});
