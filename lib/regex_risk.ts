/**
 * A check for the regular expressions users give scouts (`body_matches`, a
 * log `pattern`): JavaScript runs them by backtracking, on the scout's only
 * thread, and nothing can interrupt a match once it has started, not even a
 * timeout. A repeat inside a repeat (`(a+)+`, `(\w+\s?)*`), or a repeat of
 * alternatives that can match the same text (`(a|aa)+`, `(\w|\d)*`), can
 * take exponential time on a line or body that almost matches.
 *
 * @module
 */

import { classEnd, overlappingAlternation } from "./_regex_overlap.ts";

export { overlappingAlternation };

/** Which slow shape {@linkcode slowPattern} found. */
export type PatternRisk = "nested" | "overlap";

/**
 * Whether a regex source has a shape that can backtrack for exponential
 * time: a nested repeat ({@linkcode nestedRepeat}) or a repeat of
 * overlapping alternatives ({@linkcode overlappingAlternation}).
 *
 * @param source A regex's source.
 * @returns The shape found, or undefined.
 *
 * @example Both shapes
 * ```ts
 * import { slowPattern } from "./regex_risk.ts";
 * console.log(slowPattern("(a+)+b"), slowPattern("(a|aa)+b"), slowPattern("(GET|POST) /")); // "nested" "overlap" undefined
 * ```
 */
export function slowPattern(source: string): PatternRisk | undefined {
  return nestedRepeat(source) ? "nested" : overlappingAlternation(source) ? "overlap" : undefined;
}

/**
 * Whether a regex source repeats (`*`, `+`, `{n,}`) a group that can end
 * with a repeat of its own: the classic shape of catastrophic backtracking,
 * where the outer repeat and the inner one can share out the same text in
 * exponentially many ways (`(a+)+`, `(\\w+\\s?)*`). A required separator after
 * the inner repeat that the repeat cannot match (`(\\d+,)*`, `([a-z]+\\.)+`,
 * `([^,]+,)+`) makes the split unambiguous, and is not flagged; a required
 * token the repeat can match (`(\\w+\\d)+`, `(.+.)+`) is. A heuristic:
 * overlaps between alternatives (`(a|aa)+`) are
 * {@linkcode overlappingAlternation}'s.
 *
 * @param source A regex's source (`RegExp.prototype.source`).
 * @returns True when a repeated group can end with a repeat.
 *
 * @example Nested repeats
 * ```ts
 * import { nestedRepeat } from "./regex_risk.ts";
 * console.log(nestedRepeat("(A+)+B")); // true
 * console.log(nestedRepeat("(\\d+,)*\\d+")); // false: ',' ends each repeat
 * ```
 */
export function nestedRepeat(source: string): boolean {
  // Per open group: whether the current branch ends with a repeat (nothing
  // required after it), and whether an earlier branch did.
  const groups: Array<{ trailing: boolean; anyBranch: boolean; repeated: string }> = [{
    trailing: false,
    anyBranch: false,
    repeated: "",
  }];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const start = i;
    let atomEndsWithRepeat = false;
    if (c === "\\") {
      i += 2;
    } else if (c === "[") {
      i = classEnd(source, i);
    } else if (c === "(") {
      groups.push({ trailing: false, anyBranch: false, repeated: "" });
      i++;
      continue;
    } else if (c === "|") {
      const g = groups[groups.length - 1];
      g.anyBranch ||= g.trailing;
      g.trailing = false;
      i++;
      continue;
    } else if (c === ")") {
      const g = groups.length > 1
        ? groups.pop()!
        : { trailing: false, anyBranch: false, repeated: "" };
      atomEndsWithRepeat = g.trailing || g.anyBranch;
      i++;
    } else if (c === "^" || c === "$") {
      i++;
      continue; // anchors match no text
    } else {
      i++;
    }
    // The atom's quantifier, if any.
    const q = /^(?:[*+?]|\{(\d+)(,(\d*))?\})\??/.exec(source.slice(i));
    const g = groups[groups.length - 1];
    const atom = source.slice(start, i);
    if (!q) {
      // Required: it ends the repeat before it when the repeat cannot match
      // it (a ',' after \\d+); otherwise the two can share text.
      g.trailing = atomEndsWithRepeat || (g.trailing && !separates(g.repeated, atom));
      continue;
    }
    i += q[0].length;
    const op = q[0][0];
    const unbounded = op === "*" || op === "+" || (op === "{" && q[2] !== undefined && q[3] === "");
    const repeats = unbounded ||
      (op === "{" && q[3] !== undefined && q[3] !== "" && Number(q[3]) > 1);
    if (unbounded && atomEndsWithRepeat) return true;
    if (repeats) {
      g.trailing = true;
      g.repeated = atom;
    } else if (op === "?" || (op === "{" && q[1] === "0")) g.trailing ||= atomEndsWithRepeat;
    else g.trailing = atomEndsWithRepeat;
  }
  return false;
}

/**
 * Whether the required `atom` after a repeat of `repeated` is a character
 * that repeat cannot match: a literal punctuation character (plain or
 * escaped) after `\\d`, `\\w`, a class without it, or a negated class with it.
 */
function separates(repeated: string, atom: string): boolean {
  // '.' alone matches anything; '\\.' is a dot.
  const lit = atom === "." ? undefined : /^\\?([^\w\s\\])$/.exec(atom)?.[1];
  if (lit === undefined) return false;
  if (repeated === "\\d" || repeated === "\\w") return true;
  const cls = /^\[(\^?)(.*)\]$/.exec(repeated);
  if (!cls || /\\[WDS]/.test(cls[2])) return false;
  const has = cls[2].includes(lit) || cls[2].includes(`\\${lit}`);
  return cls[1] === "^" ? has : !has;
}

/**
 * The startup warning for a pattern {@linkcode slowPattern} flags.
 *
 * @param field The config field (`pattern`, `body_matches`).
 * @param source The regex source.
 * @param risk The shape found.
 * @returns One line.
 */
export function slowPatternWarning(
  field: string,
  source: string,
  risk: PatternRisk = "nested",
): string {
  const [shape, fix] = risk === "nested"
    ? ["repeats a group that itself repeats", "without the nested repeat"]
    : [
      "repeats a group whose alternatives can match the same text",
      "so that the alternatives cannot match the same text",
    ];
  return `${field} '${
    source.length > 80 ? `${source.slice(0, 80)}\u2026` : source
  }' ${shape}: on some input it may take exponential time, and a match cannot be interrupted (not even by the timeout); write it ${fix}, for example with a character class`;
}
