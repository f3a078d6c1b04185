import { renderMetrics } from "../lib/metrics_text.ts";
import assert from "node:assert/strict";
import {
  buildTile,
  createLogger,
  createPlatoClient,
  Emitter,
  type EmitterOptions,
  type LogRecord,
  MemoryOutbox,
  METRIC,
  MetricsRegistry,
  type PlatoClient,
  quoteObserved,
  type SubmitOutcome,
  type Tile,
} from "../mod.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { FakeClock } from "./_support/fake_clock.ts";
import { sleepOn } from "../lib/timers.ts";
import { healthReport } from "../lib/emitter.ts";

let seq = 0;
function tile(answer = `observation number ${++seq} of the test`): Tile {
  return buildTile({
    scoutName: "emitter-test",
    room: "test/emitter",
    checkpointType: "periodic",
    question: `tile ${seq}`,
    answer,
  });
}

function quietLogger(records: LogRecord[] = []) {
  return createLogger({ level: "debug", sink: (r) => records.push(r) });
}

Deno.test("emit() returns without waiting for the network", async () => {
  let resolveFetch: (r: Response) => void = () => {};
  const hanging: typeof fetch = () => new Promise((r) => (resolveFetch = r));
  const clock = new FakeClock();
  const emitter = new Emitter({
    client: createPlatoClient({ url: "http://127.0.0.1:9", fetch: hanging }),
    timers: clock,
    now: clock.now,
    logger: quietLogger(),
  });
  emitter.emit(tile());
  assert.equal(emitter.stats.pending, 1);
  await clock.advance(0); // the flush starts and waits on the hanging fetch
  emitter.emit(tile());
  assert.equal(emitter.stats.emitted, 2);
  resolveFetch(new Response("{}", { status: 200 }));
  await clock.advance(0);
  assert.equal(emitter.stats.delivered, 1);
});

Deno.test("emitter batches by batchSize and flushes at most every minInterval", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      batchSize: 10,
      minIntervalMs: 5000,
      timers: clock,
      now: clock.now,
      logger: quietLogger(),
    });
    for (let i = 0; i < 25; i++) emitter.emit(tile());
    assert.deepEqual(clock.pending, [0]); // one timer armed, at once: no flush happened yet
    await emitter.flush();
    assert.deepEqual(server.requests.map((r) => r.tiles), [10, 10, 5]);
    emitter.emit(tile());
    assert.deepEqual(clock.pending, [5000]); // the next flush waits for the minimum interval
    await clock.advance(4999);
    assert.equal(server.requests.length, 3);
    await clock.advance(1);
    // Real loopback I/O: wait for the flush the timer started.
    await emitter.flush();
    assert.equal(server.stored.length, 26);
  } finally {
    server.stop();
  }
});

Deno.test("emitter never retries a gate rejection and counts it with its reason", async () => {
  const server = new FakePlato().start();
  const records: LogRecord[] = [];
  const metrics = new MetricsRegistry();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      logger: quietLogger(records),
      metrics,
      name: "gate-test",
    });
    emitter.emit(tile("the link was never established here"));
    emitter.emit(tile());
    const report = await emitter.flush();
    assert.equal(report.delivered, 1);
    assert.equal(report.rejected, 1);
    assert.equal(emitter.stats.pending, 0);
    await emitter.flush();
    assert.equal(server.requests.length, 1);
    assert.ok(
      records.some((r) =>
        r.level === "warn" && r.message.includes("Answer contains absolute claim 'never'")
      ),
    );
    assert.equal(metrics.value(METRIC.rejected, { scout_name: "gate-test", reason: "gate" }), 1);
  } finally {
    server.stop();
  }
});

Deno.test("emitter with gate 'refuse' drops a tile the gate would refuse before sending it", async () => {
  const server = new FakePlato().start();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      gate: "refuse",
      logger: quietLogger(),
    });
    assert.equal(emitter.emit(tile("short")), false);
    assert.equal(emitter.emit(tile()), true);
    await emitter.flush();
    assert.equal(server.stored.length, 1);
    assert.equal(emitter.stats.rejected, 1);
  } finally {
    server.stop();
  }
});

Deno.test("emitter backs off with full jitter after a retryable failure and honours Retry-After", async () => {
  const server = new FakePlato().start();
  const clock = new FakeClock();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      minIntervalMs: 0,
      backoff: { baseMs: 1000, capMs: 8000 },
      random: () => 0.5,
      timers: clock,
      now: clock.now,
      logger: quietLogger(),
    });
    server.faults.push({ status: 503 }, { status: 503 }, {
      status: 429,
      headers: { "retry-after": "30" },
    });
    emitter.emit(tile());
    await emitter.flush();
    assert.deepEqual(clock.pending, [500]); // 0.5 × 1000
    await emitter.flush();
    assert.deepEqual(clock.pending, [1000]); // 0.5 × 2000
    await emitter.flush();
    assert.deepEqual(clock.pending, [30000]); // Retry-After beats the jittered 2000
    await emitter.flush();
    assert.equal(server.stored.length, 1);
    assert.equal(emitter.stats.retries, 3);
    assert.deepEqual(clock.pending, []);
  } finally {
    server.stop();
  }
});

Deno.test("a Duplicate tile answer to a retry counts as delivered", async () => {
  const server = new FakePlato().start();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      batchSize: 1,
      logger: quietLogger(),
    });
    server.faults.push("store-then-drop");
    emitter.emit(tile());
    assert.equal((await emitter.flush()).pending, 1);
    const report = await emitter.flush();
    assert.equal(report.delivered, 1);
    assert.equal(emitter.stats.rejected, 0);
    assert.equal(server.stored.length, 1);
  } finally {
    server.stop();
  }
});

Deno.test("a Duplicate tile answer to a first attempt is counted as a duplicate rejection", async () => {
  const server = new FakePlato().start();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      logger: quietLogger(),
    });
    const t = tile();
    emitter.emit(t);
    emitter.emit({ ...t, id: crypto.randomUUID() });
    await emitter.flush();
    assert.deepEqual(emitter.stats.duplicates, 1);
    assert.deepEqual(emitter.stats.delivered, 1);
  } finally {
    server.stop();
  }
});

Deno.test("batchSize 1: a tile a proxy refuses for what it holds does not hold the outbox's head", async () => {
  const plato = new FakePlato().start();
  // A WAF in front of PLATO: an HTML 403 for a body naming /etc/passwd, or
  // for everything while `blockAll` is set.
  let blockAll = false;
  const waf = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    if (blockAll || body.includes("etc/passwd")) {
      return new Response("<html>Request blocked</html>", { status: 403 });
    }
    const { pathname } = new URL(req.url);
    return fetch(`${plato.url}${pathname}`, { method: "POST", body, headers: req.headers });
  });
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: `http://127.0.0.1:${waf.addr.port}` }),
      autoFlush: false,
      batchSize: 1,
      concurrency: 1,
      logger: quietLogger(),
    });
    // A proxy refusing everything refuses nothing for good.
    blockAll = true;
    const answers = ["one", "two", "three", "GET /../../etc/passwd", "four", "five"]
      .map((q) => `${q}: an observation long enough for the gate`);
    for (const a of answers.slice(0, 3)) emitter.emit(tile(a));
    for (let i = 0; i < 3; i++) assert.equal((await emitter.flush()).pending, 3);
    assert.equal(emitter.stats.rejected, 0);
    blockAll = false;
    assert.equal((await emitter.flush()).pending, 0);
    // A tile it refuses for what it holds is refused for good, and the
    // tiles after it are delivered.
    for (const a of answers.slice(3)) emitter.emit(tile(a));
    assert.equal((await emitter.flush()).pending, 3);
    const report = await emitter.flush();
    assert.deepEqual([report.pending, report.rejected, report.delivered], [0, 1, 2]);
    assert.deepEqual(plato.stored.map((t) => t.answer), answers.toSpliced(3, 1));
  } finally {
    await waf.shutdown();
    plato.stop();
  }
});

Deno.test("outage: 1,000 tiles emitted while PLATO is down all arrive exactly once when it returns", async () => {
  const server = new FakePlato({ dedupeById: true }).start();
  const port = server.port;
  server.stop();
  const clock = new FakeClock();
  const emitter = new Emitter({
    client: createPlatoClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 }),
    batchSize: 50,
    minIntervalMs: 1000,
    timers: clock,
    now: clock.now,
    sleep: clock.sleep,
    logger: quietLogger(),
  });
  const ids: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = tile();
    ids.push(t.id);
    emitter.emit(t);
    if (i % 100 === 0) await emitter.flush(); // attempts during the outage
  }
  assert.equal(emitter.stats.pending, 1000);
  assert.ok(emitter.stats.retries >= 10);
  const back = new FakePlato({ dedupeById: true, port }).start();
  try {
    back.faults.push("store-then-drop", { status: 503 }); // a rough return
    const report = await emitter.drain({ deadlineMs: 10 * 60_000 });
    assert.equal(report.pending, 0);
    const counts = back.idCounts();
    assert.equal(counts.size, 1000);
    assert.ok(ids.every((id) => counts.get(id) === 1), "every tile stored exactly once");
    assert.equal(emitter.stats.delivered, 1000);
  } finally {
    back.stop();
  }
});

Deno.test("a full outbox drops the oldest tiles, counts them, and says so in the log", async () => {
  const metrics = new MetricsRegistry();
  const records: LogRecord[] = [];
  const emitter = new Emitter({
    client: createPlatoClient({ url: "http://127.0.0.1:9" }),
    outbox: new MemoryOutbox({ capacity: 3 }),
    autoFlush: false,
    metrics,
    name: "drop-test",
    logger: quietLogger(records),
  });
  const tiles = [tile(), tile(), tile(), tile(), tile()];
  tiles.forEach((t) => emitter.emit(t));
  assert.equal(emitter.stats.dropped, 2);
  assert.deepEqual(
    (await emitter.outbox.peek(10)).map((e) => e.tile.id),
    tiles.slice(2).map((t) => t.id),
  );
  assert.equal(metrics.value(METRIC.dropped, { scout_name: "drop-test" }), 2);
  const drops = () =>
    records.filter((r) => r.message.startsWith("Outbox full")).map((r) => r.message);
  await emitter.flush(); // nothing listens on port 9: the tiles stay
  emitter.emit(tile());
  await emitter.flush();
  await emitter.flush(); // no new drop, no new line
  assert.deepEqual(drops().map((m) => m.split(";")[0]), [
    "Outbox full: 2 oldest tile(s) dropped (2 in all)",
    "Outbox full: 1 oldest tile(s) dropped (3 in all)",
  ]);
});

Deno.test("close() stops timers and gives up at the deadline, leaving tiles in the outbox", async () => {
  const clock = new FakeClock();
  const failing: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    submitBatch: (tiles) =>
      Promise.resolve(tiles.map(() => ({ kind: "retryable" as const, reason: "down" }))),
  };
  const emitter = new Emitter({
    client: failing,
    timers: clock,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 1,
    logger: quietLogger(),
  });
  emitter.emit(tile());
  const report = await emitter.close({ deadlineMs: 10_000 });
  assert.equal(report.pending, 1);
  assert.ok(clock.t - Date.UTC(2026, 10, 24) <= 10_000);
  assert.deepEqual(clock.pending, []);
});

Deno.test("at most 'concurrency' batches are in flight, and only one probe batch while recovering", async () => {
  let inFlight = 0;
  let max = 0;
  let fail = true;
  const sizes: number[] = [];
  const completedBeforeStart: number[] = [];
  let completed = 0;
  const client: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    async submitBatch(tiles) {
      inFlight++;
      max = Math.max(max, inFlight);
      sizes.push(tiles.length);
      completedBeforeStart.push(completed);
      await new Promise((r) => setTimeout(r, 0));
      inFlight--;
      completed++;
      return tiles.map(() =>
        fail
          ? { kind: "retryable" as const, reason: "down" }
          : { kind: "accepted" as const, status: 200 }
      );
    },
  };
  const emitter = new Emitter({
    client,
    autoFlush: false,
    batchSize: 10,
    concurrency: 3,
    logger: quietLogger(),
  });
  for (let i = 0; i < 100; i++) emitter.emit(tile());
  await emitter.flush(); // three lanes start; the failures stop further batches
  assert.equal(max, 3);
  assert.equal(emitter.stats.pending, 100);
  max = 0;
  sizes.length = 0;
  completedBeforeStart.length = 0;
  completed = 0;
  fail = false;
  const report = await emitter.flush(); // recovering: one probe batch, then lanes again
  assert.equal(report.delivered, 100);
  assert.equal(sizes[0], 10);
  assert.equal(max, 3);
  // The probe went alone: the second request started only after it returned.
  assert.deepEqual(completedBeforeStart.slice(0, 2), [0, 1]);
  assert.equal(emitter.stats.pending, 0);
});

Deno.test("tiles are acknowledged in order even when later batches answer first", async () => {
  const order: string[] = [];
  let calls = 0;
  const client: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    async submitBatch(tiles) {
      const n = calls++;
      // The first batch answers last.
      await new Promise((r) => setTimeout(r, n === 0 ? 5 : 0));
      return tiles.map(() => ({ kind: "accepted" as const, status: 200 }));
    },
  };
  const outbox = new MemoryOutbox({ capacity: 1000 });
  const ack = outbox.ack.bind(outbox);
  outbox.ack = (ids) => {
    order.push(...ids);
    ack(ids);
  };
  const emitter = new Emitter({
    client,
    outbox,
    autoFlush: false,
    batchSize: 5,
    concurrency: 2,
    logger: quietLogger(),
  });
  const tiles = Array.from({ length: 20 }, () => tile());
  tiles.forEach((t) => emitter.emit(t));
  await emitter.flush();
  assert.deepEqual(order, tiles.map((t) => t.id));
});

Deno.test("every refused tile is logged with its reason: the first five one by one, the rest counted by reason", async () => {
  const records: LogRecord[] = [];
  const client: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    submitBatch: (tiles) =>
      Promise.resolve(tiles.map((_, i) => ({
        kind: "rejected" as const,
        status: 403,
        reason: i % 2 ? "Answer too short (3 < 20)" : "Answer contains absolute claim 'never'",
      }))),
  };
  const emitter = new Emitter({
    client,
    autoFlush: false,
    gate: "off",
    logger: quietLogger(records),
  });
  for (let i = 0; i < 12; i++) emitter.emit(tile());
  await emitter.flush();
  const lines = records.filter((r) => r.level === "warn").map((r) => r.message);
  assert.equal(lines.filter((l) => l.startsWith("PLATO refused tile ")).length, 5);
  assert.deepEqual(lines.filter((l) => l.includes("more tile(s) refused")), [
    "7 more tile(s) refused by PLATO in this flush: Answer too short (3 < 20) (4); Answer contains absolute claim 'never' (3)",
  ]);
  assert.equal(emitter.stats.rejected, 12);
});

Deno.test("emitter masks the configuration's secrets in every tile before it is queued", async () => {
  const server = new FakePlato().start();
  try {
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      outbox: new MemoryOutbox(),
      secrets: ["s3cr3t-path", "abc"], // shorter than 4 characters: ignored
      autoFlush: false,
      logger: quietLogger(),
    });
    const leaky = buildTile({
      scoutName: "emitter-test",
      room: "test/s3cr3t-path", // a room is public: GET /rooms lists it
      checkpointType: "periodic",
      question: "Polls http://h/hooks/s3cr3t-path",
      answer: { url: "http://h/hooks/s3cr3t-path", note: "abc" },
      tags: ["hook:s3cr3t-path"],
    });
    emitter.emit(leaky);
    const [queued] = await emitter.outbox.peek(1);
    assert.equal(queued.tile.question, "[PERIODIC] Polls http://h/hooks/***");
    assert.deepEqual(JSON.parse(queued.tile.answer), { url: "http://h/hooks/***", note: "abc" });
    assert.ok(queued.tile.tags.includes("hook:***"));
    assert.equal(queued.tile.domain, "test/***");
    assert.equal(queued.tile.id, leaky.id);
    await emitter.flush();
    assert.equal(server.stored.length, 1);
    assert.ok(!JSON.stringify(server.stored).includes("s3cr3t-path"));
    // A secret holding a gate word, after a scout quoted it in observed text.
    const quoting = new Emitter({
      client: createPlatoClient({ url: server.url }),
      outbox: new MemoryOutbox(),
      secrets: ["Always-Be-Closing-2024"],
      autoFlush: false,
      logger: quietLogger(),
    });
    quoting.emit(buildTile({
      scoutName: "emitter-test",
      room: "test/emitter",
      checkpointType: "error",
      question: "login failed",
      answer: { message: quoteObserved("bad password Always-Be-Closing-2024 for admin") },
    }));
    const [quoted] = await quoting.outbox.peek(1);
    assert.ok(!quoted.tile.answer.includes("-Be-Closing-2024"), quoted.tile.answer);
  } finally {
    server.stop();
  }
});

/** An emitter on fake time whose PLATO accepts each request and never answers. */
function silentEmitter() {
  const clock = new FakeClock();
  let started = 0;
  const silent: typeof fetch = (_input, init) => {
    started++;
    return new Promise((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
    });
  };
  const outbox = new MemoryOutbox();
  const emitter = new Emitter({
    client: createPlatoClient({ url: "http://127.0.0.1:9", fetch: silent, timers: clock }),
    outbox,
    timers: clock,
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
    logger: quietLogger(),
  });
  return { clock, outbox, emitter, started: () => started };
}

Deno.test("close() cancels a request still in flight at its deadline; the tiles stay in the outbox", async () => {
  const { clock, outbox, emitter, started } = silentEmitter();
  emitter.emit(tile());
  emitter.emit(tile());
  let settled = false;
  const closing = emitter.close({ deadlineMs: 3000 }).finally(() => (settled = true));
  await clock.advance(2999);
  assert.equal(settled, false);
  assert.equal(started(), 1);
  await clock.advance(1); // the deadline: well before the request's own 10 s timeout
  await clock.advance(0);
  assert.equal(settled, true, "close() waited past its deadline");
  const report = await closing;
  assert.equal(report.pending, 2);
  assert.match(report.lastError ?? "", /3000 ms delivery deadline/);
  assert.equal(outbox.size(), 2);
});

Deno.test("close() with a signal stops delivering when it aborts; the tiles stay in the outbox", async () => {
  const { clock, outbox, emitter } = silentEmitter();
  emitter.emit(tile());
  const stop = new AbortController();
  let settled = false;
  const closing = emitter.close({ deadlineMs: 60_000, signal: stop.signal }).finally(
    () => (settled = true),
  );
  await clock.advance(10);
  assert.equal(settled, false);
  stop.abort();
  await clock.advance(0);
  assert.equal(settled, true, "close() went on delivering after its signal aborted");
  const report = await closing;
  assert.equal(report.pending, 1);
  assert.match(report.lastError ?? "", /delivery was stopped/);
  assert.equal(outbox.size(), 1);
});

/** A client whose batches fail (retryable) until `up()` says PLATO is back; it counts requests and when they came. */
function flakyClient(clock: FakeClock, up: () => boolean, retryAfter?: number) {
  const at: number[] = [];
  const client: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    submitBatch: (tiles) => {
      at.push(clock.t);
      const outcome: SubmitOutcome = up()
        ? { kind: "accepted", status: 200 }
        : { kind: "retryable", reason: "down", retryAfterMs: retryAfter };
      return Promise.resolve(tiles.map(() => outcome));
    },
  };
  return { client, at };
}

/** An emitter on `clock` that flushes only when asked (close() drains), with `extra` options. */
function clockEmitter(clock: FakeClock, client: PlatoClient, extra: Partial<EmitterOptions> = {}) {
  return new Emitter({
    client,
    timers: clock,
    now: clock.now,
    sleep: clock.sleep,
    autoFlush: false,
    logger: quietLogger(),
    ...extra,
  });
}

Deno.test("close() after a long outage keeps trying until its deadline, whatever backoff the outage built up", async () => {
  const clock = new FakeClock();
  const records: LogRecord[] = [];
  let backAt = Infinity;
  const { client, at } = flakyClient(clock, () => clock.t >= backAt);
  const emitter = clockEmitter(clock, client, { random: () => 0.99, logger: quietLogger(records) });
  emitter.emit(tile());
  // Twelve failed flushes: the next backoff would be ~59 s, past the whole deadline.
  for (let i = 0; i < 12; i++) await emitter.flush();
  const start = clock.t;
  const logged = records.length;
  backAt = start + 3000;
  const report = await emitter.close({ deadlineMs: 10_000 });
  assert.equal(report.pending, 0, report.lastError);
  assert.equal(report.delivered, 1);
  assert.ok(clock.t - start < 10_000);
  assert.ok(at.filter((t) => t >= start).length >= 2, "it retried within the deadline");
  // Its warnings give the waits it keeps, not the outage's ~59 s.
  const waits = records.slice(logged).map((r) => /retry in (\d+) ms/.exec(r.message)?.[1]);
  assert.ok(
    waits.length > 0 && waits.every((w) => w !== undefined && Number(w) < 5000),
    String(waits),
  );
});

Deno.test("close() honours the server's Retry-After: it waits it out within the deadline, and stops at once when it runs past", async () => {
  for (const [retryAfter, delivered] of [[8000, 1], [30_000, 0]] as const) {
    const clock = new FakeClock();
    let failing = true;
    const { client, at } = flakyClient(clock, () => !failing, retryAfter);
    const emitter = clockEmitter(clock, client);
    emitter.emit(tile());
    await emitter.flush(); // answered 'Retry-After'
    failing = false;
    const start = clock.t;
    const report = await emitter.close({ deadlineMs: 10_000 });
    assert.equal(report.delivered, delivered, `Retry-After ${retryAfter}`);
    // One request before close(); within it, one after the Retry-After, or none.
    assert.deepEqual(at.slice(1).map((t) => t - start), delivered ? [retryAfter] : []);
  }
});

Deno.test("close() with a signal stops at once while it waits out a backoff", async () => {
  const clock = new FakeClock();
  const { client, at } = flakyClient(clock, () => false);
  const emitter = clockEmitter(clock, client, {
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    random: () => 0.99,
  });
  emitter.emit(tile());
  const stop = new AbortController();
  let settled = false;
  const closing = emitter.close({ deadlineMs: 60_000, signal: stop.signal }).finally(
    () => (settled = true),
  );
  await clock.advance(10); // the first try failed; the drain waits out its backoff
  assert.equal(at.length, 1);
  assert.equal(settled, false);
  stop.abort();
  await clock.advance(0);
  assert.equal(settled, true, "close() slept on after its signal aborted");
  assert.equal((await closing).pending, 1);
  assert.deepEqual(clock.pending, [], "the backoff's timer was left running");
});

Deno.test("close() ends with the error of a sleep that rejects, instead of retrying without waiting", async () => {
  const clock = new FakeClock();
  const { client, at } = flakyClient(clock, () => false);
  const emitter = clockEmitter(clock, client, {
    sleep: () => Promise.reject(new Error("no more subrequests")),
  });
  emitter.emit(tile());
  await assert.rejects(emitter.close({ deadlineMs: 10_000 }), /no more subrequests/);
  assert.equal(at.length, 1);
});

Deno.test("stats say since when delivery fails and why, until a delivery succeeds; /health says degraded", async () => {
  const server = new FakePlato().start();
  try {
    const clock = new FakeClock();
    const emitter = new Emitter({
      client: createPlatoClient({ url: server.url }),
      autoFlush: false,
      timers: clock,
      now: clock.now,
      logger: quietLogger(),
    });
    emitter.emit(tile());
    assert.equal(healthReport(emitter.stats, ["a"]).status, "healthy");
    server.faults.push({ status: 503 }, { status: 503 });
    await emitter.flush();
    const since = clock.now();
    await clock.advance(5_000);
    await emitter.flush();
    assert.equal(emitter.stats.failingSince, since, "the first failure, not the last");
    const degraded = healthReport(emitter.stats, ["a"]);
    assert.equal(degraded.status, "degraded");
    assert.equal(degraded.failing_since, new Date(since).toISOString());
    assert.match(degraded.last_error!, /503/);
    assert.equal(degraded.outbox_depth, 1);
    await emitter.flush();
    assert.equal(emitter.stats.failingSince, undefined);
    assert.deepEqual(healthReport(emitter.stats, ["a"]), {
      status: "healthy",
      scouts: ["a"],
      outbox_depth: 0,
      delivered: 1,
      dropped: 0,
    });
  } finally {
    server.stop();
  }
});

Deno.test("a closed emitter's outbox leaves a shared registry: generations of one name do not add up", async () => {
  const metrics = new MetricsRegistry();
  for (let generation = 0; generation < 3; generation++) {
    const emitter = new Emitter({
      client: createPlatoClient({
        url: "http://127.0.0.1:9",
        fetch: () => Promise.reject(new TypeError("down")),
      }),
      autoFlush: false,
      metrics,
      name: "web",
      logger: quietLogger(),
    });
    for (let i = 0; i < 5; i++) emitter.emit(tile());
    assert.equal(metrics.value(METRIC.outboxDepth, { scout_name: "web" }), 5);
    await emitter.close({ deadlineMs: 0 });
  }
  assert.doesNotMatch(renderMetrics(metrics), /^plato_scout_outbox_depth\{/m);
});

Deno.test("a failure's reason reaches /health and the flush report with the secrets masked", async () => {
  const clock = new FakeClock();
  const client: PlatoClient = {
    ...createPlatoClient({ url: "http://127.0.0.1:9" }),
    // A server that echoes the request's Authorization header in its 401.
    submitBatch: (tiles) =>
      Promise.resolve(tiles.map((): SubmitOutcome => ({
        kind: "retryable",
        status: 401,
        reason: "401 Unauthorized (bad token: Bearer sk-TOPSECRET-123456)",
      }))),
  };
  const emitter = clockEmitter(clock, client, { secrets: ["sk-TOPSECRET-123456"] });
  emitter.emit(tile());
  const report = await emitter.flush();
  assert.equal(report.lastError, "401 Unauthorized (bad token: Bearer ***)");
  assert.equal(healthReport(emitter.stats, ["a"]).last_error, report.lastError);
});
