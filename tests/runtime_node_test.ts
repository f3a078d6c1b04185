/**
 * The core under `node` (≥ 20). Node 20 cannot run TypeScript, and the core
 * imports `.ts` files and the bare `zod`, so the suite is bundled to one ES
 * module with `deno bundle` first — as a JSR package reaches Node already
 * compiled to JavaScript.
 */
import assert from "node:assert/strict";
import { bundle } from "./_support/bundle.ts";
import { OUTAGE_503, TILES_PER_RUN } from "./_support/core_conformance.ts";
import { FakePlato } from "./_support/fake_plato.ts";

Deno.test("node: the core conformance suite passes under Node", async () => {
  const { path } = await bundle("tests/_support/core_conformance_cli.ts");
  const plato = new FakePlato().start();
  plato.faults.push(OUTAGE_503, "drop");
  try {
    const out = await new Deno.Command("node", {
      args: [path, plato.url, "node"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.ok(
      out.success,
      `node exited ${out.code}:\n${stdout}\n${new TextDecoder().decode(out.stderr)}`,
    );
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.ok(Number(result.version.slice(1).split(".")[0]) >= 20, result.version);
    for (const r of result.results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(result.results.length, 3);
    assert.equal(plato.stored.length, TILES_PER_RUN);
  } finally {
    plato.stop();
  }
});
