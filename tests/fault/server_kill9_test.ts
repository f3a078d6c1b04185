/**
 * Fault: `kill -9` of the PLATO server in the middle of a stream of tiles.
 *
 * The real CLI (four log scouts, short cycles, small batches) delivers through
 * `_chaos_proxy.ts` in pass-through mode, which records every tile id the real
 * `plato-scout serve` answered "accepted" for. The server is killed with
 * SIGKILL mid-stream and restarted on the same database (on a new port the
 * proxy then forwards to). Proves, by `id`: every tile the server acknowledged
 * before the kill is in its rooms after the restart, the scout redelivers
 * everything else it sent, and nothing is stored twice (ids are idempotent).
 */
import assert from "node:assert/strict";
import { ChaosProxy } from "./_chaos_proxy.ts";
import {
  countIds,
  outboxIds,
  roomTiles,
  spawnCli,
  spawnServe,
  waitUntil,
  writeLogScoutsConfig,
} from "./_harness.ts";

const ROOMS = ["fault/server-kill9/a", "fault/server-kill9/b", "fault/server-kill9/c"];
const ACKED_BEFORE_KILL = 80;

Deno.test("after kill -9 of the PLATO server mid-stream, every tile it acknowledged survives the restart and the scout redelivers the rest once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fault-server-kill9-" });
  const db = `${dir}/rooms.db`;
  let server = await spawnServe(db);
  const proxy = new ChaosProxy(server.url);
  let scout: ReturnType<typeof spawnCli> | undefined;
  try {
    const config = await writeLogScoutsConfig(dir, {
      prefix: "stream",
      rooms: ROOMS,
      pollInterval: 0.1,
      emission: "  batch_size: 5\n  min_interval_seconds: 0.1\n",
    });
    scout = spawnCli(
      ["--config", config, "--state-dir", `${dir}/state`, "--deadline", "20"],
      { PLATO_URL: proxy.url, SCOUT_LOG_LEVEL: "info" },
    );
    // Kill the server with a batch on its way to it, once a stream has been acknowledged.
    const victim = server;
    const inFlight = Promise.withResolvers<string[]>();
    proxy.onForward = (ids) => {
      if (proxy.acknowledged.size < ACKED_BEFORE_KILL) return;
      proxy.onForward = undefined;
      victim.child.kill("SIGKILL");
      inFlight.resolve(ids);
    };
    const killedWith = await waitUntil(
      "the server to acknowledge a stream of tiles",
      () => Promise.race([inFlight.promise, Promise.resolve(undefined)]),
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const killed = await server.done;
    assert.equal(killed.signal, "SIGKILL");
    const acked = new Set(proxy.acknowledged); // nothing can be acknowledged after this
    const sentBeforeKill = proxy.seen.size;
    await waitUntil(
      "the scout to meet the dead server",
      () => proxy.requests.some((r) => r.action === "upstream_down") ? true : undefined,
      { timeoutMs: 30_000, intervalMs: 50 },
    );

    server = await spawnServe(db);
    const restarted = await Promise.all(ROOMS.map((r) => roomTiles(server.url, r)));
    const survived = countIds(restarted.flat());
    const lost = [...acked].filter((id) => !survived.has(id));
    assert.deepEqual(lost, [], "every acknowledged tile survived kill -9");

    proxy.setUpstream(server.url);
    const url = server.url;
    await waitUntil("the scout to redeliver what it sent", async () => {
      const stored = countIds((await Promise.all(ROOMS.map((r) => roomTiles(url, r)))).flat());
      return [...proxy.seen].every((id) => stored.has(id)) ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    scout.child.kill("SIGTERM");
    assert.equal((await scout.done).code, 0, scout.lines.slice(-10).join("\n"));

    const stored = (await Promise.all(ROOMS.map((r) => roomTiles(url, r)))).flat();
    const counts = countIds(stored);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], "nothing stored twice");
    assert.deepEqual([...proxy.seen].filter((id) => !counts.has(id)), [], "nothing lost");
    assert.equal(counts.size, proxy.seen.size, "only what the scout sent is stored");
    assert.deepEqual(outboxIds(`${dir}/state`), [], "the scout's outbox ends empty");
    console.log(
      `server kill -9: ${acked.size} acknowledged before the kill (all survived, ` +
        `${survived.size} on disk at restart), ${sentBeforeKill} sent before the kill, ` +
        `${killedWith.length} in the batch in flight at the kill (${
          killedWith.filter((id) => acked.has(id)).length
        } of them acknowledged), ${counts.size} stored once each in the end`,
    );
  } finally {
    await scout?.kill();
    await proxy.close();
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
