/**
 * Orders strings as SQLite's BINARY collation orders their UTF-8 bytes, which is code point order.
 * JavaScript's `<` compares UTF-16 units, which differs for a character past U+FFFF (a surrogate
 * pair, 0xD800–0xDFFF) against one in U+E000–U+FFFF; the key index's id ranges (sqlite/key-ranges.ts)
 * and the memory store's orderings must agree with SQLite exactly.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) rank above U+E000–U+FFFF, as their code points do. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}
