/**
 * The built-in scouts, each a {@linkcode ScoutKind}: `watch.type` in
 * scout.yaml and a subcommand of the CLI (`plato-scout http|log|keeper|holodeck`).
 *
 * @module
 */
import type { ScoutKind } from "../lib/scout_kind.ts";
import { holodeckScout } from "./holodeck.ts";
import { httpScout } from "./http.ts";
import { keeperScout } from "./keeper.ts";
import { logScoutKind } from "./log.ts";

export type { DirReader, ScoutHost, ScoutKind } from "../lib/scout_kind.ts";
export { createHttpScout, HttpScout, httpScout } from "./http.ts";
export {
  createLogScout,
  LogScout,
  logScoutKind,
  type LogScoutOptions,
  type LogWatch,
} from "./log.ts";
export {
  createKeeperScout,
  KeeperScout,
  keeperScout,
  type KeeperScoutOptions,
  type KeeperWatch,
} from "./keeper.ts";
export { createHolodeckScout, HolodeckScout, holodeckScout } from "./holodeck.ts";

/** Every built-in scout kind, in the order `--help` lists them. */
export const BUILTIN_SCOUTS: readonly ScoutKind[] = [
  httpScout,
  logScoutKind,
  keeperScout,
  holodeckScout,
];
