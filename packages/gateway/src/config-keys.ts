/**
 * What to say about a key the configuration file does not know: the key it most likely meant
 * (`port` at the top → `server.port`, `batch_size` → `batchSize`, `delivry` → `delivery`), or else
 * the keys that section does take; and about a `CAPI_`/`LINKEDIN_` variable the gateway does not
 * read (`LINKEDIN_TOKEN` → `LINKEDIN_ACCESS_TOKEN`). Pure: the known keys come from the file's
 * schema, the known variables from config.ts.
 */

/** Known keys by section: '' for the top level, 'server', 'accounts[]' for an entry of accounts. */
export type KnownKeys = ReadonlyMap<string, readonly string[]>;

/** The few parts of a zod schema the walk reads; anything else is a leaf. */
interface SchemaNode {
  shape?: Record<string, unknown>;
  unwrap?: () => unknown;
  element?: unknown;
}

/** Every section of a zod object schema with its keys, descending through optional and arrays. */
export function knownKeysOf(schema: unknown): KnownKeys {
  const sections = new Map<string, string[]>();
  const walk = (node: unknown, section: string): void => {
    const n = node as SchemaNode;
    if (n.shape && typeof n.shape === 'object') {
      sections.set(section, Object.keys(n.shape));
      for (const [key, child] of Object.entries(n.shape))
        walk(child, section === '' ? key : `${section}.${key}`);
    } else if (n.element !== undefined) {
      walk(n.element, `${section}[]`);
    } else if (typeof n.unwrap === 'function') {
      walk(n.unwrap(), section);
    }
  };
  walk(schema, '');
  return sections;
}

/** The section of an object at this path: array indices become `[]`. */
export function sectionOf(path: readonly PropertyKey[]): string {
  let section = '';
  for (const part of path) {
    if (typeof part === 'number') section += '[]';
    else section = section === '' ? String(part) : `${section}.${String(part)}`;
  }
  return section;
}

/** Spelling that does not matter in a key: case, `_`, `-`. */
function loose(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Edit distance (insertions, deletions, substitutions, transpositions of neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How many edits a key of this length may be from the one meant: typos, not other words. */
function allowedEdits(length: number): number {
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}

/**
 * The key an unknown `key` in the object at `path` most likely meant, written as a full path, or
 * null. First the same section (a misspelling or another case), then the same name in another
 * section (a key put at the wrong level).
 */
export function suggestKey(known: KnownKeys, path: readonly PropertyKey[], key: string): string | null {
  const here = known.get(sectionOf(path)) ?? [];
  const wanted = loose(key);
  let best: { key: string; distance: number } | null = null;
  for (const candidate of here) {
    const distance = editDistance(wanted, loose(candidate));
    if (distance <= allowedEdits(wanted.length) && (!best || distance < best.distance)) {
      best = { key: candidate, distance };
    }
  }
  if (best) return [...path.map(String), best.key].join('.');
  for (const [section, keys] of known) {
    const match = keys.find((k) => loose(k) === wanted);
    if (match) return section === '' ? match : `${section}.${match}`;
  }
  return null;
}

/** The message for an unknown key: the key meant, or the keys this section takes. */
export function unknownKeyMessage(known: KnownKeys, path: readonly PropertyKey[], key: string): string {
  const meant = suggestKey(known, path, key);
  if (meant) return `Unknown key. Did you mean ${meant}?`;
  const here = known.get(sectionOf(path)) ?? [];
  return here.length > 0 ? `Unknown key. Known keys here: ${here.join(', ')}.` : 'Unknown key.';
}

/** Prefixes of the variables the gateway reads; others in the environment are not its business. */
const OWN_PREFIXES = ['CAPI_', 'LINKEDIN_'];
/** Variables of the project's own benchmarks and tests, which share the prefix. */
const TOOLING_PREFIXES = ['CAPI_BENCH_', 'CAPI_TEST_'];

/**
 * Kubernetes gives every pod variables for each Service of its namespace (a Service `capi-gateway`
 * makes `CAPI_GATEWAY_SERVICE_HOST`, `CAPI_GATEWAY_PORT=tcp://…`, `CAPI_GATEWAY_PORT_8080_TCP…`).
 * They are no one's typo, and warning of them at every start would drown the warnings that matter.
 */
const SERVICE_LINK_NAME =
  /_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?$|_PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?$/;
const SERVICE_LINK_VALUE = /^(tcp|udp|sctp):\/\//;

/** Whether a variable is one Kubernetes made for a Service (by its name, or a `…_PORT` by its value's shape). */
export function isServiceLink(name: string, value: string | undefined): boolean {
  return SERVICE_LINK_NAME.test(name) || (name.endsWith('_PORT') && SERVICE_LINK_VALUE.test(value ?? ''));
}

export interface UnknownVariable {
  name: string;
  /** The variable it most likely meant, or null. */
  meant: string | null;
}

/**
 * Variables set with the gateway's prefixes that are no setting of it: a misspelt one would
 * otherwise be ignored in silence (`LINKEDIN_TOKEN` for `LINKEDIN_ACCESS_TOKEN` starts sandbox
 * mode). Sorted by name. Values are never shown; only a Kubernetes service link's is looked at
 * (`tcp://…`), to leave it out.
 */
export function unknownVariables(
  env: Readonly<Record<string, string | undefined>>,
  known: readonly string[],
): UnknownVariable[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter(
      (name) =>
        OWN_PREFIXES.some((p) => name.startsWith(p)) &&
        !TOOLING_PREFIXES.some((p) => name.startsWith(p)) &&
        !knownSet.has(name) &&
        !isServiceLink(name, env[name]),
    )
    .sort()
    .map((name) => ({ name, meant: suggestVariable(name, known) }));
}

/** What start logs and `capi config` prints for a variable the gateway does not read. */
export function unknownVariableText({ name, meant }: UnknownVariable): string {
  return meant
    ? `environment variable ${name} is not a setting of capi-gateway and is ignored; did you mean ${meant}?`
    : `environment variable ${name} is not a setting of capi-gateway and is ignored (docs/configuration.md lists them)`;
}

/**
 * The known variable a name most likely meant: one within a couple of typos, else the shortest
 * whose words hold all of the name's in order (`LINKEDIN_BASE_URL` → `LINKEDIN_API_BASE_URL`).
 */
export function suggestVariable(name: string, known: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= allowedEdits(name.length) && (!best || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  if (best) return best.name;
  const words = name.split('_').filter((w) => w !== '');
  const holding = known
    .filter((candidate) => containsInOrder(candidate.split('_'), words))
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  return holding[0] ?? null;
}

/** Whether `haystack` holds every word of `needles` in order; a prefix alone (one word) does not count. */
function containsInOrder(haystack: readonly string[], needles: readonly string[]): boolean {
  let at = 0;
  for (const word of haystack) if (at < needles.length && word === needles[at]) at += 1;
  return needles.length > 1 && at === needles.length;
}
