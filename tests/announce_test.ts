/**
 * The startup tile once per configuration (`--once` runs, Worker cycles):
 * lib/announce.ts on its own. The CLI and the Worker are tested end to end in
 * cli_run_test.ts, runner_state_order_test.ts and runtime_workerd_test.ts.
 */
import assert from "node:assert/strict";
import { announceOncePerConfig } from "../lib/announce.ts";
import {
  createLogger,
  createPlatoClient,
  Emitter,
  MemoryOutbox,
  MemoryState,
  Scout,
} from "../mod.ts";

const quiet = createLogger({ level: "silent" });

/** A fresh scout, as each `--once` process or Worker cycle builds it, and the questions it queued. */
function build<S extends Scout>(Kind: new (o: ConstructorParameters<typeof Scout>[0]) => S) {
  const outbox = new MemoryOutbox();
  const emitter = new Emitter({
    outbox,
    client: createPlatoClient({ url: "http://127.0.0.1:9" }),
    autoFlush: false,
    logger: quiet,
  });
  const scout = new Kind({
    scoutName: "cron-scout",
    watchedService: "svc",
    platoUrl: "http://127.0.0.1:9",
    scoutRoom: "test/announce",
    logger: quiet,
    emitter,
  });
  const questions = () => outbox.peek(100).map((e) => e.tile.question.split("]")[0] + "]");
  return { scout, questions };
}

Deno.test("the startup tile goes once per configuration; what is kept is a hash", async () => {
  const state = new MemoryState();
  const secret = "token=s3cr3t-value";
  const run = async (print: string) => {
    const { scout, questions } = build(Scout);
    const noteSent = await announceOncePerConfig([{ scout, print }], state, "p:");
    await scout.tick();
    await noteSent();
    return questions();
  };
  assert.deepEqual(await run(`A ${secret}`), ["[STARTUP]", "[PERIODIC]"]);
  assert.deepEqual(await run(`A ${secret}`), ["[PERIODIC]"]);
  assert.deepEqual(await run(`B ${secret}`), ["[STARTUP]", "[PERIODIC]"]);
  assert.deepEqual(await run(`B ${secret}`), ["[PERIODIC]"]);
  const kept = String(await state.get("p:cron-scout"));
  assert.match(kept, /^[0-9a-f]{16}$/);
  assert.ok(!kept.includes("s3cr3t"));
});

Deno.test("a scout that never started is not noted: its next run sends the startup tile", async () => {
  const state = new MemoryState();
  const stopped = build(Scout);
  const noteSent = await announceOncePerConfig([{ scout: stopped.scout, print: "A" }], state, "p:");
  // Stopped before its first cycle: no tile queued.
  await noteSent();
  assert.equal(await state.get("p:cron-scout"), undefined);
  const next = build(Scout);
  await announceOncePerConfig([{ scout: next.scout, print: "A" }], state, "p:");
  await next.scout.tick();
  assert.deepEqual(next.questions(), ["[STARTUP]", "[PERIODIC]"]);
});

Deno.test("a scout class with its own onStartup runs it every time (it may do more than the tile)", async () => {
  const state = new MemoryState();
  let setups = 0;
  class OwnStartup extends Scout {
    override onStartup(): void {
      setups++;
      this.emitStartupTile({ extra: true });
    }
  }
  for (let i = 0; i < 3; i++) {
    const { scout, questions } = build(OwnStartup);
    const noteSent = await announceOncePerConfig([{ scout, print: "A" }], state, "p:");
    await scout.tick();
    await noteSent();
    assert.deepEqual(questions(), ["[STARTUP]", "[PERIODIC]"]);
  }
  assert.equal(setups, 3);
  assert.equal(await state.get("p:cron-scout"), undefined);
});

Deno.test("what the startup tile would say counts too: a change from outside the configuration sends it again", async () => {
  const state = new MemoryState();
  let auth = "none"; // as the Keeper scout's describe() reads KEEPER_API_KEY
  class FromEnv extends Scout {
    protected override describe(): Record<string, unknown> {
      return { auth };
    }
  }
  const run = async () => {
    const { scout, questions } = build(FromEnv);
    const noteSent = await announceOncePerConfig([{ scout, print: "same config" }], state, "p:");
    await scout.tick();
    await noteSent();
    return questions();
  };
  assert.deepEqual(await run(), ["[STARTUP]", "[PERIODIC]"]);
  assert.deepEqual(await run(), ["[PERIODIC]"]);
  auth = "bearer";
  assert.deepEqual(await run(), ["[STARTUP]", "[PERIODIC]"]);
  assert.deepEqual(await run(), ["[PERIODIC]"]);
});

Deno.test("a scout whose description throws still starts, and its startup reports it", async () => {
  const state = new MemoryState();
  class Broken extends Scout {
    protected override describe(): Record<string, unknown> {
      throw new Error("describe broke");
    }
  }
  const { scout, questions } = build(Broken);
  const noteSent = await announceOncePerConfig([{ scout, print: "A" }], state, "p:");
  await scout.tick();
  await noteSent();
  assert.deepEqual(questions(), ["[ERROR]", "[PERIODIC]"]);
});
