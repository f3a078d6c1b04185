/**
 * The command line from its source modules (`lib/runtime/cli/main.ts`, not
 * the bundle `cli.ts` runs): `cli_once_bench.ts` times the same `--once` run
 * this way, to show what the bundle saves.
 *
 *     deno run -A bench/_source_cli.ts http --url <target> --room <room> --once
 *
 * @module
 */
import { main } from "../lib/runtime/cli/main.ts";

Deno.exit(await main(Deno.args));
