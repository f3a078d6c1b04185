import assert from "node:assert/strict";
import { checkGate, createLogger, createPlatoClient, Emitter, MemoryState } from "../mod.ts";
import { denoDirReader } from "../lib/runtime/deno_dir_reader.ts";
import type { StateStore } from "../lib/state.ts";
import type { Tile } from "../lib/tile.ts";
import { holodeckScout } from "../scouts/holodeck.ts";
import { SessionLedger } from "../scouts/_holodeck_ledger.ts";
import { readSession } from "../scouts/_holodeck_session.ts";
import type { Scout } from "../lib/scout.ts";
import { FakeClock } from "./_support/fake_clock.ts";

const quiet = createLogger({ level: "silent" });

interface Made {
  scout: Scout<unknown>;
  clock: FakeClock;
  /** Tiles emitted since the last call, each checked against the gate. */
  next(): Promise<Tile[]>;
  /** One tick, 30 s after the last, and the tiles it emitted. */
  tick(): Promise<Tile[]>;
}

function make(
  dir: string,
  state: StateStore = new MemoryState(),
  watch = {},
  logger = quiet,
): Made {
  const clock = new FakeClock();
  const scout = holodeckScout.create(
    {
      scoutName: "holodeck-scout",
      scoutRoom: "gc/research/scout-reports/holodeck",
      platoUrl: "http://127.0.0.1:9",
      now: clock.now,
      logger,
      emitter: new Emitter({
        client: createPlatoClient({ url: "http://127.0.0.1:9" }),
        autoFlush: false,
        logger: quiet,
      }),
    },
    holodeckScout.watch.parse({ type: "holodeck", sessions_dir: dir, ...watch }),
    { state, dirs: denoDirReader() },
  );
  let seen = 0;
  const next = async () => {
    const all = (await scout.emitter.outbox.peek(100_000)).map((e) => e.tile);
    const fresh = all.slice(seen);
    seen = all.length;
    for (const t of fresh) assert.deepEqual(checkGate(t), [], t.question);
    return fresh;
  };
  return {
    scout,
    clock,
    next,
    async tick() {
      clock.t += 30_000;
      const r = await scout.tick();
      assert.equal(r.ok, true, r.error);
      return next();
    },
  };
}

const kinds = (tiles: Tile[]) => tiles.map((t) => t.question.split("]")[0] + "]");
const answer = (t: Tile) => JSON.parse(t.answer);

/** A real-shaped adventure.json (PLATO-CONTRACT.md). */
function adventure(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Lighthouse",
    creator: "oracle1",
    objective: "Find the keeper's log",
    rooms: ["Shore", "Tower", { name: "Lamp Room" }],
    npc_names: ["Keeper Ada", "Nobody"],
    transcript: [],
    artifacts: [],
    started: "2026-11-24T10:00:00Z",
    ended: null,
    active: true,
    current_room_idx: 0,
    ...extra,
  };
}

const talk = [
  { timestamp: "2026-11-24T10:01:00Z", speaker: "oracle1", message: "Hello?", room: "Shore" },
  { timestamp: "2026-11-24T10:05:00Z", speaker: "Keeper Ada", message: "Up here.", room: "Tower" },
  { timestamp: "2026-11-24T10:09:00Z", speaker: "oracle1", message: "Found it.", room: "Tower" },
];

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "holodeck_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function session(dir: string, folder: string, files: Record<string, unknown>) {
  await Deno.mkdir(`${dir}/${folder}`, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const text = typeof content === "string" ? content : JSON.stringify(content, null, 2);
    const path = `${dir}/${folder}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(`${dir}/${folder}/${name}`, text);
  }
}

const LIGHTHOUSE = "lighthouse_20261124T100000Z";

Deno.test("a session folder that appears becomes one SESSION_START tile with name, creator, objective and rooms", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    assert.deepEqual(kinds(await h.tick()), ["[STARTUP]", "[PERIODIC]"]);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[SESSION_START]", "[PERIODIC]"]);
    assert.equal(
      tiles[0].question,
      "[SESSION_START] Lighthouse by oracle1: Find the keeper's log",
    );
    const start = answer(tiles[0]);
    assert.equal(start.session, LIGHTHOUSE);
    assert.deepEqual(start.rooms, ["Shore", "Tower", "Lamp Room"]);
    assert.equal(start.started, "2026-11-24T10:00:00.000Z");
    assert.equal(answer(tiles[1]).active_sessions, 1);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
  });
});

Deno.test("a half-written adventure.json is counted and retried on the next tick, not reported", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await Deno.mkdir(`${dir}/${LIGHTHOUSE}`);
    const full = JSON.stringify(adventure(), null, 2);
    let tiles = await h.tick();
    assert.equal(answer(tiles.at(-1)!).waiting_for_adventure_json, 1);
    await Deno.writeTextFile(`${dir}/${LIGHTHOUSE}/adventure.json`, full.slice(0, 70));
    tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[PERIODIC]"]);
    const periodic = answer(tiles[0]);
    assert.equal(periodic.unreadable_now, 1);
    assert.equal(periodic.unreadable[0].file, "adventure.json");
    await Deno.writeTextFile(`${dir}/${LIGHTHOUSE}/adventure.json`, full);
    tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[SESSION_START]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).unreadable_total, 1);
  });
});

Deno.test("a session ended by scores.json becomes a SESSION_END tile with its quality analysis", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure({ transcript: talk }) });
    await h.tick();
    await session(dir, LIGHTHOUSE, {
      "scores.json": {
        total_exchanges: 3,
        unique_speakers: 2,
        rooms_visited: "2/3",
        surprises_revealed: 1,
        artifacts_produced: 1,
        duration_minutes: 9,
      },
      "artifacts/log.md": "# The keeper's log",
    });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[SESSION_END]", "[PERIODIC]"]);
    assert.equal(tiles[0].question, "[SESSION_END] Lighthouse: 3 exchanges, 2 speakers, 2/3 rooms");
    const end = answer(tiles[0]);
    assert.equal(end.end_signal, "scores.json");
    assert.equal(end.quality, "ok");
    assert.equal(end.interesting, false);
    assert.equal(end.duration_minutes, 9);
    assert.equal(end.artifacts, 1);
    assert.deepEqual(end.transcript, { exchanges: 3, unique_speakers: 2, rooms_visited: 2 });
    assert.ok(!tiles[0].tags.includes("interesting"));
    assert.equal(answer(tiles[1]).active_sessions, 0);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
  });
});

Deno.test("a poor session ends as an interesting SESSION_END naming what was poor", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, "empty_20261124T090000Z", {
      "adventure.json": adventure({
        name: "Empty",
        started: "2026-11-24T09:00:00Z",
        ended: "2026-11-24T09:30:00Z",
        active: false,
      }),
    });
    const lonely = talk.map((t) => ({ ...t, speaker: "oracle1" }));
    await session(dir, "lonely_20261124T091000Z", {
      "adventure.json": adventure({ name: "Lonely", transcript: lonely, active: false }),
    });
    const ends = (await h.tick()).filter((t) => t.question.startsWith("[SESSION_END]"));
    assert.deepEqual(ends.map((t) => t.question), [
      "[SESSION_END] Empty: 0 exchanges, 0 speakers, 0/3 rooms (poor: no exchanges, nothing visited)",
      "[SESSION_END] Lonely: 3 exchanges, 1 speakers, 2/3 rooms (poor: one speaker)",
    ]);
    const empty = answer(ends[0]);
    assert.equal(empty.interesting, true);
    assert.equal(empty.end_signal, "ended");
    assert.equal(empty.duration_minutes, 30);
    assert.equal(answer(ends[1]).end_signal, "active=false");
    assert.ok(ends.every((t) => t.tags.includes("interesting") && t.tags.includes("quality:poor")));
  });
});

Deno.test("an unreadable scores.json of an ended session is retried, then reported without scores", async () => {
  await withDir(async (dir) => {
    const h = make(dir, new MemoryState(), { scores_retries: 2 });
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, active: false }),
      "scores.json": '{"total_exchanges": 3, "unique_',
    });
    // The folder appeared: its start is reported at once, its end once scores.json is given up on.
    assert.deepEqual(kinds(await h.tick()), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[SESSION_END]", "[PERIODIC]"]);
    const end = answer(tiles[0]);
    assert.match(end.scores_error, /JSON/);
    assert.equal(end.source, "transcript");
    assert.equal(end.exchanges, 3);
  });
});

Deno.test("malformed session files and stray entries never make a tick fail", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, "array_20261124T080000Z", { "adventure.json": "[1, 2, 3]" });
    await session(dir, "number_20261124T080100Z", { "adventure.json": "42" });
    await session(dir, "binary_20261124T080200Z", { "adventure.json": "\u0000\u00ff{{" });
    await session(dir, "odd_20261124T080300Z", {
      "adventure.json": { name: 7, rooms: "none", transcript: [null, 3, { speaker: 1 }] },
    });
    await Deno.writeTextFile(`${dir}/README.txt`, "not a session");
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).session, "odd_20261124T080300Z");
    assert.equal(answer(tiles[2]).unreadable_now, 3);
  });
});

Deno.test("a restarted holodeck scout with the same state reports each session once", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    const first = make(dir, state);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure({ transcript: talk }) });
    await session(dir, "done_20261124T080000Z", {
      "adventure.json": adventure({ name: "Done", transcript: talk, active: false }),
    });
    // "done" ended before it was first seen: its start, then its end.
    assert.deepEqual(kinds(await first.tick()), [
      "[STARTUP]",
      "[SESSION_START]",
      "[SESSION_END]",
      "[SESSION_START]",
      "[PERIODIC]",
    ]);
    const second = make(dir, state);
    assert.deepEqual(kinds(await second.tick()), ["[STARTUP]", "[PERIODIC]"]);
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, ended: "2026-11-24T10:10:00Z" }),
    });
    const third = make(dir, state);
    const tiles = await third.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_END]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).duration_minutes, 10);
    assert.deepEqual(kinds(await third.tick()), ["[PERIODIC]"]);
  });
});

Deno.test("sessions beyond the per-tick report budget wait for the next tick, oldest first", async () => {
  await withDir(async (dir) => {
    const h = make(dir, new MemoryState(), { max_reports_per_tick: 2 });
    for (let i = 5; i >= 1; i--) {
      await session(dir, `s${i}_20261124T0${i}0000Z`, {
        "adventure.json": adventure({ name: `S${i}`, transcript: talk, active: false }),
      });
    }
    // Each ended session costs two reports the first time it is seen: its start and its end.
    const reports = async () =>
      (await h.tick()).filter((t) => t.question.startsWith("[SESSION_"))
        .map((t) => `${t.question.slice(9, 12)} ${answer(t).name}`);
    assert.deepEqual(await reports(), ["STA S1", "END S1"]);
    assert.deepEqual(await reports(), ["STA S2", "END S2"]);
    assert.deepEqual(await reports(), ["STA S3", "END S3"]);
    assert.deepEqual(await reports(), ["STA S4", "END S4"]);
    assert.deepEqual(await reports(), ["STA S5", "END S5"]);
    assert.deepEqual(await reports(), []);
  });
});

Deno.test("a session folder moved away and back is one session: no second SESSION_START", async () => {
  await withDir(async (root) => {
    const dir = `${root}/sessions`;
    await Deno.mkdir(dir);
    const h = make(dir);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure({ transcript: talk }) });
    assert.deepEqual(kinds(await h.tick()), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    await Deno.rename(`${dir}/${LIGHTHOUSE}`, `${root}/${LIGHTHOUSE}`);
    const away = await h.tick();
    assert.deepEqual(kinds(away), ["[PERIODIC]"]);
    assert.equal(answer(away[0]).vanished, 1);
    await Deno.rename(`${root}/${LIGHTHOUSE}`, `${dir}/${LIGHTHOUSE}`);
    const back = await h.tick();
    assert.deepEqual(kinds(back), ["[PERIODIC]"]);
    assert.equal(answer(back[0]).active_sessions, 1);
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, ended: "2026-11-24T10:10:00Z" }),
    });
    assert.deepEqual(kinds(await h.tick()), ["[SESSION_END]", "[PERIODIC]"]);
  });
});

Deno.test("a session whose files cannot be read is listed as unreadable; the other sessions are reported", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    // An adventure.json that cannot be read as a file (as a mode-600 file of another user).
    await Deno.mkdir(`${dir}/bad_20261124T090000Z/adventure.json`, { recursive: true });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).session, LIGHTHOUSE);
    const periodic = answer(tiles[2]);
    assert.equal(periodic.unreadable_now, 1);
    assert.equal(periodic.unreadable[0].session, "bad_20261124T090000Z");
    assert.match(periodic.unreadable[0].reason, /not a regular file \(a folder\)/);
  });
});

Deno.test("a missing sessions folder is an ERROR tile, and the scout carries on once it exists", async () => {
  await withDir(async (root) => {
    const dir = `${root}/sessions`;
    const h = make(dir);
    const r = await h.scout.tick();
    assert.equal(r.ok, false);
    const tiles = await h.next();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[ERROR]"]);
    assert.match(tiles[1].question, /Sessions folder ".*\/sessions" does not exist/);
    assert.ok(tiles[1].tags.includes("interesting"));
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    assert.deepEqual(kinds(await h.tick()), ["[SESSION_START]", "[PERIODIC]"]);
  });
});

Deno.test("the holodeck watch section applies defaults, and the kind needs directory access", () => {
  const watch = holodeckScout.watch.parse({ type: "holodeck" });
  assert.deepEqual(watch, {
    type: "holodeck",
    sessions_dir: "sessions",
    max_sessions: 10_000,
    max_reports_per_tick: 20,
    scores_retries: 5,
  });
  assert.equal(holodeckScout.watch.safeParse({ type: "holodeck", dir: "x" }).success, false);
  assert.throws(
    () =>
      holodeckScout.create({ scoutName: "h", scoutRoom: "r" }, watch, { state: new MemoryState() }),
    /lends no directory access \('dirs'\)/,
  );
});

const sessionsKey = "holodeck:holodeck-scout:sessions";
const reports = (tiles: Tile[]) =>
  tiles.filter((t) => t.question.startsWith("[SESSION_")).map((t) =>
    `${t.question.slice(9, 12)} ${answer(t).session}`
  );

Deno.test("an ended session is forgotten once its folder is gone, and is not reported again if the folder comes back", async () => {
  await withDir(async (root) => {
    const dir = `${root}/sessions`;
    await Deno.mkdir(dir);
    const state = new MemoryState();
    const h = make(dir, state);
    const ended = adventure({ transcript: talk, active: false });
    const folders = ["a_20261124T080000Z", "b_20261124T081000Z", "c_20261124T082000Z", "scratch"];
    for (const folder of folders) await session(dir, folder, { "adventure.json": ended });
    // A folder the scout cannot report yet, older than the sessions about to be forgotten.
    await Deno.mkdir(`${dir}/early_20261124T070000Z`);
    const first = await h.tick();
    assert.equal(reports(first).length, 8);
    assert.equal(answer(first.at(-1)!).sessions_remembered, 4);
    for (const folder of ["a_20261124T080000Z", "b_20261124T081000Z", "scratch"]) {
      await Deno.rename(`${dir}/${folder}`, `${root}/${folder}`);
    }
    const gone = await h.tick();
    // "scratch" has no timestamp suffix: only remembering it keeps it from being reported again.
    assert.equal(answer(gone.at(-1)!).sessions_remembered, 2);
    const saved = JSON.parse((await state.get(sessionsKey))!);
    assert.deepEqual(saved.ended.sort(), ["c_20261124T082000Z", "scratch"]);
    for (const folder of ["a_20261124T080000Z", "scratch"]) {
      await Deno.rename(`${root}/${folder}`, `${dir}/${folder}`);
    }
    await session(dir, "early_20261124T070000Z", { "adventure.json": adventure() });
    assert.deepEqual(reports(await h.tick()), ["STA early_20261124T070000Z"]);
    // A restart with the same state reports nothing again.
    const again = make(dir, state);
    assert.deepEqual(kinds(await again.tick()), ["[STARTUP]", "[PERIODIC]"]);
  });
});

Deno.test("a session whose folder vanishes before it ends is counted as vanished for ten minutes, then given up once, never started again", async () => {
  await withDir(async (root) => {
    const dir = `${root}/sessions`;
    await Deno.mkdir(dir);
    const h = make(dir);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure({ transcript: talk }) });
    assert.deepEqual(reports(await h.tick()), [`STA ${LIGHTHOUSE}`]);
    await Deno.rename(`${dir}/${LIGHTHOUSE}`, `${root}/${LIGHTHOUSE}`);
    const counts = [];
    for (let i = 0; i < 22; i++) {
      const a = answer((await h.tick()).at(-1)!);
      counts.push(`${a.vanished}/${a.vanished_given_up}/${a.sessions_remembered}`);
    }
    // Missing from the first tick on (t = 30 s), given up ten minutes later (t = 630 s).
    assert.deepEqual(counts, [
      ...Array(20).fill("1/0/1"),
      "0/1/0",
      "0/0/0",
    ]);
    await Deno.rename(`${root}/${LIGHTHOUSE}`, `${dir}/${LIGHTHOUSE}`);
    assert.deepEqual(reports(await h.tick()), []);
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, ended: "2026-11-24T10:10:00Z" }),
    });
    assert.deepEqual(reports(await h.tick()), []);
  });
});

Deno.test("a ledger written before sessions were forgotten loads, and its sessions whose folders are gone are forgotten", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    const done = "done_20261124T080000Z";
    const old = "old_20261124T070000Z";
    // The value the previous version wrote.
    await state.set(
      sessionsKey,
      JSON.stringify({ v: 1, started: [LIGHTHOUSE], ended: [old, done], mark: "" }),
    );
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure({ transcript: talk }) });
    await session(dir, done, {
      "adventure.json": adventure({ name: "Done", transcript: talk, active: false }),
    });
    const h = make(dir, state);
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).active_sessions, 1);
    assert.equal(answer(tiles[1]).sessions_remembered, 2);
    const saved = JSON.parse((await state.get(sessionsKey))!);
    assert.deepEqual(saved.ended, [done]);
    assert.equal(saved.mark, `20261124T070000Z|${old}`);
  });
});

Deno.test("a full ledger's eviction keeps a listed, never-reported older session reportable", async () => {
  const ledger = new SessionLedger(new MemoryState(), "k", 4);
  await ledger.load();
  const folder = (n: number) => `s${n}_2026120${n}T000000Z`;
  // s1, the oldest, is listed but waits (its adventure.json is not written yet).
  for (let n = 2; n <= 6; n++) {
    const listed = new Set([folder(1), ...Array.from({ length: n - 1 }, (_, i) => folder(i + 2))]);
    ledger.sweep(listed, 0);
    ledger.markStarted(folder(n));
    ledger.markEnded(folder(n));
  }
  assert.equal(ledger.isEnded(folder(1)), false, "s1 was never reported");
  assert.equal(ledger.isEnded(folder(2)), true);
});

/** A cron job's run: a fresh scout over the kept state, one cycle at `at`; its tiles but the startup tile. */
async function cronRun(dir: string, state: StateStore, at: number, watch = {}): Promise<Tile[]> {
  const run = make(dir, state, watch);
  run.clock.t = at - 30_000;
  return (await run.tick()).filter((t) => !t.question.startsWith("[STARTUP]"));
}

const countsKey = `${sessionsKey}:counts`;

Deno.test("under cron (a fresh scout per cycle) an ended session whose scores.json stays unreadable ends after scores_retries runs", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, active: false }),
      "scores.json": '{"total_exchanges": 3, "unique_',
    });
    const t0 = Date.UTC(2026, 10, 24, 12);
    const runs = [];
    for (let i = 0; i < 8; i++) {
      const tiles = await cronRun(dir, state, t0 + i * 60_000, { scores_retries: 5 });
      const periodic = answer(tiles.at(-1)!);
      runs.push(
        `${reports(tiles).join(",")}|${periodic.active_sessions}|${periodic.unreadable_total}`,
      );
      if (i === 5) {
        const end = answer(tiles.find((t) => t.question.startsWith("[SESSION_END]"))!);
        assert.match(end.scores_error, /JSON/);
        assert.equal(end.source, "transcript");
        // Ended: its retries are forgotten with it.
        assert.deepEqual(JSON.parse((await state.get(countsKey))!), { v: 1, total: 5, tries: [] });
      }
    }
    // As a long run: retried five cycles, reported without scores on the sixth.
    assert.deepEqual(runs, [
      `STA ${LIGHTHOUSE}|1|1`,
      "|1|2",
      "|1|3",
      "|1|4",
      "|1|5",
      `END ${LIGHTHOUSE}|0|5`,
      "|0|5",
      "|0|5",
    ]);
  });
});

Deno.test("under cron the unreadable files met are summed over runs, and a half-written adventure.json still waits", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    await Deno.mkdir(`${dir}/${LIGHTHOUSE}`);
    const full = JSON.stringify(adventure(), null, 2);
    await Deno.writeTextFile(`${dir}/${LIGHTHOUSE}/adventure.json`, full.slice(0, 70));
    const t0 = Date.UTC(2026, 10, 24, 12);
    const totals = [];
    for (let i = 0; i < 3; i++) {
      const tiles = await cronRun(dir, state, t0 + i * 60_000);
      assert.deepEqual(kinds(tiles), ["[PERIODIC]"]);
      totals.push(answer(tiles[0]).unreadable_total);
    }
    await Deno.writeTextFile(`${dir}/${LIGHTHOUSE}/adventure.json`, full);
    const tiles = await cronRun(dir, state, t0 + 3 * 60_000);
    assert.deepEqual(kinds(tiles), ["[SESSION_START]", "[PERIODIC]"]);
    totals.push(answer(tiles[1]).unreadable_total);
    assert.deepEqual(totals, [1, 2, 3, 3]);
  });
});

Deno.test("a session whose folder goes away and comes back starts its scores.json retries afresh, across runs too", async () => {
  await withDir(async (root) => {
    const dir = `${root}/sessions`;
    await Deno.mkdir(dir);
    const state = new MemoryState();
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, active: false }),
      "scores.json": "{",
    });
    const t0 = Date.UTC(2026, 10, 24, 12);
    const watch = { scores_retries: 2 };
    const run = async (i: number) => reports(await cronRun(dir, state, t0 + i * 60_000, watch));
    assert.deepEqual(await run(0), [`STA ${LIGHTHOUSE}`]);
    await Deno.rename(`${dir}/${LIGHTHOUSE}`, `${root}/${LIGHTHOUSE}`);
    assert.deepEqual(await run(1), []);
    assert.equal(await state.get(countsKey), JSON.stringify({ v: 1, total: 1, tries: [] }));
    await Deno.rename(`${root}/${LIGHTHOUSE}`, `${dir}/${LIGHTHOUSE}`);
    assert.deepEqual([await run(2), await run(3), await run(4)], [[], [], [`END ${LIGHTHOUSE}`]]);
  });
});

Deno.test("saved counters that are unreadable, or name a session not started, count from zero", async () => {
  await withDir(async (dir) => {
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ transcript: talk, active: false }),
      "scores.json": "{",
    });
    const t0 = Date.UTC(2026, 10, 24, 12);
    for (
      const counts of [
        "{oops",
        "null",
        JSON.stringify({ v: 2, total: 9 }),
        JSON.stringify({ v: 1, total: -3, tries: [[LIGHTHOUSE, 1]] }),
      ]
    ) {
      const state = new MemoryState();
      await state.set(countsKey, counts);
      const tiles = await cronRun(dir, state, t0, { scores_retries: 1 });
      assert.deepEqual(reports(tiles), [`STA ${LIGHTHOUSE}`], counts);
      assert.equal(answer(tiles.at(-1)!).unreadable_total, 1, counts);
      assert.deepEqual(reports(await cronRun(dir, state, t0 + 60_000, { scores_retries: 1 })), [
        `END ${LIGHTHOUSE}`,
      ]);
    }
  });
});

Deno.test("a session with an out-of-range time shows it as null; the other sessions are reported and the ledger saved", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    const h = make(dir, state);
    await session(dir, "aaa_20261124T080000Z", {
      "adventure.json": adventure({ name: "Far", started: 1e20, ended: "99999999999999999" }),
    });
    await session(dir, "bbb_20261124T090000Z", {
      "adventure.json": adventure({ name: "Past", started: -1e13, active: true }),
    });
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), [
      "[STARTUP]",
      "[SESSION_START]",
      "[SESSION_END]",
      "[SESSION_START]",
      "[SESSION_START]",
      "[PERIODIC]",
    ]);
    assert.equal(answer(tiles[1]).started, null);
    assert.equal(answer(tiles[2]).ended, null);
    assert.equal(answer(tiles[3]).started, null);
    assert.equal(answer(tiles[4]).session, LIGHTHOUSE);
    assert.notEqual(await state.get(sessionsKey), undefined);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
  });
});

Deno.test("a session whose tile cannot be built is listed as unreadable; the sessions after it are reported", async () => {
  await withDir(async (dir) => {
    const state = new MemoryState();
    const h = make(dir, state);
    const emit = h.scout.emitCheckpoint.bind(h.scout);
    h.scout.emitCheckpoint = (c) => {
      if (c.question.startsWith("Broken")) throw new RangeError("Invalid time value");
      return emit(c);
    };
    await session(dir, "broken_20261124T080000Z", {
      "adventure.json": adventure({ name: "Broken" }),
    });
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).session, LIGHTHOUSE);
    const periodic = answer(tiles[2]);
    assert.equal(periodic.started_since_last, 1);
    assert.equal(periodic.unreadable[0].session, "broken_20261124T080000Z");
    assert.match(periodic.unreadable[0].reason, /Invalid time value/);
    assert.notEqual(await state.get(sessionsKey), undefined);
  });
});

Deno.test("a FIFO, a device or a file over 8 MiB as a session file is unreadable at once, and the other sessions are reported", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    await Deno.mkdir(`${dir}/fifo_20261124T080000Z`);
    const mkfifo = new Deno.Command("mkfifo", {
      args: [`${dir}/fifo_20261124T080000Z/adventure.json`],
    });
    assert.equal((await mkfifo.output()).code, 0);
    await Deno.mkdir(`${dir}/zero_20261124T080100Z`);
    await Deno.symlink("/dev/zero", `${dir}/zero_20261124T080100Z/adventure.json`);
    const big = JSON.stringify(adventure()) + " ".repeat(8 * 1024 * 1024);
    await session(dir, "big_20261124T080200Z", { "adventure.json": big });
    await session(dir, "scores_20261124T080300Z", {
      "adventure.json": adventure({ active: false }),
    });
    const scoresFifo = new Deno.Command("mkfifo", {
      args: [`${dir}/scores_20261124T080300Z/scores.json`],
    });
    assert.equal((await scoresFifo.output()).code, 0);
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), [
      "[STARTUP]",
      "[SESSION_START]",
      "[SESSION_START]",
      "[PERIODIC]",
    ]);
    assert.equal(answer(tiles[1]).session, "scores_20261124T080300Z");
    assert.equal(answer(tiles[2]).session, LIGHTHOUSE);
    const unreadable = answer(tiles[3]).unreadable as Array<Record<string, string>>;
    const why = Object.fromEntries(unreadable.map((u) => [u.session, `${u.file}: ${u.reason}`]));
    assert.match(why["fifo_20261124T080000Z"], /^adventure\.json: .*not a regular file \(a FIFO\)/);
    assert.match(
      why["zero_20261124T080100Z"],
      /^adventure\.json: .*not a regular file \(a device\)/,
    );
    assert.match(why["big_20261124T080200Z"], /^adventure\.json: .*too large/);
    assert.match(why["scores_20261124T080300Z"], /^scores\.json: .*a FIFO/);
  });
});

Deno.test("the Deno dir reader refuses a text file over its cap and reads one at it", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/ok.json`, "x".repeat(100));
    await Deno.writeTextFile(`${dir}/big.json`, "x".repeat(101));
    const dirs = denoDirReader({ maxTextBytes: 100 });
    assert.equal(await dirs.readText(`${dir}/ok.json`), "x".repeat(100));
    await assert.rejects(async () => await dirs.readText(`${dir}/big.json`), /too large/);
    assert.equal(await dirs.readText(`${dir}/none.json`), null);
  });
});

Deno.test("an ended session whose artifacts is a file, not a folder, is reported with artifacts null", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({ ended: "2026-11-24T10:10:00Z", artifacts: undefined }),
      artifacts: "not a folder",
    });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[SESSION_END]", "[PERIODIC]"]);
    assert.equal(answer(tiles[2]).artifacts, null);
    assert.equal(answer(tiles[3]).unreadable_now, 0);
  });
});

Deno.test("ended sessions without a timestamp suffix are reported once past max_sessions, and forgotten once gone", async () => {
  await withDir(async (dir) => {
    const h = make(dir, new MemoryState(), { max_sessions: 5 });
    for (let n = 1; n <= 8; n++) {
      await session(dir, `plain${n}`, { "adventure.json": adventure({ active: false }) });
    }
    const first = await h.tick();
    assert.equal(first.filter((t) => t.question.startsWith("[SESSION_END]")).length, 8);
    assert.match(
      answer(first.find((t) => t.question.startsWith("[SESSION_END]"))!).observed_at,
      /Z$/,
    );
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
    for (let n = 1; n <= 8; n++) await Deno.remove(`${dir}/plain${n}`, { recursive: true });
    const [periodic] = await h.tick();
    assert.ok(answer(periodic).sessions_remembered <= 5, periodic.answer);
  });
});

Deno.test("an adventure.json with a UTF-8 byte order mark is read, whatever the dir reader", async () => {
  const text = `\uFEFF${JSON.stringify(adventure())}`;
  const dirs = {
    list: () => null,
    readText: (path: string) => path.endsWith("/adventure.json") ? text : null,
  };
  const read = await readSession(dirs, "sessions/bom_20261124T080000Z");
  assert.equal(read.kind, "open");
});

Deno.test("a session file that is not JSON is unreadable without quoting its content, and null is named", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await Deno.writeTextFile(`${dir}/secret.txt`, "root:*:20200:0:99999:7:::\n");
    await Deno.mkdir(`${dir}/link_20261124T080000Z`);
    await Deno.symlink(`${dir}/secret.txt`, `${dir}/link_20261124T080000Z/adventure.json`);
    await session(dir, "null_20261124T080100Z", { "adventure.json": "null" });
    await session(dir, "cut_20261124T080200Z", { "adventure.json": '{"name":' });
    await session(dir, "tail_20261124T080300Z", { "adventure.json": "{} secret" });
    const tiles = await h.tick();
    const unreadable = answer(tiles.at(-1)!).unreadable as Array<Record<string, string>>;
    const why = Object.fromEntries(unreadable.map((u) => [u.session, u.reason]));
    assert.equal(why["link_20261124T080000Z"], "invalid JSON: unexpected token");
    assert.equal(why["null_20261124T080100Z"], "expected a JSON object, got null");
    assert.equal(why["cut_20261124T080200Z"], "invalid JSON: it ends too early");
    assert.equal(why["tail_20261124T080300Z"], "invalid JSON at position 3");
    assert.doesNotMatch(tiles.at(-1)!.answer, /root|sec/);
  });
});

Deno.test("impossible scores.json figures are dropped for the transcript's, and zero speakers is not one speaker", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, "odd_20261124T080000Z", {
      "adventure.json": adventure({ active: false, transcript: talk }),
      "scores.json": { total_exchanges: -5, unique_speakers: "3", rooms_visited: "7/2" },
    });
    await session(dir, "mute_20261124T080100Z", {
      "adventure.json": adventure({ active: false }),
      "scores.json": { total_exchanges: 4, unique_speakers: 0, rooms_visited: "1/3" },
    });
    const ends = (await h.tick()).filter((t) => t.question.startsWith("[SESSION_END]"));
    const odd = answer(ends[0]);
    assert.equal(odd.exchanges, 3);
    assert.equal(odd.unique_speakers, 2);
    assert.equal(odd.rooms_visited, 2);
    assert.equal(odd.rooms_total, 3);
    assert.deepEqual(answer(ends[1]).issues, ["no speakers"]);
  });
});

Deno.test("control characters in session names reach no tile question raw", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    await session(dir, LIGHTHOUSE, {
      "adventure.json": adventure({
        name: "weird\u0000\u001b[31m\u202e",
        creator: "bell\u0007",
        objective: "two\nlines\u009b",
        ended: "2026-11-24T10:10:00Z",
      }),
    });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[SESSION_END]", "[PERIODIC]"]);
    for (const t of tiles.slice(1, 3)) {
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(t.question, /[\u0000-\u001f\u007f-\u009f\u202e]/);
    }
    assert.match(tiles[1].question, /weird\uFFFD\uFFFD\[31m\uFFFD by bell\uFFFD: two lines\uFFFD/);
    assert.equal(answer(tiles[1]).name, "weird\uFFFD\uFFFD[31m\uFFFD");
  });
});

Deno.test("bidi and control characters in session files and folder names reach no tile answer raw", async () => {
  await withDir(async (dir) => {
    const h = make(dir);
    const folder = "turn\u202e\u2066_20261124T100000Z";
    await session(dir, folder, {
      "adventure.json": adventure({
        name: "ltr\u200e rtl\u200f embed\u202a\u202b pop\u202c",
        objective: "two\nlines",
        rooms: ["Shore\u2067", { name: "Tower\u2068\u2069" }],
        npc_names: [{ "key\u202d": "Ada\u009b\u007f\u061c" }],
        ended: "2026-11-24T10:10:00Z",
      }),
    });
    await session(dir, "open\u2069_20261124T110000Z", { "adventure.json": adventure() });
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), [
      "[STARTUP]",
      "[SESSION_START]",
      "[SESSION_END]",
      "[SESSION_START]",
      "[PERIODIC]",
    ]);
    const raw =
      // deno-lint-ignore no-control-regex
      /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    for (const t of tiles.slice(1)) {
      assert.doesNotMatch(t.answer, raw, t.question);
      assert.doesNotMatch(JSON.stringify(answer(t)), raw, t.question);
    }
    const start = answer(tiles[1]);
    assert.equal(start.name, "ltr\uFFFD rtl\uFFFD embed\uFFFD\uFFFD pop\uFFFD");
    assert.equal(start.objective, "two\nlines");
    assert.deepEqual(start.rooms, ["Shore\uFFFD", "Tower\uFFFD\uFFFD"]);
    assert.deepEqual(start.npc_names, [{ "key\uFFFD": "Ada\uFFFD\uFFFD\uFFFD" }]);
    assert.equal(start.session, "turn\uFFFD\uFFFD_20261124T100000Z");
    assert.deepEqual(answer(tiles[4]).active, ["open\uFFFD_20261124T110000Z"]);
  });
});

Deno.test("a session folder whose name is not UTF-8 is warned about once and skipped; the other sessions are reported", async () => {
  await withDir(async (dir) => {
    const warnings: string[] = [];
    const logger = createLogger({
      level: "warn",
      sink: (r) => warnings.push(r.message),
    });
    const h = make(dir, new MemoryState(), {}, logger);
    await session(dir, LIGHTHOUSE, { "adventure.json": adventure() });
    // Deno's paths are strings, so the shell makes the name with byte 0xFF in it.
    const sh = new Deno.Command("sh", {
      args: [
        "-c",
        'd="$1/$(printf \'bad\\377_20261124T090000Z\')" && mkdir "$d" && printf "{}" > "$d/adventure.json"',
        "sh",
        dir,
      ],
    });
    assert.equal((await sh.output()).code, 0);
    const tiles = await h.tick();
    assert.deepEqual(kinds(tiles), ["[STARTUP]", "[SESSION_START]", "[PERIODIC]"]);
    assert.equal(answer(tiles[1]).session, LIGHTHOUSE);
    assert.equal(answer(tiles[2]).waiting_for_adventure_json, 0);
    assert.deepEqual(kinds(await h.tick()), ["[PERIODIC]"]);
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0], /^Skipping session folder "bad\uFFFD_20261124T090000Z": .*not UTF-8/);
  });
});
