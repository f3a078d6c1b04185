import type { ScoutKind } from "../scout_kind.ts";
import { emissionSettings } from "./defaults.ts";
import { type InterpolatedValue, interpolateEnv } from "./interpolate.ts";
import { PARSE_OPTIONS } from "../_zod_messages.ts";
import { type ConfigProblem, formatPath, problemsFromZod } from "./issues.ts";
import { ConfigFileSchema, type ResolvedConfig, type ResolvedScout } from "./schema.ts";
import type * as z from "../_zod_mini.ts";

/** Options of {@linkcode validateConfig} and `loadConfig`. */
export interface LoadConfigOptions {
  /** The scout kinds `watch.type` may name. */
  kinds: readonly ScoutKind[];
  /** Reads an environment variable for `${VAR}`; default: none set. */
  env?: (name: string) => string | undefined;
  /**
   * Whether `${VAR}` is interpolated (default true). The CLI's flags pass
   * false: the shell has expanded them already, and a literal `${` (a log
   * pattern looking for unrendered templates) is meant as written.
   */
  interpolate?: boolean;
}

/** The result of validation: a config, or every problem found. */
export type LoadConfigResult =
  | { ok: true; config: ResolvedConfig }
  | { ok: false; problems: ConfigProblem[] };

type Path = Array<string | number>;

/** What `check` needs of a schema: the file's (zod/mini) or a kind's `watch` (either zod). */
interface Parser<T> {
  safeParse(
    data: unknown,
    params?: z.core.ParseContext<z.core.$ZodIssue>,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly z.core.$ZodIssue[] } };
}

/**
 * Validate an already-parsed config (from YAML, JSON or code): interpolate
 * `${VAR}`, check every section with zod, each `watch:` by its kind, and
 * report every problem found (each `watch:` section is checked even when
 * another part of the file is wrong). A number or boolean field given
 * `${VAR}` takes the variable's text as YAML would read it (`30`, `0.5`,
 * `true`). A problem with an interpolated value names the `${VAR}` it came
 * from, never the value, which may be a secret.
 *
 * @param raw The parsed value.
 * @param options Kinds and environment.
 * @param lineOf Maps a path to its source line, when there is a source.
 * @param keyHint Names the known key an unknown one may have meant
 * (`keyHint` from `key_hint.ts`; {@linkcode loadConfig} passes it, and a
 * Worker bundle, validating without it, stays smaller).
 * @returns The resolved config, or the problems: unknown keys first (a
 * misspelt key usually explains a missing one), then in file order.
 */
export function validateConfig(
  raw: unknown,
  options: LoadConfigOptions,
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined = () => undefined,
  keyHint?: (
    schema: unknown,
    path: ReadonlyArray<string | number>,
    key: string,
  ) => string | undefined,
): LoadConfigResult {
  const interpolated = options.interpolate === false
    ? { value: raw, problems: [], interpolated: [], secrets: [] }
    : interpolateEnv(raw, options.env ?? (() => undefined));
  // An unset variable is one problem; the rest of the file is still
  // checked, but not the value it left empty (that would be a second
  // problem for the same mistake).
  const problems: ConfigProblem[] = [];
  /** Note a problem at `path`. */
  const note = (path: Path, message: string) =>
    problems.push({ path: formatPath(path), message, line: lineOf(path) });
  for (const p of interpolated.problems) note(p.path, p.message);
  const broken = problems.map((p) => p.path);
  for (const i of interpolated.interpolated) readJsonField(interpolated.value, i);
  const templates = new Map(interpolated.interpolated.map((i) => [formatPath(i.path), i]));
  // A number or boolean is a `${VAR}` as its whole value (as the JSON Schema
  // says): `${POLL}0` is text, not the number 30.
  const fromEnv = new Set(
    interpolated.interpolated.filter((i) => i.whole).map((i) => formatPath(i.path)),
  );
  /** `value` quoted for a message, or the `${VAR}` text it came from (it may be a credential). */
  const quote = (path: Path, value: string) =>
    `'${templates.get(formatPath(path))?.template ?? value}'`;
  /** Parse `value` (at `prefix`) with `schema`, reading `${VAR}` numbers and booleans, noting problems. */
  const check = <T>(schema: Parser<T>, value: unknown, prefix: Path): T | undefined => {
    let result = schema.safeParse(value, PARSE_OPTIONS);
    if (!result.success) {
      const coerced = coerceEnvScalars(value, result.error.issues, prefix, fromEnv);
      if (coerced !== undefined) result = schema.safeParse(coerced, PARSE_OPTIONS);
    }
    if (result.success) return result.data;
    const issues = result.error.issues;
    const paths = issues.flatMap((i) =>
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => [...prefix, ...i.path, k])
        : [[...prefix, ...i.path]]
    ) as Path[];
    const found = problemsFromZod(issues, prefix);
    // An empty value is one fault: not also "may only contain ...".
    const empty = new Set(found.filter((p) => p.message === EMPTY).map((p) => p.path));
    found.forEach((p, i) => {
      if (broken.some((b) => samePlace(b, p.path))) return;
      if (empty.has(p.path) && p.message !== EMPTY) return;
      const from = templates.get(p.path);
      const path = paths[i] ?? [];
      let message = from === undefined
        ? p.message
        // The value may be a credential: name where it came from instead,
        // also where a check quotes it ("Cannot compile regex: /<value>/").
        : hideValue(
          p.message.replace(/, got .*$/s, `, got the value of '${from.template}'`),
          from.value,
          from.template,
        );
      if (message === UNKNOWN_KEY && keyHint) {
        const near = keyHint(schema, path.slice(prefix.length, -1), String(path.at(-1)));
        if (near) message += ` (did you mean '${near}'?)`;
      }
      problems.push({ ...p, message, line: lineOf(path) });
    });
    return undefined;
  };

  const value = interpolated.value;
  const file = check(ConfigFileSchema, value, []);
  const top = isRecord(value) ? value : {};
  const entries: Array<{ base: Path; scout: unknown; watch: unknown }> = [];
  if (top.scout !== undefined || top.watch !== undefined) {
    entries.push({ base: [], scout: top.scout, watch: top.watch });
  }
  if (Array.isArray(top.scouts)) {
    top.scouts.forEach((s, i) =>
      entries.push({
        base: ["scouts", i],
        scout: isRecord(s) ? s.scout : undefined,
        watch: isRecord(s) ? s.watch : undefined,
      })
    );
  }
  if (file && entries.length === 0) {
    problems.push({
      path: "(root)",
      message: "no scout configured: add 'scout:' and 'watch:', or a 'scouts:' list",
      line: 1,
    });
  }
  const kinds = new Map(options.kinds.map((k) => [k.type, k]));
  const watches: unknown[] = [];
  for (const entry of entries) {
    // A missing section of a scouts[] entry, or a watch without a usable
    // type, is the file schema's problem (already noted).
    if (entry.base.length === 0) {
      for (const section of ["scout", "watch"] as const) {
        if (entry[section] === undefined) {
          note([section], "is required");
        }
      }
    }
    const type = isRecord(entry.watch) ? entry.watch.type : undefined;
    const kind = typeof type === "string" ? kinds.get(type) : undefined;
    if (typeof type === "string" && type !== "" && !kind) {
      const typePath = [...entry.base, "watch", "type"];
      note(
        typePath,
        `unknown scout type ${quote(typePath, type)} (expected one of ${
          [...kinds.keys()].join(", ")
        })`,
      );
    }
    watches.push(kind ? check(kind.watch, entry.watch, [...entry.base, "watch"]) : undefined);
  }
  if (!file || problems.length) return { ok: false, problems: ordered(problems) };

  const sections = [
    ...(file.scout || file.watch ? [{ base: [] as Path, scout: file.scout! }] : []),
    ...(file.scouts ?? []).map((s, i) => ({ base: ["scouts", i] as Path, scout: s.scout })),
  ];
  const scouts: ResolvedScout[] = [];
  let platoUrl: string | undefined;
  const names = new Set<string>();
  sections.forEach(({ base, scout }, i) => {
    const namePath = [...base, "scout", "name"];
    if (names.has(scout.name)) {
      note(namePath, `duplicate scout name ${quote(namePath, scout.name)}`);
    }
    names.add(scout.name);
    if (scout.plato_url) {
      if (platoUrl && serverKey(platoUrl) !== serverKey(scout.plato_url)) {
        note([...base, "scout", "plato_url"], "all scouts in one process must share one plato_url");
      }
      platoUrl ??= scout.plato_url;
    }
    scouts.push({
      name: scout.name,
      room: scout.scout_room,
      pollInterval: scout.poll_interval,
      cron: scout.cron,
      watchedService: scout.watched_service,
      watch: watches[i] as ResolvedScout["watch"],
    });
  });
  if (problems.length) return { ok: false, problems: ordered(problems) };
  return {
    ok: true,
    config: {
      platoUrl,
      scouts,
      emission: emissionSettings(file.emission),
      stateDir: file.state_dir,
      ...(interpolated.secrets.length ? { secrets: interpolated.secrets } : {}),
    },
  };
}

/**
 * A plato_url as the server it names: `http://LOCALHOST:80/` and
 * `http://localhost` are one server (default port, host case, trailing '/').
 */
function serverKey(url: string): string {
  try {
    return new URL(url).href.replace(/\/+$/, "");
  } catch {
    return url; // the schema has refused it already
  }
}

/** Whether two dotted paths are one value, or one holds the other. */
function samePlace(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && /^$|^[.[]/.test(long.slice(short.length));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Unknown keys first (a misspelt key usually explains a missing one), then by line.
 *
 * @param problems Problems in the order found.
 * @returns The same problems, in the order shown.
 */
export function ordered(problems: ConfigProblem[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => p.message.startsWith(UNKNOWN_KEY) ? 0 : 1;
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) =>
      rank(a.p) - rank(b.p) || (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i
    )
    .map(({ p }) => p);
}

const NUMBER = [
  /^[-+]?[0-9]+$/,
  /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/,
];

/** An environment variable's text as YAML 1.2 reads an unquoted number or boolean. */
function envScalar(text: string, expected: string): number | boolean | undefined {
  const t = text.trim();
  if (expected === "boolean") {
    if (/^(true|True|TRUE)$/.test(t)) return true;
    if (/^(false|False|FALSE)$/.test(t)) return false;
    return undefined;
  }
  if (NUMBER.some((re) => re.test(t))) return Number(t);
  if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  return undefined;
}

/**
 * A copy of `value` where each interpolated string a number or boolean field
 * refused is read as that number or boolean; undefined when there is none.
 */
function coerceEnvScalars(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  prefix: Path,
  fromEnv: ReadonlySet<string>,
): unknown {
  let copy: unknown;
  for (const issue of issues) {
    const input = (issue as { input?: unknown }).input;
    if (
      issue.code !== "invalid_type" || typeof input !== "string" ||
      (issue.expected !== "number" && issue.expected !== "boolean") ||
      !fromEnv.has(formatPath([...prefix, ...issue.path]))
    ) continue;
    const scalar = envScalar(input, issue.expected);
    if (scalar === undefined || issue.path.length === 0) continue;
    copy ??= structuredClone(value);
    let node = copy as Record<PropertyKey, unknown>;
    for (const seg of issue.path.slice(0, -1)) node = node[seg] as Record<PropertyKey, unknown>;
    node[issue.path[issue.path.length - 1]] = scalar;
  }
  return copy;
}

/**
 * A `watch.json_equals` that came wholly from `${VAR}` takes the variable's
 * text as JSON when it parses, as `--json-equals` does (`true` is the
 * boolean, `3` the number, `ok` the text): set in place in `config`, which
 * interpolation built afresh.
 */
function readJsonField(config: unknown, { path, value, whole }: InterpolatedValue): void {
  if (!whole || path.slice(-2).join() !== "watch,json_equals") return;
  try {
    const parsed = JSON.parse(value);
    // deno-lint-ignore no-explicit-any -- a path interpolation walked
    path.slice(0, -1).reduce((node: any, seg) => node[seg], config).json_equals = parsed;
  } catch { /* not JSON: the text */ }
}

const UNKNOWN_KEY = "unknown key";
const EMPTY = "must not be empty";

/**
 * `message` with each quoted copy of an interpolated `value` ('value',
 * "value", /value/) replaced by the `${VAR}` text it came from; the rest of
 * the message (a list of choices the value is part of) is left alone.
 */
function hideValue(message: string, value: string, template: string): string {
  if (value.length === 0 || value === template) return message;
  for (const q of ["'", '"', "/"]) message = message.split(q + value + q).join(q + template + q);
  return message;
}
