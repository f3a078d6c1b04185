/**
 * Log line signatures: the line with its variable parts (numbers, hex, ids,
 * UUIDs, quoted strings, paths, IPs, timestamps, emails, URLs) replaced by
 * placeholders, so "same error, different values" clusters into one.
 *
 * The tokenizer writes into a reusable `Uint16Array` and hashes it, so the hot
 * path (one call per matching line) allocates no strings; the readable form is
 * only built for signatures that get reported.
 *
 * @module
 */

/** The placeholders a signature may contain, in code order. */
export const PLACEHOLDERS: readonly string[] = [
  "<num>",
  "<hex>",
  "<id>",
  "<uuid>",
  "<str>",
  "<path>",
  "<ip>",
  "<ts>",
  "<email>",
  "<url>",
];

import {
  C_ALPHA,
  C_DELIM,
  C_DIGIT,
  C_HEXL,
  C_QUOTE,
  C_SPACE,
  cls,
  hasDotAfter,
  isAlnum,
  isIpv4,
  isTrail,
  isUuid,
} from "./_chars.ts";

export { type CodeUnits, ShapeHasher } from "./shape_hasher.ts";

const PUA = 0xe000;
const NUM = PUA, HEX = PUA + 1, ID = PUA + 2, UUID = PUA + 3, STR = PUA + 4;
const PATH = PUA + 5, IP = PUA + 6, TS = PUA + 7, EMAIL = PUA + 8, URL_ = PUA + 9;

/** Most UTF-16 code units kept in a signature. */
export const MAX_SIGNATURE_LENGTH = 400;

const MESSAGE_KEYS = new Set(["msg", "message", "error", "err", "reason", "event", "description"]);

/**
 * A reusable tokenizer: {@linkcode SignatureBuilder.normalize} writes the
 * normalized form of a line into its buffer and returns a 53-bit hash of it.
 * Not re-entrant; keep one per consumer.
 */
export class SignatureBuilder {
  /** The normalized form (placeholders as private-use code units). */
  readonly buffer: Uint16Array = new Uint16Array(MAX_SIGNATURE_LENGTH);
  /** How many code units of {@linkcode SignatureBuilder.buffer} are used. */
  length = 0;
  #space = false;
  /** Where the line being normalized starts. */
  #lo = 0;

  /**
   * Normalize `text[start, end)` and hash the result.
   *
   * @param text The text holding the line.
   * @param start Index of the line's first code unit.
   * @param end Index just past its last code unit (no line terminator).
   * @returns A stable 53-bit hash of the signature (equal signatures, equal hashes).
   */
  normalize(text: string, start: number, end: number): number {
    this.length = 0;
    this.#space = false;
    this.#lo = start;
    this.#range(text, start, end);
    let h1 = 0x811c9dc5, h2 = 0x9747b28c;
    const buf = this.buffer;
    for (let i = 0; i < this.length; i++) {
      const c = buf[i];
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    return (h1 >>> 0) * 0x200000 + (h2 >>> 11);
  }

  /** The readable signature of what was last normalized. */
  toString(): string {
    let out = "";
    let from = 0;
    const buf = this.buffer;
    for (let i = 0; i < this.length; i++) {
      const c = buf[i];
      if (c >= PUA && c <= URL_) {
        if (i > from) out += String.fromCharCode(...buf.subarray(from, i));
        out += PLACEHOLDERS[c - PUA];
        from = i + 1;
      }
    }
    if (this.length > from) out += String.fromCharCode(...buf.subarray(from, this.length));
    return out;
  }

  #put(c: number): void {
    if (this.#space) {
      this.#space = false;
      if (this.length > 0 && this.length < MAX_SIGNATURE_LENGTH) this.buffer[this.length++] = 32;
    }
    if (this.length < MAX_SIGNATURE_LENGTH) {
      this.buffer[this.length++] = c >= PUA && c <= 0xf8ff ? 0xfffd : c;
    }
  }

  #ph(code: number): void {
    // "2026-05-19 22:30:00,123": a date and a time make one timestamp.
    if (code === TS && this.length > 0 && this.buffer[this.length - 1] === TS) {
      this.#space = false;
      return;
    }
    if (this.#space) {
      this.#space = false;
      if (this.length > 0 && this.length < MAX_SIGNATURE_LENGTH) this.buffer[this.length++] = 32;
    }
    if (this.length < MAX_SIGNATURE_LENGTH) this.buffer[this.length++] = code;
  }

  #copy(text: string, start: number, end: number): void {
    for (let i = start; i < end; i++) this.#put(text.charCodeAt(i));
  }

  #range(text: string, start: number, end: number): void {
    let i = start;
    let keyStart = -1, keyEnd = -1; // the last plain word, for msg="..." detection
    while (i < end && this.length < MAX_SIGNATURE_LENGTH) {
      const c = text.charCodeAt(i);
      const k = cls(c);
      if (k === C_SPACE) {
        this.#space = true;
        i++;
      } else if (k === C_DELIM) {
        this.#put(c);
        i++;
      } else if (k === C_QUOTE) {
        i = this.#quoted(text, i, end, keyStart, keyEnd);
        keyStart = keyEnd = -1;
      } else {
        // A token: a run of anything but spaces, delimiters and double quotes.
        let j = i;
        let digits = 0, hexOnly = true, at = -1, url = false, colons = 0, dashes = 0, slashes = 0;
        let dots = 0, tsChars = true, letters = 0;
        while (j < end) {
          const d = text.charCodeAt(j);
          const dk = cls(d);
          if (dk === C_SPACE || (!url && (dk === C_DELIM || d === 34 || d === 96))) break;
          if (dk === C_DIGIT) digits++;
          else {
            if (dk !== C_HEXL) hexOnly = false;
            if (dk === C_HEXL || dk === C_ALPHA) letters++;
            if (d === 58) {
              colons++;
              if (text.charCodeAt(j + 1) === 47 && text.charCodeAt(j + 2) === 47) url = true;
            } else if (d === 64) at = j;
            else if (d === 45) dashes++;
            else if (d === 47) slashes++;
            else if (d === 46) dots++;
            if (
              !(d === 58 || d === 45 || d === 47 || d === 46 || d === 84 || d === 90 ||
                d === 43 || d === 44)
            ) tsChars = false;
          }
          j++;
        }
        let e = j;
        while (e > i + 1 && isTrail(text.charCodeAt(e - 1))) e--;
        if (e < j) {
          // Recount what the trailing punctuation contributed.
          for (let t = e; t < j; t++) {
            const d = text.charCodeAt(t);
            if (d === 58) colons--;
            else if (d === 46) dots--;
          }
        }
        const first = text.charCodeAt(i);
        if (url) this.#ph(URL_);
        else if (at > i && hasDotAfter(text, at, e)) this.#ph(EMAIL);
        else if (first === 47 && e - i > 1) this.#ph(PATH);
        else if ((first === 126 || first === 46) && text.charCodeAt(i + 1) === 47) this.#ph(PATH);
        else if (e - i === 36 && isUuid(text, i)) this.#ph(UUID);
        else if (digits === 0) {
          this.#copy(text, i, e);
          if (letters > 0) keyStart = i, keyEnd = e;
        } else if (cls(first) === C_DIGIT) {
          this.#numeric(text, i, e, hexOnly && letters > 0, colons, dashes, slashes, dots, tsChars);
        } else if (hexOnly && e - i >= 8) this.#ph(HEX);
        else this.#parts(text, i, e);
        this.#copy(text, e, j);
        i = j;
      }
    }
  }

  #numeric(
    text: string,
    i: number,
    e: number,
    hexWithLetters: boolean,
    colons: number,
    dashes: number,
    slashes: number,
    dots: number,
    tsChars: boolean,
  ): void {
    if (dots === 3 && isIpv4(text, i, e)) return this.#ph(IP);
    if (tsChars && (colons > 0 || dashes >= 2 || slashes >= 2)) return this.#ph(TS);
    if (text.charCodeAt(i) === 48 && (text.charCodeAt(i + 1) | 32) === 120) return this.#ph(HEX);
    // A hex id has a-f letters: 8 or more digits alone are a number (a counter, an epoch).
    if (hexWithLetters && e - i >= 8) return this.#ph(HEX);
    // A number, maybe with a unit: 35ms, 1.5GB, 200.
    let j = i;
    while (j < e) {
      const c = text.charCodeAt(j);
      if (cls(c) === C_DIGIT || c === 46 || c === 44 || c === 95) j++;
      else break;
    }
    let unit = j;
    while (unit < e && cls(text.charCodeAt(unit)) >= C_HEXL) unit++;
    if (unit === e && e - j <= 4) {
      this.#ph(NUM);
      this.#copy(text, j, e);
    } else this.#parts(text, i, e);
  }

  /** A token with digits that starts with a letter: classify its alphanumeric parts. */
  #parts(text: string, i: number, e: number): void {
    while (i < e) {
      const c = text.charCodeAt(i);
      if (!isAlnum(c)) {
        this.#put(c);
        i++;
        continue;
      }
      let j = i, digits = 0, hexOnly = true;
      while (j < e) {
        const d = text.charCodeAt(j);
        const dk = cls(d);
        if (dk < C_DIGIT) break;
        if (dk === C_DIGIT) digits++;
        else if (dk !== C_HEXL) hexOnly = false;
        j++;
      }
      if (digits === 0) this.#copy(text, i, j);
      else if (digits === j - i) this.#ph(NUM);
      else if (hexOnly && j - i >= 6) this.#ph(HEX);
      else this.#ph(ID);
      i = j;
    }
  }

  #quoted(text: string, i: number, end: number, keyStart: number, keyEnd: number): number {
    const q = text.charCodeAt(i);
    let j = i + 1;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (d === 92) j += 2;
      else if (d === q) break;
      else j++;
    }
    if (j >= end) {
      // No closing quote: the quote is ordinary punctuation.
      this.#put(q);
      return i + 1;
    }
    const next = text.charCodeAt(j + 1);
    if (next === 58 && j - i <= 64) {
      // A JSON key: kept as it is.
      this.#copy(text, i, j + 1);
      return j + 1;
    }
    const prev = text.charCodeAt(i - 1);
    let isMessage = false;
    if (prev === 61 && keyStart >= 0 && keyEnd - keyStart <= 12) {
      isMessage = MESSAGE_KEYS.has(text.slice(keyStart, keyEnd).toLowerCase());
    } else if (prev === 58 && text.charCodeAt(i - 2) === 34) {
      let ks = i - 3;
      // Only within the line: a signature never depends on the line before.
      while (ks >= this.#lo && i - 3 - ks <= 12 && text.charCodeAt(ks) !== 34) ks--;
      if (ks >= this.#lo && text.charCodeAt(ks) === 34) {
        isMessage = MESSAGE_KEYS.has(text.slice(ks + 1, i - 2).toLowerCase());
      }
    }
    if (isMessage) {
      this.#put(q);
      this.#range(text, i + 1, j);
      this.#put(q);
    } else this.#ph(STR);
    return j + 1;
  }
}

const shared = new SignatureBuilder();

/**
 * The signature of a log line: variable parts replaced by placeholders
 * (`<num>`, `<hex>`, `<id>`, `<uuid>`, `<str>`, `<path>`, `<ip>`, `<ts>`,
 * `<email>`, `<url>`), whitespace collapsed, at most
 * {@linkcode MAX_SIGNATURE_LENGTH} code units. JSON keys and the text of
 * message fields (`msg=`, `"message":`) are kept.
 *
 * @param line One log line.
 * @returns Its signature.
 *
 * @example Cluster two lines that differ only in their values
 * ```ts
 * import { signatureOf } from "@plato/scout";
 * const a = signatureOf("2026-05-19T22:30:00Z ERROR order 1234 failed: timeout after 35ms");
 * const b = signatureOf("2026-05-20T08:01:12Z ERROR order 98 failed: timeout after 5000ms");
 * console.log(a === b, a); // true "<ts> ERROR order <num> failed: timeout after <num>ms"
 * ```
 */
export function signatureOf(line: string): string {
  shared.normalize(line, 0, line.length);
  return shared.toString();
}
