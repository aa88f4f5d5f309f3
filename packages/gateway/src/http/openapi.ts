/**
 * The OpenAPI 3.1 document, generated from the schemas the routes validate with. Built once, on
 * first request, after every route has registered itself.
 */

import type { App } from './context.js';
import type { HttpDeps } from './deps.js';
import { speaksLinkedIn } from './dialect.js';
import { LINKEDIN_REQUEST_ID_HEADER, REQUEST_ID_HEADER, REQUEST_ID_PATTERN } from './request-id.js';

export function registerSecuritySchemes(app: App): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'sourceKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'A source key from CAPI_SOURCE_KEYS (name:key); the source name is taken from the key.',
  });
  registry.registerComponent('securitySchemes', 'segmentWriteKey', {
    type: 'http',
    scheme: 'basic',
    description: 'Segment style: the source key as the Basic user name, with an empty password.',
  });
  registry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The admin token (CAPI_ADMIN_TOKEN). Admin routes answer 401 ADMIN_DISABLED when none is set.',
  });
}

/** The response headers every answer carries; `withRequestIdHeaders` refers each response to them. */
export function registerRequestIdHeaders(app: App): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('headers', REQUEST_ID_HEADER, {
    description:
      "This request's id, also on the gateway's log lines about it: yours if you sent a plain token (letters, digits, `._:-`, at most 128), otherwise a fresh UUID.",
    schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
  });
  registry.registerComponent('headers', LINKEDIN_REQUEST_ID_HEADER, {
    description: `The same value as ${REQUEST_ID_HEADER}, under LinkedIn's own name for its request id.`,
    schema: { type: 'string' },
  });
}

interface Operation {
  responses?: Record<string, { headers?: Record<string, unknown> }>;
}

/**
 * Every answer carries the request id (set where the server accepts the request, not by a route),
 * so the document adds the header to every response rather than each route declaring it.
 */
function withRequestIdHeaders<T extends { paths?: object }>(doc: T): T {
  // Path items hold operations and a few other keys (summary, parameters), which have no responses.
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation> | undefined>;
  const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations ?? {})) {
      for (const response of Object.values(operation.responses ?? {})) {
        response.headers = {
          ...response.headers,
          [REQUEST_ID_HEADER]: ref(REQUEST_ID_HEADER),
          ...(speaksLinkedIn(path) ? { [LINKEDIN_REQUEST_ID_HEADER]: ref(LINKEDIN_REQUEST_ID_HEADER) } : {}),
        };
      }
    }
  }
  return doc;
}

export function openApiDocumentFactory(app: App, deps: HttpDeps): () => unknown {
  let cached: unknown;
  return () => {
    cached ??= withRequestIdHeaders(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'capi-gateway',
          version: '1',
          description: `Self-hosted gateway for the LinkedIn Conversions API: ingest, hash at the edge, store durably, deliver in batches. Request bodies are limited to ${deps.config.bodyLimitBytes} bytes after decoding (413 BODY_TOO_LARGE) and ${deps.config.maxEventsPerRequest} events (413 TOO_MANY_EVENTS). Error codes: docs/errors.md.`,
          license: { name: 'Apache-2.0' },
        },
        tags: [
          { name: 'ingest', description: 'Conversion events in; answered after the durable commit.' },
          { name: 'admin', description: 'Bearer admin token.' },
          { name: 'operations', description: 'Probes, metrics, this document.' },
        ],
      }),
    );
    return cached;
  };
}
