/**
 * Dead letters counted by account, rule and reason: one group per dead letter, groups of the same
 * key made one, in the summary's order. The memory store counts with it, the SQL stores count a page
 * with it, and the summary route adds up the pages with it.
 */
import type { DeadLetterGroup } from '../ports.js';
import { compareUtf8 } from '../store/utf8-order.js';

/** The group of one dead letter. */
export function groupOf(
  account: string,
  ruleId: string,
  reason: string | null,
  deadAt: number,
): DeadLetterGroup {
  return { account, ruleId, reason, count: 1, newestAt: deadAt, oldestAt: deadAt };
}

/**
 * The summary's order, as the stores' SQL gives it: the largest first, then by account, rule and
 * reason in byte order, no reason first.
 */
export function compareGroups(a: DeadLetterGroup, b: DeadLetterGroup): number {
  return (
    b.count - a.count ||
    compareUtf8(a.account, b.account) ||
    compareUtf8(a.ruleId, b.ruleId) ||
    (a.reason === null
      ? b.reason === null
        ? 0
        : -1
      : b.reason === null
        ? 1
        : compareUtf8(a.reason, b.reason))
  );
}

/** Dead letters in all the groups. */
export function countDeadLetters(groups: readonly DeadLetterGroup[]): number {
  return groups.reduce((n, g) => n + g.count, 0);
}

/** Groups of the same account, rule and reason made one (counts added, newest and oldest kept), sorted. */
export function mergeDeadLetterGroups(groups: Iterable<DeadLetterGroup>): DeadLetterGroup[] {
  const merged = new Map<string, DeadLetterGroup>();
  for (const g of groups) {
    const key = JSON.stringify([g.account, g.ruleId, g.reason]);
    const seen = merged.get(key);
    if (seen === undefined) merged.set(key, { ...g });
    else {
      seen.count += g.count;
      seen.newestAt = Math.max(seen.newestAt, g.newestAt);
      seen.oldestAt = Math.min(seen.oldestAt, g.oldestAt);
    }
  }
  return [...merged.values()].sort(compareGroups);
}
