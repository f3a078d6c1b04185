/**
 * The command line's entry: what `cli.ts` runs, bundled (see `tools/build_cli.ts`).
 *
 * @module
 */
import { setEnvReader } from "../../env.ts";
import { oneLine, UsageError } from "../usage_error.ts";
import { type CommandEntry, COMMANDS } from "./commands.ts";
import denoJson from "../../../deno.json" with { type: "json" };

/** The package version. */
export const VERSION: string = denoJson.version;

/**
 * Run the command line with `argv` (without the program name).
 *
 * @param argv The arguments.
 * @returns The exit code: 0 ok, 1 failure, 2 usage error.
 */
export async function main(argv: string[]): Promise<number> {
  // Deno's own env API: touching `process` would load Node compatibility (see setEnvReader).
  setEnvReader((name) => Deno.env.get(name));
  const [first, ...rest] = argv;
  const byName = new Map<string, CommandEntry>(COMMANDS.map((c) => [c.name, c]));
  try {
    const entry = first !== undefined ? byName.get(first) : undefined;
    if (entry) {
      // Only the command being run is loaded (see COMMANDS).
      const command = await entry.load();
      return answered(command.help, rest) ? 0 : await command.run(rest);
    }
    const fallback = byName.get("run")!;
    if (first === "--version" || first === "-V") {
      console.log(`plato-scout ${VERSION}`);
      return 0;
    }
    if (first === undefined || first === "--help" || first === "-h") {
      console.log(topHelp());
      return 0;
    }
    if (!first.startsWith("-")) {
      throw new UsageError(`Unknown command '${first}' (see 'plato-scout --help')`);
    }
    // Flags without a command are the run command's: '--watch-url X --help'
    // asks for its help (and must not start a run), as 'run --watch-url X --help' does.
    const run = await fallback.load();
    return answered(run.help, argv) ? 0 : await run.run(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`plato-scout: ${oneLine(error.message)}`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    // A checkout installed without its deno.json cannot resolve 'zod' or 'yaml'.
    const missing = /Import "((?:zod|yaml)[^"]*)" not a dependency/.exec(message);
    if (missing) {
      console.error(
        `plato-scout: this installation cannot load '${
          missing[1]
        }': install from a checkout with ` +
          "its config (deno install -g -A -n plato-scout --config deno.json ./cli.ts), or from JSR",
      );
      return 2;
    }
    console.error(`plato-scout: ${message.split("\n")[0]}`);
    return 1;
  }
}

/**
 * `--help`/`-h` among a command's arguments prints its help, `--version`/`-V`
 * the version: either answers instead of running it. After `--` they are
 * arguments (`validate -- --help` checks a file named `--help`).
 *
 * @returns Whether it answered.
 */
function answered(help: string, argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const args = end < 0 ? argv : argv.slice(0, end);
  if (args.includes("--help") || args.includes("-h")) console.log(help);
  else if (args.includes("--version") || args.includes("-V")) console.log(`plato-scout ${VERSION}`);
  else return false;
  return true;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "plato-scout: watch services and emit checkpoint tiles to PLATO",
    "",
    "Usage: plato-scout [run flags] | plato-scout <command> [flags]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'plato-scout <command> --help' for a command's flags.",
  ].join("\n");
}
