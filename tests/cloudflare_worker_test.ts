import assert from "node:assert/strict";
import { createWorker } from "../lib/runtime/cloudflare.ts";
import { createLogger } from "../lib/logger.ts";
import { httpScout } from "../scouts/http.ts";
import { FakeKv } from "./_support/fake_kv.ts";

const silent = () => createLogger({ level: "silent" });

const scout = (name: string, cron?: string) => ({
  scout: { name, scout_room: "tests/worker", ...(cron ? { cron } : {}) },
  watch: { type: "http", url: `https://target.example/${name}` },
});

/** Answers checks with 200 and PLATO with an accepting /submit_batch; records URLs. */
function memoryFetch(seen: string[]): typeof fetch {
  return (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    seen.push(url);
    if (url.endsWith("/submit_batch")) {
      const { tiles } = JSON.parse(String(init?.body)) as { tiles: unknown[] };
      return Promise.resolve(Response.json({
        accepted: tiles.length,
        rejected: 0,
        details: tiles.map(() => ({ status: "accepted", hash: "h", room: "r" })),
      }));
    }
    return Promise.resolve(Response.json({ status: "ok" }));
  };
}

const ctx = { waitUntil() {} };

Deno.test("createWorker runs scouts whose cron fired and scouts without one", async () => {
  const seen: string[] = [];
  const worker = createWorker({ kinds: [httpScout], fetch: memoryFetch(seen), logger: silent() });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({
      scouts: [scout("five", "*/5 * * * *"), scout("hourly", "0 * * * *"), scout("always")],
    }),
  };
  const report = await worker.runCycle(env, { cron: "*/5  *  * * *" });
  assert.deepEqual(report.ran.sort(), ["always", "five"]);
  assert.equal(report.subrequests.checks, 2);
  assert.equal(report.subrequests.delivery, 1);
  assert.equal(report.pending, 0);
  assert.equal(report.durable, false);
});

Deno.test("createWorker reports configuration problems on /health and in the cycle", async () => {
  const worker = createWorker({ kinds: [httpScout], logger: silent() });
  const missing = await worker.fetch(new Request("http://w/health"), {}, ctx);
  assert.equal(missing.status, 503);
  assert.match(JSON.stringify(await missing.json()), /SCOUTS is not set/);
  const env = { SCOUTS: "scout: yaml", PLATO_URL: "https://p.example" };
  const report = await worker.runCycle(env);
  assert.equal(report.ok, false);
  assert.match(report.errors[0], /Cannot parse SCOUTS.*parseConfig/);
  const bad = await worker.runCycle({
    PLATO_URL: "https://p.example",
    SCOUTS: { scout: { name: "x", scout_room: "r" }, watch: { type: "log", file: "/x" } },
  });
  assert.match(bad.errors[0], /watch\.type.*unknown scout type 'log'/);
});

Deno.test("createWorker's /run needs the trigger token, compared exactly", async () => {
  const seen: string[] = [];
  const worker = createWorker({ kinds: [httpScout], fetch: memoryFetch(seen), logger: silent() });
  const base = { PLATO_URL: "https://plato.example", SCOUTS: JSON.stringify(scout("a")) };
  const post = (env: Record<string, unknown>, auth?: string) =>
    worker.fetch(
      new Request("http://w/run", {
        method: "POST",
        headers: auth ? { authorization: auth } : {},
      }),
      env,
      ctx,
    );
  assert.equal((await post(base, "Bearer x")).status, 403);
  const env = { ...base, SCOUT_TRIGGER_TOKEN: "s3cret-token" };
  assert.equal((await post(env)).status, 401);
  assert.equal((await post(env, "Bearer s3cret-token2")).status, 401);
  assert.equal((await post(env, "Bearer s3cret-toke")).status, 401);
  assert.equal(seen.length, 0);
  const ok = await post(env, "Bearer s3cret-token");
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { ran: string[] }).ran, ["a"]);
});

Deno.test("createWorker answers a wrong method 405 with Allow, takes any case of 'Bearer', and refuses an unknown scout in ?scouts= with 400", async () => {
  const seen: string[] = [];
  const worker = createWorker({ kinds: [httpScout], fetch: memoryFetch(seen), logger: silent() });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a"), scout("b")] }),
    SCOUT_TRIGGER_TOKEN: "s3cret-token",
  };
  const call = (method: string, path: string, auth = "bearer s3cret-token") =>
    worker.fetch(
      new Request(`http://w${path}`, { method, headers: { authorization: auth } }),
      env,
      ctx,
    );
  const postHealth = await call("POST", "/health");
  assert.equal(postHealth.status, 405);
  assert.equal(postHealth.headers.get("allow"), "GET, HEAD");
  assert.equal((await call("HEAD", "/health")).status, 200);
  const getRun = await call("GET", "/run");
  assert.equal(getRun.status, 405);
  assert.equal(getRun.headers.get("allow"), "POST");
  assert.equal((await call("GET", "/nope")).status, 404);
  const unknown = await call("POST", "/run?scouts=a,nope");
  assert.equal(unknown.status, 400);
  assert.match((await unknown.json()).error, /Unknown scout in 'scouts': nope$/);
  assert.equal(seen.length, 0);
  assert.equal((await call("POST", "/run", "Bearer")).status, 401);
  assert.equal((await call("POST", "/run", "s3cret-token")).status, 401);
  const lower = await call("POST", "/run?scouts=b");
  assert.equal(lower.status, 200);
  assert.deepEqual(((await lower.json()) as { ran: string[] }).ran, ["b"]);
  const upper = await call("POST", "/run", "BEARER s3cret-token");
  assert.equal(upper.status, 200);
});

Deno.test("createWorker stops at the subrequest budget and leaves the tiles in KV", async () => {
  const seen: string[] = [];
  const kv = new FakeKv();
  const worker = createWorker({
    kinds: [httpScout],
    fetch: memoryFetch(seen),
    logger: silent(),
    checkBudget: 2,
    deliveryBudget: 0,
  });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a"), scout("b"), scout("c")] }),
    SCOUT_KV: kv,
  };
  const report = await worker.runCycle(env);
  assert.equal(report.subrequests.checks, 2);
  assert.equal(seen.filter((u) => u.includes("submit")).length, 0);
  assert.ok(report.errors.some((e) => /Delivery: .*budget/.test(e)), report.errors.join());
  assert.ok(report.pending > 0);
  const stored = JSON.parse(kv.data.get("plato-scout:outbox")!);
  assert.equal(stored.entries.length, report.pending);
  // The third check was refused before reaching the network: an observation, not a crash.
  const third = stored.entries.filter((e: { tile: { source: string } }) => e.tile.source === "c");
  assert.ok(third.some((e: { tile: { answer: string } }) => e.tile.answer.includes("budget")));
});

Deno.test("createWorker ends delivery when PLATO is down and its subrequests are spent, without spinning", async () => {
  const kv = new FakeKv();
  let deliveries = 0;
  const records: string[] = [];
  const worker = createWorker({
    kinds: [httpScout],
    fetch: (input) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith("https://plato.example")) {
        return Promise.resolve(Response.json({ ok: 1 }));
      }
      deliveries++;
      return Promise.reject(new TypeError("fetch failed"));
    },
    logger: createLogger({ level: "debug", sink: (r) => records.push(r.message) }),
    deliveryBudget: 3,
    deadlineMs: 3000,
  });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a")] }),
    SCOUT_KV: kv,
  };
  const report = await worker.runCycle(env);
  assert.equal(deliveries, 3);
  assert.ok(report.errors.some((e) => /Delivery: .*budget/.test(e)), report.errors.join());
  // One warning per failed try: a drain that spun on the spent budget logged thousands.
  const failed = records.filter((m) => m.startsWith("Delivery failed"));
  assert.ok(failed.length <= 4, `${failed.length} 'Delivery failed' lines`);
  assert.equal(JSON.parse(kv.data.get("plato-scout:outbox")!).entries.length, report.pending);
});

Deno.test("createWorker bounds the KV outbox by the config's emission limits when they are lower", async () => {
  const kv = new FakeKv();
  const worker = createWorker({
    kinds: [httpScout],
    fetch: memoryFetch([]),
    logger: silent(),
    deliveryBudget: 0, // PLATO out of reach: every tile waits
  });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a")], emission: { outbox_max_entries: 3 } }),
    SCOUT_KV: kv,
  };
  for (let i = 0; i < 5; i++) await worker.runCycle(env);
  const stored = JSON.parse(kv.data.get("plato-scout:outbox")!);
  assert.equal(stored.entries.length, 3);
  assert.equal(stored.dropped, 6 - 3); // STARTUP and five PERIODIC tiles, the oldest dropped
});

/** A KV namespace whose reads or writes can be made to fail, as KV does past its daily limits. */
class FlakyKv extends FakeKv {
  failGets = false;
  failPuts = false;
  override get(key: string): Promise<string | null> {
    return this.failGets ? Promise.reject(new Error("KV GET failed: 503")) : super.get(key);
  }
  override put(key: string, value: string): Promise<void> {
    return this.failPuts
      ? Promise.reject(new Error("KV put() limit exceeded for the day"))
      : super.put(key, value);
  }
}

Deno.test("createWorker keeps tiles in memory while KV fails, and delivers each once when KV and PLATO are back", async () => {
  const kv = new FlakyKv();
  let platoUp = false;
  const sent: Array<{ id: string; question: string }> = [];
  const worker = createWorker({
    kinds: [httpScout],
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith("https://plato.example")) {
        if (!platoUp) return Promise.reject(new TypeError("fetch failed"));
        sent.push(...(JSON.parse(String(init?.body)) as { tiles: typeof sent }).tiles);
        return memoryFetch([])(input, init);
      }
      return Promise.resolve(Response.json({ ok: 1 }));
    },
    logger: silent(),
    deadlineMs: 0,
  });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a")] }),
    SCOUT_KV: kv,
  };
  await worker.runCycle(env); // STARTUP and PERIODIC wait in KV
  kv.failGets = true;
  const readFailed = await worker.runCycle(env); // KV unreadable: this cycle's tile waits in memory
  assert.ok(readFailed.errors.some((e) => /KV unavailable/.test(e)), readFailed.errors.join());
  kv.failGets = false;
  kv.failPuts = true;
  const writeFailed = await worker.runCycle(env); // KV unwritable: what waits stays in memory
  assert.ok(writeFailed.errors.some((e) => /kept in memory/.test(e)), writeFailed.errors.join());
  kv.failPuts = false;
  platoUp = true;
  const back = await worker.runCycle(env);
  assert.equal(back.pending, 0, back.errors.join());
  // One PERIODIC per cycle, each sent once (the cycle without KV state sent a second STARTUP).
  assert.equal(new Set(sent.map((t) => t.id)).size, sent.length);
  assert.equal(sent.filter((t) => t.question.startsWith("[PERIODIC]")).length, 4);
});

Deno.test("createWorker masks credential-named ${VAR} values in every tile it delivers", async () => {
  const bodies: string[] = [];
  const fetchAll = memoryFetch([]);
  const recording: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith("/submit_batch")) {
      bodies.push(String(init?.body));
    }
    return fetchAll(input, init);
  };
  const worker = createWorker({ kinds: [httpScout], fetch: recording, logger: silent() });
  const report = await worker.runCycle({
    PLATO_URL: "https://plato.example",
    HOOK_SECRET: "Hook-S3cret-Path-Value",
    SCOUTS: JSON.stringify({
      scout: { name: "hook", scout_room: "tests/worker" },
      watch: { type: "http", url: "https://target.example/hooks/${HOOK_SECRET}" },
    }),
  });
  assert.equal(report.ok, true, JSON.stringify(report.errors));
  assert.equal(bodies.length, 1);
  assert.match(bodies[0], /hooks\/\*\*\*/);
  assert.ok(!bodies[0].includes("Hook-S3cret-Path-Value"));
});

Deno.test("createWorker sends the startup tile once per configuration, noted in KV as a hash", async () => {
  const kv = new FakeKv();
  const questions: string[] = [];
  const fetchAll = memoryFetch([]);
  const recording: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith("/submit_batch") || url.endsWith("/submit")) {
      const body = JSON.parse(String(init?.body));
      for (const tile of body.tiles ?? [body]) questions.push(tile.question.split("]")[0] + "]");
    }
    return fetchAll(input, init);
  };
  const worker = createWorker({ kinds: [httpScout], fetch: recording, logger: silent() });
  const env = (timeout: number) => ({
    PLATO_URL: "https://plato.example",
    HOOK_SECRET: "Hook-S3cret-Path-Value",
    SCOUTS: JSON.stringify({
      scout: { name: "hook", scout_room: "tests/worker" },
      watch: { type: "http", url: "https://target.example/hooks/${HOOK_SECRET}", timeout },
    }),
    SCOUT_KV: kv,
  });
  for (const timeout of [5, 5, 3, 3]) {
    const report = await worker.runCycle(env(timeout));
    assert.equal(report.pending, 0, report.errors.join());
  }
  assert.deepEqual(questions, [
    "[STARTUP]",
    "[PERIODIC]",
    "[PERIODIC]",
    "[STARTUP]",
    "[PERIODIC]",
    "[PERIODIC]",
  ]);
  // What marks it sent is a hash: the configuration holds the credential.
  const state = JSON.parse(kv.data.get("plato-scout:state") ?? "{}");
  assert.match(state["plato-scout-worker:announced:hook"], /^[0-9a-f]{16}$/);
});

Deno.test("createWorker remembers in KV, for an hour, a PLATO without /submit_batch", async () => {
  const kv = new FakeKv();
  const seen: string[] = [];
  let now = Date.UTC(2026, 11, 3, 12);
  const worker = createWorker({
    kinds: [httpScout],
    fetch: (input) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith("https://plato.example")) seen.push(new URL(url).pathname);
      if (url.endsWith("/submit_batch")) return Promise.resolve(new Response("", { status: 404 }));
      return Promise.resolve(Response.json({ status: "ok" }));
    },
    logger: silent(),
    now: () => now,
  });
  const env = {
    PLATO_URL: "https://plato.example",
    SCOUTS: JSON.stringify({ scouts: [scout("a"), scout("b")] }),
    SCOUT_KV: kv,
  };
  const cycle = async () => {
    seen.length = 0;
    const report = await worker.runCycle(env);
    assert.equal(report.pending, 0, report.errors.join());
    return [...seen];
  };
  // The first cycle learns it (a startup and a periodic tile per scout).
  assert.deepEqual(await cycle(), ["/submit_batch", "/submit", "/submit", "/submit", "/submit"]);
  // The next ones spend no subrequest on it.
  now += 60_000;
  assert.deepEqual(await cycle(), ["/submit", "/submit"]);
  // An hour on, the server may have been upgraded: ask again.
  now += 3_600_000;
  assert.deepEqual(await cycle(), ["/submit_batch", "/submit", "/submit"]);
});
