import type { Command } from "./command.ts";
import { schemaCommand, validateCommand } from "./config_commands.ts";
import { readCommand } from "./read.ts";
import { runCommand } from "./run.ts";
import { SCOUT_COMMANDS } from "./scout_commands.ts";
import { serveCommand } from "./serve.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: Command[] = [
  runCommand,
  ...SCOUT_COMMANDS,
  serveCommand,
  readCommand,
  validateCommand,
  schemaCommand,
];
