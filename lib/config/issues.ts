import type { z } from "zod";
import type { ConfigProblem } from "./problem.ts";

export { type ConfigProblem, formatProblem } from "./problem.ts";

/**
 * Format a path as scout.yaml users read it: `scouts[1].watch.url` (an
 * empty or null key as `''`).
 *
 * @param path Path segments.
 * @returns The dotted path.
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const seg of path) {
    // An empty key (`"":`, or a null one: `~:`) is shown as ''.
    const key = seg === "" ? "''" : String(seg);
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${key}` : key;
  }
  return out || "(root)";
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    return `'${value.length > 40 ? value.slice(0, 40) + "\u2026" : value}'`;
  }
  return String(value);
}

function article(type: string): string {
  if (type === "array") return "a list";
  if (type === "object" || type === "record" || type === "map") return "a mapping";
  if (type === "int") return "a whole number";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * Turn zod issues into one-line problems a person can act on.
 *
 * @param issues zod issues (parse with `reportInput: true` for "got ..." details).
 * @param prefix Path segments to put in front (e.g. where a sub-schema sits).
 * @returns The problems, in zod's order.
 */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix: ReadonlyArray<PropertyKey> = [],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          out.push({ path: formatPath([...path, key]), message: "unknown key" });
        }
        continue;
      case "invalid_type":
        out.push({
          path: formatPath(path),
          message: input === undefined
            ? "is required"
            : `expected ${article(issue.expected)}, got ${describeValue(input)}`,
        });
        continue;
      case "too_small": {
        const min = Number(issue.minimum);
        const message = issue.origin === "string"
          ? (min <= 1 ? "must not be empty" : `must be at least ${min} characters`)
          : issue.origin === "array"
          ? `must have at least ${min} item${min === 1 ? "" : "s"}`
          : `expected a number ${issue.inclusive ? "at least" : "greater than"} ${min}, got ${
            describeValue(input)
          }`;
        out.push({ path: formatPath(path), message });
        continue;
      }
      case "too_big": {
        const max = Number(issue.maximum);
        const message = issue.origin === "string"
          ? `must be at most ${max} characters`
          : issue.origin === "array"
          ? `must have at most ${max} items`
          : `expected a number ${issue.inclusive ? "at most" : "less than"} ${max}, got ${
            describeValue(input)
          }`;
        out.push({ path: formatPath(path), message });
        continue;
      }
      case "invalid_value":
        out.push({
          path: formatPath(path),
          message: `expected one of ${issue.values.map((v) => String(v)).join(", ")}, got ${
            describeValue(input)
          }`,
        });
        continue;
      case "not_multiple_of":
        out.push({
          path: formatPath(path),
          message: `expected a whole number, got ${describeValue(input)}`,
        });
        continue;
      case "invalid_format":
        out.push({
          path: formatPath(path),
          message: issue.message.replace(/^Invalid /, "expected a valid "),
        });
        continue;
      default:
        // A refinement of a number (z.whole) says what it got, as zod's own checks do.
        out.push({
          path: formatPath(path),
          message: typeof input === "number" && issue.message.startsWith("expected ")
            ? `${issue.message}, got ${input}`
            : issue.message,
        });
    }
  }
  return out;
}
