/**
 * The shared conformance suite every built-in scout kind runs (unstorage
 * style): `scoutConformance(name, makeFixture)` registers the cases. A
 * fixture is a ready scout of one kind pointed at a real local target (a
 * server on port 0, a temp folder, a file), plus a way to make that target
 * fail and, where it can, answer garbage.
 *
 * What every scout must do:
 *
 * - its first tick emits a STARTUP tile documenting what is watched;
 * - `tick()` never throws, with the target up, down or answering garbage;
 * - a failing target becomes an ERROR tile, marked interesting;
 * - every tile passes the fleet's P0 gate check, answers under 5,000 characters;
 * - two ticks against an unchanged target (or a target down twice) emit no
 *   exact duplicate (question + answer), which the fleet would refuse.
 *
 * ## Adding a fixture
 *
 * In `tests/scout_conformance_test.ts`, build the scout with the kind's own
 * `create`, passing the context's `options` unchanged (they carry the fake
 * clock, a silent logger and an emitter that keeps tiles in its outbox):
 *
 * ```ts ignore
 * scoutConformance("http", async ({ options, state }) => {
 *   const target = new FakeTarget().start(); // anything serving on 127.0.0.1, port 0
 *   const watch = httpScout.watch.parse({ type: "http", url: target.url });
 *   return {
 *     scout: httpScout.create(options, watch, { state }),
 *     watched: [target.url], // what the startup tile must mention
 *     fail: () => target.stop(), // the next tick must emit an ERROR tile
 *     garble: () => { target.body = "<html>"; }, // optional
 *     dispose: () => target.stop(),
 *   };
 * });
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { createLogger } from "../lib/logger.ts";
import { createPlatoClient } from "../lib/client.ts";
import { Emitter } from "../lib/emitter.ts";
import { checkGate, GATE_LIMITS } from "../lib/gate.ts";
import type { Awaitable } from "../lib/outbox.ts";
import type { Scout, ScoutOptions } from "../lib/scout.ts";
import { MemoryState, type StateStore } from "../lib/state.ts";
import type { Tile } from "../lib/tile.ts";
import { FakeClock } from "./_support/fake_clock.ts";

/** What the suite lends a fixture. */
export interface ConformanceContext {
  /**
   * Options for `kind.create`: scout name and room, `now` from {@linkcode clock},
   * a silent logger, and an emitter that never flushes by itself (tiles stay in
   * its outbox, where the suite reads them).
   */
  options: ScoutOptions;
  /** State for the host (`{ state }`). */
  state: StateStore;
  /** The clock behind `options.now`; the suite moves it 30 s on between ticks. */
  clock: FakeClock;
}

/** A scout under test, pointed at a real local target. */
export interface ScoutFixture {
  /** Built with `ctx.options`; not started yet. */
  scout: Scout<unknown>;
  /** Texts the startup tile's answer must contain: the URL, folder or file watched. */
  watched: string[];
  /** Make the target fail so that the next tick reports an ERROR tile (stop it, remove it). */
  fail(): Awaitable<void>;
  /** Make the target answer garbage, where it can (non-JSON, malformed files). */
  garble?(): Awaitable<void>;
  /** Release everything the fixture made; called once per test, even on failure. */
  dispose(): Awaitable<void>;
}

/** Makes a fresh fixture per test. */
export type ScoutFixtureFactory = (ctx: ConformanceContext) => Awaitable<ScoutFixture>;

const quiet = createLogger({ level: "silent" });

/** Every tile the scout emitted so far (none was flushed). */
async function emitted(scout: Scout<unknown>): Promise<Tile[]> {
  return (await scout.emitter.outbox.peek(1_000_000)).map((entry) => entry.tile);
}

function assertGate(tiles: readonly Tile[]): void {
  for (const tile of tiles) {
    assert.deepEqual(checkGate(tile), [], `refused by the gate: ${tile.question}`);
    assert.ok(tile.answer.length < GATE_LIMITS.answerMax, `answer too long: ${tile.question}`);
  }
}

function assertNoDuplicates(tiles: readonly Tile[]): void {
  const seen = new Map<string, string>();
  for (const tile of tiles) {
    const key = `${tile.question}\u0000${tile.answer}`;
    assert.ok(!seen.has(key), `exact duplicate tile: ${tile.question}`);
    seen.set(key, tile.question);
  }
}

/**
 * Register the conformance cases for one scout kind.
 *
 * @param name Shown at the start of every test name.
 * @param makeFixture Makes a fresh fixture per test.
 */
export function scoutConformance(name: string, makeFixture: ScoutFixtureFactory): void {
  const test = (title: string, body: (f: ScoutFixture, ctx: ConformanceContext) => Promise<void>) =>
    Deno.test(`${name} scout: ${title}`, async () => {
      const clock = new FakeClock();
      const state = new MemoryState();
      const client = createPlatoClient({ url: "http://127.0.0.1:9" });
      const options: ScoutOptions = {
        scoutName: `${name}-conformance-scout`,
        scoutRoom: `tests/scout-conformance/${name}`,
        platoUrl: "http://127.0.0.1:9",
        now: clock.now,
        logger: quiet,
        emitter: new Emitter({ client, autoFlush: false, logger: quiet, now: clock.now }),
      };
      const ctx = { options, state, clock };
      const fixture = await makeFixture(ctx);
      try {
        await body(fixture, ctx);
        // Whatever a case did, everything emitted must pass the gate.
        assertGate(await emitted(fixture.scout));
      } finally {
        await fixture.dispose();
      }
    });

  const tick = async (f: ScoutFixture, ctx: ConformanceContext) => {
    ctx.clock.t += 30_000;
    const result = await f.scout.tick();
    assert.equal(typeof result.ok, "boolean");
    return result;
  };

  test("the first tick emits a STARTUP tile documenting what is watched", async (f, ctx) => {
    await tick(f, ctx);
    const [startup] = await emitted(f.scout);
    assert.ok(startup, "a tile was emitted");
    assert.match(startup.question, /^\[STARTUP\] /);
    const answer = JSON.parse(startup.answer);
    assert.equal(answer.scout_room, ctx.options.scoutRoom);
    assert.equal(typeof answer.watched_service, "string");
    for (const text of f.watched) {
      assert.ok(startup.answer.includes(text), `the startup tile mentions ${text}`);
    }
  });

  test("tick() never throws, with the target up, answering garbage or down", async (f, ctx) => {
    assert.equal((await tick(f, ctx)).ok, true, "a healthy target ticks ok");
    if (f.garble) {
      await f.garble();
      await tick(f, ctx);
    }
    await f.fail();
    await tick(f, ctx);
    await tick(f, ctx);
  });

  test("a failing target becomes an ERROR tile marked interesting", async (f, ctx) => {
    await tick(f, ctx);
    const before = (await emitted(f.scout)).length;
    await f.fail();
    await tick(f, ctx);
    const errors = (await emitted(f.scout)).slice(before)
      .filter((t) => t.question.startsWith("[ERROR]"));
    assert.ok(errors.length >= 1, "an ERROR tile was emitted");
    for (const error of errors) {
      assert.ok(error.tags.includes("interesting"), error.question);
      assert.equal(JSON.parse(error.answer).interesting, true, error.question);
    }
  });

  test("every tile passes the fleet gate check, answers under 5,000 characters", async (f, ctx) => {
    await tick(f, ctx);
    await tick(f, ctx);
    if (f.garble) {
      await f.garble();
      await tick(f, ctx);
    }
    await f.fail();
    await tick(f, ctx);
    const tiles = await emitted(f.scout);
    assert.ok(tiles.length >= 3, `only ${tiles.length} tiles`);
    assertGate(tiles);
  });

  test("two ticks against an unchanged target emit no exact duplicate", async (f, ctx) => {
    await tick(f, ctx);
    await tick(f, ctx);
    await tick(f, ctx);
    assertNoDuplicates(await emitted(f.scout));
  });

  test("two ticks against a failed target emit no exact duplicate", async (f, ctx) => {
    await tick(f, ctx);
    await f.fail();
    await tick(f, ctx);
    await tick(f, ctx);
    assertNoDuplicates(await emitted(f.scout));
  });
}
