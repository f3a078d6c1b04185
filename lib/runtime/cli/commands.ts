import type { Command } from "./command.ts";
import { readCommand } from "./read.ts";
import { serveCommand } from "./serve.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: Command[] = [
  serveCommand,
  readCommand,
];
