/**
 * Where the CLI's startup time goes, measured in one fresh process for
 * `cli_once_bench.ts`: milliseconds from the runtime's time origin to this
 * module's first line, then the marginal cost of loading each layer of the
 * bundled command line (`dist/cli/`) that `cli.ts http --once` loads, in the
 * order it loads them (each only pays for what the previous ones did not
 * load), then what the zod path would add, then opening the SQLite outbox and
 * state the way `--once` does. Prints one JSON object on stdout.
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

// The layers `cli.ts http --once` loads, in the order it loads them: the
// bundle's entry with the command table, then the http command's chunks
// (asked for its help, so that nothing runs; what it prints is dropped).
await time(
  "import the bundle's entry (dist/cli/main.js: the command table)",
  () => import("../dist/cli/main.js"),
);
await time(
  "load the http command (its chunks: flags, runner, core, node:sqlite)",
  async () => {
    const { main } = await import("../dist/cli/main.js");
    const log = console.log;
    console.log = () => {};
    try {
      await main(["http", "--help"]);
    } finally {
      console.log = log;
    }
  },
);
// What a config file's path adds on top (zod and yaml stay npm imports in the bundle).
// The live heap around zod's import (what its modules leave allocated), in MiB.
const heapBefore = Deno.memoryUsage().heapUsed / 1048576;
await time(
  "zod path: import zod/mini (npm; 92 files, 64 of them locales)",
  () => import("zod/mini"),
);
const heapAfterZod = Deno.memoryUsage().heapUsed / 1048576;
// Last: what yaml adds (a config file's path only).
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
