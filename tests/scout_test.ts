import { renderMetrics } from "../lib/metrics_text.ts";
import assert from "node:assert/strict";
import {
  checkGate,
  CheckpointType,
  createLogger,
  createPlatoClient,
  Emitter,
  METRIC,
  Scout,
  type ScoutOptions,
} from "../mod.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { FakeClock } from "./_support/fake_clock.ts";

const quiet = createLogger({ level: "silent" });

function options(
  server: FakePlato,
  clock: FakeClock,
  extra: Partial<ScoutOptions> = {},
): ScoutOptions {
  return {
    scoutName: "my-service-scout",
    watchedService: "my-service",
    platoUrl: server.url,
    scoutRoom: "my/research/scout-reports/my-service",
    now: clock.now,
    logger: quiet,
    // Flushed by hand in these tests, so no timer outlives a test.
    emitter: new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      logger: quiet,
      now: clock.now,
    }),
    ...extra,
  };
}

class CountingScout extends Scout<{ value: number }> {
  n = 0;
  fail = false;
  protected override collect(): { value: number } {
    if (this.fail) throw new Error("service unreachable: connection never established");
    return { value: ++this.n };
  }
}

Deno.test("tick() starts the scout, collects and emits startup and periodic tiles", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const scout = new CountingScout(options(server, clock));
    const result = await scout.tick();
    assert.equal(result.ok, true);
    await scout.emitter.flush();
    const questions = server.stored.map((t) => t.question);
    assert.deepEqual(questions, [
      "[STARTUP] my-service-scout initialized",
      "[PERIODIC] my-service periodic snapshot",
    ]);
    const startup = JSON.parse(String(server.stored[0].answer));
    assert.equal(startup.watched_service, "my-service");
    assert.deepEqual(startup.checkpoint_types.length, 8);
    assert.deepEqual(server.stored[1].tags, [
      "scout",
      "my-service-scout",
      "checkpoint:periodic",
      "periodic",
      "my-service",
    ]);
    assert.equal(JSON.parse(String(server.stored[1].answer)).value, 1);
  } finally {
    server.stop();
  }
});

Deno.test("a cycle the stop cut short with no tile is not counted in SESSION_END's cycles", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    // Like the HTTP scout: a probe the stop cancelled reports nothing.
    class StoppableScout extends CountingScout {
      override onPeriodic(data: { value: number }): void {
        if (!stop.signal.aborted) super.onPeriodic(data);
      }
    }
    const stop = new AbortController();
    const scout = new StoppableScout(options(server, clock));
    await scout.tick(stop.signal);
    stop.abort();
    await scout.tick(stop.signal);
    const end = JSON.parse(scout.emitSessionEnd("stopped").answer);
    assert.equal(end.cycles, 1);
    // STARTUP, one PERIODIC and this SESSION_END.
    assert.equal(end.tiles_emitted, 3);
  } finally {
    server.stop();
  }
});

Deno.test("identical periodic observations still pass the fleet gate's duplicate rule", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    class Same extends Scout<{ ok: boolean }> {
      protected override collect() {
        return { ok: true };
      }
    }
    const scout = new Same(options(server, clock));
    await scout.tick();
    clock.t += 1000;
    await scout.tick();
    await scout.emitter.flush();
    assert.equal(server.stored.length, 3);
    assert.equal(scout.emitter.stats.rejected, 0);
  } finally {
    server.stop();
  }
});

Deno.test("a failing collection becomes an ERROR tile, not an exception, and the tile passes the gate", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const scout = new CountingScout(
      options(server, clock, { emitter: undefined, emission: { minIntervalSeconds: 0 } }),
    );
    scout.fail = true;
    const result = await scout.tick();
    assert.equal(result.ok, false);
    assert.match(result.error!, /service unreachable/);
    await scout.emitter.flush();
    const error = server.stored.find((t) => String(t.question).startsWith("[ERROR]"))!;
    assert.ok(error, "an ERROR tile was stored");
    assert.ok((error.tags as string[]).includes("interesting"));
    assert.equal(JSON.parse(String(error.answer)).interesting, true);
    assert.equal(scout.counts.errors, 1);
    assert.equal(
      scout.metrics.value(METRIC.errors, { scout_name: "my-service-scout", error_type: "collect" }),
      1,
    );
  } finally {
    server.stop();
  }
});

Deno.test("a throwing onStartup or onPeriodic hook never escapes tick()", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    class Broken extends Scout {
      override onStartup(): void {
        throw new Error("startup broke");
      }
      override onPeriodic(): Promise<void> {
        return Promise.reject(new TypeError("analysis broke"));
      }
    }
    const scout = new Broken(options(server, clock));
    const r = await scout.tick();
    assert.equal(r.ok, false);
    assert.equal(scout.counts.errors, 2);
  } finally {
    server.stop();
  }
});

Deno.test("onTaskBoundary emits the original's TASK_BOUNDARY tile", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const scout = new Scout(options(server, clock));
    scout.onTaskBoundary("abc12345ffff", "failed", 847);
    await scout.emitter.flush();
    const t = server.stored[0];
    assert.equal(t.question, "[TASK_BOUNDARY] Task abc12345 failed in 847ms");
    assert.deepEqual(JSON.parse(String(t.answer)), {
      task_id: "abc12345ffff",
      outcome: "failed",
      duration_ms: 847,
      interesting: true,
    });
    assert.ok((t.tags as string[]).includes("outcome:failed"));
    assert.equal(t.confidence, 0.9);
  } finally {
    server.stop();
  }
});

Deno.test("run() loops on the poll interval until aborted, then emits SESSION_END and flushes", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const ac = new AbortController();
    class Stopping extends CountingScout {
      protected override collect() {
        const r = super.collect();
        if (r.value === 3) ac.abort();
        return r;
      }
    }
    const scout = new Stopping(options(server, clock, { emitter: undefined, sleep: clock.sleep }));
    const t0 = clock.t;
    const left = await scout.run({ pollInterval: 30, signal: ac.signal, deadlineMs: 5000 });
    assert.equal(left, 0);
    assert.equal(clock.t - t0 >= 60_000, true);
    const types = server.stored.map((t) => String(t.question).split("]")[0] + "]");
    assert.deepEqual(types, [
      "[STARTUP]",
      "[PERIODIC]",
      "[PERIODIC]",
      "[PERIODIC]",
      "[SESSION_END]",
    ]);
    const end = JSON.parse(String(server.stored.at(-1)!.answer));
    assert.equal(end.cycles, 3);
    assert.equal(end.tiles_emitted, 5);
    // The question counts the same tiles as the answer, this one included.
    assert.match(String(server.stored.at(-1)!.question), /: 5 tiles, 0 errors$/);
  } finally {
    server.stop();
  }
});

Deno.test("scouts can share one emitter, and readRoom() reads the scout's room", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      logger: quiet,
    });
    const a = new Scout(options(server, clock, { scoutName: "a-scout", emitter }));
    const b = new Scout(
      options(server, clock, { scoutName: "b-scout", scoutRoom: "other/room", emitter }),
    );
    await a.start();
    await b.start();
    assert.equal(emitter.stats.pending, 2);
    await emitter.flush();
    const page = await a.readRoom();
    assert.equal(page.ok && page.value.tileCount, 1);
    assert.equal(page.ok && page.value.tiles[0].source, "a-scout");
    const direct = await b.submitToPlato(
      b.emitCheckpoint({
        checkpointType: CheckpointType.MODEL_SWITCH,
        question: "model gpt-x to gpt-y",
        answer: { from: "gpt-x", to: "gpt-y" },
      }),
    );
    assert.equal(direct.kind, "accepted");
  } finally {
    server.stop();
  }
});

Deno.test("every tile a scout emits by default passes the fleet gate check", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const scout = new CountingScout(options(server, clock));
    await scout.tick();
    scout.fail = true;
    await scout.tick();
    scout.onTaskBoundary("t1", "success", 3);
    scout.emitSessionEnd();
    const entries = await scout.emitter.outbox.peek(100);
    for (const e of entries) assert.deepEqual(checkGate(e.tile), [], e.tile.question);
  } finally {
    server.stop();
  }
});

Deno.test("the Scout constructor names a missing field", () => {
  assert.throws(() => new Scout({ scoutName: "", scoutRoom: "r" }), /'scoutName' is required/);
  assert.throws(() => new Scout({ scoutName: "s", scoutRoom: " " }), /'scoutRoom' is required/);
});

Deno.test("a cycle's ERROR tile keeps the error's cause (a refused fetch says why)", async () => {
  const server = new FakePlato().start();
  // A port nothing listens on: bound, then closed.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  class FetchingScout extends Scout<unknown> {
    protected override async collect(): Promise<unknown> {
      return await (await fetch(`http://127.0.0.1:${port}/stats?token=s3cr3t-t0ken`)).json();
    }
  }
  const clock = new FakeClock();
  const scout = new FetchingScout(options(server, clock));
  try {
    const result = await scout.tick();
    assert.equal(result.ok, false);
    await scout.emitter.flush();
    const error = server.stored.find((t) => String(t.question).includes("error"))!;
    const message = JSON.parse(String(error.answer)).message as string;
    assert.match(message, /fetch failed \(.*refused/i);
    assert.doesNotMatch(message, /s3cr3t/);
  } finally {
    await scout.close();
    server.stop();
  }
});

Deno.test("a failed watch is timed too: the watch-duration histogram counts every cycle", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  const scout = new CountingScout(options(server, clock));
  try {
    await scout.tick();
    scout.fail = true;
    await scout.tick();
    const text = renderMetrics(scout.metrics);
    assert.match(
      text,
      /^plato_scout_watch_duration_seconds_count\{scout_name="my-service-scout"\} 2$/m,
    );
  } finally {
    await scout.close();
    server.stop();
  }
});
