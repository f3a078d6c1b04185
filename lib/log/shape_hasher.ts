/**
 * A cheap key for "lines that get the same signature and level": the line's
 * shape, hashed. Computing it costs a fraction of the signature itself, so the
 * signature of a shape seen before is looked up, not recomputed.
 *
 * @module
 */

/** Code units of a line: bytes of an ASCII block, or UTF-16 code units. */
export type CodeUnits = Uint8Array | Uint16Array;

// Flags of a code unit (anything >= 128 is an "other letter", as the tokenizer has it).
const ALNUM = 1, DIGIT = 2, HEX = 4, NONHEX = 8, QUOTE = 16, X = 32;
const FLAGS = new Uint8Array(65536).fill(ALNUM | NONHEX);
/** Each code unit with the digits folded into "1". */
const FOLD = new Uint16Array(65536);
for (let c = 0; c < 65536; c++) FOLD[c] = c >= 48 && c <= 57 ? 49 : c;
for (let c = 0; c < 128; c++) {
  let f = 0;
  if (c >= 48 && c <= 57) f = ALNUM | DIGIT;
  else if ((c >= 65 && c <= 70) || (c >= 97 && c <= 102)) f = ALNUM | HEX;
  else if (c === 120 || c === 88) f = ALNUM | NONHEX | X;
  else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) f = ALNUM | NONHEX;
  else if (c === 34 || c === 39 || c === 96) f = QUOTE;
  FLAGS[c] = f;
}
// Classes for the quick pass; a pair of neighbours flagged in PAIR sends the
// line to the full pass: a digit next to a hex letter (maybe a hex id), `0x`,
// and a quote followed by `:` (maybe a JSON key).
const CLASS = new Uint8Array(65536);
for (let c = 49; c <= 57; c++) CLASS[c] = 1;
CLASS[48] = 2;
for (const c of "abcdefABCDEF") CLASS[c.charCodeAt(0)] = 3;
CLASS[120] = CLASS[88] = 4;
CLASS[34] = CLASS[39] = CLASS[96] = 5;
CLASS[58] = 6;
const PAIR = new Uint8Array(64);
for (const [a, b] of [[1, 3], [2, 3], [3, 1], [3, 2], [2, 4], [5, 6]]) PAIR[(a << 3) | b] = 1;

// Code units that end a token for the tokenizer: space, ()[]{}<>;=|, " and `.
const BOUNDARY = new Uint8Array(128);
for (const c of ' \t\r\n\v\f()[]{}<>;=|"`') BOUNDARY[c.charCodeAt(0)] = 1;
const isTrail = (c: number) => c === 46 || c === 44 || c === 58 || c === 59 || c === 33 || c === 63;

// Canonical elements no code unit can be: a folded run is negative, a UUID
// and the units past a cut are above 0xffff.
const UUID = 0x200000, NEXT = 0x100000;

/**
 * Hashes the *shape* of a line, a canonical form that keeps everything the
 * signature tokenizer and the level detector look at and drops what they
 * ignore: the value of digits (all but a `0` before `x`), and the letters of
 * a run like `5f3a9b2c1d` (hex digits with at least one digit and one letter,
 * which always becomes a placeholder: only its length and whether it starts
 * with a digit are kept), and UUIDs standing as tokens. A run that could be
 * read as a number with a unit (`12ab`) keeps its letters. In a line where a
 * quote is followed by `:` (a JSON key, kept verbatim by the tokenizer), runs
 * that could be inside such a key are kept as they are.
 *
 * Lines with equal {@linkcode ShapeHasher.hash}, {@linkcode ShapeHasher.check}
 * and length have equal signatures and levels, up to a ~62-bit hash
 * collision.
 *
 * @example Lines that differ only in their values share a shape
 * ```ts
 * import { ShapeHasher } from "@plato/scout/scouts";
 * const hasher = new ShapeHasher();
 * const key = (line: string) => `${hasher.hashText(line, 0, line.length)}:${hasher.check}`;
 * const a = key("ERROR order 1234 failed (request_id=550e8400-e29b-41d4-a716-446655440000)");
 * const b = key("ERROR order 9876 failed (request_id=6ba7b810-9dad-11d1-80b4-00c04fd430c8)");
 * console.log(a === b); // true
 * ```
 */
export class ShapeHasher {
  /** A second, independent 32-bit hash of the last line hashed. */
  check = 0;
  #out = new Int32Array(1024);
  #units = new Uint16Array(1024);
  #quotes: number[] = [];

  /**
   * Hash `units[start, end)`. Up to two units past `end` are read when the
   * line was cut there (the tokenizer looks that far).
   *
   * @param units The code units holding the line.
   * @param start Index of the line's first unit.
   * @param end Index just past its last unit.
   * @param limit How many of `units` are valid (default all).
   * @returns A 30-bit hash (a small integer, cheap as a `Map` key); see also `check`.
   */
  hash(units: CodeUnits, start: number, end: number, limit: number = units.length): number {
    // Most lines only need their digits folded: one pass, no buffer.
    let a = 0x811c9dc5, b = 0x2c1b3c6d, c = 0x297a2d39, d = 0x6b43a9b5;
    let prev = 0, flag = 0, i = start;
    for (; i + 3 < end; i += 4) {
      const u0 = units[i], u1 = units[i + 1], u2 = units[i + 2], u3 = units[i + 3];
      const k0 = CLASS[u0], k1 = CLASS[u1], k2 = CLASS[u2], k3 = CLASS[u3];
      flag |= PAIR[(prev << 3) | k0] | PAIR[(k0 << 3) | k1] | PAIR[(k1 << 3) | k2] |
        PAIR[(k2 << 3) | k3];
      prev = k3;
      a = Math.imul(a ^ FOLD[u0], 0x01000193);
      b = Math.imul(b ^ FOLD[u1], 0x01000193);
      c = Math.imul(c ^ FOLD[u2], 0x01000193);
      d = Math.imul(d ^ FOLD[u3], 0x01000193);
    }
    for (; i < end; i++) {
      const u = units[i], k = CLASS[u];
      flag |= PAIR[(prev << 3) | k];
      prev = k;
      a = Math.imul(a ^ FOLD[u], 0x01000193);
    }
    const next = end < limit ? units[end] : 10;
    if (flag === 0 && (next === 10 || next === 13)) return this.#final(a, b, c, d, end - start);
    if (this.#out.length < end - start + 2) this.#out = new Int32Array(2 * (end - start + 2));
    let o = this.#canon(units, start, end, limit, false);
    if (o < 0) o = this.#canon(units, start, end, limit, true);
    return this.#mix(o);
  }

  /**
   * Hash `text[start, end)`, the same as {@linkcode ShapeHasher.hash} on its
   * UTF-16 code units.
   *
   * @param text The text holding the line.
   * @param start Index of the line's first code unit.
   * @param end Index just past its last code unit.
   * @returns The hash; see also `check`.
   */
  hashText(text: string, start: number, end: number): number {
    const stop = Math.min(text.length, end + 2);
    if (this.#units.length < stop - start) this.#units = new Uint16Array(2 * (stop - start));
    const units = this.#units;
    for (let i = start; i < stop; i++) units[i - start] = text.charCodeAt(i);
    return this.hash(units, 0, end - start, stop - start);
  }

  /**
   * Write the canonical form into `#out`; its length, or -1 when a quote is
   * followed by `:` and the careful pass is needed.
   */
  #canon(units: CodeUnits, start: number, end: number, limit: number, careful: boolean): number {
    const out = this.#out;
    if (careful) this.#collectQuotes(units, start, end);
    let o = 0, acc = 0, rs = start, os = 0, qi = 0;
    for (let i = start; i <= end; i++) {
      const c = i < end ? units[i] : -1;
      const f = c < 0 ? 0 : FLAGS[c];
      if (f & ALNUM) {
        if (acc === 0) rs = i, os = o;
        acc |= f;
        out[o++] = FOLD[c];
        continue;
      }
      if (acc !== 0) {
        // A run [rs, i) just ended.
        if (careful && (acc & DIGIT || acc & HEX)) {
          qi = this.#skipQuotes(qi, i);
          if (!this.#safe(units, qi, rs, limit)) {
            for (let k = rs; k < i; k++) out[os + k - rs] = units[k];
            acc = 0;
          }
        }
        if ((acc & NONHEX) === 0 && acc !== 0) {
          if (i - rs === 8 && c === 45 && this.#isUuidToken(units, rs, start, end)) {
            out[os] = UUID;
            o = os + 1;
            i = rs + 35;
            acc = 0;
            continue;
          }
          if ((acc & (DIGIT | HEX)) === (DIGIT | HEX) && !this.#unitLike(units, rs, i)) {
            out[os] = -2 * (i - rs) - (FLAGS[units[rs]] & DIGIT ? 1 : 2);
            o = os + 1;
          }
        } else if ((acc & (DIGIT | X)) === (DIGIT | X)) {
          for (let k = rs; k + 1 < i; k++) {
            if (units[k] === 48 && (units[k + 1] | 32) === 120) out[os + k - rs] = 48;
          }
        }
        acc = 0;
      }
      if (c < 0) break;
      out[o++] = c;
      if (f & QUOTE && !careful && i + 1 < limit && units[i + 1] === 58) return -1;
    }
    // A cut line: the tokenizer may look at the two units after the cut.
    const next = end < limit ? units[end] : -1;
    if (next >= 0 && next !== 10 && next !== 13) {
      out[o++] = NEXT | next;
      out[o++] = NEXT | (end + 1 < limit ? units[end + 1] : 0xffff);
    }
    return o;
  }

  /** Whether the run [rs, re) is digits then at most 4 letters (a number with a unit). */
  #unitLike(units: CodeUnits, rs: number, re: number): boolean {
    let k = rs;
    while (k < re && FLAGS[units[k]] & DIGIT) k++;
    if (re - k > 4) return false;
    while (k < re && !(FLAGS[units[k]] & DIGIT)) k++;
    return k === re;
  }

  /** Whether a UUID starts at `i` and stands as a whole token. */
  #isUuidToken(units: CodeUnits, i: number, start: number, end: number): boolean {
    if (i + 36 > end) return false;
    if (i > start) {
      const p = units[i - 1];
      if (!(p < 128 && BOUNDARY[p])) return false;
    }
    for (let k = 8; k < 36; k++) {
      const c = units[i + k];
      if (k === 8 || k === 13 || k === 18 || k === 23) {
        if (c !== 45) return false;
      } else if (!(FLAGS[c] & (DIGIT | HEX)) || FLAGS[c] & NONHEX) return false;
    }
    let j = i + 36;
    while (j < end && isTrail(units[j])) j++;
    if (j === end) return true;
    const c = units[j];
    return c < 128 && BOUNDARY[c] === 1;
  }

  #collectQuotes(units: CodeUnits, start: number, end: number): void {
    const quotes = this.#quotes;
    quotes.length = 0;
    for (let i = start; i < end; i++) if (FLAGS[units[i]] & QUOTE) quotes.push(i);
  }

  #skipQuotes(qi: number, from: number): number {
    const quotes = this.#quotes;
    while (qi < quotes.length && quotes[qi] < from) qi++;
    return qi;
  }

  /**
   * Whether the run starting at `rs` cannot be inside a JSON key: for each
   * quote character, its first occurrence after the run (within a key's
   * reach) is neither followed by `:` nor escaped.
   */
  #safe(units: CodeUnits, qi: number, rs: number, limit: number): boolean {
    const quotes = this.#quotes;
    let seen = 0;
    for (; qi < quotes.length && quotes[qi] <= rs + 66; qi++) {
      const p = quotes[qi], q = units[p];
      const bit = q === 34 ? 1 : q === 39 ? 2 : 4;
      if (seen & bit) continue;
      seen |= bit;
      if ((p + 1 < limit && units[p + 1] === 58) || units[p - 1] === 92) return false;
      if (seen === 7) break;
    }
    return true;
  }

  #mix(o: number): number {
    const out = this.#out;
    let a = 0x811c9dc5, b = 0x2c1b3c6d, c = 0x297a2d39, d = 0x6b43a9b5;
    let j = 0;
    for (; j + 3 < o; j += 4) {
      a = Math.imul(a ^ out[j], 0x01000193);
      b = Math.imul(b ^ out[j + 1], 0x01000193);
      c = Math.imul(c ^ out[j + 2], 0x01000193);
      d = Math.imul(d ^ out[j + 3], 0x01000193);
    }
    for (; j < o; j++) a = Math.imul(a ^ out[j], 0x01000193);
    // The full pass's forms are told apart from the quick pass's.
    return this.#final(a, b, c, d, ~o);
  }

  #final(a: number, b: number, c: number, d: number, length: number): number {
    let h = Math.imul(a ^ (b >>> 15), 0x5bd1e995);
    h = Math.imul(h ^ c ^ (h >>> 13), 0x5bd1e995);
    h = Math.imul(h ^ d ^ (h >>> 15), 0x5bd1e995);
    this.check = Math.imul(b ^ (c >>> 11) ^ (d << 7) ^ a, 0x27d4eb2d) ^ (h >>> 16) ^ length;
    return (h ^ (h >>> 13)) & 0x3fffffff;
  }
}
