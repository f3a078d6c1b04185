import type { Command } from "./command.ts";
import { KIND_SUMMARIES, KIND_TYPES } from "./kind_loader.ts";

/**
 * One row of the command table: what `--help` lists, and how to load the
 * command. Each command's module (and what it pulls in: the server, SQLite,
 * the scout kinds, zod schemas) is imported only when that command runs or
 * prints its own help, so starting one command does not evaluate the others.
 */
export interface CommandEntry {
  /** The word after `plato-scout`. */
  name: string;
  /** One line for the command list (the same as the loaded command's). */
  summary: string;
  /** Import the command's module; the command it resolves to has the same name. */
  load(): Promise<Command>;
}

/**
 * Every subcommand, in the order `--help` lists them.
 *
 * @example The static summaries match the commands they load
 * ```ts
 * import { COMMANDS } from "./commands.ts";
 * for (const entry of COMMANDS) {
 *   const command = await entry.load();
 *   if (command.name !== entry.name || command.summary !== entry.summary) {
 *     throw new Error(`command table drifted from '${entry.name}'`);
 *   }
 * }
 * ```
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run",
    summary: "Run scouts from flags (--watch-url, --watch-file) or --config scout.yaml",
    load: () => import("./run.ts").then((m) => m.runCommand),
  },
  ...KIND_TYPES.map((type): CommandEntry => ({
    name: type,
    summary: KIND_SUMMARIES[type],
    load: () => import("./scout_commands.ts").then((m) => m.kindCommand(type)),
  })),
  {
    name: "serve",
    summary: "Run a local PLATO room server (SQLite-backed)",
    load: () => import("./serve.ts").then((m) => m.serveCommand),
  },
  {
    name: "read",
    summary: "Print a PLATO room's tiles (--follow for live ones)",
    load: () => import("./read.ts").then((m) => m.readCommand),
  },
  {
    name: "validate",
    summary: "Check a scout.yaml and print what it would run",
    load: () => import("./config_commands.ts").then((m) => m.validateCommand),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of scout.yaml (for editor completion)",
    load: () => import("./config_commands.ts").then((m) => m.schemaCommand),
  },
];
