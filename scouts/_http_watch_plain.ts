/**
 * The HTTP scout's `watch:` section without zod: its defaults (which the zod
 * schema in `_http_watch.ts` uses too) and {@linkcode resolvePlainHttpWatch},
 * which resolves a section whose every value is plainly valid, the way the
 * schema would, and declines anything else.
 *
 * Why: the command line's `http --url ... --once` builds such a section from
 * checked flags. Loading and building zod's schemas costs a short run more
 * than its own work (issue 4's start-up budget); a plainly valid section
 * skips them. Whatever this declines goes through the schema, which gives
 * every error message. `tests/plain_config_test.ts` checks, on generated
 * sections, that whatever this accepts the schema accepts with the same
 * result.
 *
 * @module
 */
import {
  compileBodyRegex,
  DEFAULT_EXPECT_STATUS,
  parseJsonPath,
  parseStatusSpec,
} from "./_http_assert.ts";
import { BASELINE_DEFAULTS } from "./_http_baseline.ts";
import type { HttpMethod, HttpWatch } from "./_http_watch.ts";

/** Default `max_body_bytes`: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES: number = 1 << 20;

/** The request methods a probe may use. */
export const HTTP_METHODS: readonly [HttpMethod, ...HttpMethod[]] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];

/** The `watch:` fields an HTTP section gets when it does not give them. */
export const HTTP_WATCH_DEFAULTS: {
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly expect_status: readonly string[];
  readonly max_body_bytes: number;
  readonly max_redirects: number;
  readonly latency_alpha: number;
  readonly latency_threshold: number;
  readonly latency_warmup: number;
  readonly latency_min_delta_ms: number;
} = {
  method: "GET",
  timeout: 5,
  expect_status: DEFAULT_EXPECT_STATUS,
  max_body_bytes: DEFAULT_MAX_BODY_BYTES,
  max_redirects: 5,
  latency_alpha: BASELINE_DEFAULTS.alpha,
  latency_threshold: BASELINE_DEFAULTS.threshold,
  latency_warmup: BASELINE_DEFAULTS.warmup,
  latency_min_delta_ms: BASELINE_DEFAULTS.minDeltaMs,
};

/** The longest `timeout`, seconds. */
export const MAX_TIMEOUT_SECONDS = 300;

/** The keys {@linkcode resolvePlainHttpWatch} resolves; any other declines. */
const PLAIN_KEYS = new Set([
  "type",
  "url",
  "method",
  "timeout",
  "expect_status",
  "body_contains",
  "body_matches",
  "json_path",
  "json_equals",
]);

const nonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

const doesNotThrow = (check: () => unknown): boolean => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

/**
 * Resolve an HTTP `watch:` section the way `HttpWatchSchema` does, when
 * every value in it is plainly valid: `url` an absolute http(s) URL with no
 * whitespace, `method` one of {@linkcode HTTP_METHODS} in any case,
 * `timeout` within 0..300 s, `expect_status` a non-empty list of statuses
 * as strings, the assertions well-formed, `json_equals` a JSON primitive.
 * Anything else (another key, a `${VAR}`, a value the schema would change
 * or refuse) declines.
 *
 * @param section The section, as flags built it.
 * @returns The resolved section, or `undefined`: let the schema decide.
 */
export function resolvePlainHttpWatch(section: Record<string, unknown>): HttpWatch | undefined {
  for (const [key, value] of Object.entries(section)) {
    if (!PLAIN_KEYS.has(key)) return undefined;
    // `${VAR}` is the schema's path's to interpolate (or refuse).
    if (typeof value === "string" && value.includes("${")) return undefined;
  }
  const { url, method, timeout, expect_status } = section;
  if (section.type !== "http" || typeof url !== "string") return undefined;
  if (/\s/.test(url) || !/^https?:\/\//i.test(url)) return undefined;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") return undefined;

  const out: HttpWatch = {
    type: "http",
    url,
    headers: {},
    ...HTTP_WATCH_DEFAULTS,
    expect_status: [...HTTP_WATCH_DEFAULTS.expect_status],
  };
  if (method !== undefined) {
    const upper = typeof method === "string" ? method.trim().toUpperCase() : undefined;
    const known = HTTP_METHODS.find((m) => m === upper);
    if (!known) return undefined;
    out.method = known;
  }
  if (timeout !== undefined) {
    if (typeof timeout !== "number" || !(timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
      return undefined;
    }
    out.timeout = timeout;
  }
  if (expect_status !== undefined) {
    if (!Array.isArray(expect_status) || expect_status.length === 0) return undefined;
    for (const item of expect_status) {
      if (typeof item !== "string" || !doesNotThrow(() => parseStatusSpec(item))) return undefined;
    }
    out.expect_status = [...expect_status];
  }
  for (const key of ["body_contains", "body_matches", "json_path"] as const) {
    const value = section[key];
    if (value === undefined) continue;
    if (!nonEmptyString(value)) return undefined;
    if (key === "body_matches" && !doesNotThrow(() => compileBodyRegex(value))) return undefined;
    if (key === "json_path" && !doesNotThrow(() => parseJsonPath(value))) return undefined;
    out[key] = value;
  }
  if (section.json_equals !== undefined) {
    // A JSON primitive, as `--json-equals` gives; arrays and objects are the schema's.
    const value = section.json_equals;
    const primitive = value === null || typeof value === "string" ||
      typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));
    if (!primitive || out.json_path === undefined) return undefined;
    out.json_equals = value;
  }
  return out;
}
