/**
 * The HTTP scout's assertions: expected status codes, body contains, body
 * matches a regex, a JSON path equals a value. Parsing throws `TypeError`
 * (config mistakes); checking returns values (a failed check is an observation).
 *
 * @module
 */
import { head } from "./_http_body.ts";

/** An inclusive range of status codes, with the label a user wrote. */
export interface StatusRange {
  from: number;
  to: number;
  label: string;
}

/** The default `expect_status`: success and redirection. */
export const DEFAULT_EXPECT_STATUS: readonly string[] = ["2xx", "3xx"];

/**
 * Parse one `expect_status` entry: a code (`200`), a class (`2xx`) or a range (`200-299`).
 *
 * @param spec The entry.
 * @returns The range it stands for.
 * @throws {TypeError} If it is none of those, or outside 100..599.
 */
export function parseStatusSpec(spec: string | number): StatusRange {
  const text = String(spec).trim().toLowerCase();
  let from: number, to: number;
  const cls = /^([1-5])xx$/.exec(text);
  const range = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
  if (cls) {
    from = Number(cls[1]) * 100;
    to = from + 99;
  } else if (range) {
    from = Number(range[1]);
    to = Number(range[2]);
  } else if (/^\d{3}$/.test(text)) {
    from = to = Number(text);
  } else {
    throw new TypeError(`Cannot parse status '${spec}': expected a code, 'Nxx' or 'from-to'`);
  }
  if (from < 100 || to > 599) {
    throw new TypeError(`Cannot parse status '${spec}': codes must be within 100-599`);
  }
  if (from > to) {
    throw new TypeError(
      `Cannot parse status '${spec}': the range is reversed (write ${to}-${from})`,
    );
  }
  return { from, to, label: text };
}

/**
 * Whether a status is one of the expected ranges.
 *
 * @param ranges The expected ranges.
 * @param status The observed status.
 * @returns True when some range holds it.
 */
export function statusMatches(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((r) => status >= r.from && status <= r.to);
}

/** One step of a JSON path: an object key or an array index. */
export type JsonPathSegment = string | number;

/**
 * Parse a simple dotted JSON path: `registry.total`, `a.b[0].c`, `[0].status`,
 * optionally starting with `$`.
 *
 * @param path The path.
 * @returns Its segments.
 * @throws {TypeError} If the path is empty or malformed.
 */
export function parseJsonPath(path: string): JsonPathSegment[] {
  const text = path.trim().replace(/^\$\.?/, "");
  const segments: JsonPathSegment[] = [];
  const re = /\.?([A-Za-z0-9_$@-][A-Za-z0-9_$@:-]*)|\[(\d+)\]/y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m || (m[1] !== undefined && i > 0 && text[i] !== ".")) {
      throw new TypeError(
        `Cannot parse JSON path '${path}' at character ${
          i + 1
        }: expected 'key', '.key' or '[index]'`,
      );
    }
    segments.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    i = re.lastIndex;
  }
  if (segments.length === 0) throw new TypeError(`Cannot parse JSON path '${path}': it is empty`);
  return segments;
}

/**
 * Follow a parsed JSON path into a value.
 *
 * @param value Parsed JSON.
 * @param segments From {@linkcode parseJsonPath}.
 * @returns `{ found: true, value }`, or `{ found: false }` when a step is missing.
 */
export function readJsonPath(
  value: unknown,
  segments: readonly JsonPathSegment[],
): { found: true; value: unknown } | { found: false } {
  let current = value;
  for (const seg of segments) {
    if (typeof seg === "number") {
      if (!Array.isArray(current) || seg >= current.length) return { found: false };
      current = current[seg];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) {
        return { found: false };
      }
      if (!Object.hasOwn(current, seg)) return { found: false };
      current = (current as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: current };
}

/**
 * Compile `body_matches`: a regex source, or a `/source/flags` literal whose
 * flags are among `d`, `g`, `i`, `m`, `s`, `u`, `v` and `y`; `g` and `y` are
 * dropped (one match is looked for, from the start of the body).
 *
 * @param pattern The pattern as configured.
 * @returns The regex.
 * @throws {TypeError} If it does not compile.
 */
export function compileBodyRegex(pattern: string): RegExp {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(pattern);
  try {
    return literal ? new RegExp(literal[1], literal[2].replace(/[gy]/g, "")) : new RegExp(pattern);
  } catch (error) {
    throw new TypeError(
      `Cannot compile regex: ${
        (error as Error).message.replace(/^Invalid regular expression: /, "")
      }`,
    );
  }
}

/** The assertions of one HTTP scout, parsed. */
export interface Assertions {
  status: readonly StatusRange[];
  bodyContains?: string;
  bodyMatches?: RegExp;
  jsonPath?: { path: string; segments: readonly JsonPathSegment[] };
  /** Present when `json_equals` was configured (its value may be `null`). */
  jsonEquals?: { value: unknown };
}

/** The outcome of one assertion, as it goes into a tile. */
export interface AssertionResult {
  /** Which assertion. */
  assertion: "status" | "body_contains" | "body_matches" | "json_path";
  /** Whether it held. */
  ok: boolean;
  /** What was expected, in words. */
  expected: string;
  /** What was seen, shortened. */
  actual: string;
}

/** What the assertions look at. */
export interface AssertionInput {
  status: number;
  text: string;
  /** Parsed JSON, or why the body is not JSON. */
  json: { ok: true; value: unknown } | { ok: false; error: string };
}

/** The assertion settings of an HTTP scout, as its options name them. */
export interface AssertionOptions {
  expectStatus?: ReadonlyArray<string | number>;
  bodyContains?: string;
  bodyMatches?: string;
  jsonPath?: string;
  jsonEquals?: unknown;
}

/**
 * Parse an HTTP scout's assertion options.
 *
 * @param o The options.
 * @returns The parsed assertions.
 * @throws {TypeError} Naming the option that is invalid.
 */
export function buildAssertions(o: AssertionOptions): Assertions {
  const named = <T>(field: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw new TypeError(`Cannot create HTTP scout: '${field}': ${(error as Error).message}`);
    }
  };
  const status = named("expectStatus", () => {
    const specs = o.expectStatus ?? DEFAULT_EXPECT_STATUS;
    if (specs.length === 0) throw new TypeError("expected at least one status");
    return specs.map(parseStatusSpec);
  });
  const a: Assertions = { status, bodyContains: o.bodyContains };
  if (o.bodyMatches !== undefined) {
    a.bodyMatches = named("bodyMatches", () => compileBodyRegex(o.bodyMatches!));
  }
  if (o.jsonPath !== undefined) {
    a.jsonPath = {
      path: o.jsonPath,
      segments: named("jsonPath", () => parseJsonPath(o.jsonPath!)),
    };
    if (o.jsonEquals !== undefined) a.jsonEquals = { value: o.jsonEquals };
  } else if (o.jsonEquals !== undefined) {
    throw new TypeError("Cannot create HTTP scout: 'jsonEquals' needs 'jsonPath'");
  }
  return a;
}

const SHOW = 80;

/**
 * Run every configured assertion.
 *
 * @param a The assertions.
 * @param input Status, body text and parsed JSON, as the target sent them.
 * @param scrub Removes credentials from what a result quotes of the body,
 * before it is shortened (a cut credential would not be recognised).
 * @returns One result per assertion, status first.
 */
export function checkAssertions(
  a: Assertions,
  input: AssertionInput,
  scrub: (text: string) => string = (text) => text,
): AssertionResult[] {
  const out: AssertionResult[] = [{
    assertion: "status",
    ok: statusMatches(a.status, input.status),
    expected: a.status.map((r) => r.label).join(" or "),
    actual: String(input.status),
  }];
  if (a.bodyContains !== undefined) {
    const ok = input.text.includes(a.bodyContains);
    out.push({
      assertion: "body_contains",
      ok,
      expected: `contain ${JSON.stringify(show(a.bodyContains))}`,
      actual: ok ? "found" : "not found",
    });
  }
  if (a.bodyMatches) {
    a.bodyMatches.lastIndex = 0;
    const m = a.bodyMatches.exec(input.text);
    out.push({
      assertion: "body_matches",
      ok: m !== null,
      expected: `match ${show(String(a.bodyMatches))}`,
      actual: m ? `matched ${JSON.stringify(show(scrubMatch(input.text, m, scrub)))}` : "no match",
    });
  }
  if (a.jsonPath) {
    const { path, segments } = a.jsonPath;
    out.push(checkJsonPath(path, segments, a.jsonEquals, input.json, scrub));
  }
  return out;
}

/**
 * A match as it may be shown: scrubbed with the character before it, which
 * may be the `?`, `&` or `;` that makes a credential-named `name=value` of it.
 */
function scrubMatch(text: string, m: RegExpExecArray, scrub: (text: string) => string): string {
  const before = m.index > 0 ? text[m.index - 1] : "";
  return scrub(before + m[0]).slice(before.length);
}

function checkJsonPath(
  path: string,
  segments: readonly JsonPathSegment[],
  equals: { value: unknown } | undefined,
  json: AssertionInput["json"],
  scrub: (text: string) => string,
): AssertionResult {
  const expected = equals ? `${path} == ${show(canonicalJson(equals.value))}` : `${path} exists`;
  if (!json.ok) return { assertion: "json_path", ok: false, expected, actual: scrub(json.error) };
  const found = readJsonPath(json.value, segments);
  if (!found.found) return { assertion: "json_path", ok: false, expected, actual: "missing" };
  const actual = shownJson(found.value);
  if (actual === undefined) {
    // Nested too deeply to serialise: it exists, but cannot be compared.
    const actual = `a value nested too deeply to ${equals ? "compare" : "show"}`;
    return { assertion: "json_path", ok: !equals, expected, actual };
  }
  const ok = equals ? actual === canonicalJson(equals.value) : true;
  return { assertion: "json_path", ok, expected, actual: show(scrub(actual)) };
}

/**
 * A found value's canonical JSON, or `undefined` when it is nested thousands
 * deep and serialising it overflows the stack (a check's outcome, not a failed cycle).
 */
function shownJson(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return undefined;
  }
}

/**
 * JSON with object keys sorted, so equal values compare equal as strings.
 *
 * @param value A JSON value.
 * @returns Its canonical text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
        : v,
  ) ?? "undefined";
}

function show(text: string): string {
  return text.length > SHOW ? `${head(text, SHOW)}\u2026` : text;
}
