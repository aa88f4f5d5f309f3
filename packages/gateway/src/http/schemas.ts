/**
 * Response and admin-request schemas. Request schemas for events live with their formats in
 * `domain/`; these describe what the gateway answers, and validate the admin inputs.
 */
import { z } from 'zod';
import { MAX_EVENT_ID } from '../domain/ingest.js';
import { OUTBOX_STATES } from '../ports.js';
import { coercedWholeNumber } from '../whole-number.js';

export const ProblemSchema = z
  .object({
    code: z.string().describe('Stable code from docs/errors.md.'),
    path: z.string().describe('JSON pointer to the field, relative to the event (or the body).'),
    message: z.string(),
  })
  .meta({ id: 'Problem', description: 'One problem with one field.' });

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code from docs/errors.md.'),
      message: z.string(),
      fix: z.string().describe('What to do about it.'),
      path: z
        .string()
        .optional()
        .describe(
          'Present on every 4xx: the part of the request at fault. A JSON pointer into the body ("" for the whole body), or header:<name>, query:<name>, path:<name> (URL path parameter), request:method, request:path.',
        ),
      details: z.array(ProblemSchema).optional(),
    }),
  })
  .meta({
    id: 'ErrorBody',
    description: 'Every request-level error. Messages never repeat submitted personal data or credentials.',
  });

export const EventResultSchema = z
  .object({
    eventId: z.string().nullable().describe('The eventId as sent (null when it was missing or unusable).'),
    status: z
      .enum(['accepted', 'duplicate', 'rejected', 'suppressed', 'ignored'])
      .describe(
        'accepted: stored and queued for LinkedIn. duplicate: (rule, eventId) was already received. rejected: see errors. suppressed: consent withheld, stored and never sent. ignored: Segment call without a conversion.',
      ),
    errors: z.array(ProblemSchema).optional(),
    warnings: z.array(ProblemSchema).optional().describe('Identifiers dropped or values defaulted.'),
    payload: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('validate_only only: the exact LinkedIn element that would be sent, identifiers hashed.'),
  })
  .meta({ id: 'EventResult' });

export const IngestResponseSchema = z
  .object({
    results: z.array(EventResultSchema).describe('One result per event, in request order.'),
    summary: z.object({
      accepted: z.number().int(),
      duplicate: z.number().int(),
      rejected: z.number().int(),
      suppressed: z.number().int(),
      ignored: z.number().int(),
    }),
    validateOnly: z.literal(true).optional().describe('Present on dry runs: nothing was stored.'),
    error: ErrorBodySchema.shape.error.optional().describe('Present when no event was accepted (422).'),
  })
  .meta({ id: 'IngestResponse' });

export const LinkedInErrorSchema = z
  .object({
    message: z.string(),
    status: z.number().int(),
    code: z.string().optional(),
    path: z.string().optional().describe('With code, on every 4xx: as in ErrorBody.'),
  })
  .meta({
    id: 'LinkedInError',
    description:
      'LinkedIn-shaped error. 422: one line per problem, "Index: N, ERROR :: /path :: reason". 400: "reason, indices [i, j] (0-indexed).". Gateway errors (auth, limits, shutdown) add a stable code, and on a 4xx the path at fault.',
  });

export const BatchCreateResponseSchema = z.object({
  elements: z.array(z.object({ status: z.literal(201) })),
});

export const LinkedInDryRunSchema = z
  .object({
    validateOnly: z.literal(true),
    elements: z.array(
      z.object({
        status: z.literal(201),
        payload: z
          .record(z.string(), z.unknown())
          .describe('The exact LinkedIn element that would be stored and sent.'),
        warnings: z.array(ProblemSchema.extend({ severity: z.string() })),
      }),
    ),
  })
  .meta({
    id: 'LinkedInDryRun',
    description: '?validate_only=true, single or batch: nothing stored; one entry per element.',
  });

export const AttemptSchema = z.object({
  at: z.string().describe('ISO-8601.'),
  status: z.number().int().describe('LinkedIn HTTP status, 0 for a network error.'),
  outcome: z.string(),
  requestId: z.string().nullable(),
  batchSize: z.number().int(),
  durationMs: z.number(),
  errorBody: z.string().nullable(),
});

export const OutboxEventViewSchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    ruleId: z.string(),
    account: z.string(),
    source: z.string(),
    state: z.enum(OUTBOX_STATES),
    attemptCount: z.number().int(),
    happenedAt: z.string(),
    receivedAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    lastReason: z.string().nullable(),
    lastResponse: z.string().nullable(),
    identifierTypes: z.array(z.string()).describe('Which identifiers the event carries; never their values.'),
    consent: z.boolean().nullable(),
    context: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({
    id: 'OutboxEventView',
    description: 'An outbox event without its payload (identifier values are never shown).',
  });

export const EventLookupResponseSchema = z.object({
  events: z.array(OutboxEventViewSchema.extend({ attempts: z.array(AttemptSchema) })),
});

export const DeadLettersResponseSchema = z.object({
  deadLetters: z.array(
    OutboxEventViewSchema.extend({ deadAt: z.string().describe('When it was dead-lettered (ISO-8601).') }),
  ),
  count: z.number().int().describe('Dead letters in this page.'),
  nextCursor: z
    .string()
    .nullable()
    .describe('When the page is full: pass it as `cursor` for the next page. null on the last page.'),
});

const id = z
  .string()
  .min(1)
  .max(MAX_EVENT_ID + 16);

export const DeadLetterQuerySchema = z
  .object({
    ruleId: z.string().regex(/^\d+$/).optional().describe('Conversion rule id.'),
    account: z.string().regex(/^\d+$/).optional().describe('Ad account id.'),
    reason: z.string().max(100).optional().describe('Dead-letter reason, e.g. expired, rejected.'),
    since: z.string().max(64).optional().describe('Dead-lettered at or after: ISO-8601 or epoch ms.'),
    limit: coercedWholeNumber().min(1).max(1000).optional().describe('Default 100, at most 1000.'),
    cursor: z
      .string()
      .max(200)
      .optional()
      .describe('The `nextCursor` of the previous page, for the next one.'),
  })
  .strict();

export const DeadLetterSummaryQuerySchema = DeadLetterQuerySchema.omit({ limit: true, cursor: true });

export const DeadLetterSummaryResponseSchema = z.object({
  groups: z.array(
    z.object({
      account: z.string(),
      ruleId: z.string(),
      reason: z.string().nullable(),
      count: z.number().int(),
      newestDeadAt: z.string().describe('ISO-8601.'),
      oldestDeadAt: z.string().describe('ISO-8601.'),
      fix: z.string().nullable().describe('What to do about dead letters of this reason.'),
    }),
  ),
  total: z.number().int().describe('Dead letters in all groups.'),
});

export const RedriveRequestSchema = z
  .object({
    ids: z.array(id).max(5000).optional().describe('Internal event ids.'),
    eventIds: z.array(id).max(5000).optional().describe('Business eventIds.'),
    ruleId: z.string().regex(/^\d+$/).optional(),
    account: z.string().regex(/^\d+$/).optional(),
    reason: z.string().max(100).optional(),
    since: z
      .union([z.string().max(64), z.number()])
      .optional()
      .describe('Dead-lettered at or after.'),
    dryRun: z
      .boolean()
      .optional()
      .describe(
        'Move nothing: answer how many dead letters the filters match, grouped as the summary groups them.',
      ),
  })
  .strict()
  .meta({ id: 'RedriveRequest', description: 'At least one filter is required.' });

export const RedriveResponseSchema = z.object({
  redriven: z.number().int().describe('Moved back to the queue (0 on a dry run).'),
  dryRun: z.boolean().optional(),
  matched: z.number().int().optional().describe('Dry run: dead letters the filters match.'),
  groups: DeadLetterSummaryResponseSchema.shape.groups.optional().describe('Dry run: the matches, grouped.'),
});

export const HealthSchema = z.object({ status: z.literal('ok') });

export const ReadySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.string()),
  error: ErrorBodySchema.shape.error.optional(),
});

export const ValidateOnlyQuerySchema = z.object({
  validate_only: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('true: store nothing; answer with the exact hashed LinkedIn payload and warnings per event.'),
});

export const PauseSchema = z.object({
  account: z
    .string()
    .describe(
      'Ad account id (digits); "all" for this instance\'s pause of all sending after a setup error (reason config).',
    ),
  reason: z
    .string()
    .describe('throttled (429), reauth (401), revoked (401, token revoked), forbidden (403), or config.'),
  until: z
    .string()
    .nullable()
    .describe(
      'When the pause ends by itself (ISO-8601); null: only a resume (or a restart, for a 401) lifts it.',
    ),
});

export const PausesResponseSchema = z.object({ pauses: z.array(PauseSchema) });

export const ResumeResponseSchema = z.object({
  resumed: z
    .array(z.string())
    .describe(
      'The accounts whose pause was lifted (all configured ones for "all", led by "all" itself when this instance had paused all sending).',
    ),
  wasPaused: z.array(PauseSchema).describe('The pauses in force before the resume.'),
});

export const IdempotencyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .max(255)
    .optional()
    .describe(
      'Optional, 1-255 visible ASCII characters, unique per logical request (e.g. a UUID). The same request sent again with the same key within server.idempotencyKeyHours (24 h) gets the first answer back, with Idempotent-Replayed: true.',
    ),
});
