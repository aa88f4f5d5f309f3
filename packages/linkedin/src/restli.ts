/**
 * Rest.li 2.0 URL encoding (https://linkedin.github.io/rest.li/spec/protocol), with a decoder so
 * the encoding can be tested by round trip.
 *
 * Structure stays literal — `List(a,b)`, `(key:value)`, the `,` and `:` separators — while every
 * string inside is percent-encoded, including the characters Rest.li reserves for structure
 * (`,` `(` `)` `'` `:`). An empty string is written `''`. Numbers and booleans are written as text,
 * so they decode as strings (Rest.li carries no type information in URLs).
 */
import { QUERY_TUNNEL_THRESHOLD } from './limits.js';

export type RestliValue =
  | string
  | number
  | boolean
  | readonly RestliValue[]
  | { readonly [key: string]: RestliValue };

/** What `decode` returns: every leaf is a string. */
export type RestliDecoded = string | RestliDecoded[] | { [key: string]: RestliDecoded };

/** encodeURIComponent leaves !'()* alone; Rest.li needs ( ) ' escaped, and ! * are escaped for safety. */
export function encodeString(s: string): string {
  if (s.length === 0) return "''";
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function encode(value: RestliValue): string {
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('Rest.li cannot encode a non-finite number');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `List(${value.map(encode).join(',')})`;
  const record = value as { readonly [key: string]: RestliValue };
  const parts: string[] = [];
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v !== undefined) parts.push(`${encodeString(key)}:${encode(v)}`);
  }
  return `(${parts.join(',')})`;
}

/** A URN (or any simple key) used as a path segment: fully percent-encoded. */
export function encodeKey(key: string | number): string {
  return typeof key === 'number' ? String(key) : encodeString(key);
}

/** A compound key, e.g. `(campaign:urn%3Ali%3AsponsoredCampaign%3A1,conversion:urn%3Alla%3A…)`. */
export function encodeCompoundKey(parts: { readonly [key: string]: string | number }): string {
  return encode(parts);
}

/** `k=v&k2=v2`, values Rest.li-encoded; undefined values are left out. */
export function encodeQuery(params: { readonly [key: string]: RestliValue | undefined }): string {
  const parts: string[] = [];
  for (const key of Object.keys(params)) {
    const v = params[key];
    if (v !== undefined) parts.push(`${encodeString(key)}=${encode(v)}`);
  }
  return parts.join('&');
}

/** A projection `fields=a,b,c`: commas stay literal. */
export function encodeFields(fields: readonly string[]): string {
  return `fields=${fields.map(encodeString).join(',')}`;
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`Rest.li: ${what} at position ${this.pos}`);
  }

  value(): RestliDecoded {
    const t = this.text;
    if (t.startsWith('List(', this.pos)) {
      this.pos += 5;
      const items: RestliDecoded[] = [];
      if (t[this.pos] === ')') {
        this.pos++;
        return items;
      }
      for (;;) {
        items.push(this.value());
        const c = t[this.pos++];
        if (c === ')') return items;
        if (c !== ',') this.fail("expected ',' or ')'");
      }
    }
    if (t[this.pos] === '(') {
      this.pos++;
      const record: { [key: string]: RestliDecoded } = {};
      if (t[this.pos] === ')') {
        this.pos++;
        return record;
      }
      for (;;) {
        const key = this.scalar();
        if (t[this.pos++] !== ':') this.fail("expected ':'");
        Object.defineProperty(record, key, {
          value: this.value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        const c = t[this.pos++];
        if (c === ')') return record;
        if (c !== ',') this.fail("expected ',' or ')'");
      }
    }
    return this.scalar();
  }

  /** Up to the next structural character; `''` is the empty string. */
  scalar(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 44 || c === 40 || c === 41 || c === 58) break; // , ( ) :
      this.pos++;
    }
    const raw = t.slice(start, this.pos);
    if (raw === "''") return '';
    if (raw.length === 0) this.fail('empty value');
    return decodeURIComponent(raw);
  }
}

/** Inverse of `encode`; leaves come back as strings. Throws SyntaxError on malformed input. */
export function decode(text: string): RestliDecoded {
  const p = new Parser(text);
  const v = p.value();
  if (p.pos !== text.length) p.fail('unexpected trailing text');
  return v;
}

/** Inverse of `encodeQuery`. */
export function decodeQuery(query: string): Record<string, RestliDecoded> {
  const out: Record<string, RestliDecoded> = {};
  if (query.length === 0) return out;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new SyntaxError('Rest.li: query parameter without =');
    Object.defineProperty(out, decode(part.slice(0, eq)) as string, {
      value: decode(part.slice(eq + 1)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Query tunnelling

export interface TunnelledRequest {
  method: string;
  /** Path plus query string, or the bare path when tunnelled. */
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Long query strings (LinkedIn's clients switch over at 4,000 characters) are sent as a POST with
 * `X-HTTP-Method-Override` and the query in a form-encoded body, because proxies truncate long URLs.
 * Only body-less methods can be tunnelled this way.
 */
export function tunnelIfLong(
  method: 'GET' | 'DELETE',
  path: string,
  query: string,
  threshold = QUERY_TUNNEL_THRESHOLD,
): TunnelledRequest {
  if (query.length <= threshold) {
    return { method, url: query.length > 0 ? `${path}?${query}` : path, headers: {}, body: undefined };
  }
  return {
    method: 'POST',
    url: path,
    headers: { 'X-HTTP-Method-Override': method, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: query,
  };
}
