/**
 * The built-in scouts, each a {@linkcode ScoutKind}: `watch.type` in
 * scout.yaml and a subcommand of the CLI.
 *
 * @module
 */
import type { ScoutKind } from "../lib/scout_kind.ts";

export type { DirReader, ScoutHost, ScoutKind } from "../lib/scout_kind.ts";

/** Every built-in scout kind, in the order `--help` lists them. */
export const BUILTIN_SCOUTS: readonly ScoutKind[] = [];
