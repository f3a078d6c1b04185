import type * as z from "zod/mini";
import type { FileSource } from "./log/file_source.ts";
import type { Awaitable } from "./outbox.ts";
import type { Scout, ScoutOptions } from "./scout.ts";
import type { StateStore } from "./state.ts";
import type { Timers } from "./timers.ts";

/** Reads a directory tree as text (the holodeck scout's view of a sessions folder). */
export interface DirReader {
  /**
   * Names of the entries directly under `path` (files and folders), or `null`
   * if it does not exist. `notUtf8` marks an entry whose name is not valid
   * UTF-8: it is listed with U+FFFD for the bad bytes, and no path built from
   * it opens.
   */
  list(
    path: string,
  ): Awaitable<Array<{ name: string; isDirectory: boolean; notUtf8?: boolean }> | null>;
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
  /** Timers for request deadlines (HTTP scout). Default the global ones. */
  timers?: Timers;
}

/** What {@linkcode WatchSchema.safeParse} returns: the data, or the error with its issues. */
export type WatchParseResult<W> =
  | { success: true; data: W; error?: never }
  | { success: false; data?: never; error: z.core.$ZodError<W> };

/**
 * The zod schema of a `watch:` section, built with classic `zod` or with
 * `zod/mini` (as the scouts a Worker runs are, to keep its bundle small):
 * both share zod's core, so either parses the same way and works in
 * `z.union`, `z.toJSONSchema` and the rest of either API.
 */
export interface WatchSchema<W> extends z.core.$ZodType<W> {
  /**
   * Parse `data`, or throw a zod error listing every issue.
   *
   * @param data The `watch:` section as written.
   * @param params zod parse options, e.g. `reportInput`.
   * @returns The validated section, defaults applied.
   */
  parse(data: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>): W;
  /**
   * Parse `data` without throwing.
   *
   * @param data The `watch:` section as written.
   * @param params zod parse options, e.g. `reportInput`.
   * @returns The validated section, or the error with every issue.
   */
  safeParse(
    data: unknown,
    params?: z.core.ParseContext<z.core.$ZodIssue>,
  ): WatchParseResult<W>;
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
  readonly watch: WatchSchema<W>;
  /** Build the scout. `options` carries name, room, PLATO, emitter and injectables. */
  create(options: ScoutOptions, watch: W, host: ScoutHost): Scout<unknown>;
}

/**
 * What building and running a scout needs of its kind: the `type` and the
 * factory, without the `watch:` schema. Every {@linkcode ScoutKind} is one;
 * the command line runs a plainly valid flag configuration with the HTTP
 * kind's factory alone, so that run never loads zod.
 */
export type ScoutFactory<W extends { type: string } = { type: string }> = Pick<
  ScoutKind<W>,
  "type" | "create"
>;
