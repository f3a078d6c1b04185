/**
 * The `watch:` section of an HTTP scout in scout.yaml, as zod checks it:
 * snake_case keys, defaults applied, every error naming its field.
 *
 * @module
 */
import * as z from "../lib/_zod_mini.ts";
import { compileBodyRegex, parseJsonPath, parseStatusSpec } from "./_http_assert.ts";
import {
  DEFAULT_MAX_BODY_BYTES,
  HTTP_METHODS,
  HTTP_WATCH_DEFAULTS as D,
  MAX_TIMEOUT_SECONDS,
} from "./_http_watch_plain.ts";

export { DEFAULT_MAX_BODY_BYTES };

/** A request method a probe may use. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** Reports what `parse` throws as an issue of the value being checked. */
const rejects = <T>(parse: (value: T) => unknown) =>
  z.superRefine<T>((value, ctx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

const STATUS_FORMS = "expected a status: a code (200), a class ('2xx') or a range ('200-299')";

const StatusItem = z.union([z.number().check(z.whole), z.string()], { error: STATUS_FORMS }).check(
  rejects(parseStatusSpec),
);

/**
 * A JSON value, as `json_equals` compares it with a body's. Checked by hand:
 * `z.json()` is a recursive schema, and with the memoizer it needs it adds
 * ~1.5 KB gzipped to the Worker bundle. Config values cannot be cyclic (the
 * config loader refuses a YAML alias inside its own anchor); the depth is
 * bounded anyway.
 */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth >= 64) return false;
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) &&
    Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

const httpWatchSchema = z.strictObject({
  type: z.literal("http"),
  url: z.string().check(z.httpUrl),
  method: z._default(
    z.pipe(
      z.transform((v: unknown) => (typeof v === "string" ? v.trim().toUpperCase() : v)),
      z.enum(HTTP_METHODS),
    ),
    D.method,
  ),
  headers: z._default(
    // An object whose every value is text: z.record would bring zod's record
    // schema into the Worker bundle (~0.5 KB gzipped) for the same check.
    z.catchall(z.object({}), z.string()),
    {},
  ).check(
    z.superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers)) {
        try {
          new Headers([[name, value]]);
        } catch {
          ctx.addIssue({ code: "custom", path: [name], message: "not a valid HTTP header" });
        }
      }
    }),
  ),
  body: z.optional(z.string()),
  timeout: z._default(z.number().check(z.gt(0), z.maximum(MAX_TIMEOUT_SECONDS)), D.timeout),
  expect_status: z._default(
    z.union([
      z.array(StatusItem).check(z.minLength(1)),
      z.pipe(StatusItem, z.transform((v) => [v])),
    ], { error: `${STATUS_FORMS}, or a list of them` }),
    [...D.expect_status],
  ),
  body_contains: z.optional(z.string().check(z.minLength(1))),
  body_matches: z.optional(z.string().check(z.minLength(1), rejects(compileBodyRegex))),
  json_path: z.optional(z.string().check(z.minLength(1), rejects(parseJsonPath))),
  json_equals: z.optional(
    z.unknown().check(
      z.refine(isJsonValue, {
        message: "expected a JSON value: null, true, false, a finite number, a string, " +
          "or a list or mapping of them",
      }),
    ),
  ),
  max_body_bytes: z._default(
    z.number().check(z.whole, z.minimum(1), z.maximum(64 << 20)),
    D.max_body_bytes,
  ),
  max_redirects: z._default(
    z.number().check(z.whole, z.minimum(0), z.maximum(20)),
    D.max_redirects,
  ),
  latency_alpha: z._default(z.number().check(z.gt(0), z.maximum(1)), D.latency_alpha),
  latency_threshold: z._default(z.number().check(z.gt(0), z.maximum(100)), D.latency_threshold),
  latency_warmup: z._default(
    z.number().check(z.whole, z.minimum(1), z.maximum(10_000)),
    D.latency_warmup,
  ),
  latency_min_delta_ms: z._default(z.number().check(z.minimum(0)), D.latency_min_delta_ms),
}).check(z.superRefine((w, ctx) => {
  if (w.json_equals !== undefined && w.json_path === undefined) {
    ctx.addIssue({ code: "custom", path: ["json_equals"], message: "needs json_path" });
  }
  if (w.body !== undefined && (w.method === "GET" || w.method === "HEAD")) {
    ctx.addIssue({
      code: "custom",
      path: ["body"],
      message: `needs a method other than ${w.method}`,
    });
  }
}));

/** A validated HTTP `watch:` section: snake_case keys as scout.yaml writes them, defaults applied. */
export interface HttpWatch {
  /** Always `http`. */
  type: "http";
  /** The target, http or https. User info and token query values are kept secret. */
  url: string;
  /** Default `GET`. */
  method: HttpMethod;
  /** Sent with every request; values are masked wherever the scout shows them. Default `{}`. */
  headers: Record<string, string>;
  /** A request body. */
  body?: string;
  /** Seconds for headers and body together. Default 5. */
  timeout: number;
  /** Codes (`200`), classes (`"2xx"`) or ranges (`"200-299"`). Default `["2xx", "3xx"]`. */
  expect_status: Array<string | number>;
  /** The body contains this text. */
  body_contains?: string;
  /** The body matches this regex (`source` or `/source/flags`). */
  body_matches?: string;
  /** A dotted path (`registry.total`, `a.b[0].c`) that exists in the JSON body, or equals `json_equals`. */
  json_path?: string;
  /** The value at `json_path`. */
  json_equals?: unknown;
  /** Most body bytes read per request. Default 1 MiB. */
  max_body_bytes: number;
  /** Redirects followed at most. Default 5. */
  max_redirects: number;
  /** EWMA weight of a new latency sample. Default 0.2. */
  latency_alpha: number;
  /** Deviations above the mean that make a latency anomaly. Default 4. */
  latency_threshold: number;
  /** Samples before anomalies are flagged. Default 5. */
  latency_warmup: number;
  /** An anomaly also exceeds the mean by at least this many ms. Default 50. */
  latency_min_delta_ms: number;
}

/** An HTTP `watch:` section before defaults: `type` and `url` are required. */
export type HttpWatchInput =
  & Pick<HttpWatch, "type" | "url">
  & Partial<Omit<HttpWatch, "type" | "url" | "expect_status" | "method">>
  & { method?: string; expect_status?: string | number | Array<string | number> };

/** The `watch:` section of an HTTP scout in scout.yaml (snake_case, defaults applied). */
export const HttpWatchSchema: z.ZodMiniType<HttpWatch, HttpWatchInput> =
  httpWatchSchema as z.ZodMiniType<HttpWatch, HttpWatchInput>;
