/**
 * The reply of the native and Segment routes: one result per event plus a summary. A batch is never
 * all-or-nothing; the HTTP status only summarises it (200 all fine, 207 some rejected, 422 none
 * accepted) so that a client checking the status alone still notices. Segment SDKs only look at
 * 2xx, so the Segment routes always answer 200 and carry the detail in the body.
 */
import { countStatuses, type EventResult, type StatusCounts } from '../domain/ingest.js';
import { ERROR_CODES, type ErrorBody } from '../errors.js';
import { WHOLE_BODY } from './problem-path.js';

export interface IngestReply {
  status: 200 | 207 | 422;
  body: {
    results: EventResult[];
    summary: StatusCounts;
    validateOnly?: true;
    error?: ErrorBody['error'];
  };
}

export function ingestReply(results: EventResult[], validateOnly: boolean, alwaysOk: boolean): IngestReply {
  const summary = countStatuses(results);
  const body: IngestReply['body'] = { results, summary };
  if (validateOnly) body.validateOnly = true;
  if (alwaysOk || summary.rejected === 0) return { status: 200, body };
  if (summary.rejected < results.length) return { status: 207, body };
  body.error = {
    code: 'EVENT_INVALID',
    message: 'No event was accepted; see results[].errors.',
    fix: ERROR_CODES.EVENT_INVALID.fix,
    // Every event in the body was refused; each result's errors name its own fields.
    path: WHOLE_BODY,
  };
  const only = results.length === 1 ? results[0]?.errors : undefined;
  if (only && only.length > 0) body.error.details = only;
  return { status: 422, body };
}
