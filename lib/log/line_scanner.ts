/**
 * Find the matching lines in blocks of complete lines without visiting every
 * line: candidates come from the pattern, line bounds from `indexOf`.
 *
 * @module
 */

import type { LinePattern } from "./pattern.ts";
import { DEFAULT_MAX_LINE_LENGTH } from "./line_splitter.ts";

const NEWLINES = /\n/g;
/** Longest text whose newlines are counted at once (the matches make an array). */
const COUNT_SPAN = 1 << 16;

/**
 * The newlines of `text`, counted by native passes: no call per line, and a
 * newline is a one-character match, which makes no new string. Memory stays
 * bounded by counting long texts a span at a time.
 */
function countNewlines(text: string): number {
  if (text.length <= COUNT_SPAN) return text.match(NEWLINES)?.length ?? 0;
  let n = 0;
  for (let at = 0; at < text.length; at += COUNT_SPAN) {
    n += text.slice(at, at + COUNT_SPAN).match(NEWLINES)?.length ?? 0;
  }
  return n;
}

/**
 * Receives each matching line as bounds into the block, so nothing is
 * allocated per line; `text.slice(start, end)` is the line (no terminator,
 * cut to the cap). `units`, when the block is ASCII and its bytes were given
 * to {@linkcode LineScanner.scanBlock}, holds the same code units as `text`.
 */
export type MatchHandler = (
  text: string,
  start: number,
  end: number,
  units: Uint8Array | undefined,
) => void;

/** Options of {@linkcode LineScanner}. */
export interface LineScannerOptions {
  /** Which lines match. */
  pattern: LinePattern;
  /** Called for every matching line. */
  onMatch: MatchHandler;
  /** Lines are matched and reported on their first this many code units. Default 8192. */
  maxLineLength?: number;
}

/**
 * Counts the lines of each block and reports the matching ones. A `"\r"`
 * before the newline is not part of the line.
 *
 * @example Scan a block
 * ```ts
 * import { compilePattern, LineScanner } from "@plato/scout";
 * const found: string[] = [];
 * const scanner = new LineScanner({
 *   pattern: compilePattern("ERROR|WARN"),
 *   onMatch: (text, start, end) => found.push(text.slice(start, end)),
 * });
 * scanner.scanBlock("a INFO\nb ERROR x\r\nc WARN\n");
 * console.log(scanner.lines, found); // 3 ["b ERROR x", "c WARN"]
 * ```
 */
export class LineScanner {
  /** Lines scanned so far. */
  lines = 0;
  /** Lines matched so far. */
  matched = 0;
  /** Matched lines that were longer than the cap (in the block, or before it was cut). */
  cut = 0;
  readonly #pattern: LinePattern;
  readonly #onMatch: MatchHandler;
  readonly #max: number;

  /**
   * Create a scanner.
   *
   * @param options Pattern, handler, cap.
   */
  constructor(options: LineScannerOptions) {
    this.#pattern = options.pattern;
    this.#onMatch = options.onMatch;
    this.#max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /**
   * Scan a block of complete lines (each ending in `"\n"`).
   *
   * @param text The block.
   * @param bytes The bytes it was decoded from, if known; passed on to the
   *   handler when the block is ASCII (`bytes.length === text.length`).
   * @param wasCut The block is one line already cut to the cap (a line that
   *   spanned chunks, see `LineSplitter`); it counts as cut if it matches.
   */
  scanBlock(text: string, bytes?: Uint8Array, wasCut = false): void {
    const units = bytes !== undefined && bytes.length === text.length ? bytes : undefined;
    this.lines += countNewlines(text);
    const pattern = this.#pattern, max = this.#max;
    let from = 0;
    while (from < text.length) {
      const at = pattern.find(text, from);
      if (at === -1) break;
      const start = at === 0 ? 0 : text.lastIndexOf("\n", at - 1) + 1;
      let end = text.indexOf("\n", at);
      if (end === -1) end = text.length;
      const next = end + 1;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      let cut = wasCut;
      if (end - start > max) {
        end = start + max;
        cut = true;
      }
      if (pattern.matchEnd <= end || pattern.test(text, start, end)) {
        this.matched++;
        if (cut) this.cut++;
        this.#onMatch(text, start, end, units);
      }
      from = next;
    }
  }
}
