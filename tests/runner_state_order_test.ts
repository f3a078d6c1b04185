/**
 * The CLI runner's storage order: a cycle's tiles are durable before the
 * state that marks the cycle done, so a `kill -9` between the two repeats the
 * cycle instead of losing its tiles. And its stop: bounded by the deadline
 * even when a cycle ignores it.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { validateConfig } from "../lib/config/load.ts";
import { createLogger } from "../lib/logger.ts";
import { runConfig, STATE_FILE } from "../lib/runtime/runner.ts";
import { CheckpointType, Scout, type ScoutOptions } from "../mod.ts";
import type { ScoutFactory, ScoutHost } from "../lib/scout_kind.ts";
import { BUILTIN_SCOUTS } from "../scouts/mod.ts";
import { FakePlato } from "./_support/fake_plato.ts";

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

Deno.test("a --once run notes its startup tile as sent only once the tile is in the outbox", async () => {
  const dir = await Deno.makeTempDir({ prefix: "runner_order_" });
  const stateDir = `${dir}/state`;
  await Deno.writeTextFile(`${dir}/app.log`, "");
  const once = async (pollInterval: number) => {
    const result = validateConfig({
      scout: { name: "cron-scout", scout_room: "test/order", poll_interval: pollInterval },
      watch: { type: "log", file: `${dir}/app.log` },
    }, { kinds: BUILTIN_SCOUTS });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return await runConfig(result.config, {
      kinds: BUILTIN_SCOUTS,
      once: true,
      stateDir,
      platoUrl: "http://127.0.0.1:9", // nothing answers: the tiles stay in the outbox
      deadlineMs: 0,
      logger: createLogger({ level: "silent" }),
    });
  };
  try {
    assert.equal(await once(60), 1);
    // From now on, what the outbox holds whenever the note is written.
    const db = new DatabaseSync(`${stateDir}/${STATE_FILE}`);
    try {
      db.exec(`
        CREATE TABLE seen (tiles INTEGER NOT NULL);
        CREATE TRIGGER noted_insert AFTER INSERT ON state WHEN NEW.key LIKE '%announced%'
          BEGIN INSERT INTO seen SELECT COUNT(*) FROM outbox; END;
        CREATE TRIGGER noted_update AFTER UPDATE ON state WHEN NEW.key LIKE '%announced%'
          BEGIN INSERT INTO seen SELECT COUNT(*) FROM outbox; END;
      `);
    } finally {
      db.close();
    }
    // Another configuration: a new startup tile, noted once it waits beside the first run's two.
    assert.equal(await once(30), 1);
    const after = new DatabaseSync(`${stateDir}/${STATE_FILE}`, { readOnly: true });
    try {
      const rows = after.prepare("SELECT tiles FROM seen").all() as Array<{ tiles: number }>;
      assert.deepEqual(rows.map((r) => r.tiles), [4]);
      const questions = after.prepare("SELECT tile FROM outbox ORDER BY rowid").all()
        .map((r) => String(JSON.parse(String((r as { tile: string }).tile)).question));
      assert.equal(questions.filter((q) => q.startsWith("[STARTUP]")).length, 2, questions.join());
    } finally {
      after.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A scout whose cycle never ends and ignores the stop (a read blocked for
 * good), beside one that behaves (in that order: `quick` first for --once).
 */
function stuckAndQuick() {
  class StuckScout extends Scout<number> {
    override collect(): Promise<number> {
      return new Promise(() => {});
    }
  }
  class QuickScout extends Scout<number> {
    override collect(): number {
      return 7;
    }
  }
  const kinds: ScoutFactory[] = [
    { type: "log", create: (options) => new StuckScout(options) },
    { type: "http", create: (options) => new QuickScout(options) },
  ];
  const result = validateConfig({
    scouts: [
      {
        scout: { name: "quick", scout_room: "test/stuck" },
        watch: { type: "http", url: "http://127.0.0.1:9/" },
      },
      { scout: { name: "stuck", scout_room: "test/stuck" }, watch: { type: "log", file: "x.log" } },
    ],
  }, { kinds: BUILTIN_SCOUTS });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { kinds, config: result.config };
}

/** `run`, or a rejection when it has not settled after 20 s. */
async function within20s<T>(run: Promise<T>): Promise<T> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      run,
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error("the run never returned")), 20_000);
      }),
    ]);
  } finally {
    clearTimeout(guard);
  }
}

/** The stuck scout was named as left behind (deadline 2 s), and both scouts' SESSION_END stored. */
function assertLeftBehind(lines: string[], plato: FakePlato): void {
  const warning =
    "Stopping without waiting longer for stuck: its cycle did not end within 1s of the stop";
  assert.ok(lines.includes(warning), lines.join(" | "));
  const ends = plato.stored.filter((t) => String(t.question).startsWith("[SESSION_END]"));
  assert.deepEqual(ends.map((t) => t.source).sort(), ["quick", "stuck"]);
}

Deno.test("a stop does not wait for ever on a cycle that ignores it: the others end, SESSION_END goes out, the run returns", async () => {
  const dir = await Deno.makeTempDir({ prefix: "runner_stuck_" });
  const plato = new FakePlato().start();
  const { kinds, config } = stuckAndQuick();
  const stop = new AbortController();
  const lines: string[] = [];
  try {
    const code = await within20s(runConfig(config, {
      kinds,
      stateDir: `${dir}/state`,
      platoUrl: plato.url,
      deadlineMs: 2000,
      signal: stop.signal,
      logger: createLogger({ level: "debug", sink: (r) => lines.push(r.message) }),
      onReady: () => stop.abort(),
    }));
    assert.equal(code, 0);
    assertLeftBehind(lines, plato);
  } finally {
    plato.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A --once run of {@linkcode stuckAndQuick} with the CLI's SIGINT/SIGTERM
 * wired by hand (armed once the run lasts); `check` gets the signal to send,
 * the run, its log lines and PLATO.
 */
async function onceStuck(
  deadlineMs: number,
  check: (
    signal: () => void,
    run: Promise<number>,
    lines: string[],
    plato: FakePlato,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "runner_stuck_" });
  const plato = new FakePlato().start();
  const { kinds, config } = stuckAndQuick();
  const lines: string[] = [];
  const armed = Promise.withResolvers<() => void>();
  try {
    const run = runConfig(config, {
      kinds,
      once: true,
      stateDir: `${dir}/state`,
      platoUrl: plato.url,
      deadlineMs,
      stopSignals: (stop) => {
        armed.resolve(stop);
        return () => {};
      },
      logger: createLogger({ level: "debug", sink: (r) => lines.push(r.message) }),
    });
    await check(await within20s(armed.promise), run, lines, plato);
  } finally {
    plato.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a --once run stopped by a signal does not wait for ever on a cycle that ignores it", () =>
  onceStuck(2000, async (signal, run, lines, plato) => {
    signal();
    assert.equal(await within20s(run), 0);
    assertLeftBehind(lines, plato);
  }));

Deno.test("a second signal to a --once run waiting on a stuck cycle stops it all at once, the tiles kept", () =>
  onceStuck(60_000, async (signal, run, lines, plato) => {
    signal();
    signal(); // Ctrl-C twice: no 30 s wait for the stuck cycle, no delivery
    assert.equal(await within20s(run), 0);
    assert.ok(
      lines.some((l) => /^Stopped; \d+ tile\(s\) still waiting/.test(l)),
      lines.join(" | "),
    );
    assert.equal(plato.stored.length, 0);
  }));
