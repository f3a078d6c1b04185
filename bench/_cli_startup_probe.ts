/**
 * Where the CLI's startup time goes, measured in one fresh process for
 * `cli_once_bench.ts`: milliseconds from the runtime's time origin to this
 * module's first line, then the marginal cost of importing each layer of the
 * CLI's module graph in dependency order (each import only pays for what the
 * previous ones did not load), then opening the SQLite outbox and state the
 * way `--once` does. Prints one JSON object on stdout.
 *
 *     deno run -A bench/_cli_startup_probe.ts
 *
 * @module
 */
const firstLine = performance.now();
const steps: { step: string; ms: number }[] = [{
  step: "runtime start to first line",
  ms: firstLine,
}];

async function time(step: string, work: () => Promise<unknown> | unknown): Promise<void> {
  const t0 = performance.now();
  await work();
  steps.push({ step, ms: performance.now() - t0 });
}

await time("import zod (npm)", () => import("zod"));
await time(
  "import lib/config/schema.ts (zod schemas built)",
  () => import("../lib/config/schema.ts"),
);
await time("import lib/ core (tile, client, emitter)", () => import("../mod.ts"));
await time("import scouts/mod.ts (4 scouts, their schemas)", () => import("../scouts/mod.ts"));
await time(
  "import lib/runtime/runner.ts (node:sqlite, Deno glue)",
  () => import("../lib/runtime/runner.ts"),
);
await time("import cli.ts (subcommands: serve, read, ...)", () => import("../cli.ts"));
// Last: what yaml adds if nothing above loaded it (near 0 when the CLI's graph still does).
await time("import yaml (npm), after all of the above", () => import("yaml"));

const dir = await Deno.makeTempDir({ prefix: "cli_startup_probe_" });
try {
  const { SqliteOutbox } = await import("../lib/runtime/sqlite_outbox.ts");
  const { SqliteState } = await import("../lib/runtime/sqlite_state.ts");
  await time("open SQLite outbox + state (new files)", () => {
    SqliteOutbox.open(`${dir}/outbox.db`, { maxEntries: 100_000, maxBytes: 1 << 28 }).close();
    SqliteState.open(`${dir}/state.db`).close();
  });
} finally {
  await Deno.remove(dir, { recursive: true });
}
console.log(JSON.stringify({ total: performance.now(), steps }));
