import assert from "node:assert/strict";
import { checkGate, createLogger, createPlatoClient, Emitter, MemoryState } from "../mod.ts";
import { fingerprint } from "../lib/fingerprint.ts";
import type { StateStore } from "../lib/state.ts";
import type { Tile } from "../lib/tile.ts";
import { type KeeperScout, keeperScout } from "../scouts/keeper.ts";
import { FakeClock } from "./_support/fake_clock.ts";
import { agent, FakeKeeper } from "./_support/fake_keeper.ts";

const quiet = createLogger({ level: "silent" });

interface Made {
  scout: KeeperScout;
  clock: FakeClock;
  /** Tiles emitted since the last call. */
  next(): Promise<Tile[]>;
}

function make(
  keeper: FakeKeeper,
  state: StateStore = new MemoryState(),
  watch: Record<string, unknown> = {},
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>,
): Made {
  const clock = new FakeClock();
  const scout = keeperScout.create(
    {
      scoutName: "keeper-scout",
      scoutRoom: "gc/research/scout-reports/keeper",
      platoUrl: "http://127.0.0.1:9",
      now: clock.now,
      logger: quiet,
      sleep,
      emitter: new Emitter({
        client: createPlatoClient({ url: "http://127.0.0.1:9" }),
        autoFlush: false,
        logger: quiet,
      }),
    },
    keeperScout.watch.parse({ type: "keeper", url: keeper.url, ...watch }),
    { state },
  ) as KeeperScout;
  let seen = 0;
  return {
    scout,
    clock,
    async next() {
      const all = (await scout.emitter.outbox.peek(100_000)).map((e) => e.tile);
      const fresh = all.slice(seen);
      seen = all.length;
      for (const t of fresh) assert.deepEqual(checkGate(t), [], t.question);
      return fresh;
    },
  };
}

const questions = (tiles: Tile[]) => tiles.map((t) => t.question);
const answer = (t: Tile) => JSON.parse(t.answer);

Deno.test("the Keeper scout registers each agent seen for the first time, with its record as the answer", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1, "active", "oracle1"), agent(2, "idle", "forgemaster")];
    const { scout, clock, next } = make(keeper);
    assert.equal((await scout.tick()).ok, true);
    const first = await next();
    assert.deepEqual(questions(first), [
      "[STARTUP] keeper-scout initialized",
      "[AGENT_REGISTER] oracle1",
      "[AGENT_REGISTER] forgemaster",
      "[PERIODIC] 2 agents registered, status: active 1, idle 1",
    ]);
    assert.deepEqual(answer(first[1]), keeper.agents[0]);
    assert.ok(first[1].tags.includes("registration"));
    const snapshot = answer(first[3]);
    assert.equal(snapshot.new_since_last, 2);
    assert.deepEqual(snapshot.routing, { pools: 3, mailboxes: 2 });
    assert.deepEqual(snapshot.status_counts, { active: 1, idle: 1 });

    clock.t += 30_000;
    keeper.agents.push(agent(3, "active", "navigator"));
    await scout.tick();
    const second = await next();
    assert.deepEqual(questions(second), [
      "[AGENT_REGISTER] navigator",
      "[PERIODIC] 3 agents registered, status: active 2, idle 1",
    ]);
    assert.equal(answer(second[1]).new_since_last, 1);
    assert.deepEqual(keeper.requests.slice(0, 2).sort(), ["/agents", "/stats"]);
  } finally {
    await keeper.stop();
  }
});

Deno.test("an agent's status change becomes one interesting AGENT_STATUS tile", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1, "active", "oracle1"), agent(2, "active", "scribe")];
    const { scout, clock, next } = make(keeper);
    await scout.tick();
    await next();
    clock.t += 30_000;
    keeper.agents[0] = { ...keeper.agents[0], status: "offline" };
    await scout.tick();
    const tiles = await next();
    assert.deepEqual(questions(tiles), [
      "[AGENT_STATUS] oracle1: active → offline",
      "[PERIODIC] 2 agents registered, status: active 1, offline 1",
    ]);
    const change = answer(tiles[0]);
    assert.equal(change.interesting, true);
    assert.equal(change.from, "active");
    assert.equal(change.to, "offline");
    assert.ok(tiles[0].tags.includes("interesting"));
    assert.ok(tiles[0].tags.includes("status:offline"));
    clock.t += 30_000;
    await scout.tick();
    assert.deepEqual(questions(await next()), [
      "[PERIODIC] 2 agents registered, status: active 1, offline 1",
    ]);
  } finally {
    await keeper.stop();
  }
});

Deno.test("Keeper going down becomes an ERROR tile, and its return a RECOVERED tile", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1)];
    const { scout, clock, next } = make(keeper);
    await scout.tick();
    await next();
    await keeper.stop();
    clock.t += 30_000;
    const down = await scout.tick();
    assert.equal(down.ok, false);
    clock.t += 30_000;
    assert.equal((await scout.tick()).ok, false);
    const errors = await next();
    assert.equal(errors.length, 2);
    assert.match(errors[0].question, /^\[ERROR\] keeper error: Keeper unavailable: \[GET\] "http/);
    assert.match(errors[1].question, /2 failed cycles/);
    assert.ok(errors.every((t) => t.tags.includes("interesting")));

    keeper.start();
    clock.t += 30_000;
    assert.equal((await scout.tick()).ok, true);
    const back = await next();
    assert.deepEqual(questions(back), [
      "[RECOVERED] keeper answering again after 2 failed cycles",
      "[PERIODIC] 1 agents registered, status: active 1",
    ]);
    assert.equal(answer(back[0]).downtime_seconds, 60);
    assert.equal(answer(back[0]).interesting, true);
  } finally {
    await keeper.stop();
  }
});

Deno.test("garbage answers from Keeper become ERROR tiles naming what was wrong", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1)];
    const { scout, clock, next } = make(keeper);
    const cases: Array<[FakeKeeper["mode"], RegExp]> = [
      ["html", /not JSON \(starts with "<html>/],
      ["wrong-shape", /wrong shape: expected an array of agent records/],
      ["status", /503 Service Unavailable \{"error":"registry unavailable"\}/],
    ];
    for (const [mode, expected] of cases) {
      keeper.mode = mode;
      clock.t += 30_000;
      const r = await scout.tick();
      assert.equal(r.ok, false, mode);
      assert.match(r.error!, expected);
    }
    const tiles = await next();
    assert.equal(tiles.filter((t) => t.question.startsWith("[ERROR]")).length, 3);
    keeper.mode = "ok";
    keeper.agents = [{ agent_id: "", status: 5 } as never, agent(2)];
    clock.t += 30_000;
    assert.equal((await scout.tick()).ok, true);
    const recovered = await next();
    assert.equal(answer(recovered.at(-1)!).invalid_records, 1);
    assert.equal(recovered.filter((t) => t.question.startsWith("[AGENT_REGISTER]")).length, 1);
  } finally {
    await keeper.stop();
  }
});

Deno.test("a Keeper that does not answer in time becomes an ERROR tile", async () => {
  const keeper = new FakeKeeper().start();
  let fire = () => {};
  const fired = new Promise<void>((resolve) => (fire = resolve));
  const sleep = (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      void fired.then(() => resolve());
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  try {
    keeper.mode = "hang";
    const { scout, next } = make(keeper, new MemoryState(), { timeout: 2 }, sleep);
    const pending = scout.tick();
    await keeper.received(2);
    fire();
    const r = await pending;
    assert.equal(r.ok, false);
    assert.match(r.error!, /\/agents": no answer within 2000 ms/);
    assert.ok((await next()).some((t) => t.question.includes("no answer within 2000 ms")));
  } finally {
    await keeper.stop();
  }
});

Deno.test("a restarted Keeper scout with the same state registers nobody again but sees changes", async () => {
  const keeper = new FakeKeeper().start();
  try {
    const state = new MemoryState();
    keeper.agents = [agent(1, "active", "oracle1"), agent(2, "idle", "scribe")];
    const first = make(keeper, state);
    await first.scout.tick();
    assert.equal(
      (await first.next()).filter((t) => t.question.startsWith("[AGENT_REGISTER]")).length,
      2,
    );
    keeper.agents[1] = { ...keeper.agents[1], status: "offline" };
    const second = make(keeper, state);
    await second.scout.tick();
    assert.deepEqual(questions(await second.next()), [
      "[STARTUP] keeper-scout initialized",
      "[AGENT_STATUS] scribe: idle → offline",
      "[PERIODIC] 2 agents registered, status: active 1, offline 1",
    ]);
  } finally {
    await keeper.stop();
  }
});

Deno.test("the Keeper bearer token is sent but appears in no tile", async () => {
  const keeper = new FakeKeeper().start();
  const key = "kpr-secret-token-123";
  try {
    keeper.apiKey = key;
    keeper.agents = [agent(1)];
    const withKey = make(keeper, new MemoryState(), { api_key: key });
    assert.equal((await withKey.scout.tick()).ok, true);
    assert.equal(keeper.authorizations[0], `Bearer ${key}`);
    const without = make(keeper);
    const r = await without.scout.tick();
    assert.match(r.error!, /401 Unauthorized/);
    const all = [...await withKey.next(), ...await without.next()];
    assert.equal(answer(all[0]).auth, "bearer");
    for (const t of all) assert.ok(!JSON.stringify(t).includes(key), t.question);
  } finally {
    await keeper.stop();
  }
});

Deno.test("a huge agent list yields capped registration tiles under the gate's size limit", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = Array.from({ length: 3000 }, (_, i) => ({
      ...agent(i),
      capabilities: Array.from({ length: 40 }, (_, k) => `capability-${k}-never-idle`),
    }));
    const { scout, clock, next } = make(keeper, new MemoryState(), { max_agents: 1000 });
    await scout.tick();
    const tiles = await next();
    const registrations = tiles.filter((t) => t.question.startsWith("[AGENT_REGISTER]"));
    assert.equal(registrations.length, 26);
    assert.equal(
      registrations[25].question,
      "[AGENT_REGISTER] 975 more agents seen for the first time",
    );
    for (const t of tiles) assert.ok(t.answer.length < 5000, `${t.question}: ${t.answer.length}`);
    const snapshot = answer(tiles.at(-1)!);
    assert.equal(snapshot.untracked_agents, 2000);
    assert.equal(snapshot.remembered_agents, 1000);
    clock.t += 30_000;
    await scout.tick();
    assert.deepEqual(questions(await next()), [
      "[PERIODIC] 3000 agents registered, status: active 3000",
    ]);
  } finally {
    await keeper.stop();
  }
});

Deno.test("the keeper watch section applies defaults and refuses unknown keys", () => {
  const watch = keeperScout.watch.parse({ type: "keeper" });
  assert.deepEqual(watch, {
    type: "keeper",
    url: "http://localhost:8900",
    timeout: 10,
    max_agents: 10_000,
    max_agent_tiles: 25,
    forget_after: 3_600,
  });
  assert.equal(keeperScout.watch.safeParse({ type: "keeper", urll: "x" }).success, false);
  assert.equal(keeperScout.watch.safeParse({ type: "keeper", url: "ftp://x" }).success, false);
  assert.equal(keeperScout.watch.safeParse({ type: "http" }).success, false);
  assert.equal(keeperScout.watch.safeParse({ type: "keeper", forget_after: 0 }).success, false);
});

const MINUTE = 60_000;
const registered = (tiles: Tile[]) =>
  tiles.filter((t) => t.question.startsWith("[AGENT_REGISTER]")).map((t) => t.question);

Deno.test("an agent missing from the Keeper's list for an hour is forgotten, and registered again if it comes back", async () => {
  const keeper = new FakeKeeper().start();
  try {
    const stays = agent(1, "active", "oracle1");
    const leaves = agent(2, "idle", "scribe");
    keeper.agents = [stays, leaves];
    const { scout, clock, next } = make(keeper);
    await scout.tick();
    assert.deepEqual(registered(await next()), [
      "[AGENT_REGISTER] oracle1",
      "[AGENT_REGISTER] scribe",
    ]);
    const tick = async (minutes: number, agents: typeof keeper.agents) => {
      clock.t += minutes * MINUTE;
      keeper.agents = agents;
      assert.equal((await scout.tick()).ok, true);
      return next();
    };
    // Gone for just under an hour, then back: still the same agent.
    await tick(1, [stays]);
    const before = await tick(59.5, [stays]);
    assert.equal(answer(before.at(-1)!).remembered_agents, 2);
    assert.deepEqual(registered(await tick(0.5, [stays, leaves])), []);
    // Gone again: its absence counts from now, and after an hour it is forgotten.
    await tick(0.5, [stays]);
    const after = await tick(60, [stays]);
    assert.equal(answer(after.at(-1)!).remembered_agents, 1);
    assert.deepEqual(registered(await tick(0.5, [stays, leaves])), ["[AGENT_REGISTER] scribe"]);
  } finally {
    await keeper.stop();
  }
});

Deno.test("a roster saved before agents were forgotten loads, and its missing agents are forgotten an hour later across restarts", async () => {
  const keeper = new FakeKeeper().start();
  try {
    const state = new MemoryState();
    const listed = agent(1, "active", "oracle1");
    const missing = agent(9, "idle", "scribe");
    // The value the previous version wrote: [id, status] pairs.
    await state.set(
      "keeper:keeper-scout:agents",
      JSON.stringify({ v: 1, agents: [[listed.agent_id, "active"], [missing.agent_id, "idle"]] }),
    );
    keeper.agents = [listed];
    const first = make(keeper, state);
    await first.scout.tick();
    const tiles = await first.next();
    assert.deepEqual(registered(tiles), []);
    assert.equal(answer(tiles.at(-1)!).remembered_agents, 2);
    // A restart half an hour later keeps the time the agent went missing.
    const second = make(keeper, state);
    second.clock.t = first.clock.t + 30 * MINUTE;
    await second.scout.tick();
    assert.equal(answer((await second.next()).at(-1)!).remembered_agents, 2);
    const third = make(keeper, state);
    third.clock.t = first.clock.t + 60 * MINUTE;
    await third.scout.tick();
    assert.equal(answer((await third.next()).at(-1)!).remembered_agents, 1);
    assert.deepEqual(JSON.parse((await state.get("keeper:keeper-scout:agents"))!), {
      v: 1,
      agents: [[listed.agent_id, "active"]],
    });
  } finally {
    await keeper.stop();
  }
});

Deno.test("forget_after sets how long a missing agent is remembered", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1), agent(2)];
    const { scout, clock, next } = make(keeper, new MemoryState(), { forget_after: 60 });
    await scout.tick();
    keeper.agents = [agent(1)];
    // Missing from the first list without it, and remembered for 60 s from then.
    const remembered = [];
    for (let i = 0; i < 3; i++) {
      clock.t += 30_000;
      await scout.tick();
      remembered.push(answer((await next()).at(-1)!).remembered_agents);
    }
    assert.deepEqual(remembered, [2, 2, 1]);
  } finally {
    await keeper.stop();
  }
});

/** A cron job's run: a fresh scout over the kept state, one cycle at `at`; its tiles. */
async function cronRun(keeper: FakeKeeper, state: StateStore, at: number, url = keeper.url) {
  const run = make(keeper, state, { url });
  run.clock.t = at;
  const r = await run.scout.tick();
  const tiles = (await run.next()).filter((t) => !t.question.startsWith("[STARTUP]"));
  return { ok: r.ok, tiles, questions: questions(tiles) };
}

const outageKey = "keeper:keeper-scout:outage";

Deno.test("under cron (a fresh scout per cycle) the Keeper's failed cycles are counted and its recovery reported", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1)];
    const state = new MemoryState();
    const t0 = Date.UTC(2026, 10, 24, 12);
    assert.equal((await cronRun(keeper, state, t0)).ok, true);
    await keeper.stop();
    const errors = [];
    for (let i = 1; i <= 3; i++) {
      const run = await cronRun(keeper, state, t0 + i * MINUTE);
      assert.equal(run.ok, false);
      errors.push(...run.questions);
    }
    assert.equal(errors.length, 3);
    assert.doesNotMatch(errors[0], /failed cycles/);
    assert.match(errors[1], /\(2 failed cycles\)$/);
    assert.match(errors[2], /\(3 failed cycles\)$/);
    // Kept compact: the count, the first failure's time, the last error and the URL's fingerprint.
    const kept = JSON.parse((await state.get(outageKey))!);
    assert.deepEqual(Object.keys(kept).sort(), ["error", "failures", "keeper", "since", "v"]);
    assert.equal(kept.failures, 3);
    assert.equal(kept.since, t0 + MINUTE);

    keeper.start();
    const back = await cronRun(keeper, state, t0 + 4 * MINUTE);
    assert.deepEqual(back.questions, [
      "[RECOVERED] keeper answering again after 3 failed cycles",
      "[PERIODIC] 1 agents registered, status: active 1",
    ]);
    const recovered = answer(back.tiles[0]);
    assert.equal(recovered.down_since, new Date(t0 + MINUTE).toISOString());
    assert.equal(recovered.recovered_at, new Date(t0 + 4 * MINUTE).toISOString());
    assert.equal(recovered.downtime_seconds, 180);
    assert.equal(recovered.failed_cycles, 3);
    assert.match(recovered.last_error, /^\[GET\] "http:\/\/127\.0\.0\.1:\d+\/agents": /);
    assert.equal(await state.get(outageKey), undefined);
    assert.deepEqual((await cronRun(keeper, state, t0 + 5 * MINUTE)).questions, [
      "[PERIODIC] 1 agents registered, status: active 1",
    ]);
    // The next outage counts from one again.
    await keeper.stop();
    assert.doesNotMatch(
      (await cronRun(keeper, state, t0 + 6 * MINUTE)).questions[0],
      /failed cycles/,
    );
  } finally {
    await keeper.stop();
  }
});

Deno.test("a Keeper outage kept by a long run that stopped is reported as recovered by the next run", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1)];
    const state = new MemoryState();
    const long = make(keeper, state);
    await long.scout.tick();
    await keeper.stop();
    long.clock.t += 30_000;
    await long.scout.tick();
    long.clock.t += 30_000;
    await long.scout.tick();
    keeper.start();
    const next = await cronRun(keeper, state, long.clock.t + 30_000);
    assert.equal(next.questions[0], "[RECOVERED] keeper answering again after 2 failed cycles");
    assert.equal(answer(next.tiles[0]).downtime_seconds, 60);
  } finally {
    await keeper.stop();
  }
});

Deno.test("no outage is restored from a state without one, an unreadable one, or one about another Keeper", async () => {
  const keeper = new FakeKeeper().start();
  try {
    keeper.agents = [agent(1)];
    const t0 = Date.UTC(2026, 10, 24, 12);
    const kept = (failures: unknown, since: unknown = t0) =>
      JSON.stringify({ v: 1, keeper: fingerprint(keeper.url), failures, since, error: "x" });
    // A roster an older build wrote, and no outage key: no streak.
    const older = new MemoryState();
    await older.set(
      "keeper:keeper-scout:agents",
      JSON.stringify({ v: 1, agents: [[agent(1).agent_id, "active"]] }),
    );
    assert.deepEqual((await cronRun(keeper, older, t0)).questions, [
      "[PERIODIC] 1 agents registered, status: active 1",
    ]);
    // Written while watching another Keeper URL, then the configuration changed.
    const other = new MemoryState();
    const elsewhere = "http://127.0.0.1:1";
    await cronRun(keeper, other, t0, elsewhere);
    assert.equal(JSON.parse((await other.get(outageKey))!).failures, 1);
    assert.doesNotMatch((await cronRun(keeper, other, t0 + MINUTE)).questions[0], /RECOVERED/);
    const broken = ["{not json", "null", kept(0), kept("3"), kept(1.5), kept(2, "x"), '{"v":2}'];
    for (const value of broken) {
      const state = new MemoryState();
      await state.set(outageKey, value);
      const run = await cronRun(keeper, state, t0);
      assert.equal(run.ok, true, value);
      assert.doesNotMatch(run.questions[0], /RECOVERED/, value);
    }
    // ... while a well-formed one is.
    const good = new MemoryState();
    await good.set(outageKey, kept(2));
    assert.equal(
      (await cronRun(keeper, good, t0 + MINUTE)).questions[0],
      "[RECOVERED] keeper answering again after 2 failed cycles",
    );
  } finally {
    await keeper.stop();
  }
});
