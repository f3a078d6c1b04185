/** The shared core conformance suite under Deno itself (the other runtimes run it too). */
import assert from "node:assert/strict";
import { OUTAGE_503, runCoreConformance, TILES_PER_RUN } from "./_support/core_conformance.ts";
import { FakePlato } from "./_support/fake_plato.ts";

Deno.test("deno: the core conformance suite passes under Deno", async () => {
  const plato = new FakePlato().start();
  plato.faults.push(OUTAGE_503, "drop");
  try {
    const results = await runCoreConformance(plato.url, "deno");
    for (const r of results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(results.length, 3);
    assert.equal(plato.stored.length, TILES_PER_RUN);
  } finally {
    plato.stop();
  }
});
