import type { OpenAPIHono } from '@hono/zod-openapi';

/** What the registered routes serve at a path: their OpenAPI templates and their methods. */
export interface ServedAt {
  /** e.g. /v1/events/{eventId}: the route as documented, never the client's own path. */
  templates: string[];
  methods: string[];
}

/**
 * Which methods a path answers, read from the OpenAPI registry (the same source as /openapi.json),
 * so a request with the wrong method gets 405 with an `Allow` header instead of a misleading 404.
 * Computed on first use: every route is registered by then.
 */
export function allowedMethodsLookup(app: OpenAPIHono): (path: string) => ServedAt {
  let table: Array<{ template: string; pattern: RegExp; methods: Set<string> }> | null = null;
  const build = () => {
    const byPath = new Map<string, Set<string>>();
    for (const definition of app.openAPIRegistry.definitions) {
      if (definition.type !== 'route') continue;
      const { path, method } = definition.route;
      const methods = byPath.get(path) ?? new Set<string>();
      methods.add(method.toUpperCase());
      if (method === 'get') methods.add('HEAD');
      byPath.set(path, methods);
    }
    return [...byPath].map(([template, methods]) => ({ template, pattern: pathPattern(template), methods }));
  };
  return (path) => {
    table ??= build();
    const templates: string[] = [];
    const methods = new Set<string>();
    for (const entry of table) {
      if (!entry.pattern.test(path)) continue;
      templates.push(entry.template);
      for (const m of entry.methods) methods.add(m);
    }
    return { templates, methods: [...methods].sort() };
  };
}

/**
 * `/v1/events/{eventId}` → /^\/v1\/events\/[^/]+$/. Exactly as the router matches (strict: a
 * trailing slash is another path), so a 405 never names a method that the path does not answer.
 */
export function pathPattern(openApiPath: string): RegExp {
  const source = openApiPath
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
