/**
 * Checks the Bun entrypoint inside real Bun (bundled first): the file source
 * survives a rename, `Bun.serve` answers /metrics, and a configured scout's
 * cycle reaches PLATO. `bun run bun_adapter_check.mjs <platoUrl>`; prints one
 * JSON line of results.
 *
 * @module
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { validateConfig } from "../../lib/config/load.ts";
import { bunFileSource, runConfigBun } from "../../lib/runtime/bun.ts";
import { createLogger } from "../../lib/logger.ts";
import { Scout } from "../../lib/scout.ts";
import type { ScoutKind } from "../../lib/scout_kind.ts";

const platoUrl = (globalThis as unknown as { process: { argv: string[] } }).process.argv[2];
const results: Array<{ name: string; ok: boolean; detail?: string }> = [];
const test = async (name: string, body: () => Promise<void>) => {
  try {
    await body();
    results.push({ name, ok: true });
  } catch (error) {
    results.push({ name, ok: false, detail: (error as Error).stack });
  }
};
const check = (ok: unknown, message: string) => {
  if (!ok) throw new Error(message);
};

await test("bunFileSource reads a file that was renamed while open", async () => {
  const dir = mkdtempSync("/tmp/scout_bun_");
  try {
    const path = `${dir}/app.log`;
    writeFileSync(path, "one\ntwo\n");
    const files = bunFileSource();
    const info = await files.stat(path);
    check(info?.size === 8 && info.identity, `stat: ${JSON.stringify(info)}`);
    const file = (await files.open(path))!;
    check(file.identity === info!.identity, "identity differs between stat and open");
    renameSync(path, `${path}.1`);
    check((await files.stat(path)) === null, "stat of the old path is not null");
    const names = await files.list!(dir);
    check(names.length === 1 && names[0] === "app.log.1", `list: ${JSON.stringify(names)}`);
    check((await files.list!(`${dir}/none`)).length === 0, "list of a missing directory");
    const buffer = new Uint8Array(16);
    const n = await file.read(4, buffer);
    check(new TextDecoder().decode(buffer.subarray(0, n)) === "two\n", `read ${n} bytes`);
    check((await file.size()) === 8, "size after rename");
    await file.close();
    check((await files.open(path)) === null, "open of a missing path is not null");
  } finally {
    rmSync(dir, { recursive: true });
  }
});

const probe: ScoutKind<{ type: "probe" }> = {
  type: "probe",
  summary: "A scout that observes a constant",
  watch: z.strictObject({ type: z.literal("probe") }),
  create: (options) =>
    new (class extends Scout<{ value: number; runtime: string }> {
      protected override collect() {
        return { value: 7, runtime: `bun-${crypto.randomUUID()}` };
      }
    })(options),
};

await test("runConfigBun runs a cycle, serves /metrics with Bun.serve, and delivers", async () => {
  const r = validateConfig({
    scout: { name: "bun-probe", scout_room: "tests/bun" },
    watch: { type: "probe" },
  }, { kinds: [probe] });
  check(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  let metrics = "";
  const code = await runConfigBun(r.config, {
    kinds: [probe],
    once: true,
    platoUrl,
    metricsPort: 0,
    metricsHostname: "127.0.0.1",
    logger: { ...console, child: () => undefined } as never,
    onReady: async ({ metricsPort }) => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      metrics = await res.text();
    },
  });
  check(code === 0, `exit code ${code}`);
  check(metrics.includes("plato_scout_outbox_depth"), `metrics: ${metrics.slice(0, 200)}`);
});

await test("runConfigBun bounds its outbox by emission.outbox_max_bytes", async () => {
  const r = validateConfig({
    scout: { name: "bun-bytes", scout_room: "tests/bun" },
    watch: { type: "probe" },
    emission: { outbox_max_bytes: 1024 },
  }, { kinds: [probe] });
  check(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  const lines: string[] = [];
  const code = await runConfigBun(r.config, {
    kinds: [probe],
    once: true,
    platoUrl: "http://127.0.0.1:1", // nothing listens: every tile waits
    deadlineMs: 0,
    logger: createLogger({ level: "debug", sink: (record) => lines.push(record.message) }),
  });
  check(code === 1, `exit code ${code}`);
  // The STARTUP and PERIODIC tiles do not fit in 1 KiB together: the older is dropped.
  check(lines.some((l) => /^Outbox full: 1 oldest tile/.test(l)), lines.join(" | "));
});

await test("runConfigBun says that a cron: schedule is not followed under Bun", async () => {
  const r = validateConfig({
    scout: { name: "bun-cron", scout_room: "tests/bun", poll_interval: 3600, cron: "0 9 1 1 *" },
    watch: { type: "probe" },
  }, { kinds: [probe] });
  check(r.ok, JSON.stringify(r));
  if (!r.ok) return;
  const lines: string[] = [];
  const stop = new AbortController();
  const code = await runConfigBun(r.config, {
    kinds: [probe],
    platoUrl,
    signal: stop.signal,
    logger: createLogger({ level: "debug", sink: (record) => lines.push(record.message) }),
    onReady: () => {
      setTimeout(() => stop.abort(), 200);
      return Promise.resolve();
    },
  });
  check(code === 0, `exit code ${code}`);
  const warning =
    "scout 'bun-cron': Bun has no cron, so '0 9 1 1 *' is not followed; polling every 3600s";
  check(lines.includes(warning), lines.join(" | "));
});

console.log(JSON.stringify({ results }));
