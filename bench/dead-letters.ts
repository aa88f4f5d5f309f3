/**
 * What the dead-letter admin routes cost the SQLite store, which serves nothing else meanwhile.
 *
 *   npx tsx bench/dead-letters.ts           # prints one JSON object
 *   npm run bench -- dead-letters
 *
 * Fills a store with CAPI_BENCH_DEAD_LETTERS dead letters (default 200,000; 3 accounts, 7 rules,
 * 2 reasons), then times, best and worst of several rounds: the summary (`summarizeDead`, what
 * `GET /v1/dead-letters/summary` and a redrive's dry run read), and a page of 1,000 of the list
 * (`listDead` with a reason, what `GET /v1/dead-letters` reads), first and deep (by position).
 * Then the summary in pages, as the route reads it (`summarizeInPages`), with its longest store call.
 * Last, the redrive of each half (one reason each): one as a single UPDATE (`store.redrive`), the
 * other in pages as `POST /v1/dead-letters/redrive` does it (`redriveInPages`), with the longest
 * single store call of each, which is how long ingest commits wait behind it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeInPages } from '../packages/gateway/src/dead-letter-summary.js';
import type { NewOutboxEvent } from '../packages/gateway/src/ports.js';
import { redriveInPages } from '../packages/gateway/src/redrive.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { createSqliteStore } from '../packages/gateway/src/store/sqlite.js';
import { intFromEnv, note, runIfMain } from './_gateway.js';

const DEAD_LETTERS = intFromEnv('CAPI_BENCH_DEAD_LETTERS', 200_000);
const ROUNDS = 5;
const CHUNK = 5_000;

async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await call();
  return { ms: performance.now() - started, result };
}

/** `call`, with the time of each call it makes noted in `times`. */
function timingEach<A extends unknown[], T>(times: number[], call: (...args: A) => Promise<T>) {
  return async (...args: A): Promise<T> => {
    const t = await timed(() => call(...args));
    times.push(t.ms);
    return t.result;
  };
}

function spread(samples: number[]): { bestMs: number; worstMs: number } {
  return { bestMs: round(Math.min(...samples)), worstMs: round(Math.max(...samples)) };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'capi-bench-dead-'));
  const store = createSqliteStore({ path: join(dir, 'gateway.db') });
  try {
    await store.migrate();
    const now = Date.now();
    note(`filling ${DEAD_LETTERS} dead letters`);
    for (let i = 0; i < DEAD_LETTERS; i += CHUNK) {
      const events: NewOutboxEvent[] = Array.from({ length: Math.min(CHUNK, DEAD_LETTERS - i) }, (_, k) => ({
        id: newOutboxId(now),
        account: String(1 + ((i + k) % 3)),
        ruleId: String(10 + ((i + k) % 7)),
        eventId: `dead-${i + k}`,
        source: 'bench',
        payload: '{"conversion":"urn:lla:llaPartnerConversion:10"}',
        happenedAt: now,
        receivedAt: now,
        state: 'queued',
        identifierTypes: ['SHA256_EMAIL'],
        consent: null,
        context: null,
      }));
      await store.enqueue(events);
      await store.kill(
        events.map((e) => e.id),
        (i / CHUNK) % 2 === 0 ? 'expired' : 'rejected',
        null,
        now + i,
      );
    }
    const summary: number[] = [];
    const firstPage: number[] = [];
    const deepPage: number[] = [];
    let groups = 0;
    let deepRows = 0;
    for (let r = 0; r < ROUNDS; r += 1) {
      const s = await timed(() => store.summarizeDead({}));
      summary.push(s.ms);
      groups = s.result.groups.length;
      const first = await timed(() => store.listDead({ reason: 'rejected', limit: 1_000 }));
      firstPage.push(first.ms);
      // Half-way down the list: past every dead letter newer than the middle one's time ("z" sorts
      // after every id, which are hex digits and dashes).
      const after = { deadAt: now + Math.floor(DEAD_LETTERS / 2), id: 'z' };
      const deep = await timed(() => store.listDead({ reason: 'rejected', limit: 1_000, after }));
      deepPage.push(deep.ms);
      deepRows = deep.result.length;
    }
    const summaryFigures = spread(summary);

    // The summary as the route reads it: in pages, with the longest store call (what ingest waits).
    const summaryCalls: number[] = [];
    const pagedSummary = await timed(() =>
      summarizeInPages(
        {
          summarizeDead: timingEach(summaryCalls, store.summarizeDead),
        },
        {},
      ),
    );

    note('redriving one half in one statement, the other in pages');
    const oneStatement = await timed(() => store.redrive({ reason: 'expired' }, now));
    const calls: number[] = [];
    const paged = await timed(() =>
      redriveInPages(
        {
          redrive: timingEach(calls, store.redrive),
        },
        { reason: 'rejected' },
        now,
      ),
    );
    return {
      deadLetters: DEAD_LETTERS,
      rounds: ROUNDS,
      summary: {
        ...summaryFigures,
        groups,
        microsecondsPerDeadLetter: round((summaryFigures.bestMs * 1000) / DEAD_LETTERS),
      },
      summaryInPages: {
        ms: round(pagedSummary.ms),
        groups: pagedSummary.result.length,
        storeCalls: summaryCalls.length,
        longestStoreCallMs: round(Math.max(...summaryCalls)),
      },
      listFirstPageOf1000: spread(firstPage),
      listPageOf1000HalfWayDown: { ...spread(deepPage), rows: deepRows },
      redrive: {
        oneStatement: {
          moved: oneStatement.result.redriven,
          ms: round(oneStatement.ms),
          longestStoreCallMs: round(oneStatement.ms),
        },
        inPages: {
          moved: paged.result,
          ms: round(paged.ms),
          storeCalls: calls.length,
          longestStoreCallMs: round(Math.max(...calls)),
        },
      },
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
