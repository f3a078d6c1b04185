/**
 * The project's own wording for zod issues, passed to every parse on the
 * paths that use `zod/mini` (tiles, scout.yaml, the HTTP and Keeper scouts).
 * zod/mini installs no messages of its own, and pulling in zod's locales would
 * cost the Worker bundle most of its budget; passing this map per parse also
 * makes the text the same in every runtime, whichever zod modules are loaded.
 *
 * @module
 */
import type * as z from "zod/mini";

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") {
    return `'${value.length > 40 ? `${value.slice(0, 40)}\u2026` : value}'`;
  }
  if (typeof value === "object") return "an object";
  return String(value);
}

function quote(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

/** How format names read in a sentence; others are shown as they are. */
const FORMAT_NAMES: Record<string, string> = {
  url: "URL",
  uuid: "UUID",
  email: "email address",
  datetime: "ISO 8601 date-time",
  date: "ISO 8601 date",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
};

const UNITS: Record<string, string> = {
  string: "characters",
  array: "items",
  set: "items",
  map: "entries",
};

function bound(
  issue: { origin: string; inclusive?: boolean; exact?: boolean },
  at: string,
  than: string,
  n: unknown,
) {
  const unit = UNITS[issue.origin];
  const how = issue.exact ? "exactly" : issue.inclusive ? at : than;
  return unit ? `must have ${how} ${n} ${unit}` : `must be ${how} ${n}`;
}

/**
 * A zod error map in the project's words: "expected a number, got 'soon'",
 * "must be at most 1", "expected one of 'GET', 'POST'".
 *
 * @param issue A raw zod issue.
 * @returns The message.
 */
export const zodMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}, got ${describe(issue.input)}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `expected ${quote(issue.values[0])}`
        : `expected one of ${issue.values.map(quote).join(", ")}`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      return bound(issue, "at least", "greater than", issue.minimum);
    case "too_big":
      return bound(issue, "at most", "less than", issue.maximum);
    case "invalid_format":
      return issue.format === "regex"
        ? `must match ${issue.pattern ?? "the expected pattern"}`
        : `expected a valid ${FORMAT_NAMES[issue.format] ?? issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(quote).join(", ")}`;
    case "invalid_key":
      return "has an invalid key";
    case "invalid_element":
      return "has an invalid entry";
    case "invalid_union":
      return "matches none of the allowed forms";
    default:
      return "is invalid";
  }
};

/** Parse options every zod/mini parse uses: our messages, and the input in issues. */
export const PARSE_OPTIONS: { error: z.core.$ZodErrorMap; reportInput: true } = {
  error: zodMessages,
  reportInput: true,
};
