/**
 * Serialize a structured answer so the fleet's P0 gate takes it, whatever the
 * watched service put in it: observed text is quoted (absolute-word rule) and
 * long strings, arrays and objects are shrunk step by step until the answer
 * fits (length rule). Private to the built-in scouts.
 *
 * @module
 */

import { GATE_LIMITS, quoteObserved } from "../lib/gate.ts";

/** The answer budget: the gate's maximum, with room to spare. */
export const ANSWER_BUDGET: number = GATE_LIMITS.answerMax - 200;

/** How deep an answer is shown; deeper arrays and objects are summarised. */
export const ANSWER_MAX_DEPTH = 8;

/** String length and item count limits tried in turn, loosest first. */
const STEPS: ReadonlyArray<readonly [strings: number, items: number]> = [
  [Infinity, Infinity],
  [400, 50],
  [200, 20],
  [100, 10],
  [60, 5],
  [30, 3],
];

/**
 * The wire form of a structured answer (2-space indented JSON, as the
 * original's Keeper example sends), quoted for the absolute-word rule and at
 * most `max` characters long.
 *
 * @param value Any JSON value; typically an object of observations.
 * @param max Most characters (default {@linkcode ANSWER_BUDGET}).
 * @param finish Applied to each JSON text tried, before its length is checked
 * (default {@linkcode quoteObserved}; the HTTP scout also removes credentials).
 * @returns A JSON string of at most `max` characters that the gate's word rule accepts.
 *
 * @example Fit an oversized answer
 * ```ts ignore
 * const text = fitAnswer({ names: Array.from({ length: 5000 }, (_, i) => `agent-${i}`) });
 * console.log(text.length <= 4800); // true
 * ```
 */
export function fitAnswer(
  value: unknown,
  max: number = ANSWER_BUDGET,
  finish: (json: string) => string = quoteObserved,
): string {
  let text = "";
  for (const [strings, items] of STEPS) {
    text = finish(JSON.stringify(shrink(value, strings, items, 0), null, 2) ?? "null");
    if (text.length <= max) return text;
  }
  const preview = text.slice(0, Math.max(0, max - 120));
  return finish(JSON.stringify({ truncated: true, original_length: text.length, preview }))
    .slice(0, max);
}

/**
 * Cut observed text to `n` characters, marking the cut.
 *
 * @param text Observed text.
 * @param n Most characters kept.
 * @returns The text, or its first `n` characters followed by an ellipsis (U+2026).
 */
export function cut(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}\u2026` : text;
}

function shrink(value: unknown, strings: number, items: number, depth: number): unknown {
  if (typeof value === "string") return cut(value, strings);
  if (value === null || typeof value !== "object") return value;
  if (depth >= ANSWER_MAX_DEPTH) {
    return Array.isArray(value) ? `[${value.length} items]` : "{\u2026}";
  }
  if (Array.isArray(value)) {
    const kept = value.slice(0, items).map((v) => shrink(v, strings, items, depth + 1));
    if (value.length > items) kept.push(`\u2026 ${value.length - items} more`);
    return kept;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  // The caller's own top-level fields are kept; nested objects from the service are cut.
  const limit = items === Infinity || depth === 0 ? Infinity : items * 2;
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, limit)) out[k] = shrink(v, strings, items, depth + 1);
  if (entries.length > limit) out["\u2026"] = `${entries.length - limit} more keys`;
  return out;
}
