/**
 * A small parser for Rest.li 2.0 URL syntax, the only form LinkedIn's versioned API speaks:
 * `List(a,b)`, records `(key:value,...)`, `''` for the empty string, and leaf values that are
 * percent-encoded (so `,` `(` `)` `:` `'` inside a value never look like structure).
 *
 * Written by hand rather than borrowed so the sandbox stays an independent reading of the protocol.
 */

export type RestliValue = string | RestliValue[] | RestliRecord;
export interface RestliRecord {
  [key: string]: RestliValue;
}

export class RestliSyntaxError extends Error {
  override readonly name = 'RestliSyntaxError';
}

const LIST_OPEN = 'List(';

/**
 * Parses one Rest.li 2.0 value. A top-level value that is neither `List(...)` nor `(...)` is a
 * single leaf: it is decoded as a whole, so clients that forget to encode a `:` still work.
 */
export function parseRestli(raw: string): RestliValue {
  if (!raw.startsWith(LIST_OPEN) && !raw.startsWith('(')) return decodeLeaf(raw);
  const parser = new Parser(raw);
  const value = parser.value();
  if (parser.pos !== raw.length) {
    throw new RestliSyntaxError(`Unexpected '${raw[parser.pos]}' at offset ${parser.pos} in ${raw}`);
  }
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  value(): RestliValue {
    if (this.src.startsWith(LIST_OPEN, this.pos)) return this.list();
    if (this.src[this.pos] === '(') return this.record();
    return this.leaf();
  }

  private list(): RestliValue[] {
    this.pos += LIST_OPEN.length;
    const items: RestliValue[] = [];
    if (this.src[this.pos] === ')') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      if (this.closeOrComma()) return items;
    }
  }

  private record(): RestliRecord {
    this.pos++;
    const record: RestliRecord = {};
    if (this.src[this.pos] === ')') {
      this.pos++;
      return record;
    }
    for (;;) {
      const colon = this.src.indexOf(':', this.pos);
      if (colon < 0) throw new RestliSyntaxError(`Missing ':' after key at offset ${this.pos}`);
      const key = decodeLeaf(this.src.slice(this.pos, colon));
      this.pos = colon + 1;
      // defineProperty, not assignment: a key named __proto__ must become an own field, not
      // replace the record's prototype (found by the round-trip property test).
      Object.defineProperty(record, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (this.closeOrComma()) return record;
    }
  }

  /** Returns true after consuming `)`, false after `,`. */
  private closeOrComma(): boolean {
    const ch = this.src[this.pos];
    this.pos++;
    if (ch === ')') return true;
    if (ch === ',') return false;
    throw new RestliSyntaxError(`Expected ',' or ')' at offset ${this.pos - 1}`);
  }

  private leaf(): string {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === ',' || ch === ')' || ch === '(') break;
      this.pos++;
    }
    return decodeLeaf(this.src.slice(start, this.pos));
  }
}

function decodeLeaf(raw: string): string {
  // WHATWG URL parsing turns `'` into `%27` in query strings, so `''` may arrive either way.
  if (raw === "''" || raw === '%27%27') return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RestliSyntaxError(`Malformed percent-encoding in ${raw}`);
  }
}

/** Encodes a value in Rest.li 2.0 syntax; the inverse of `parseRestli` (used by tests and docs). */
export function encodeRestli(value: RestliValue): string {
  if (typeof value === 'string') {
    if (value === '') return "''";
    return encodeURIComponent(value).replace(
      /[()'!*~]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  }
  if (Array.isArray(value)) return `List(${value.map(encodeRestli).join(',')})`;
  const parts = Object.entries(value).map(([k, v]) => `${encodeRestli(k)}:${encodeRestli(v)}`);
  return `(${parts.join(',')})`;
}

/**
 * The raw query string split into parameters. Names are decoded; values stay raw so that
 * structure (`List(`, `(`, `,`) can be told apart from encoded characters inside values.
 */
export class RestliQuery {
  readonly #raw = new Map<string, string>();

  constructor(rawQuery: string) {
    if (rawQuery === '') return;
    for (const part of rawQuery.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
      // Repeated parameters: the last one wins, as in most Rest.li servers.
      this.#raw.set(name, eq < 0 ? '' : part.slice(eq + 1));
    }
  }

  has(name: string): boolean {
    return this.#raw.has(name);
  }

  raw(name: string): string | undefined {
    return this.#raw.get(name);
  }

  /** The parsed value, or undefined when absent. Throws RestliSyntaxError on malformed syntax. */
  value(name: string): RestliValue | undefined {
    const raw = this.#raw.get(name);
    return raw === undefined ? undefined : parseRestli(raw);
  }

  /** A scalar parameter; `(value:X)` is unwrapped because some LinkedIn examples send enums that way. */
  string(name: string): string | undefined {
    const v = this.value(name);
    if (v === undefined || typeof v === 'string') return v;
    if (!Array.isArray(v) && typeof v.value === 'string') return v.value;
    throw new RestliSyntaxError(`Parameter ${name} must be a single value`);
  }

  /** A `List(...)` parameter as strings; a single scalar is accepted as a one-element list. */
  list(name: string): string[] | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v : [v];
    return items.map((item) => {
      if (typeof item !== 'string') throw new RestliSyntaxError(`Parameter ${name} must be a list of values`);
      return item;
    });
  }

  /** `fields=a,b,c` is a plain comma list, not Rest.li structure. */
  fields(): Set<string> | undefined {
    const raw = this.#raw.get('fields');
    if (raw === undefined) return undefined;
    return new Set(
      raw
        .split(',')
        .map((f) => safeDecode(f).trim())
        .filter((f) => f !== ''),
    );
  }

  int(name: string, fallback: number): number {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0)
      throw new RestliSyntaxError(`Parameter ${name} must be a non-negative integer`);
    return n;
  }

  entries(): [string, string][] {
    return [...this.#raw.entries()];
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The raw (still percent-encoded) path and query of a request URL. */
export function splitUrl(url: string): { path: string; query: string } {
  const schemeEnd = url.indexOf('://');
  const pathStart = schemeEnd < 0 ? 0 : url.indexOf('/', schemeEnd + 3);
  const rest = pathStart < 0 ? '/' : url.slice(pathStart);
  const q = rest.indexOf('?');
  const hash = rest.indexOf('#');
  const end = hash < 0 ? rest.length : hash;
  if (q < 0 || q > end) return { path: rest.slice(0, end), query: '' };
  return { path: rest.slice(0, q), query: rest.slice(q + 1, end) };
}

/** Parses a path key: a compound key `(a:x,b:y)` becomes a record, anything else a decoded string. */
export function parseKey(rawSegment: string): RestliValue {
  return parseRestli(rawSegment);
}

/** The id of a URN with the given prefix, or undefined. Plain digits are accepted as the id itself. */
export function urnId(value: string, prefix: string): string | undefined {
  const id = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return /^\d+$/.test(id) ? id : undefined;
}
