/**
 * Fault: PLATO down for 10,000 emissions, then back.
 *
 * Proves, with the real `plato-scout serve` and a scout process as separate
 * processes on loopback: all 10,000 tiles emitted while nothing listens on the
 * PLATO port are stored once the server starts there (checked by `id`: 10,000
 * distinct, 0 duplicates), and the scout's memory does not grow with the
 * backlog (the V8 heap after a forced GC, and VmRSS, at backlogs of 1,000 to
 * 10,000).
 *
 * The scout process is `testdata/outage_driver.ts`, which builds the delivery
 * path exactly as the CLI's `runConfig` does (SqliteOutbox + PlatoClient +
 * Emitter with the config defaults) and emits 10,000 tiles in scout-sized
 * chunks: the real CLI's scouts emit a few tiles per cycle, so 10,000 of them
 * would take minutes.
 */
import assert from "node:assert/strict";
import { countIds, freePort, roomTiles, spawnScript, spawnServe } from "./_harness.ts";

const DRIVER = new URL("./testdata/outage_driver.ts", import.meta.url).pathname;
const ROOM = "fault/outage-10k";
const COUNT = 10_000;
/** A backlog held in memory would add well over this much heap (10,000 tiles of ~400 bytes). */
const HEAP_GROWTH_BOUND = 1 << 20;
/** VmRSS growth allowed from 1,000 to 10,000 waiting (SQLite page cache, allocator slack). */
const RSS_GROWTH_BOUND_KB = 16 * 1024;

interface Mem {
  label: string;
  backlog: number;
  vmRssKb: number;
  heapUsed: number;
  gc: boolean;
}

Deno.test("10,000 tiles emitted while PLATO is down are all stored once when it comes back, with flat scout memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fault-outage-" });
  const port = freePort();
  const driver = spawnScript(
    DRIVER,
    [
      "--plato-url",
      `http://127.0.0.1:${port}`,
      "--state-dir",
      `${dir}/state`,
      "--count",
      String(COUNT),
      "--room",
      ROOM,
    ],
    { SCOUT_LOG_LEVEL: "warn" },
    ["--v8-flags=--expose-gc"],
  );
  let server: Awaited<ReturnType<typeof spawnServe>> | undefined;
  try {
    const backlog = JSON.parse((await driver.waitForLine(/^\{"event":"backlog"/, 60_000)).input!);
    assert.equal(backlog.pending, COUNT, "every emission waits in the outbox while PLATO is down");
    assert.equal(backlog.stats.delivered, 0);
    assert.ok(
      driver.lines.some((l) => /Delivery failed, \d+ tile\(s\) waiting/.test(l)),
      "the scout tried and failed while PLATO was down",
    );
    const mems: Mem[] = driver.lines.filter((l) => l.startsWith('{"event":"mem"')).map((l) =>
      JSON.parse(l)
    );
    assert.ok(mems.every((m) => m.gc), "measured after a forced GC");
    const first = mems.find((m) => m.backlog === 1_000)!;
    const last = mems.find((m) => m.backlog === COUNT)!;
    assert.ok(first && last, JSON.stringify(mems));
    const heapGrowth = Math.max(...mems.map((m) => m.heapUsed)) - first.heapUsed;
    const rssGrowth = Math.max(...mems.map((m) => m.vmRssKb)) - first.vmRssKb;
    console.log(
      `outage memory: heap ${first.heapUsed} -> ${last.heapUsed} B (max growth ${heapGrowth} B), ` +
        `VmRSS ${first.vmRssKb} -> ${last.vmRssKb} kB (max growth ${rssGrowth} kB)`,
    );
    assert.ok(heapGrowth < HEAP_GROWTH_BOUND, `heap grew ${heapGrowth} B with the backlog`);
    assert.ok(rssGrowth < RSS_GROWTH_BOUND_KB, `VmRSS grew ${rssGrowth} kB with the backlog`);

    // PLATO comes back on the same port.
    server = await spawnServe(`${dir}/rooms.db`, { port });
    const started = Date.now();
    const delivered = JSON.parse(
      (await driver.waitForLine(/^\{"event":"delivered"/, 120_000)).input!,
    );
    console.log(
      `outage backlog of ${COUNT} delivered ${Date.now() - started} ms after PLATO came back`,
    );
    assert.equal(delivered.report.pending, 0);
    assert.equal(delivered.stats.delivered, COUNT);
    assert.equal(delivered.stats.rejected, 0);
    assert.equal((await driver.done).code, 0);

    const tiles = await roomTiles(server.url, ROOM);
    const counts = countIds(tiles);
    assert.equal(tiles.length, COUNT, "10,000 stored");
    assert.equal(counts.size, COUNT, "0 duplicates");
    for (let i = 0; i < COUNT; i++) assert.equal(counts.get(`outage-${i}`), 1, `outage-${i}`);
  } finally {
    await driver.kill();
    await server?.kill("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
