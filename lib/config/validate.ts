import type { ScoutKind } from "../scout_kind.ts";
import { emissionSettings } from "./defaults.ts";
import { interpolateEnv } from "./interpolate.ts";
import { PARSE_OPTIONS } from "../_zod_messages.ts";
import { type ConfigProblem, formatPath, problemsFromZod } from "./issues.ts";
import { ConfigFileSchema, type ResolvedConfig, type ResolvedScout } from "./schema.ts";

/** Options of {@linkcode validateConfig} and `loadConfig`. */
export interface LoadConfigOptions {
  /** The scout kinds `watch.type` may name. */
  kinds: readonly ScoutKind[];
  /** Reads an environment variable for `${VAR}`; default: none set. */
  env?: (name: string) => string | undefined;
}

/** The result of validation: a config, or every problem found. */
export type LoadConfigResult =
  | { ok: true; config: ResolvedConfig }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Validate an already-parsed config (from YAML, JSON or code): interpolate
 * `${VAR}`, check every section with zod, each `watch:` by its kind.
 *
 * @param raw The parsed value.
 * @param options Kinds and environment.
 * @param lineOf Maps a path to its source line, when there is a source.
 * @returns The resolved config, or the problems.
 */
export function validateConfig(
  raw: unknown,
  options: LoadConfigOptions,
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined = () => undefined,
): LoadConfigResult {
  const withLines = (problems: ConfigProblem[], paths: Array<ReadonlyArray<string | number>>) =>
    problems.map((p, i) => ({ ...p, line: p.line ?? lineOf(paths[i] ?? []) }));

  const interpolated = interpolateEnv(raw, options.env ?? (() => undefined));
  if (interpolated.problems.length) {
    return {
      ok: false,
      problems: interpolated.problems.map((p) => ({
        path: formatPath(p.path),
        message: p.message,
        line: lineOf(p.path),
      })),
    };
  }
  const parsed = ConfigFileSchema.safeParse(interpolated.value, PARSE_OPTIONS);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const paths = issues.flatMap((i) =>
      i.code === "unrecognized_keys" ? i.keys.map((k) => [...i.path, k]) : [i.path]
    ) as Array<Array<string | number>>;
    // An unknown key usually explains a "required" one (a misspelling): list it first.
    const problems = withLines(problemsFromZod(issues), paths);
    const unknownFirst = [
      ...problems.filter((p) => p.message === "unknown key"),
      ...problems.filter((p) => p.message !== "unknown key"),
    ];
    return { ok: false, problems: unknownFirst };
  }
  const file = parsed.data;
  const entries: Array<
    { base: Array<string | number>; scout: typeof file.scout; watch: typeof file.watch }
  > = [];
  if (file.scout || file.watch) entries.push({ base: [], scout: file.scout, watch: file.watch });
  (file.scouts ?? []).forEach((s, i) =>
    entries.push({ base: ["scouts", i], scout: s.scout, watch: s.watch })
  );
  const problems: ConfigProblem[] = [];
  if (entries.length === 0) {
    problems.push({
      path: "(root)",
      message: "no scout configured: add 'scout:' and 'watch:', or a 'scouts:' list",
      line: 1,
    });
  }
  const scouts: ResolvedScout[] = [];
  const kinds = new Map(options.kinds.map((k) => [k.type, k]));
  let platoUrl: string | undefined;
  const names = new Set<string>();
  for (const entry of entries) {
    if (!entry.scout) {
      problems.push({
        path: formatPath([...entry.base, "scout"]),
        message: "is required",
        line: lineOf(entry.base),
      });
      continue;
    }
    if (!entry.watch) {
      problems.push({
        path: formatPath([...entry.base, "watch"]),
        message: "is required",
        line: lineOf(entry.base),
      });
      continue;
    }
    const kind = kinds.get(entry.watch.type);
    const typePath = [...entry.base, "watch", "type"];
    if (!kind) {
      problems.push({
        path: formatPath(typePath),
        message: `unknown scout type '${entry.watch.type}' (expected one of ${
          [...kinds.keys()].join(", ")
        })`,
        line: lineOf(typePath),
      });
      continue;
    }
    const watch = kind.watch.safeParse(entry.watch, PARSE_OPTIONS);
    if (!watch.success) {
      const prefix = [...entry.base, "watch"];
      const issues = watch.error.issues;
      const paths = issues.flatMap((i) =>
        i.code === "unrecognized_keys"
          ? i.keys.map((k) => [...prefix, ...i.path, k])
          : [[...prefix, ...i.path]]
      ) as Array<Array<string | number>>;
      problems.push(...withLines(problemsFromZod(issues, prefix), paths));
      continue;
    }
    const namePath = [...entry.base, "scout", "name"];
    if (names.has(entry.scout.name)) {
      problems.push({
        path: formatPath(namePath),
        message: `duplicate scout name '${entry.scout.name}'`,
        line: lineOf(namePath),
      });
    }
    names.add(entry.scout.name);
    if (entry.scout.plato_url) {
      if (platoUrl && platoUrl !== entry.scout.plato_url) {
        const p = [...entry.base, "scout", "plato_url"];
        problems.push({
          path: formatPath(p),
          message: "all scouts in one process must share one plato_url",
          line: lineOf(p),
        });
      }
      platoUrl ??= entry.scout.plato_url;
    }
    scouts.push({
      name: entry.scout.name,
      room: entry.scout.scout_room,
      pollInterval: entry.scout.poll_interval,
      cron: entry.scout.cron,
      watchedService: entry.scout.watched_service,
      watch: watch.data as ResolvedScout["watch"],
    });
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      platoUrl,
      scouts,
      emission: emissionSettings(file.emission),
      stateDir: file.state_dir,
    },
  };
}
