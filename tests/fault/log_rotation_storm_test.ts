/**
 * Fault: a log rotation storm under the real CLI log scout.
 *
 * 100,000 lines are written through 20 rotations, alternating rename-and-create
 * and copytruncate, while `plato-scout log` follows the file and delivers to
 * the real `plato-scout serve`. Proves, from the PERIODIC tiles read back from
 * the room (by `id`, none doubled): the per-interval `lines_matched` sum to the
 * matching lines written, `levels.ERROR` / `levels.WARN` to each level's lines,
 * `lines_scanned` to every line written, and `rotations` / `truncations` to the
 * renames and copytruncates done.
 *
 * Not tested, because lib/log/tailer.ts documents it as unsupported ("as with
 * `tail -F`"): lines written to a rotated file after the scout switched, and a
 * truncated file that grows past the old offset between two ticks. So the test
 * writes in bursts, lets the scout catch up (polling the room) before each
 * rotation, and after a copytruncate waits for the scout to report the
 * truncation before writing again.
 */
import assert from "node:assert/strict";
import {
  doubled,
  roomTiles,
  spawnCli,
  spawnServe,
  type StoredTile,
  waitUntil,
  writeConfig,
} from "./_harness.ts";

const ROOM = "fault/rotation-storm";
const TOTAL = 100_000;
const ROTATIONS = 20;
const BURSTS_PER_FILE = 3;

interface Totals {
  matched: number;
  scanned: number;
  error: number;
  warn: number;
  rotations: number;
  truncations: number;
  periodic: number;
}

function totals(tiles: StoredTile[]): Totals {
  const t = {
    matched: 0,
    scanned: 0,
    error: 0,
    warn: 0,
    rotations: 0,
    truncations: 0,
    periodic: 0,
  };
  for (const tile of tiles) {
    if (!tile.question.startsWith("[PERIODIC]")) continue;
    const a = JSON.parse(tile.answer);
    t.periodic++;
    t.matched += a.lines_matched;
    t.scanned += a.lines_scanned;
    t.error += a.levels?.ERROR ?? 0;
    t.warn += a.levels?.WARN ?? 0;
    t.rotations += a.rotations;
    t.truncations += a.truncations;
  }
  return t;
}

/** Line `i`: every 3rd an ERROR, every 7th (not 3rd) a WARN, the rest INFO. */
function line(i: number): string {
  if (i % 3 === 0) return `2026-05-19T22:30:00Z ERROR request ${i} failed on worker ${i % 8}`;
  if (i % 7 === 0) return `2026-05-19T22:30:00Z WARN queue depth ${i} above limit`;
  return `2026-05-19T22:30:00Z INFO request ${i} served in ${i % 97} ms`;
}

Deno.test("100,000 lines through 20 mixed rename and copytruncate rotations are all accounted for in the log scout's PERIODIC tiles", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fault-rotation-" });
  const file = `${dir}/app.log`;
  await Deno.writeTextFile(file, "");
  const server = await spawnServe(`${dir}/rooms.db`);
  // scout.yaml rather than `plato-scout log` flags only to shorten the emitter's
  // flush interval, so that each catch-up below takes a cycle, not a second.
  const config = await writeConfig(
    dir,
    "scout.yaml",
    [
      "scout: { name: storm-scout, scout_room: " + ROOM + ", poll_interval: 0.2 }",
      `watch: { type: log, file: "${file}", pattern: "ERROR|WARN" }`,
      "emission: { min_interval_seconds: 0.1 }",
      "",
    ].join("\n"),
  );
  const scout = spawnCli(
    ["--config", config, "--state-dir", `${dir}/state`],
    { PLATO_URL: server.url, SCOUT_LOG_LEVEL: "warn" },
  );
  const expected = { matched: 0, scanned: 0, error: 0, warn: 0, rotations: 0, truncations: 0 };
  const room = () => roomTiles(server.url, ROOM);
  const caughtUp = (what: string, ok: (t: Totals) => boolean) => {
    let last: Totals | undefined;
    return waitUntil(what, async () => {
      last = totals(await room());
      return ok(last) ? last : undefined;
    }, { timeoutMs: 60_000, intervalMs: 150, last: () => ({ last, expected }) });
  };
  const started = Date.now();
  try {
    // The scout follows from the end on first start: wait for its first cycle.
    await caughtUp("the first PERIODIC tile", (t) => t.periodic > 0);
    const files = ROTATIONS + 1;
    let i = 0;
    for (let f = 0; f < files; f++) {
      const end = Math.round((TOTAL * (f + 1)) / files);
      for (let b = 0; b < BURSTS_PER_FILE; b++) {
        const stop = b === BURSTS_PER_FILE - 1 ? end : i + Math.floor((end - i) / 2);
        const lines: string[] = [];
        for (; i < stop; i++) {
          const l = line(i);
          lines.push(l);
          if (l.includes(" ERROR ")) expected.error++;
          else if (l.includes(" WARN ")) expected.warn++;
        }
        await Deno.writeTextFile(file, lines.join("\n") + "\n", { append: true });
      }
      expected.scanned = i;
      expected.matched = expected.error + expected.warn;
      await caughtUp(`lines up to ${i}`, (t) => t.scanned >= expected.scanned);
      if (f === files - 1) break;
      if (f % 2 === 0) {
        await Deno.rename(file, `${file}.${f}`);
        await Deno.writeTextFile(file, "");
        expected.rotations++;
      } else {
        await Deno.copyFile(file, `${file}.${f}`);
        await Deno.truncate(file, 0);
        expected.truncations++;
        await caughtUp(
          `copytruncate ${expected.truncations} noticed`,
          (t) => t.truncations >= expected.truncations,
        );
      }
    }
    assert.equal(i, TOTAL);
    await caughtUp("the last rotation and lines", (t) => t.rotations >= expected.rotations);
    scout.child.kill("SIGTERM");
    assert.equal((await scout.done).code, 0, scout.lines.slice(-10).join("\n"));

    const tiles = await room();
    assert.deepEqual(doubled(tiles), [], "no tile stored twice");
    const got = totals(tiles);
    console.log(
      `rotation storm: ${TOTAL} lines (${expected.matched} matching) through ` +
        `${expected.rotations} renames + ${expected.truncations} copytruncates in ` +
        `${Date.now() - started} ms; ${got.periodic} PERIODIC tiles, ${tiles.length} tiles in all`,
    );
    assert.deepEqual(
      {
        matched: got.matched,
        scanned: got.scanned,
        error: got.error,
        warn: got.warn,
        rotations: got.rotations,
        truncations: got.truncations,
      },
      expected,
    );
  } finally {
    await scout.kill();
    await server.kill("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
