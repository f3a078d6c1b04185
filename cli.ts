/**
 * The `plato-scout` command line.
 *
 * ```sh
 * deno run -A jsr:@plato/scout/cli --help
 * ```
 *
 * It runs the bundled build of the command line in `dist/cli/`, made from
 * `lib/runtime/cli/main.ts` by `deno task build`: 22 files for an HTTP
 * `--once` run instead of 50 modules, which starts a run ~10 ms sooner.
 *
 * @module
 */
import type { main as sourceMain } from "./lib/runtime/cli/main.ts";
import denoJson from "./deno.json" with { type: "json" };

/** The package version. */
export const VERSION: string = denoJson.version;

/**
 * Run the command line with `argv` (without the program name).
 *
 * @example Print the version
 * ```ts
 * import { main } from "./cli.ts";
 *
 * const code = await main(["--version"]);
 * if (code !== 0) throw new Error(`exit ${code}`);
 * ```
 *
 * @param argv The arguments.
 * @returns The exit code: 0 ok, 1 failure, 2 usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const cli: { main: typeof sourceMain } = await import("./dist/cli/main.js");
  return await cli.main(argv);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
