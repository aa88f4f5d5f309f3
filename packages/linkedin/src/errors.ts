/**
 * The error thrown by the client's administrative calls (rules, associations, accounts, reporting,
 * OAuth). Event sending never throws for HTTP or network outcomes: it returns a Classification.
 */
import { parseErrorBody } from './classify.js';

export class LinkedInApiError extends Error {
  override readonly name = 'LinkedInApiError';
  /** HTTP status; 0 for a network failure. */
  readonly status: number;
  /** LinkedIn's `code` (or OAuth `error`) when the body carries one. */
  readonly code: string | null;
  readonly serviceErrorCode: number | null;
  /** The raw response body (LinkedIn's bodies carry no personal data). */
  readonly body: string | null;
  /** X-LI-UUID, for LinkedIn support. */
  readonly requestId: string | null;

  constructor(
    message: string,
    init: {
      status: number;
      code?: string | null;
      serviceErrorCode?: number | null;
      body?: string | null;
      requestId?: string | null;
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code ?? null;
    this.serviceErrorCode = init.serviceErrorCode ?? null;
    this.body = init.body ?? null;
    this.requestId = init.requestId ?? null;
  }

  /** Build from an HTTP error response; the message names the call and LinkedIn's own message. */
  static fromResponse(
    what: string,
    status: number,
    body: string,
    requestId: string | null,
  ): LinkedInApiError {
    const parsed = parseErrorBody(body) as (Record<string, unknown> & object) | null;
    const message =
      typeof parsed?.message === 'string'
        ? parsed.message
        : typeof parsed?.error_description === 'string'
          ? parsed.error_description
          : null;
    const code =
      typeof parsed?.code === 'string'
        ? parsed.code
        : typeof parsed?.error === 'string'
          ? parsed.error
          : null;
    const serviceErrorCode = typeof parsed?.serviceErrorCode === 'number' ? parsed.serviceErrorCode : null;
    return new LinkedInApiError(`${what} failed with HTTP ${status}${message ? `: ${message}` : ''}`, {
      status,
      code,
      serviceErrorCode,
      body: body.length > 0 ? body : null,
      requestId,
    });
  }
}

export function isLinkedInApiError(err: unknown): err is LinkedInApiError {
  return err instanceof LinkedInApiError;
}
