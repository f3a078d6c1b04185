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

// The layers `cli.ts http --once` loads, in dependency order.
// The live heap around zod's import (what its modules leave allocated), in MiB.
const heapBefore = Deno.memoryUsage().heapUsed / 1048576;
await time("import zod/mini (npm; 92 files, 64 of them locales)", () => import("zod/mini"));
const heapAfterZod = Deno.memoryUsage().heapUsed / 1048576;
await time(
  "import lib/config/schema.ts (config schemas built)",
  () => import("../lib/config/schema.ts"),
);
await time("import lib/ core (tile, client, emitter, scout)", async () => {
  await import("../lib/emitter.ts");
  await import("../lib/client.ts");
  await import("../lib/scout.ts");
});
await time(
  "import lib/runtime/runner.ts (node:sqlite, Deno glue)",
  () => import("../lib/runtime/runner.ts"),
);
await time(
  "import the CLI's command modules (cli.ts, scout_commands)",
  async () => {
    await import("../cli.ts");
    await import("../lib/runtime/cli/scout_commands.ts");
  },
);
await time("import scouts/http.ts (the HTTP kind, its schema)", () => import("../scouts/http.ts"));
// Last: what yaml adds if nothing above loaded it (near 0 when the CLI's graph still does).
await time("import yaml (npm), after all of the above", () => import("yaml"));

const dir = await Deno.makeTempDir({ prefix: "cli_startup_probe_" });
try {
  const { SqliteOutbox } = await import("../lib/runtime/sqlite_outbox.ts");
  const { SqliteState } = await import("../lib/runtime/sqlite_state.ts");
  const { openSqliteDatabase } = await import("../lib/runtime/_sqlite_db.ts");
  const { STATE_FILE } = await import("../lib/runtime/runner.ts");
  await time("open, use and close the SQLite state file (new, as --once does)", () => {
    const db = openSqliteDatabase(`${dir}/${STATE_FILE}`);
    const outbox = new SqliteOutbox(db, { maxEntries: 100_000, maxBytes: 1 << 28 });
    const state = new SqliteState(db);
    state.set("probe", "{}");
    outbox.append({
      id: "probe",
      domain: "bench/probe",
      question: "[PERIODIC] probe",
      answer: "{}",
      tags: [],
      confidence: 1,
      source: "probe",
      timestamp: new Date().toISOString(),
    });
    outbox.ack(outbox.peek(10).map((e) => e.tile.id));
    outbox.close();
    db.close();
  });
} finally {
  await Deno.remove(dir, { recursive: true });
}
console.log(JSON.stringify({ total: performance.now(), steps, heapBefore, heapAfterZod }));
