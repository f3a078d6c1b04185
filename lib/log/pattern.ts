/**
 * The user's `--pattern`, compiled for scanning whole blocks of lines.
 *
 * @module
 */

/** Options of {@linkcode compilePattern}. */
export interface PatternOptions {
  /** Match regardless of case. Default false. */
  ignoreCase?: boolean;
}

/**
 * A compiled pattern. `find` proposes the next candidate position in a block
 * and sets `matchEnd`; a candidate whose match ends within its line (cut to
 * its cap) is a match, otherwise `test` decides on the line alone. Every line
 * that matches on its own contains a candidate, so scanning candidates only
 * finds every matching line.
 */
export interface LinePattern {
  /** The pattern as the user wrote it. */
  readonly source: string;
  /** How it is scanned: plain substrings, a block-wide regex, or line by line. */
  readonly mode: "literal" | "regex" | "per-line";
  /**
   * The next candidate at or after `from` (a line start), or -1.
   *
   * @param text A block of complete lines.
   * @param from Where to look from.
   */
  find(text: string, from: number): number;
  /** Where the match found by the last `find` ends (`Infinity`: unknown). */
  readonly matchEnd: number;
  /**
   * Whether `text[start, end)`, one line, matches.
   *
   * @param text The block.
   * @param start The line's first index.
   * @param end Just past its last character.
   */
  test(text: string, start: number, end: number): boolean;
}

const META = /[\\^$.|?*+()[\]{}]/;
// Lookarounds see past the end of a line when run over a block; named groups
// share their `(?<` prefix and are scanned line by line too, which is exact.
const LOOKAROUND = /\(\?<?[=!]|\(\?</;

/**
 * Compile a line pattern. A plain alternation of words (`ERROR|WARN`) is
 * scanned with `indexOf`, each word from its letter least frequent in the
 * text (re-chosen every 256 blocks); other regexes run over whole blocks and
 * confirm each candidate line; regexes with lookarounds are tested line by
 * line. `^` and `$` match at line boundaries.
 *
 * @param pattern A JavaScript regular expression source, e.g. `"ERROR|WARN"`.
 * @param options Case sensitivity.
 * @returns The compiled pattern.
 * @throws {TypeError} If the pattern is empty or not a valid regular expression.
 *
 * @example Compile and test a pattern
 * ```ts
 * import { compilePattern } from "@plato/scout";
 * const p = compilePattern("ERROR|WARN");
 * const line = "12:00 WARN disk 91% full";
 * console.log(p.mode, p.test(line, 0, line.length)); // "literal" true
 * ```
 */
export function compilePattern(pattern: string, options: PatternOptions = {}): LinePattern {
  if (typeof pattern !== "string" || pattern === "") {
    throw new TypeError("Cannot compile pattern: it must be a non-empty string");
  }
  const flags = options.ignoreCase ? "im" : "m";
  let line: RegExp;
  let block: RegExp;
  try {
    line = new RegExp(pattern, flags);
    block = new RegExp(pattern, flags + "g");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`Cannot compile pattern '${pattern}': ${reason}`, { cause: error });
  }
  const words = pattern.split("|");
  if (!options.ignoreCase && words.every((w) => w !== "" && !META.test(w))) {
    return new LiteralPattern(pattern, words);
  }
  if (LOOKAROUND.test(pattern)) {
    return {
      source: pattern,
      mode: "per-line",
      matchEnd: Infinity,
      find: (text, from) => (from < text.length ? from : -1),
      test: (text, start, end) => line.test(text.slice(start, end)),
    };
  }
  return new RegexPattern(pattern, block, line);
}

class RegexPattern implements LinePattern {
  readonly mode = "regex" as const;
  matchEnd = Infinity;

  constructor(readonly source: string, readonly block: RegExp, readonly line: RegExp) {}

  find(text: string, from: number): number {
    this.block.lastIndex = from;
    const m = this.block.exec(text);
    if (!m) return -1;
    this.matchEnd = m.index + m[0].length;
    return m.index;
  }

  test(text: string, start: number, end: number): boolean {
    return this.line.test(text.slice(start, end));
  }
}

/** Blocks between two choices of each word's key (the first block chooses too). */
const RESAMPLE_BLOCKS = 256;
/** Code units of a block in which the key letters are counted. */
const SAMPLE = 16 * 1024;

class LiteralPattern implements LinePattern {
  readonly mode = "literal" as const;
  readonly #words: string[];
  /**
   * Each word is searched for by its key, the part from its rarest letter in
   * the text seen (`indexOf` stops at each occurrence of a key's first
   * letter), and confirmed by the part before it.
   */
  readonly #keyAt: number[];
  readonly #keys: string[];
  readonly #heads: string[];
  readonly #next: number[];
  #text = "";
  #blocks = 0;
  matchEnd = Infinity;

  constructor(readonly source: string, words: string[]) {
    this.#words = [...new Set(words)];
    this.#next = this.#words.map(() => -1);
    this.#keyAt = this.#words.map(() => 0);
    this.#keys = [...this.#words];
    this.#heads = this.#words.map(() => "");
  }

  find(text: string, from: number): number {
    const words = this.#words, next = this.#next;
    const fresh = from === 0 || text !== this.#text;
    if (fresh) {
      this.#text = text;
      if (this.#blocks++ % RESAMPLE_BLOCKS === 0) this.#chooseKeys(text);
    }
    let best = -1, len = 0;
    for (let i = 0; i < words.length; i++) {
      let at = next[i];
      if (fresh || (at !== -2 && at < from)) {
        at = this.#search(i, text, from);
        next[i] = at === -1 ? -2 : at;
      }
      if (at >= 0 && (best === -1 || at < best)) {
        best = at;
        len = words[i].length;
      }
    }
    this.matchEnd = best + len;
    return best;
  }

  /** Where word `i` first occurs in `text` at or after `from`, or -1. */
  #search(i: number, text: string, from: number): number {
    const k = this.#keyAt[i];
    if (k === 0) return text.indexOf(this.#keys[i], from);
    const key = this.#keys[i], head = this.#heads[i];
    for (let at = text.indexOf(key, from + k); at !== -1; at = text.indexOf(key, at + 1)) {
      if (text.startsWith(head, at - k)) return at - k;
    }
    return -1;
  }

  /** Key each word on its letter seen least often in the start of `text`. */
  #chooseKeys(text: string): void {
    const sample = text.length > SAMPLE ? text.slice(0, SAMPLE) : text;
    const seen = new Map<string, number>();
    const count = (c: string) => {
      let n = seen.get(c);
      if (n === undefined) {
        n = 0;
        for (let at = sample.indexOf(c); at !== -1; at = sample.indexOf(c, at + 1)) n++;
        seen.set(c, n);
      }
      return n;
    };
    this.#words.forEach((word, i) => {
      let k = 0;
      for (let j = 1; j < word.length; j++) if (count(word[j]) < count(word[k])) k = j;
      this.#keyAt[i] = k;
      this.#keys[i] = word.slice(k);
      this.#heads[i] = word.slice(0, k);
    });
  }

  test(text: string, start: number, end: number): boolean {
    const line = text.slice(start, end);
    for (const word of this.#words) if (line.includes(word)) return true;
    return false;
  }
}
