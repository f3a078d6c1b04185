/**
 * The Worker entry and the core in real workerd, through miniflare from npm:
 * Cron Triggers deliver to a PLATO server on loopback, tiles wait in KV while
 * PLATO is down, and the KV outbox passes the shared conformance suite on
 * miniflare's real KV implementation.
 */
import assert from "node:assert/strict";
import { Miniflare } from "npm:miniflare@4";
import type { KVNamespace } from "../lib/runtime/cloudflare_types.ts";
import { KvOutbox } from "../lib/runtime/kv_outbox.ts";
import { bundle } from "./_support/bundle.ts";
import { OUTAGE_503, TILES_PER_RUN } from "./_support/core_conformance.ts";
import { agent, FakeKeeper } from "./_support/fake_keeper.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { outboxConformance } from "./outbox_conformance.ts";

const NODE_IMPORT = /(?:from\s*|import\s*\(\s*|require\(\s*|import\s+)["']node:/;
const TOKEN = "trigger-token-for-tests";

function workerOptions(script: string, bindings: Record<string, string>) {
  return {
    modules: true,
    script,
    compatibilityDate: "2025-01-01",
    kvNamespaces: ["SCOUT_KV"],
    bindings,
  };
}

const sources = (plato: FakePlato) =>
  plato.stored.filter((t) => t.source === "keeper-watch").length;

Deno.test("workerd: Cron Triggers deliver tiles; with PLATO down they wait in KV for the next run", async () => {
  const { text } = await bundle("tests/_support/workerd_scout_worker.ts", { minify: true });
  assert.doesNotMatch(text, NODE_IMPORT, "the Worker bundle imports a node: module");
  const plato = new FakePlato().start();
  const keeper = new FakeKeeper();
  keeper.agents = [agent(1), agent(2)];
  keeper.start();
  const scouts = {
    scouts: [{
      scout: { name: "keeper-watch", scout_room: "fleet/keeper", cron: "*/5 * * * *" },
      watch: { type: "keeper", url: keeper.url, timeout: 5 },
    }],
  };
  const mf = new Miniflare(workerOptions(text, {
    PLATO_URL: plato.url,
    SCOUTS: JSON.stringify(scouts),
    SCOUT_TRIGGER_TOKEN: TOKEN,
    SCOUT_LOG_LEVEL: "error",
  }));
  try {
    const worker = await mf.getWorker() as unknown as {
      scheduled(options: { cron: string }): Promise<{ outcome: string }>;
    };
    const kv = await mf.getKVNamespace("SCOUT_KV") as unknown as KVNamespace;

    assert.equal((await worker.scheduled({ cron: "*/5 * * * *" })).outcome, "ok");
    const first = sources(plato);
    assert.ok(first >= 2, `expected the startup and agent tiles, got ${first}`);
    assert.ok(plato.stored.some((t) => String(t.question).includes("initialized")));
    assert.equal(await kv.get("plato-scout:outbox"), null);

    // Another trigger does not run a scout with a different cron.
    assert.equal((await worker.scheduled({ cron: "0 * * * *" })).outcome, "ok");
    assert.equal(sources(plato), first);

    // PLATO down: the cycle's tiles wait in KV.
    plato.stop();
    keeper.agents.push(agent(3));
    assert.equal((await worker.scheduled({ cron: "*/5 * * * *" })).outcome, "ok");
    const waiting = JSON.parse((await kv.get("plato-scout:outbox"))!);
    assert.ok(waiting.entries.length >= 1, "no tile waits in KV");
    const ids = waiting.entries.map((e: { tile: { id: string } }) => e.tile.id);

    // PLATO back: the next scheduled run delivers them, and the key is gone.
    plato.start();
    assert.equal((await worker.scheduled({ cron: "*/5 * * * *" })).outcome, "ok");
    const stored = new Set(plato.stored.map((t) => t.id));
    for (const id of ids) assert.ok(stored.has(id), `tile ${id} did not arrive`);
    assert.equal(await kv.get("plato-scout:outbox"), null);
    // The startup tile went out once, not once per invocation.
    const startups = plato.stored.filter((t) => String(t.question).includes("initialized"));
    assert.equal(startups.length, 1);

    const health = await mf.dispatchFetch("http://worker/health");
    assert.equal(health.status, 200);
    assert.equal(
      ((await health.json()) as { scouts: Array<{ name: string }> }).scouts[0].name,
      "keeper-watch",
    );
    const denied = await mf.dispatchFetch("http://worker/run", {
      method: "POST",
      headers: { authorization: "Bearer wrong" },
    });
    assert.equal(denied.status, 401);
    await denied.arrayBuffer();
    const run = await mf.dispatchFetch("http://worker/run", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const report = await run.json() as {
      ran: string[];
      pending: number;
      subrequests: { checks: number };
    };
    assert.equal(run.status, 200, JSON.stringify(report));
    assert.deepEqual(report.ran, ["keeper-watch"]);
    assert.equal(report.pending, 0);
    assert.equal(report.subrequests.checks, 2);
  } finally {
    await mf.dispose();
    plato.stop();
    await keeper.stop();
  }
});

Deno.test("workerd: the core conformance suite passes inside a Worker", async () => {
  const { text } = await bundle("tests/_support/core_conformance_worker.ts");
  const plato = new FakePlato().start();
  plato.faults.push(OUTAGE_503, "drop");
  const mf = new Miniflare(workerOptions(text, { PLATO_URL: plato.url }));
  try {
    const res = await mf.dispatchFetch("http://worker/");
    const results = await res.json() as Array<{ name: string; ok: boolean; detail?: string }>;
    for (const r of results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
    assert.equal(results.length, 3);
    assert.equal(plato.stored.length, TILES_PER_RUN);
  } finally {
    await mf.dispose();
    plato.stop();
  }
});

// The KV outbox on miniflare's KV (the implementation `wrangler dev` uses). Each
// case gets its own key in one shared namespace.
let shared: Promise<{ mf: Miniflare; kv: KVNamespace }> | undefined;
let users = 0;
const CASES = 11;
outboxConformance("KvOutbox (miniflare KV)", async ({ capacity }) => {
  shared ??= (async () => {
    const mf = new Miniflare({
      modules: true,
      script: "export default { fetch() { return new Response('') } }",
      kvNamespaces: ["SCOUT_KV"],
    });
    return { mf, kv: await mf.getKVNamespace("SCOUT_KV") as unknown as KVNamespace };
  })();
  const { mf, kv } = await shared;
  users++;
  const outbox = await KvOutbox.load(kv, {
    key: `conformance:${crypto.randomUUID()}`,
    maxEntries: capacity,
    maxBytes: 64 << 20,
  });
  return {
    outbox,
    async dispose() {
      if (users === CASES) await mf.dispose();
    },
  };
});
