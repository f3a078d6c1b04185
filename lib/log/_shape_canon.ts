/**
 * The canonical line forms behind {@linkcode ShapeHasher}: the tables of the
 * quick pass, the patching of its output where hex runs and UUIDs fold, and
 * the full pass for lines the quick one cannot do (JSON keys, cut lines).
 *
 * @module
 */

/** Code units of a line: bytes of an ASCII block, or UTF-16 code units. */
export type CodeUnits = Uint8Array | Uint16Array;

// Flags of a code unit (anything >= 128 is an "other letter", as the tokenizer has it).
const ALNUM = 1, DIGIT = 2, HEX = 4, NONHEX = 8, QUOTE = 16, X = 32;
/**
 * The 65,536-entry tables below are built by {@linkcode buildCanonTables} on
 * first use (a {@linkcode ShapeCanon} or {@linkcode pairTable}), not when the
 * module loads: building them takes 1.5-3.5 ms, and every importer of the
 * library's main entry loads this module.
 */
let FLAGS: Uint8Array = new Uint8Array(0);
/** Each code unit with the digits folded into "1" (built on first use). */
export let FOLD: Uint16Array = new Uint16Array(0);
/**
 * Classes for the quick pass (1-9, 0, hex letter, x, quote, colon); a pair of
 * neighbours flagged in {@linkcode PAIR} needs more than folding digits: a
 * digit next to a hex letter (maybe a hex id), `0x`, a quote followed by `:`.
 * Built on first use.
 */
export let CLASS: Uint8Array = new Uint8Array(0);

/** Build {@linkcode FOLD}, {@linkcode CLASS} and the flags, once. */
function buildCanonTables(): void {
  if (FOLD.length !== 0) return;
  const flags = new Uint8Array(65536).fill(ALNUM | NONHEX);
  const fold = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) fold[c] = c >= 48 && c <= 57 ? 49 : c;
  for (let c = 0; c < 128; c++) {
    let f = 0;
    if (c >= 48 && c <= 57) f = ALNUM | DIGIT;
    else if ((c >= 65 && c <= 70) || (c >= 97 && c <= 102)) f = ALNUM | HEX;
    else if (c === 120 || c === 88) f = ALNUM | NONHEX | X;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) f = ALNUM | NONHEX;
    else if (c === 34 || c === 39 || c === 96) f = QUOTE;
    flags[c] = f;
  }
  const classes = new Uint8Array(65536);
  for (let c = 49; c <= 57; c++) classes[c] = 1;
  classes[48] = 2;
  for (const c of "abcdefABCDEF") classes[c.charCodeAt(0)] = 3;
  classes[120] = classes[88] = 4;
  classes[34] = classes[39] = classes[96] = 5;
  classes[58] = 6;
  FLAGS = flags;
  CLASS = classes;
  FOLD = fold;
}
const HEX_PAIR = 1, ZERO_X = 2;
/** A quote followed by `:` (maybe a JSON key): only the full pass is exact. */
export const QUOTE_COLON = 4;
/** What a pair of neighbours needs, indexed by `(CLASS[first] << 3) | CLASS[second]`. */
export const PAIR = new Uint8Array(64);
for (const [a, b] of [[1, 3], [2, 3], [3, 1], [3, 2]]) PAIR[(a << 3) | b] = HEX_PAIR;
PAIR[(2 << 3) | 4] = ZERO_X;
PAIR[(5 << 3) | 6] = QUOTE_COLON;
/** Most flagged spots a line may have for the patched quick pass. */
export const MAX_MARKS = 64;
/**
 * Two neighbouring bytes at once, indexed by `first | (second << 8)`: both
 * folded (bits 0-15, first in the low byte), the {@linkcode CLASS} of each
 * (bits 16-18 and 19-21), and the {@linkcode PAIR} flags between them (bits
 * 22-24). Built on first use, not when the module loads (CLI start-up).
 */
export function pairTable(): Int32Array {
  if (pairs === null) {
    buildCanonTables();
    pairs = new Int32Array(65536);
    for (let p = 0; p < 65536; p++) {
      const u0 = p & 0xff, u1 = p >>> 8, k0 = CLASS[u0], k1 = CLASS[u1];
      pairs[p] = FOLD[u0] | (FOLD[u1] << 8) | (k0 << 16) | (k1 << 19) |
        (PAIR[(k0 << 3) | k1] << 22);
    }
  }
  return pairs;
}
let pairs: Int32Array | null = null;

// Code units that end a token for the tokenizer: space, ()[]{}<>;=|, " and `.
const BOUNDARY = new Uint8Array(128);
for (const c of ' \t\r\n\v\f()[]{}<>;=|"`') BOUNDARY[c.charCodeAt(0)] = 1;
const isTrail = (c: number) => c === 46 || c === 44 || c === 58 || c === 59 || c === 33 || c === 63;

// Canonical elements no code unit can be: a folded run is negative, a UUID
// and the units past a cut are above 0xffff.
const UUID = 0x200000, NEXT = 0x100000;
// The same in the byte form, where folding leaves no digit but 1 (and the 0
// of 0x, put back): a folded run's first byte (by what it starts with), a
// UUID's, and the bytes that follow either.
const B_RUN_DIGIT = 0x32, B_RUN_LETTER = 0x33, B_UUID = 0x35, B_FILL = 0x34;
/** Where a UUID's five hex runs start and end within it. */
const UUID_SEGMENTS = [0, 9, 14, 19, 24], UUID_SEGMENT_ENDS = [8, 13, 18, 23, 36];

/**
 * Writes canonical forms into {@linkcode ShapeCanon.out}, or, for a line of
 * bytes, into {@linkcode ShapeCanon.words}; see `ShapeHasher` for what they
 * keep. Not re-entrant.
 */
export class ShapeCanon {
  /** The canonical form written last. */
  out: Int32Array = new Int32Array(1024);
  /**
   * The byte form of a line of bytes: each byte folded, 4 to a word (the
   * first in the low byte), positions kept.
   */
  words: Int32Array = new Int32Array(256);
  /** Where the quick pass flagged neighbours (the start of each group of units it flagged). */
  readonly marks: Int32Array = new Int32Array(MAX_MARKS);
  #quotes: number[] = [];
  /** Whether the patching writes the byte form. */
  #bytes = false;

  constructor() {
    buildCanonTables();
  }

  /**
   * Make room for a line of `n` units.
   *
   * @param n The line's length.
   */
  reserve(n: number): void {
    if (this.out.length < n + 2) this.out = new Int32Array(2 * (n + 2));
  }

  /**
   * Make room for the byte form of a line of `n` bytes.
   *
   * @param n The line's length.
   */
  reserveWords(n: number): void {
    if (this.words.length < (n >> 2) + 2) this.words = new Int32Array(2 * ((n >> 2) + 2));
  }

  /**
   * Fold, in the quick pass's output, the hex runs and UUIDs around the
   * marked spots (each the start of a group of `span` units), and put back
   * the `0` of each `0x`. Positions are kept: a folded run is its marker
   * followed by -1s.
   */
  patch(units: CodeUnits, start: number, end: number, nm: number, span: number): void {
    this.#bytes = false;
    this.#patch(units, start, end, nm, span);
  }

  /**
   * The same on the byte form in {@linkcode ShapeCanon.words}: a folded run
   * is a marker byte followed by filler bytes, values folding never yields.
   */
  patchBytes(units: CodeUnits, start: number, end: number, nm: number, span: number): void {
    this.#bytes = true;
    this.#patch(units, start, end, nm, span);
  }

  #patch(units: CodeUnits, start: number, end: number, nm: number, span: number): void {
    const marks = this.marks;
    let done = start;
    for (let m = 0; m < nm; m++) {
      const to = Math.min(end - 1, marks[m] + span);
      for (let p = Math.max(start, marks[m] - 1, done); p < to; p++) {
        const pair = PAIR[(CLASS[units[p]] << 3) | CLASS[units[p + 1]]];
        if (pair === ZERO_X) this.#put(p - start, 48, 48);
        else if (pair === HEX_PAIR && p >= done) done = this.#foldRun(units, start, end, p);
      }
    }
  }

  /** Write the element at `i` of the form being patched: `unit` in `out`, or `byte` in `words`. */
  #put(i: number, unit: number, byte: number): void {
    if (this.#bytes) {
      const shift = (i & 3) << 3, words = this.words;
      words[i >> 2] = (words[i >> 2] & ~(0xff << shift)) | (byte << shift);
    } else this.out[i] = unit;
  }

  /** Write `count` elements from `i` on: -1 in `out`, or filler bytes in `words`. */
  #fill(i: number, count: number): void {
    const to = i + count;
    if (!this.#bytes) {
      this.out.fill(-1, i, to);
      return;
    }
    for (; i < to && (i & 3) !== 0; i++) this.#put(i, -1, B_FILL);
    const words = this.words;
    for (; i + 3 < to; i += 4) words[i >> 2] = B_FILL * 0x01010101;
    for (; i < to; i++) this.#put(i, -1, B_FILL);
  }

  /** Fold the run holding `p` (or the UUID token holding it); returns where it ends. */
  #foldRun(units: CodeUnits, start: number, end: number, p: number): number {
    let rs = p, re = p + 1, acc = 0;
    while (rs > start && FLAGS[units[rs - 1]] & ALNUM) rs--;
    while (re < end && FLAGS[units[re]] & ALNUM) re++;
    for (let s = 0; s < UUID_SEGMENTS.length; s++) {
      const off = UUID_SEGMENTS[s], at = rs - off;
      if (at >= start && (off === 0 || units[at + off - 1] === 45)) {
        if (this.#isUuidToken(units, at, start, end)) {
          this.#put(at - start, UUID, B_UUID);
          this.#fill(at - start + 1, 35);
          return at + 36;
        }
      }
    }
    for (let k = rs; k < re; k++) acc |= FLAGS[units[k]];
    if ((acc & (NONHEX | DIGIT | HEX)) === (DIGIT | HEX) && !this.#unitLike(units, rs, re)) {
      const digit = FLAGS[units[rs]] & DIGIT;
      this.#put(rs - start, -2 * (re - rs) - (digit ? 1 : 2), digit ? B_RUN_DIGIT : B_RUN_LETTER);
      this.#fill(rs - start + 1, re - rs - 1);
    }
    return re;
  }

  /**
   * Write the canonical form into `out`; its length, or -1 when a quote is
   * followed by `:` and the careful pass is needed.
   */
  full(units: CodeUnits, start: number, end: number, limit: number, careful: boolean): number {
    const out = this.out;
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
        // A run [rs, i) just ended. Folding may change it (so whether it may
        // be inside a JSON key matters) if it has a digit or may start a UUID.
        if (
          careful &&
          (acc & DIGIT || ((acc & (HEX | NONHEX)) === HEX && i - rs === 8 && c === 45))
        ) {
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
    if (units[i + 8] !== 45 || units[i + 13] !== 45 || units[i + 18] !== 45) return false;
    if (units[i + 23] !== 45) return false;
    // Hex digits between the dashes (no unit is both a hex digit and NONHEX).
    for (let s = 0, k = i; s < UUID_SEGMENTS.length; s++, k++) {
      for (const to = i + UUID_SEGMENT_ENDS[s]; k < to; k++) {
        if ((FLAGS[units[k]] & (DIGIT | HEX)) === 0) return false;
      }
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
}
