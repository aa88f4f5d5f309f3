/**
 * `POST /rest/conversionEvents`: single create (201, empty body, `x-restli-id`) and
 * `BATCH_CREATE` (200, one `{status:201}` per element). Order of checks, as LinkedIn surfaces them:
 * version and token (middleware) → rate limit → scope → schema 422 → business 400 → rule 403.
 * Batches are all-or-nothing: any failure rejects every element.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { requireScope } from '../auth.js';
import type { SandboxEnv, SandboxServices } from '../context.js';
import { ERRORS, emptyResponse } from '../errors.js';
import { checkEventRules, creditedValue, ruleIdOf } from '../event-rules.js';
import { readJson, resourcePath, restliMethod } from '../http.js';
import { rateLimitMiddleware } from '../rate-limit.js';
import { checkEventSchema, errorLines, REASONS, type SchemaError } from '../validate-event.js';
import { SCOPES, type WireConversionEvent } from '../wire.js';

export const MAX_BATCH = 5000;
const JSON_CT = { 'content-type': 'application/json' };

type Parsed = { events: WireConversionEvent[] } | { error: Response };

/** Schema-checks a single-create body. */
export function parseSingle(body: unknown, version: number): Parsed {
  const errors: SchemaError[] = [];
  if (checkEventSchema(body, version, errors)) return { events: [body] };
  return { error: ERRORS.schema(errorLines(errors)) };
}

/** Schema-checks a BATCH_CREATE body, collecting the errors of every element. */
export function parseBatch(body: unknown, version: number): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: ERRORS.schema([`ERROR :: / :: ${REASONS.notMap(body)}`]) };
  }
  const record = body as Record<string, unknown>;
  const lines: string[] = [];
  for (const key in record) if (key !== 'elements') lines.push(`ERROR :: /${key} :: ${REASONS.unknown}`);
  const elements = record.elements;
  if (elements === undefined) lines.push(`ERROR :: /elements :: ${REASONS.required}`);
  else if (!Array.isArray(elements)) lines.push(`ERROR :: /elements :: ${REASONS.notList(elements)}`);
  if (lines.length > 0 || !Array.isArray(elements)) return { error: ERRORS.schema(lines) };
  if (elements.length > MAX_BATCH) {
    return {
      error: ERRORS.badRequest(`Batch size ${elements.length} exceeds the maximum of ${MAX_BATCH} elements`),
    };
  }
  const errors: SchemaError[] = [];
  for (let i = 0; i < elements.length; i++) {
    if (!checkEventSchema(elements[i], version, errors)) {
      lines.push(...errorLines(errors, i));
      errors.length = 0;
    }
  }
  return lines.length > 0 ? { error: ERRORS.schema(lines) } : { events: elements as WireConversionEvent[] };
}

function batchBody(n: number): string {
  if (n === 0) return '{"elements":[]}';
  return `{"elements":[${'{"status":201},'.repeat(n - 1)}{"status":201}]}`;
}

export function conversionEventsRoutes(svc: SandboxServices): Hono<SandboxEnv> {
  const routes = new Hono<SandboxEnv>();
  const now = () => svc.clock.now();

  routes.post('/', rateLimitMiddleware(svc.limiter, now), async (c) => {
    const method = restliMethod(c);
    if (method !== '' && method !== 'CREATE' && method !== 'BATCH_CREATE') {
      return ERRORS.unsupported('POST', resourcePath(c), method);
    }
    const batch = method === 'BATCH_CREATE';
    const resourceMethod = `conversionEvents.${batch ? 'BATCH_CREATE' : 'CREATE'}`;
    const token = c.get('token');
    const denied = requireScope(token, [SCOPES.conversions], resourceMethod);
    if (denied) return denied;

    const body = await readJson(c);
    const parsed = batch ? parseBatch(body, c.get('version')) : parseSingle(body, c.get('version'));
    if ('error' in parsed) return parsed.error;

    const at = now();
    const rejected = checkEventRules(parsed.events, { state: svc.state, token, now: at, resourceMethod });
    if (rejected) return rejected;

    for (const ev of parsed.events) {
      const rule = svc.state.rules.get(ruleIdOf(ev));
      if (!rule) continue; // checked above; keeps the type narrow
      svc.state.events.append(
        {
          receivedAt: at,
          rule: rule.id,
          eventId: ev.eventId,
          happenedAt: Math.trunc(ev.conversionHappenedAt),
          value: ev.conversionValue,
          user: ev.user,
          token: token.value,
        },
        creditedValue(ev, rule),
      );
    }
    svc.stats.countEvents(parsed.events.length);
    svc.state.changed();

    if (batch) return new Response(batchBody(parsed.events.length), { status: 200, headers: JSON_CT });
    return emptyResponse(201, { 'x-restli-id': randomUUID() });
  });

  routes.all('/', (c) => ERRORS.unsupported(c.req.method, resourcePath(c), restliMethod(c)));
  return routes;
}
