/**
 * A seed's problems told one per line, each with where it is (`rules[0].type`) and what is wrong;
 * for a key the seed does not know, the key it most likely meant or else the keys that place takes.
 * zod's own summary names an unknown top-level key with no place and no alternative
 * ("✖ Unrecognized key: "account""). Pure: the known keys come from the seed's schema.
 */

/** What the lines need of a zod issue. */
export interface SeedIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  /** The unknown keys of an `unrecognized_keys` issue. */
  keys?: readonly string[];
}

/** The few parts of a zod schema the lookup reads; anything else is a leaf. */
interface SchemaNode {
  shape?: Record<string, unknown>;
  unwrap?: () => unknown;
  element?: unknown;
}

/** The keys of the object at `path` in `schema` (through optional values and arrays), or none. */
export function keysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let node = schema as SchemaNode | undefined;
  let i = 0;
  while (node !== undefined) {
    const part = path[i];
    if (node.shape) {
      if (i === path.length) return Object.keys(node.shape);
      if (typeof part !== 'string') return [];
      node = node.shape[part] as SchemaNode | undefined;
      i += 1;
    } else if (node.element !== undefined) {
      // Before unwrap: zod's arrays unwrap to their element too, which would skip the index.
      if (typeof part !== 'number') return [];
      node = node.element as SchemaNode;
      i += 1;
    } else if (typeof node.unwrap === 'function') node = node.unwrap() as SchemaNode;
    else return [];
  }
  return [];
}

/** `rules[0].type`; the top level is `(top level)`. */
export function placeOf(path: readonly PropertyKey[]): string {
  let place = '';
  for (const part of path) {
    if (typeof part === 'number') place += `[${part}]`;
    else place = place === '' ? String(part) : `${place}.${String(part)}`;
  }
  return place === '' ? '(top level)' : place;
}

/** Case, `_` and `-` do not matter, and neither does a plural's `s` (`account` for `accounts`). */
function sameWord(a: string, b: string): boolean {
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, '').replace(/s$/, '');
  return plain(a) === plain(b);
}

/** Levenshtein distance, for misspellings (`campaings` for `campaigns`). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The known key `key` most likely meant, or null: the same word, else one or two letters off. */
export function meantKey(key: string, known: readonly string[]): string | null {
  const same = known.find((k) => sameWord(k, key));
  if (same !== undefined) return same;
  const allowed = key.length < 4 ? 0 : key.length < 8 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function unknownKeyLine(key: string, path: readonly PropertyKey[], schema: unknown): string {
  const known = keysAt(schema, path);
  const meant = meantKey(key, known);
  const hint =
    meant !== null
      ? `did you mean "${meant}"?`
      : known.length > 0
        ? `known keys here: ${known.join(', ')}.`
        : 'this place takes no keys.';
  return `${placeOf(path)}: unknown key "${key}"; ${hint}`;
}

/** One line per problem (an issue naming several unknown keys gives a line for each). */
export function seedIssueLines(issues: readonly SeedIssue[], schema: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.keys)
      for (const key of issue.keys) lines.push(unknownKeyLine(key, issue.path, schema));
    else lines.push(`${placeOf(issue.path)}: ${issue.message}`);
  }
  return lines;
}
