/**
 * A check for the regular expressions users give scouts (`body_matches`, a
 * log `pattern`): JavaScript runs them by backtracking, on the scout's only
 * thread, and nothing can interrupt a match once it has started, not even a
 * timeout. A repeat inside a repeat (`(a+)+`, `(\w+\s?)*`) can take
 * exponential time on a line or body that almost matches.
 *
 * @module
 */

/**
 * Whether a regex source repeats (`*`, `+`, `{n,}`) a group that itself
 * holds a repeat: the classic shape of catastrophic backtracking. A
 * heuristic: it finds `(a+)+`, `(?:x*y)*`, `((ab)+c)+`; not every slow
 * pattern (`(a|aa)+` overlaps without nesting), and it accepts what it
 * cannot tell.
 *
 * @param source A regex's source (`RegExp.prototype.source`).
 * @returns True when a repeated group holds a repeat.
 *
 * @example Nested repeats
 * ```ts
 * import { nestedRepeat } from "./regex_risk.ts";
 * console.log(nestedRepeat("(A+)+B")); // true
 * console.log(nestedRepeat("(\\d+\\.){3}\\d+")); // false: bounded
 * ```
 */
export function nestedRepeat(source: string): boolean {
  // For each open group: whether it holds a repeat so far.
  const groups: boolean[] = [false];
  let closedHeldRepeat = false;
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const afterGroup = closedHeldRepeat;
    closedHeldRepeat = false;
    if (c === "\\") {
      i += 2;
    } else if (c === "[") {
      i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "(") {
      groups.push(false);
      i++;
    } else if (c === ")") {
      const held = groups.length > 1 ? groups.pop()! : false;
      if (held) groups[groups.length - 1] = true;
      closedHeldRepeat = held;
      i++;
    } else if (c === "*" || c === "+" || c === "{") {
      const braces = c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : null;
      if (c === "{" && !braces) {
        i++; // a literal '{'
        continue;
      }
      // {n} repeats a fixed number of times; {n,m} up to m.
      const unbounded = braces === null || (braces[2] !== undefined && braces[3] === "");
      const repeats = braces === null || braces[2] !== undefined;
      if (afterGroup && unbounded) return true;
      if (repeats) groups[groups.length - 1] = true;
      i += braces ? braces[0].length : 1;
    } else {
      i++;
    }
  }
  return false;
}

/**
 * The startup warning for a pattern {@linkcode nestedRepeat} flags.
 *
 * @param field The config field (`pattern`, `body_matches`).
 * @param source The regex source.
 * @returns One line.
 */
export function slowPatternWarning(field: string, source: string): string {
  return `${field} '${
    source.length > 80 ? `${source.slice(0, 80)}\u2026` : source
  }' repeats a group that itself repeats: on some input it can take exponential time, and a match cannot be interrupted (not even by the timeout); write it without the nested repeat, for example with a character class`;
}
