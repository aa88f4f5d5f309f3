import type { BudgetDecision, BudgetLimits } from '../ports.js';

/**
 * The request budget as pure arithmetic, shared by every adapter so they cannot drift apart. Each
 * adapter only loads and saves `BudgetState` atomically (a transaction on SQLite, a row lock on
 * PostgreSQL).
 *
 * The per-minute limit is a sliding log, not a fixed window: LinkedIn counts requests in any
 * 60-second span, and a fixed window lets a burst at the end of one window and the start of the
 * next reach twice the limit. Keeping the times of the last `perMinute` requests guarantees that no
 * 60-second window ever holds more than `perMinute` requests, across every instance.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface BudgetState {
  /** Start (epoch ms, 00:00 UTC) of the day `dayCount` belongs to. */
  dayStart: number;
  dayCount: number;
  /** Times of the requests taken in the last minute, ascending. */
  recent: number[];
  pausedUntil: number;
}

export type BudgetOutcome =
  | { decision: BudgetDecision & { ok: true }; state: BudgetState; taken: number }
  | { decision: BudgetDecision & { ok: false }; state: BudgetState; taken: null };

export function utcDayStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** Drops log entries that no longer count: a request at `t` counts while `now - t < MINUTE_MS`. */
export function liveRecent(recent: readonly number[], now: number): number[] {
  return recent.filter((t) => now - t < MINUTE_MS);
}

export function decideBudget(state: BudgetState, limits: BudgetLimits, now: number): BudgetOutcome {
  if (state.pausedUntil > now) {
    return { decision: { ok: false, retryAt: state.pausedUntil }, state, taken: null };
  }
  const today = utcDayStart(now);
  const dayCount = state.dayStart === today ? state.dayCount : 0;
  const recent = liveRecent(state.recent, now);
  const next = { dayStart: today, dayCount, recent, pausedUntil: state.pausedUntil };
  if (dayCount >= limits.perDay) {
    return { decision: { ok: false, retryAt: today + DAY_MS }, state: next, taken: null };
  }
  if (recent.length >= limits.perMinute) {
    // The request that frees a slot: once it leaves the window, one fewer than the limit remains.
    const freeing = recent[recent.length - limits.perMinute] ?? now;
    return { decision: { ok: false, retryAt: freeing + MINUTE_MS }, state: next, taken: null };
  }
  recent.push(now);
  const taken = { ...next, dayCount: dayCount + 1, recent };
  return {
    decision: {
      ok: true,
      minuteLeft: limits.perMinute - recent.length,
      dayLeft: limits.perDay - taken.dayCount,
    },
    state: taken,
    taken: now,
  };
}

/** A later pause wins; `until = 0` clears. Two instances hitting 429 at once must not shorten it. */
export function mergePause(current: number, until: number): number {
  return until === 0 ? 0 : Math.max(current, until);
}
