/**
 * Accepted conversion events. Two views of the same stream:
 *  - a capped log of recent events for the admin API (`keepEvents`), so a benchmark pushing
 *    50,000 events a second does not grow memory without bound;
 *  - uncapped per-rule, per-day totals that adAnalytics reads, so reports stay right however many
 *    events the log has forgotten.
 */
import { utcDay } from './clock.js';
import type { StoredEvent } from './model.js';
import { RingLog } from './ring.js';

export interface DayTotals {
  postClick: number;
  postView: number;
  value: number;
}

export interface EventFilter {
  rule?: string;
  eventId?: string;
  /** Only events with `seq` greater than this. */
  afterSeq?: number;
}

export type EventLogSnapshot = {
  seq: number;
  total: number;
  events: StoredEvent[];
  /** [rule, day, postClick, postView, value] */
  totals: [string, number, number, number, number][];
};

const CLICK_ID = 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID';

export class EventLog {
  readonly #events: RingLog<StoredEvent>;
  readonly #totals = new Map<string, Map<number, DayTotals>>();
  #seq = 0;
  #total = 0;

  constructor(keep: number) {
    this.#events = new RingLog(keep);
  }

  /** Events accepted since the last reset (including those the capped log has dropped). */
  get total(): number {
    return this.#total;
  }

  get retained(): number {
    return this.#events.size;
  }

  /**
   * Records one accepted event. Until the attribution simulator exists, an event carrying a click
   * id counts as a post-click conversion and any other as post-view; `value` is already resolved
   * from the rule's value type.
   */
  append(event: Omit<StoredEvent, 'seq'>, value: number): StoredEvent {
    // An explicit literal (not a spread) keeps every stored event the same hidden class.
    const stored: StoredEvent = {
      seq: ++this.#seq,
      receivedAt: event.receivedAt,
      rule: event.rule,
      eventId: event.eventId,
      happenedAt: event.happenedAt,
      value: event.value,
      user: event.user,
      token: event.token,
    };
    this.#total++;
    if (this.#events.capacity > 0) this.#events.push(stored);
    let byDay = this.#totals.get(event.rule);
    if (!byDay) {
      byDay = new Map();
      this.#totals.set(event.rule, byDay);
    }
    const day = utcDay(event.happenedAt);
    let t = byDay.get(day);
    if (!t) {
      t = { postClick: 0, postView: 0, value: 0 };
      byDay.set(day, t);
    }
    if (hasClickId(event.user.userIds)) t.postClick++;
    else t.postView++;
    t.value += value;
    return stored;
  }

  totalsFor(rule: string, day: number): DayTotals | undefined {
    return this.#totals.get(rule)?.get(day);
  }

  query(filter: EventFilter = {}): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const e of this.#events) {
      if (filter.rule !== undefined && e.rule !== filter.rule) continue;
      if (filter.eventId !== undefined && e.eventId !== filter.eventId) continue;
      if (filter.afterSeq !== undefined && e.seq <= filter.afterSeq) continue;
      out.push(e);
    }
    return out;
  }

  setCapacity(keep: number): void {
    this.#events.capacity = keep;
  }

  clear(): void {
    this.#events.clear();
    this.#totals.clear();
    this.#seq = 0;
    this.#total = 0;
  }

  toSnapshot(): EventLogSnapshot {
    const totals: EventLogSnapshot['totals'] = [];
    for (const [rule, byDay] of this.#totals) {
      for (const [day, t] of byDay) totals.push([rule, day, t.postClick, t.postView, t.value]);
    }
    return { seq: this.#seq, total: this.#total, events: this.#events.toArray(), totals };
  }

  loadSnapshot(s: EventLogSnapshot): void {
    this.clear();
    this.#seq = s.seq;
    this.#total = s.total;
    for (const e of s.events) this.#events.push(e);
    for (const [rule, day, postClick, postView, value] of s.totals) {
      let byDay = this.#totals.get(rule);
      if (!byDay) {
        byDay = new Map();
        this.#totals.set(rule, byDay);
      }
      byDay.set(day, { postClick, postView, value });
    }
  }
}

function hasClickId(ids: readonly { idType: string }[]): boolean {
  for (let i = 0; i < ids.length; i++) if (ids[i]?.idType === CLICK_ID) return true;
  return false;
}
