import type { z } from "zod";
import type { FileSource } from "./log/file_source.ts";
import type { Awaitable } from "./outbox.ts";
import type { Scout, ScoutOptions } from "./scout.ts";
import type { StateStore } from "./state.ts";

/** Reads a directory tree as text (the holodeck scout's view of a sessions folder). */
export interface DirReader {
  /** Names of the entries directly under `path` (files and folders), or `null` if it does not exist. */
  list(path: string): Awaitable<Array<{ name: string; isDirectory: boolean }> | null>;
  /** A text file's content, or `null` if it does not exist. */
  readText(path: string): Awaitable<string | null>;
}

/**
 * What the host runtime lends a built-in scout: durable state, and file
 * access where the runtime has a file system. A scout that needs a capability
 * the host lacks throws a `TypeError` naming it from `create`.
 */
export interface ScoutHost {
  /** State kept across restarts (offsets, agents seen, sessions reported). */
  state: StateStore;
  /** Byte-level file reading (log scout). */
  files?: FileSource;
  /** Directory listing and text reading (holodeck scout). */
  dirs?: DirReader;
}

/**
 * A built-in scout type, as `watch.type` in scout.yaml names it: the zod
 * schema of its `watch:` section (snake_case keys, defaults applied) and a
 * factory. Every kind lives in one file under `scouts/` and passes the shared
 * conformance suite.
 */
export interface ScoutKind<W extends { type: string } = { type: string }> {
  /** The `watch.type` value, also the CLI subcommand name. */
  readonly type: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Schema of the `watch:` section, including `type: z.literal(type)`. */
  readonly watch: z.ZodType<W>;
  /** Build the scout. `options` carries name, room, PLATO, emitter and injectables. */
  create(options: ScoutOptions, watch: W, host: ScoutHost): Scout<unknown>;
}
