/**
 * Where the CLI's startup time goes, measured in one fresh process for
 * `cli_once_bench.ts`: milliseconds from the runtime's time origin to this
 * module's first line, then the marginal cost of importing each layer of the
 * module graph `cli.ts http --once` loads with plainly valid flags, in the
 * order it loads them (each import only pays for what the previous ones did
 * not load), then what the zod path would add, then opening the SQLite
 * outbox and state the way `--once` does. Prints one JSON object on stdout.
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

// The layers `cli.ts http --once` loads with plainly valid flags, in the
// order it loads them (lib/config/plain.ts: no zod on this path).
await time(
  "import the command modules (cli.ts, the http command: flags, runner, core, node:sqlite)",
  async () => {
    await import("../cli.ts");
    await import("../lib/runtime/cli/scout_commands.ts");
  },
);
await time(
  "import the plain config path (lib/config/plain.ts, the HTTP section's)",
  async () => {
    await import("../lib/config/plain.ts");
    await import("../scouts/_http_watch_plain.ts");
  },
);
await time(
  "import the HTTP scout's factory (scouts/_http_scout.ts)",
  () => import("../scouts/_http_scout.ts"),
);
// What the zod path (a config file, or flags left to the schemas) adds on top.
// The live heap around zod's import (what its modules leave allocated), in MiB.
const heapBefore = Deno.memoryUsage().heapUsed / 1048576;
await time(
  "zod path: import zod/mini (npm; 92 files, 64 of them locales)",
  () => import("zod/mini"),
);
const heapAfterZod = Deno.memoryUsage().heapUsed / 1048576;
await time(
  "zod path: import the config and HTTP schemas (validate.ts, scouts/http.ts)",
  async () => {
    await import("../lib/config/validate.ts");
    await import("../scouts/http.ts");
  },
);
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
