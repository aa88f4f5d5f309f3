/**
 * The OpenAPI 3.1 document, generated from the schemas the routes validate with. Built once, on
 * first request, after every route has registered itself.
 */

import type { App } from './context.js';
import type { HttpDeps } from './deps.js';

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

export function openApiDocumentFactory(app: App, deps: HttpDeps): () => unknown {
  let cached: unknown;
  return () => {
    cached ??= app.getOpenAPI31Document({
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
    });
    return cached;
  };
}
