/**
 * The built-in scouts, each a {@linkcode ScoutKind}: `watch.type` in
 * scout.yaml and a subcommand of the CLI (`plato-scout http|log|keeper|holodeck`).
 *
 * @module
 */
import type { ScoutKind } from "../lib/scout_kind.ts";
import { keeperScout } from "./keeper.ts";
import { logScoutKind } from "./log.ts";

export type { DirReader, ScoutHost, ScoutKind } from "../lib/scout_kind.ts";
export {
  createKeeperScout,
  KeeperScout,
  keeperScout,
  type KeeperScoutOptions,
  type KeeperWatch,
} from "./keeper.ts";
export {
  createLogScout,
  LogScout,
  logScoutKind,
  type LogScoutOptions,
  type LogWatch,
} from "./log.ts";

/** Every built-in scout kind, in the order `--help` lists them. */
export const BUILTIN_SCOUTS: readonly ScoutKind[] = [logScoutKind, keeperScout];
