/**
 * The built-in scouts, each a {@linkcode ScoutKind}: `watch.type` in
 * scout.yaml and a subcommand of the CLI (`plato-scout http|log|keeper|holodeck`),
 * and the runtime-neutral log engine the log scout runs on (other runtimes
 * supply their own {@linkcode FileSource}).
 *
 * @module
 */
import type { ScoutKind } from "../lib/scout_kind.ts";
import { holodeckScout } from "./holodeck.ts";
import { httpScout } from "./http.ts";
import { keeperScout } from "./keeper.ts";
import { logScoutKind } from "./log.ts";

export type {
  DirReader,
  ScoutFactory,
  ScoutHost,
  ScoutKind,
  WatchParseResult,
  WatchSchema,
} from "../lib/scout_kind.ts";
export type { Adventure, Scores, SessionRead } from "./_holodeck_session.ts";
export type { KeeperAgent, KeeperStats } from "./_keeper_api.ts";
export * from "./http.ts";
export * from "./log.ts";
export * from "./keeper.ts";
export * from "./holodeck.ts";
export * from "../lib/log/mod.ts";

/** Every built-in scout kind, in the order `--help` lists them. */
export const BUILTIN_SCOUTS: readonly ScoutKind[] = [
  httpScout,
  logScoutKind,
  keeperScout,
  holodeckScout,
];
