/**
 * Whether a parsed JSON or YAML value is an object with keys (`{…}`): not null, not an array. One
 * definition for the ingest dialects, the HTTP layer and the configuration, which all have to tell
 * a mapping from the other shapes a document may hold before reading its fields.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
