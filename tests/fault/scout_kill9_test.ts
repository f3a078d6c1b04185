/**
 * Fault: `kill -9` of the scout in the middle of a PLATO outage, a restart
 * while PLATO is still down, then PLATO back.
 *
 * Proves, with the real CLI (three log scouts) and the real `plato-scout serve`
 * as separate processes: every tile id in the scout's SQLite outbox at the
 * moment of the kill (read from `<state-dir>/scout.db`) is stored exactly
 * once after the restart, no tile of any room is stored twice, and the outbox
 * ends empty.
 */
import assert from "node:assert/strict";
import {
  countIds,
  freePort,
  outboxIds,
  roomTiles,
  spawnCli,
  spawnServe,
  waitUntil,
  writeLogScoutsConfig,
} from "./_harness.ts";

const ROOMS = ["fault/kill9/a", "fault/kill9/b", "fault/kill9/c"];
const BACKLOG = 60;

Deno.test("a scout killed with kill -9 mid-outage and restarted delivers every tile its outbox held exactly once when PLATO is back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fault-kill9-" });
  const state = `${dir}/state`;
  const port = freePort();
  const config = await writeLogScoutsConfig(dir, {
    prefix: "kill9",
    rooms: ROOMS,
    pollInterval: 0.2,
  });
  const args = ["--config", config, "--state-dir", state, "--deadline", "20"];
  const env = { PLATO_URL: `http://127.0.0.1:${port}`, SCOUT_LOG_LEVEL: "info" };
  const first = spawnCli(args, env);
  let second: ReturnType<typeof spawnCli> | undefined;
  let server: Awaited<ReturnType<typeof spawnServe>> | undefined;
  try {
    await first.waitForLine(/Delivery failed/);
    const before = await waitUntil("a backlog in the outbox", () => {
      const ids = outboxIds(state);
      return ids.length >= BACKLOG ? ids : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const status = await first.kill("SIGKILL");
    assert.equal(status.signal, "SIGKILL");
    const held = outboxIds(state); // what the killed scout had made durable
    assert.ok(held.length >= before.length, `${held.length} < ${before.length}`);
    assert.equal(new Set(held).size, held.length, "the outbox holds each id once");

    // Restart while PLATO is still down, then bring PLATO back.
    second = spawnCli(args, env);
    const waiting = await second.waitForLine(/(\d+) tile\(s\) from an earlier run wait/);
    assert.equal(Number(waiting[1]), held.length);
    server = await spawnServe(`${dir}/rooms.db`, { port });
    const url = server.url;
    await waitUntil("every held tile in the rooms", async () => {
      const stored = countIds((await Promise.all(ROOMS.map((r) => roomTiles(url, r)))).flat());
      return held.every((id) => stored.has(id)) ? true : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    second.child.kill("SIGTERM");
    assert.equal((await second.done).code, 0, second.lines.slice(-10).join("\n"));

    const stored = (await Promise.all(ROOMS.map((r) => roomTiles(url, r)))).flat();
    const counts = countIds(stored);
    for (const id of held) assert.equal(counts.get(id), 1, `tile ${id} stored ${counts.get(id)}x`);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], "nothing doubled");
    assert.deepEqual(outboxIds(state), [], "the outbox ends empty");
    console.log(
      `scout kill -9: ${held.length} tiles held at the kill, all stored once; ` +
        `${stored.length} tiles in the rooms in all`,
    );
  } finally {
    await first.kill();
    await second?.kill();
    await server?.kill("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
