/**
 * A cheap key for "lines that get the same signature and level": the line's
 * shape, hashed. Computing it costs a fraction of the signature itself, so the
 * signature of a shape seen before is looked up, not recomputed.
 *
 * @module
 */

import {
  CLASS,
  type CodeUnits,
  FOLD,
  MAX_MARKS,
  PAIR,
  pairTable,
  QUOTE_COLON,
  ShapeCanon,
} from "./_shape_canon.ts";

export type { CodeUnits } from "./_shape_canon.ts";

// The byte form's two lanes: seeds, and the multiplier after each word
// (rotating first carries a word's high bits down, which multiplying does not).
const LANE_A = 0x811c9dc5, LANE_B = 0x2c1b3c6d, LANE_C = 0x297a2d39, LANE_D = 0x6b43a9b5;
const LANE_M = 0x9e3779b1;

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
  readonly #canon = new ShapeCanon();
  #units = new Uint16Array(1024);
  #bytes = new Uint8Array(1024);
  readonly #pairs = pairTable();
  #view: DataView | null = null;
  #viewOf: ArrayBufferLike | null = null;

  /**
   * Hash `units[start, end)`. Up to two units past `end` are read when the
   * line was cut there (the tokenizer looks that far). Units that all fit a
   * byte hash alike whether they come as bytes or as UTF-16 code units.
   *
   * @param units The code units holding the line.
   * @param start Index of the line's first unit.
   * @param end Index just past its last unit.
   * @param limit How many of `units` are valid (default all).
   * @returns A 30-bit hash (a small integer, cheap as a `Map` key); see also `check`.
   */
  hash(units: CodeUnits, start: number, end: number, limit: number = units.length): number {
    if (units instanceof Uint8Array) return this.#hashBytes(units, start, end, limit);
    const stop = Math.min(limit, end + 2);
    let any = 0;
    for (let i = start; i < stop; i++) any |= units[i];
    if (any > 0xff) return this.#hashWide(units, start, end, limit);
    const bytes = this.#byteScratch(stop - start);
    for (let i = start; i < stop; i++) bytes[i - start] = units[i];
    return this.#hashBytes(bytes, 0, end - start, stop - start);
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
    const stop = Math.min(text.length, end + 2), n = stop - start;
    const bytes = this.#byteScratch(n);
    let any = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(start + i);
      any |= c;
      bytes[i] = c;
    }
    if (any <= 0xff) return this.#hashBytes(bytes, 0, end - start, n);
    if (this.#units.length < n) this.#units = new Uint16Array(2 * n);
    const units = this.#units;
    for (let i = 0; i < n; i++) units[i] = text.charCodeAt(start + i);
    return this.#hashWide(units, 0, end - start, n);
  }

  #byteScratch(n: number): Uint8Array {
    if (this.#bytes.length < n) this.#bytes = new Uint8Array(2 * n);
    return this.#bytes;
  }

  /**
   * The quick pass on bytes, 8 at a time: the byte form's words go to two
   * lanes (even words to `a`, odd words and `a` to `b`), and the pairs that
   * need more than folding digits are flagged, each group of 8 at most once.
   */
  #hashBytes(units: Uint8Array, start: number, end: number, limit: number): number {
    const canon = this.#canon;
    canon.reserveWords(end - start);
    const words = canon.words, marks = canon.marks, PAIR2 = this.#pairs;
    const buffer = units.buffer;
    if (this.#viewOf !== buffer) {
      this.#view = new DataView(buffer);
      this.#viewOf = buffer;
    }
    // Indexes into the view (the buffer), not into `units`, in the loop.
    const view = this.#view!, base = units.byteOffset, stop = base + end - 7;
    let a = LANE_A, b = LANE_B, prev = 0, flag = 0, nm = 0, at = base + start, j = 0;
    for (; at < stop; at += 8, j += 2) {
      const x = view.getInt32(at, true), y = view.getInt32(at + 4, true);
      const e0 = PAIR2[x & 0xffff], e1 = PAIR2[x >>> 16], e2 = PAIR2[y & 0xffff];
      const e3 = PAIR2[y >>> 16];
      const w0 = (e0 & 0xffff) | (e1 << 16), w1 = (e2 & 0xffff) | (e3 << 16);
      words[j] = w0;
      words[j + 1] = w1;
      a = Math.imul(((a << 13) | (a >>> 19)) ^ w0, LANE_M);
      b = Math.imul(((b << 13) | (b >>> 19)) ^ w1 ^ a, LANE_M);
      // Flags inside each pair, then across pairs (classes at bits 16-18, 19-21).
      const f = ((e0 | e1 | e2 | e3) >>> 22) | PAIR[(prev << 3) | ((e0 >>> 16) & 7)] |
        PAIR[((e0 >>> 16) & 0x38) | ((e1 >>> 16) & 7)] |
        PAIR[((e1 >>> 16) & 0x38) | ((e2 >>> 16) & 7)] |
        PAIR[((e2 >>> 16) & 0x38) | ((e3 >>> 16) & 7)];
      prev = (e3 >>> 19) & 7;
      if (f !== 0) {
        flag |= f;
        // Maybe a JSON key: only the careful full pass will do.
        if ((flag & QUOTE_COLON) !== 0) return this.#careful(units, start, end, limit);
        if (nm < MAX_MARKS) marks[nm] = at - base;
        nm++;
      }
    }
    // The last bytes, up to 7, as up to two more words (the first even): read
    // whole and masked when the buffer goes on, else one by one.
    let i = at - base;
    const rest = end - i;
    if (rest > 0 && at + 8 <= view.byteLength) {
      const x = view.getInt32(at, true) & (rest >= 4 ? -1 : (1 << (rest << 3)) - 1);
      const e0 = PAIR2[x & 0xffff], e1 = PAIR2[x >>> 16];
      const w0 = (e0 & 0xffff) | (e1 << 16);
      let f = ((e0 | e1) >>> 22) | PAIR[(prev << 3) | ((e0 >>> 16) & 7)] |
        PAIR[((e0 >>> 16) & 0x38) | ((e1 >>> 16) & 7)];
      words[j] = w0;
      a = Math.imul(((a << 13) | (a >>> 19)) ^ w0, LANE_M);
      j++;
      if (rest > 4) {
        const y = view.getInt32(at + 4, true) & ((1 << ((rest - 4) << 3)) - 1);
        const e2 = PAIR2[y & 0xffff], e3 = PAIR2[y >>> 16];
        const w1 = (e2 & 0xffff) | (e3 << 16);
        f |= ((e2 | e3) >>> 22) | PAIR[((e1 >>> 16) & 0x38) | ((e2 >>> 16) & 7)] |
          PAIR[((e2 >>> 16) & 0x38) | ((e3 >>> 16) & 7)];
        words[j] = w1;
        b = Math.imul(((b << 13) | (b >>> 19)) ^ w1 ^ a, LANE_M);
        j++;
      }
      if (f !== 0) {
        flag |= f;
        if (nm < MAX_MARKS) marks[nm] = i;
        nm++;
      }
      i = end;
    }
    for (; i < end; j++) {
      let w = 0;
      const group = i;
      for (let shift = 0; shift < 32 && i < end; i++, shift += 8) {
        const u = units[i], k = CLASS[u];
        const f = PAIR[(prev << 3) | k];
        prev = k;
        w |= FOLD[u] << shift;
        if (f !== 0) {
          if (flag === 0 || marks[Math.min(nm, MAX_MARKS) - 1] !== group) {
            if (nm < MAX_MARKS) marks[nm] = group;
            nm++;
          }
          flag |= f;
        }
      }
      words[j] = w;
      if ((j & 1) === 0) a = Math.imul(((a << 13) | (a >>> 19)) ^ w, LANE_M);
      else b = Math.imul(((b << 13) | (b >>> 19)) ^ w ^ a, LANE_M);
    }
    const next = end < limit ? units[end] : 10;
    const eol = next === 10 || next === 13;
    if (flag === 0 && eol) return this.#final(a, b, LANE_C, LANE_D, end - start);
    if ((flag & QUOTE_COLON) !== 0) return this.#careful(units, start, end, limit);
    if (eol && nm <= MAX_MARKS) {
      canon.patchBytes(units, start, end, nm, 8);
      return this.#mixWords(j, (end - start) | 0x40000000);
    }
    let o = canon.full(units, start, end, limit, false);
    if (o < 0) o = canon.full(units, start, end, limit, true);
    return this.#mix(o, ~o);
  }

  /** The full pass for a line with a quote followed by `:`, where the quick one gives up. */
  #careful(units: CodeUnits, start: number, end: number, limit: number): number {
    const o = this.#canon.full(units, start, end, limit, true);
    return this.#mix(o, ~o);
  }

  /** The quick pass on UTF-16 code units, some above 0xff. */
  #hashWide(units: CodeUnits, start: number, end: number, limit: number): number {
    const canon = this.#canon;
    canon.reserve(end - start);
    // One pass folds the digits and notes the spots where more may fold.
    const out = canon.out, marks = canon.marks;
    let a = 0x811c9dc5, b = 0x2c1b3c6d, c = 0x297a2d39, d = 0x6b43a9b5;
    let prev = 0, flag = 0, nm = 0, i = start, o = 0;
    for (; i + 3 < end; i += 4, o += 4) {
      const u0 = units[i], u1 = units[i + 1], u2 = units[i + 2], u3 = units[i + 3];
      const k0 = CLASS[u0], k1 = CLASS[u1], k2 = CLASS[u2], k3 = CLASS[u3];
      const f = PAIR[(prev << 3) | k0] | PAIR[(k0 << 3) | k1] | PAIR[(k1 << 3) | k2] |
        PAIR[(k2 << 3) | k3];
      prev = k3;
      const w0 = FOLD[u0], w1 = FOLD[u1], w2 = FOLD[u2], w3 = FOLD[u3];
      out[o] = w0;
      out[o + 1] = w1;
      out[o + 2] = w2;
      out[o + 3] = w3;
      a = Math.imul(a ^ w0, 0x01000193);
      b = Math.imul(b ^ w1, 0x01000193);
      c = Math.imul(c ^ w2, 0x01000193);
      d = Math.imul(d ^ w3, 0x01000193);
      if (f !== 0) {
        flag |= f;
        if (nm < MAX_MARKS) marks[nm] = i;
        nm++;
      }
    }
    for (; i < end; i++, o++) {
      const u = units[i], k = CLASS[u];
      const f = PAIR[(prev << 3) | k];
      prev = k;
      out[o] = FOLD[u];
      a = Math.imul(a ^ FOLD[u], 0x01000193);
      if (f !== 0) {
        flag |= f;
        if (nm < MAX_MARKS) marks[nm] = i;
        nm++;
      }
    }
    const next = end < limit ? units[end] : 10;
    const eol = next === 10 || next === 13;
    // Tags above 2^31 keep these forms apart from the byte forms.
    if (flag === 0 && eol) return this.#final(a, b, c, d, (end - start) | 0x80000000);
    if (eol && (flag & QUOTE_COLON) === 0 && nm <= MAX_MARKS) {
      canon.patch(units, start, end, nm, 4);
      return this.#mix(o, (end - start) | 0xc0000000);
    }
    o = canon.full(units, start, end, limit, false);
    if (o < 0) o = canon.full(units, start, end, limit, true);
    return this.#mix(o, ~o);
  }

  /** Hash the first `n` words of the byte form, as the quick pass does. */
  #mixWords(n: number, tag: number): number {
    const words = this.#canon.words;
    let a = LANE_A, b = LANE_B, j = 0;
    for (; j + 1 < n; j += 2) {
      a = Math.imul(((a << 13) | (a >>> 19)) ^ words[j], LANE_M);
      b = Math.imul(((b << 13) | (b >>> 19)) ^ words[j + 1] ^ a, LANE_M);
    }
    if (j < n) a = Math.imul(((a << 13) | (a >>> 19)) ^ words[j], LANE_M);
    return this.#final(a, b, LANE_C, LANE_D, tag);
  }

  #mix(o: number, tag: number): number {
    const out = this.#canon.out;
    let a = 0x811c9dc5, b = 0x2c1b3c6d, c = 0x297a2d39, d = 0x6b43a9b5;
    let j = 0;
    for (; j + 3 < o; j += 4) {
      a = Math.imul(a ^ out[j], 0x01000193);
      b = Math.imul(b ^ out[j + 1], 0x01000193);
      c = Math.imul(c ^ out[j + 2], 0x01000193);
      d = Math.imul(d ^ out[j + 3], 0x01000193);
    }
    for (; j < o; j++) a = Math.imul(a ^ out[j], 0x01000193);
    // The tag tells the passes' forms apart.
    return this.#final(a, b, c, d, tag);
  }

  #final(a: number, b: number, c: number, d: number, length: number): number {
    let h = Math.imul(a ^ (b >>> 15), 0x5bd1e995);
    h = Math.imul(h ^ c ^ (h >>> 13), 0x5bd1e995);
    h = Math.imul(h ^ d ^ (h >>> 15), 0x5bd1e995);
    this.check = Math.imul(b ^ (c >>> 11) ^ (d << 7) ^ a, 0x27d4eb2d) ^ (h >>> 16) ^ length;
    return (h ^ (h >>> 13)) & 0x3fffffff;
  }
}
