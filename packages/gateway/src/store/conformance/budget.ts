import { expect, it } from 'vitest';
import type { OutboxStore } from '../../ports.js';
import { SLOT_HOLD_MS as SLOT } from '../budget.js';
import { DAY, MINUTE, T0 } from './fixtures.js';

type Setup = () => { store: OutboxStore };

export function budgetCases(setup: Setup): void {
  it('takes per-minute budget and says when a slot frees up', async () => {
    const { store } = setup();
    const limits = { perMinute: 3, perDay: 100 };
    expect(await store.takeBudget('1', limits, T0)).toEqual({ ok: true, minuteLeft: 2, dayLeft: 99 });
    expect(await store.takeBudget('1', limits, T0 + 10_000)).toEqual({
      ok: true,
      minuteLeft: 1,
      dayLeft: 98,
    });
    expect(await store.takeBudget('1', limits, T0 + 20_000)).toEqual({
      ok: true,
      minuteLeft: 0,
      dayLeft: 97,
    });
    // A slot counts for a minute plus the send skew (SLOT), so LinkedIn never sees more per minute.
    expect(await store.takeBudget('1', limits, T0 + 30_000)).toEqual({ ok: false, retryAt: T0 + SLOT });
    // Another account has its own budget.
    expect(await store.takeBudget('2', limits, T0 + 30_000)).toMatchObject({ ok: true, minuteLeft: 2 });
    expect(await store.takeBudget('1', limits, T0 + MINUTE)).toEqual({ ok: false, retryAt: T0 + SLOT });
    expect(await store.takeBudget('1', limits, T0 + SLOT)).toEqual({
      ok: true,
      minuteLeft: 0,
      dayLeft: 96,
    });
    expect(await store.takeBudget('1', limits, T0 + SLOT + 1)).toEqual({
      ok: false,
      retryAt: T0 + 10_000 + SLOT,
    });
  });

  it('never lets any 60-second window exceed perMinute, even across window edges', async () => {
    const { store } = setup();
    const limits = { perMinute: 5, perDay: 10_000 };
    const granted: number[] = [];
    for (let t = T0; t < T0 + 5 * MINUTE; t += 1_000) {
      const decision = await store.takeBudget('1', limits, t);
      if (decision.ok) granted.push(t);
    }
    for (const start of granted) {
      expect(granted.filter((t) => t >= start && t < start + SLOT).length).toBeLessThanOrEqual(5);
    }
    // Five per SLOT (65 s) over five minutes: bursts at 0, 65, 130, 195, 260 s.
    expect(granted.length).toBe(25);
  });

  it('keeps the window whole when a caller arrives with an earlier clock reading', async () => {
    const { store } = setup();
    const limits = { perMinute: 2, perDay: 100 };
    expect(await store.takeBudget('1', limits, T0 + 10_000)).toMatchObject({ ok: true });
    // This caller read its clock before the first one took its slot.
    expect(await store.takeBudget('1', limits, T0)).toMatchObject({ ok: true });
    // Both slots count from T0 + 10 s: the first frees at T0 + 10 s + SLOT, not at T0 + SLOT.
    expect(await store.takeBudget('1', limits, T0 + SLOT + 1)).toEqual({
      ok: false,
      retryAt: T0 + 10_000 + SLOT,
    });
  });

  it('takes per-day budget and resets it at 00:00 UTC', async () => {
    const { store } = setup();
    const limits = { perMinute: 100, perDay: 2 };
    const evening = T0 + DAY - 2 * MINUTE;
    expect(await store.takeBudget('1', limits, evening)).toMatchObject({ ok: true, dayLeft: 1 });
    expect(await store.takeBudget('1', limits, evening + 1)).toMatchObject({ ok: true, dayLeft: 0 });
    expect(await store.takeBudget('1', limits, evening + 2)).toEqual({ ok: false, retryAt: T0 + DAY });
    expect(await store.takeBudget('1', limits, T0 + DAY - 1)).toEqual({ ok: false, retryAt: T0 + DAY });
    expect(await store.takeBudget('1', limits, T0 + DAY)).toMatchObject({ ok: true, dayLeft: 1 });
  });

  it('refuses budget while an account is paused, until the pause ends or is cleared', async () => {
    const { store } = setup();
    const limits = { perMinute: 100, perDay: 1000 };
    await store.pauseAccount('1', T0 + MINUTE, 'http_429');
    expect(await store.takeBudget('1', limits, T0)).toEqual({ ok: false, retryAt: T0 + MINUTE });
    expect(await store.takeBudget('2', limits, T0)).toMatchObject({ ok: true });
    expect(await store.takeBudget('1', limits, T0 + MINUTE)).toMatchObject({ ok: true, dayLeft: 999 });
    await store.pauseAccount('1', T0 + DAY, 'reauth');
    await store.pauseAccount('1', 0, '');
    expect(await store.takeBudget('1', limits, T0 + MINUTE)).toMatchObject({ ok: true });
  });

  it('lists paused accounts; a shorter pause never cuts a longer one short', async () => {
    const { store } = setup();
    expect(await store.pausedAccounts(T0)).toEqual([]);
    await store.pauseAccount('1', T0 + 10 * MINUTE, 'reauth');
    await store.pauseAccount('1', T0 + MINUTE, 'http_429');
    await store.pauseAccount('2', T0 + MINUTE, 'http_429');
    expect(await store.pausedAccounts(T0)).toEqual([
      { account: '1', until: T0 + 10 * MINUTE, reason: 'reauth' },
      { account: '2', until: T0 + MINUTE, reason: 'http_429' },
    ]);
    expect(await store.pausedAccounts(T0 + MINUTE)).toEqual([
      { account: '1', until: T0 + 10 * MINUTE, reason: 'reauth' },
    ]);
    await store.pauseAccount('1', 0, '');
    expect(await store.pausedAccounts(T0)).toEqual([
      { account: '2', until: T0 + MINUTE, reason: 'http_429' },
    ]);
  });

  it('pausing does not spend budget, and budget survives a pause', async () => {
    const { store } = setup();
    const limits = { perMinute: 2, perDay: 10 };
    await store.takeBudget('1', limits, T0);
    await store.pauseAccount('1', T0 + 1000, 'http_429');
    expect(await store.takeBudget('1', limits, T0 + 500)).toEqual({ ok: false, retryAt: T0 + 1000 });
    expect(await store.takeBudget('1', limits, T0 + 1000)).toEqual({ ok: true, minuteLeft: 0, dayLeft: 8 });
  });
}
