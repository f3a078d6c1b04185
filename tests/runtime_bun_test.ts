/**
 * The core and the Bun entrypoint under the real Bun binary from npm
 * (`npx -y bun@1`; Deno's installer skips npm install scripts, npx runs them).
 * The sources are bundled to one ES module with `deno bundle` first.
 */
import assert from "node:assert/strict";
import { bundle, npx } from "./_support/bundle.ts";
import { OUTAGE_503, TILES_PER_RUN } from "./_support/core_conformance.ts";
import { FakePlato } from "./_support/fake_plato.ts";

type Results = { results: Array<{ name: string; ok: boolean; detail?: string }> };

function lastJson(stdout: string): Results & { version?: string } {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`no JSON result in the output:\n${stdout}`);
  }
}

Deno.test("bun: the core conformance suite passes under Bun", async () => {
  const { path } = await bundle("tests/_support/core_conformance_cli.ts");
  const plato = new FakePlato().start();
  plato.faults.push(OUTAGE_503, "drop");
  try {
    const out = lastJson(await npx("bun@1", ["run", path, plato.url, "bun"]));
    for (const r of out.results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(out.results.length, 3);
    assert.equal(plato.stored.length, TILES_PER_RUN);
  } finally {
    plato.stop();
  }
});

Deno.test("bun: the Bun entrypoint's file source, Bun.serve metrics, scout cycle and outbox byte bound work", async () => {
  const { path } = await bundle("tests/_support/bun_adapter_check.ts");
  const plato = new FakePlato().start();
  try {
    const out = lastJson(await npx("bun@1", ["run", path, plato.url]));
    for (const r of out.results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(out.results.length, 4);
    const sources = plato.stored.map((t) => t.source);
    assert.deepEqual(sources.filter((s) => s === "bun-probe"), ["bun-probe", "bun-probe"]);
  } finally {
    plato.stop();
  }
});
