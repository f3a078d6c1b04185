/**
 * The CLI runner's storage order: a cycle's tiles are durable before the
 * state that marks the cycle done, so a `kill -9` between the two repeats the
 * cycle instead of losing its tiles.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { validateConfig } from "../lib/config/load.ts";
import { createLogger } from "../lib/logger.ts";
import { runConfig, STATE_FILE } from "../lib/runtime/runner.ts";
import { CheckpointType, Scout, type ScoutOptions } from "../mod.ts";
import type { ScoutFactory, ScoutHost } from "../lib/scout_kind.ts";
import { BUILTIN_SCOUTS } from "../scouts/mod.ts";

Deno.test("the runner writes a cycle's tiles before the state that marks the cycle done", async () => {
  const dir = await Deno.makeTempDir({ prefix: "runner_order_" });
  const stateDir = `${dir}/state`;
  // What a second process reading scout.db sees at the instant the state is
  // saved: what survives a kill -9 right after that write.
  const seen: Array<{ tiles: number; offset: string | undefined }> = [];
  const look = () => {
    const db = new DatabaseSync(`${stateDir}/${STATE_FILE}`, { readOnly: true });
    try {
      const tiles = (db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
      const row = db.prepare("SELECT value FROM state WHERE key LIKE '%offset'").get() as
        | { value: string }
        | undefined;
      seen.push({ tiles, offset: row?.value });
    } finally {
      db.close();
    }
  };
  // A scout like the log scout: emit the cycle's tile, then save how far it got.
  class OffsetScout extends Scout<number> {
    constructor(options: ScoutOptions, private host: ScoutHost) {
      super(options);
    }
    override collect(): number {
      return 42;
    }
    override async onPeriodic(offset: number): Promise<void> {
      this.emitCheckpoint({
        checkpointType: CheckpointType.PERIODIC,
        question: `read the file up to byte ${offset}`,
        answer: { offset, note: "lines summarised in this cycle" },
      });
      // Looked at in the same task as the write, before anything else runs.
      const saved = this.host.state.set("offset", String(offset));
      look();
      await saved;
    }
  }
  const factory: ScoutFactory = {
    type: "log",
    create: (options, _watch, host) => new OffsetScout(options, host),
  };
  const result = validateConfig({
    scout: { name: "order-scout", scout_room: "test/order", poll_interval: 60 },
    watch: { type: "log", file: `${dir}/app.log` },
  }, { kinds: BUILTIN_SCOUTS });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  try {
    const code = await runConfig(result.config, {
      kinds: [factory],
      once: true,
      stateDir,
      platoUrl: "http://127.0.0.1:9", // nothing answers: the tiles stay in the outbox
      deadlineMs: 0,
      logger: createLogger({ level: "silent" }),
    });
    assert.equal(code, 1);
    // STARTUP and the cycle's PERIODIC were on disk when the offset was.
    assert.deepEqual(seen, [{ tiles: 2, offset: "42" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
