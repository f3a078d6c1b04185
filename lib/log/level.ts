/**
 * The severity of a log line, detected from its text.
 *
 * @module
 */

/** The levels a summary counts; `OTHER` when none is recognised. */
export type LineLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE" | "OTHER";

/** Every {@linkcode LineLevel}, most severe first. */
export const LOG_LEVELS: readonly LineLevel[] = [
  "FATAL",
  "ERROR",
  "WARN",
  "INFO",
  "DEBUG",
  "TRACE",
  "OTHER",
];

const WORDS: Record<string, LineLevel> = {
  FATAL: "FATAL",
  CRIT: "FATAL",
  CRITICAL: "FATAL",
  PANIC: "FATAL",
  EMERG: "FATAL",
  ALERT: "FATAL",
  ERROR: "ERROR",
  ERR: "ERROR",
  SEVERE: "ERROR",
  WARN: "WARN",
  WARNING: "WARN",
  INFO: "INFO",
  NOTICE: "INFO",
  DEBUG: "DEBUG",
  TRACE: "TRACE",
};

/** How far into a line the level is looked for. */
const SCAN = 200;

/**
 * Detect the level of a log line: the first level word (`ERROR`, `WARN`,
 * `WARNING`, `INFO`, `DEBUG`, `FATAL`, `CRITICAL`, ...) within its first 200
 * characters, upper case as a bare word, any case as a value (`level=error`,
 * `"level":"warn"`, `severity: info`).
 *
 * @param text The text holding the line.
 * @param start Index of the line's first character (default 0).
 * @param end Index just past its last character (default `text.length`).
 * @returns The level, or `"OTHER"`.
 *
 * @example Detect levels
 * ```ts
 * import { detectLevel } from "@plato/scout";
 * console.log(detectLevel("2026-05-19 12:00:01 WARNING disk 91% full")); // "WARN"
 * console.log(detectLevel('{"level":"error","msg":"boom"}')); // "ERROR"
 * console.log(detectLevel("nothing to see")); // "OTHER"
 * ```
 */
export function detectLevel(text: string, start = 0, end: number = text.length): LineLevel {
  const stop = Math.min(end, start + SCAN);
  let i = start;
  while (i < stop) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter) {
      i++;
      continue;
    }
    let j = i + 1, upper = c <= 90;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (d >= 65 && d <= 90) j++;
      else if (d >= 97 && d <= 122) {
        upper = false;
        j++;
      } else break;
    }
    const len = j - i;
    if (len >= 3 && len <= 8) {
      const before = i > start ? text.charCodeAt(i - 1) : 0;
      const asValue = before === 61 || before === 58 || before === 34 || before === 39 ||
        (before === 32 && i - 2 >= start && text.charCodeAt(i - 2) === 58);
      if (upper || asValue) {
        const word = upper ? text.slice(i, j) : text.slice(i, j).toUpperCase();
        const level = WORDS[word];
        if (level) return level;
      }
    }
    i = j;
  }
  return "OTHER";
}
