/**
 * The built-in scout kinds, loaded on demand. A run needs only the kinds its
 * config names, and each kind's module builds its zod schemas when it is
 * evaluated, so the CLI imports a kind only when a run or a validation needs
 * it (`plato-scout schema` loads them all). The type names stay a static list,
 * so messages that list them do not depend on what has been loaded.
 *
 * @example The static names and summaries match the kinds themselves
 * ```ts
 * import { KIND_SUMMARIES, KIND_TYPES, loadAllKinds } from "./kind_loader.ts";
 * import { BUILTIN_SCOUTS } from "../../../scouts/mod.ts";
 * const loaded = await loadAllKinds();
 * const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
 * if (!same(loaded.map((k) => k.type), KIND_TYPES)) throw new Error("kind order drifted");
 * if (!same(BUILTIN_SCOUTS.map((k) => k.type), KIND_TYPES)) throw new Error("BUILTIN_SCOUTS drifted");
 * for (const k of loaded) {
 *   if (KIND_SUMMARIES[k.type] !== k.summary) throw new Error(`summary of ${k.type} drifted`);
 * }
 * ```
 *
 * @module
 */
import type { PlainWatchResolver } from "../../config/plain.ts";
import type { ScoutFactory, ScoutKind } from "../../scout_kind.ts";

/** Every built-in `watch.type`, in the order `--help` and error messages list them. */
export const KIND_TYPES: readonly string[] = ["http", "log", "keeper", "holodeck"];

/** Each built-in kind's one-line summary (the same as its `ScoutKind.summary`). */
export const KIND_SUMMARIES: Readonly<Record<string, string>> = {
  http: "Poll a URL: status, latency, body summary, assertions and up/down changes",
  log: "Follow a log file and summarise the lines matching a pattern",
  keeper: "Watch the fleet Keeper: agent registrations, status changes, routing stats",
  holodeck: "Watch holodeck sessions: starts, ends with a quality analysis, active count",
};

// String-literal specifiers, so `deno publish` can analyse and rewrite them.
const LOADERS: Readonly<Record<string, () => Promise<ScoutKind>>> = {
  http: () => import("../../../scouts/http.ts").then((m) => m.httpScout as ScoutKind),
  log: () => import("../../../scouts/log.ts").then((m) => m.logScoutKind as ScoutKind),
  keeper: () => import("../../../scouts/keeper.ts").then((m) => m.keeperScout as ScoutKind),
  holodeck: () => import("../../../scouts/holodeck.ts").then((m) => m.holodeckScout as ScoutKind),
};

/** Whether `type` names a built-in kind. */
export function isKindType(type: unknown): type is string {
  return typeof type === "string" && Object.hasOwn(LOADERS, type);
}

/**
 * Load the named built-in kinds (unknown names are skipped), in
 * {@linkcode KIND_TYPES} order, each once.
 */
export function loadKinds(types: Iterable<string>): Promise<ScoutKind[]> {
  return loadFrom(LOADERS, types);
}

/** Run the loaders of the named built-in kinds, in {@linkcode KIND_TYPES} order, each once. */
function loadFrom<T>(
  loaders: Readonly<Record<string, () => Promise<T>>>,
  types: Iterable<string>,
): Promise<T[]> {
  const wanted = new Set(types);
  return Promise.all(KIND_TYPES.filter((t) => wanted.has(t)).map((t) => loaders[t]()));
}

/** Load every built-in kind, in {@linkcode KIND_TYPES} order. */
export function loadAllKinds(): Promise<ScoutKind[]> {
  return loadKinds(KIND_TYPES);
}

/**
 * The kinds a raw (parsed, not yet validated) config needs: the `watch.type`
 * of its `watch:` and of each `scouts[].watch:`. When any of them is not
 * literally a built-in name (an unknown type, `${VAR}`, not a string), every
 * kind is loaded, so validation reports exactly what it reports with all of
 * them.
 */
export function kindsForRawConfig(raw: unknown): Promise<ScoutKind[]> {
  const types = new Set<string>();
  let all = false;
  const watchOf = (section: unknown) => {
    if (!section || typeof section !== "object") return;
    const watch = (section as Record<string, unknown>).watch;
    if (watch === undefined || watch === null) return;
    const type = typeof watch === "object" ? (watch as Record<string, unknown>).type : undefined;
    if (isKindType(type)) types.add(type);
    else all = true;
  };
  watchOf(raw);
  const scouts = raw && typeof raw === "object"
    ? (raw as Record<string, unknown>).scouts
    : undefined;
  if (Array.isArray(scouts)) scouts.forEach(watchOf);
  else if (scouts !== undefined && scouts !== null) all = true;
  return all ? loadAllKinds() : loadKinds(types);
}

// What running a kind needs (see ScoutFactory): the HTTP kind's factory has
// a module of its own without zod, for plainly valid flag runs.
const FACTORY_LOADERS: Readonly<Record<string, () => Promise<ScoutFactory>>> = {
  ...LOADERS,
  http: () =>
    import("../../../scouts/_http_scout.ts").then((m) => m.httpScoutFactory as ScoutFactory),
};

/**
 * The factories a validated config runs: only what building its scouts
 * needs, so a run whose config was resolved without zod does not load it.
 */
export function factoriesForConfig(
  config: { scouts: { watch: { type: string } }[] },
): Promise<ScoutFactory[]> {
  return loadFrom(FACTORY_LOADERS, config.scouts.map((s) => s.watch.type));
}

// Kinds whose flag-built `watch:` section can be resolved without zod.
const PLAIN_LOADERS: Readonly<Record<string, () => Promise<PlainWatchResolver>>> = {
  http: () =>
    import("../../../scouts/_http_watch_plain.ts").then((m) =>
      m.resolvePlainHttpWatch as PlainWatchResolver
    ),
};

/**
 * The resolver of `type`'s flag-built `watch:` section that works without
 * zod (see `lib/config/plain.ts`), if the kind has one.
 */
export function plainWatchResolver(type: string): Promise<PlainWatchResolver> | undefined {
  return Object.hasOwn(PLAIN_LOADERS, type) ? PLAIN_LOADERS[type]() : undefined;
}
