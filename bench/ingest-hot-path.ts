/**
 * The ingest path's main-thread work per event, in one process and without HTTP or a store: the
 * same 500-event bodies as the gateway benchmarks (bench/_gateway.ts) are parsed, made into drafts,
 * planned (in-request dedup, build: normalise, drop placeholders, hash, serialise the LinkedIn
 * payload, make the outbox id) and turned into the store's rows, which are then posted through a
 * MessageChannel as the SQLite store's client posts them to its thread.
 *
 *   npx tsx bench/ingest-hot-path.ts                           # prints one JSON object
 *   npx tsx scripts/bench-ab.ts <revision> ingest-hot-path 3   # against an earlier revision
 *
 * Why: the gateway benchmarks measure the whole process, and on the shared 2-core hosts their
 * run-to-run spread (±15 % and more) hides changes of a few percent to this path. CPU time of this
 * process, best of several rounds, does not count other processes and shows them.
 * Reported: CPU µs per event for (a) parse + drafts + plan, (b) rows + post; the receiving side's
 * copy (the store thread's) is not counted.
 */
import { MessageChannel } from 'node:worker_threads';
import { createConversionResolver } from '../packages/gateway/src/domain/conversions.js';
import { planIngest } from '../packages/gateway/src/domain/ingest.js';
import { nativeDraft } from '../packages/gateway/src/domain/native-event.js';
import { newOutboxId } from '../packages/gateway/src/store/ids.js';
import { toIngestRows } from '../packages/gateway/src/store/sqlite/ingest-rows.js';
import { buildConversionEvent, type ConversionInput } from '../packages/linkedin/src/index.js';
import { ACCOUNT, bodyFactory, RULES, round, runIfMain } from './_gateway.js';

const EVENTS_PER_BODY = 500;
const BODIES_PER_ROUND = Number(process.env.BENCH_HOT_PATH_BODIES ?? 200);
const ROUNDS = 7;
const NOW = Date.parse('2026-12-01T12:00:00Z');

interface Round {
  planUs: number;
  postUs: number;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export async function run(): Promise<Record<string, unknown>> {
  const resolver = createConversionResolver({
    rules: [
      { alias: 'lead', ruleId: String(RULES.lead), account: ACCOUNT },
      { alias: 'qualified_lead', ruleId: String(RULES.qualifiedLead), account: ACCOUNT },
      { alias: 'purchase', ruleId: String(RULES.purchase), account: ACCOUNT },
    ],
    accounts: [ACCOUNT],
  });
  const buildOptions = { version: '202609', now: NOW, hashNames: false, hashIp: true };
  const body = bodyFactory('hot', EVENTS_PER_BODY, NOW - 60_000);
  const { port1, port2 } = new MessageChannel();
  let received = 0;
  port2.on('message', () => {
    received += 1;
  });

  let next = 0;
  const oneRound = async (): Promise<Round> => {
    // Bodies are made before the clock starts: each round's eventIds and emails are new.
    const texts = Array.from({ length: BODIES_PER_ROUND }, () => body(next++));
    let planUs = 0;
    let postUs = 0;
    for (const text of texts) {
      const planStart = cpuMicros();
      const parsed = JSON.parse(text) as { events: unknown[] };
      const plan = planIngest(parsed.events.map(nativeDraft), {
        resolve: resolver.resolve,
        build: (input: ConversionInput) => buildConversionEvent(input, buildOptions),
        source: 'bench',
        receivedAt: NOW,
        newId: () => newOutboxId(),
        dropEvents: true,
      });
      const postStart = cpuMicros();
      port1.postMessage([toIngestRows(plan.rows)]);
      const end = cpuMicros();
      planUs += postStart - planStart;
      postUs += end - postStart;
      if (plan.rows.length !== EVENTS_PER_BODY) throw new Error(`expected ${EVENTS_PER_BODY} rows`);
    }
    // Let the port take what was posted, so rounds do not pile messages up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = BODIES_PER_ROUND * EVENTS_PER_BODY;
    return { planUs: planUs / events, postUs: postUs / events };
  };

  await oneRound(); // warm-up: JIT and caches
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i += 1) rounds.push(await oneRound());
  port1.close();
  const best = (pick: (r: Round) => number) => round(Math.min(...rounds.map(pick)), 3);
  return {
    eventsPerRound: BODIES_PER_ROUND * EVENTS_PER_BODY,
    rounds: ROUNDS,
    messagesPosted: received,
    planCpuMicrosPerEvent: best((r) => r.planUs),
    postCpuMicrosPerEvent: best((r) => r.postUs),
    totalCpuMicrosPerEvent: best((r) => r.planUs + r.postUs),
    allRounds: rounds.map((r) => ({ planUs: round(r.planUs, 3), postUs: round(r.postUs, 3) })),
  };
}

runIfMain(import.meta.url, run);
