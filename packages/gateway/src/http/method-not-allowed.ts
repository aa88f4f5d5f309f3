import type { OpenAPIHono } from '@hono/zod-openapi';

/**
 * Which methods a path answers, read from the OpenAPI registry (the same source as /openapi.json),
 * so a request with the wrong method gets 405 with an `Allow` header instead of a misleading 404.
 * Computed on first use: every route is registered by then.
 */
export function allowedMethodsLookup(app: OpenAPIHono): (path: string) => string[] {
  let table: Array<{ pattern: RegExp; methods: Set<string> }> | null = null;
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
    return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
  };
  return (path) => {
    table ??= build();
    const methods = new Set<string>();
    for (const entry of table) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
    return [...methods].sort();
  };
}

/** `/v1/events/{eventId}` → /^\/v1\/events\/[^/]+\/?$/ */
export function pathPattern(openApiPath: string): RegExp {
  const source = openApiPath
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}
