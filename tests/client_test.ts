import assert from "node:assert/strict";
import {
  buildTile,
  createPlatoClient,
  parseRetryAfter,
  type SubmitOutcome,
  type Tile,
} from "../mod.ts";
import { deadlineTimers, type Timers } from "../lib/timers.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { startRawServer, startSilentServer } from "./_support/silent_server.ts";

function tile(
  question: string,
  answer: unknown = { note: "an answer long enough", question },
): Tile {
  return buildTile({
    scoutName: "client-test",
    room: "gc/research/scout-reports/client",
    checkpointType: "periodic",
    question,
    answer,
  });
}

Deno.test("submit() is accepted by a fleet-like server and the tile is stored with its id", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url + "/" });
    const t = tile("first tile");
    assert.deepEqual(await client.submit(t), { kind: "accepted", status: 200 });
    assert.equal(server.stored[0].id, t.id);
    assert.equal(typeof server.stored[0].answer, "string");
  } finally {
    server.stop();
  }
});

Deno.test("submit() classifies a gate 403 as a permanent rejection with the server's reason", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    const outcome = await client.submit(
      tile("bad one", "connection never established to the database"),
    );
    assert.deepEqual(outcome, {
      kind: "rejected",
      status: 403,
      reason: "Answer contains absolute claim 'never'",
    });
  } finally {
    server.stop();
  }
});

Deno.test("submit() classifies a 403 Duplicate tile as duplicate", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    const t = tile("same content");
    await client.submit(t);
    assert.deepEqual(await client.submit({ ...t, id: "other" }), {
      kind: "duplicate",
      status: 403,
      reason: "Duplicate tile",
    });
  } finally {
    server.stop();
  }
});

Deno.test("submit() treats 429 with Retry-After, 503 and 401 as retryable", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    server.faults.push(
      { status: 429, body: { error: "slow down" }, headers: { "retry-after": "7" } },
      { status: 503, body: { error: "busy" } },
      { status: 401, body: { error: "Unauthorized" } },
    );
    const a = await client.submit(tile("a tile"));
    assert.equal(a.kind, "retryable");
    assert.equal(a.kind === "retryable" && a.retryAfterMs, 7000);
    assert.equal(a.kind === "retryable" && a.status, 429);
    const b = await client.submit(tile("b tile"));
    assert.equal(b.kind === "retryable" && b.status, 503);
    const c = await client.submit(tile("c tile"));
    assert.equal(c.kind === "retryable" && c.status, 401);
    assert.equal(server.stored.length, 0);
  } finally {
    server.stop();
  }
});

Deno.test("submit() treats a connection dropped without a response as retryable", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    server.faults.push("store-then-drop");
    const t = tile("dropped after store");
    const first = await client.submit(t);
    assert.equal(first.kind, "retryable");
    assert.match(
      (first as { reason: string }).reason,
      /^\[POST\] "http:\/\/127\.0\.0\.1:\d+\/submit": /,
    );
    // The known fleet fault: the retry is refused as a duplicate, because the first attempt was stored.
    assert.equal((await client.submit(t)).kind, "duplicate");
  } finally {
    server.stop();
  }
});

Deno.test("submit() to a server that is down is retryable, never thrown, and says why", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  listener.close(); // nothing listens there now
  const outcome = await createPlatoClient({ url }).submit(tile("nobody home"));
  assert.equal(outcome.kind, "retryable");
  // Deno's "fetch failed" carries its reason in the cause; the cause's copy of the URL is dropped.
  const reason = outcome.kind === "retryable" ? outcome.reason : "";
  assert.ok(reason.startsWith(`[POST] "${url}/submit": TypeError: fetch failed (`), reason);
  assert.match(reason, /tcp connect error: Connection refused \(os error \d+\)\)$/);
  assert.equal(reason.split(url).length, 2, "the URL is named once");
});

Deno.test("submit() gives up after the timeout and reports it as retryable", async () => {
  const silent = startSilentServer();
  try {
    const client = createPlatoClient({ url: silent.url, timeoutMs: 50 });
    const outcome = await client.submit(tile("silent server"));
    assert.equal(outcome.kind, "retryable");
    assert.match((outcome as { reason: string }).reason, /TimeoutError/);
  } finally {
    silent.close();
  }
});

Deno.test("the deadline runs on injected timers: deadlineTimers times out a silent server, and an answered request clears its timer", async () => {
  const silentServer = startSilentServer();
  const set: number[] = [];
  let cleared = 0;
  const recording: Timers = {
    setTimeout: (fn, ms) => {
      set.push(ms);
      return deadlineTimers.setTimeout(fn, ms);
    },
    clearTimeout: (id) => {
      cleared++;
      deadlineTimers.clearTimeout(id);
    },
  };
  try {
    const silent = createPlatoClient({ url: silentServer.url, timeoutMs: 50, timers: recording });
    const outcome = await silent.submit(tile("silent server, signal timers"));
    assert.equal(outcome.kind, "retryable");
    assert.match((outcome as { reason: string }).reason, /TimeoutError/);
    assert.deepEqual(set, [50]);
  } finally {
    silentServer.close();
  }
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url, timers: recording });
    assert.equal((await client.submit(tile("answered, signal timers"))).kind, "accepted");
    assert.deepEqual(set, [50, 10_000]);
    assert.equal(cleared, 2);
  } finally {
    server.stop();
  }
});

Deno.test("submitBatch() returns one outcome per tile in order", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    const tiles = [tile("one tile"), tile("two", "too short"), tile("three tile")];
    const outcomes = await client.submitBatch(tiles);
    assert.deepEqual(outcomes.map((o) => o.kind), ["accepted", "rejected", "accepted"]);
    assert.equal(server.requests.filter((r) => r.path === "/submit_batch").length, 1);
  } finally {
    server.stop();
  }
});

Deno.test("submitBatch() falls back to /submit per tile when the server answers 404, and remembers", async () => {
  const server = new FakePlato({ batch: false }).start();
  try {
    const client = createPlatoClient({ url: server.url });
    assert.deepEqual(
      (await client.submitBatch([tile("b1 tile"), tile("b2 tile")])).map((o) => o.kind),
      ["accepted", "accepted"],
    );
    assert.deepEqual(
      (await client.submitBatch([tile("b3 tile"), tile("b4 tile")])).map((o) => o.kind),
      ["accepted", "accepted"],
    );
    assert.deepEqual(server.requests.map((r) => r.path), [
      "/submit_batch",
      "/submit",
      "/submit",
      "/submit",
      "/submit",
    ]);
  } finally {
    server.stop();
  }
});

Deno.test("submitBatch() reports a missing /submit_batch once, and skips it when told to", async () => {
  const server = new FakePlato({ batch: false }).start();
  try {
    let noted = 0;
    const client = createPlatoClient({ url: server.url, onNoBatch: () => noted++ });
    // Two batches in flight at once both meet the 404: one note.
    await Promise.all([
      client.submitBatch([tile("c1 tile"), tile("c2 tile")]),
      client.submitBatch([tile("c3 tile"), tile("c4 tile")]),
    ]);
    assert.equal(noted, 1);
    const told = createPlatoClient({ url: server.url, batch: false, onNoBatch: () => noted++ });
    server.requests.length = 0;
    const outcomes = await told.submitBatch([tile("c5 tile"), tile("c6 tile")]);
    assert.deepEqual(outcomes.map((o) => o.kind), ["accepted", "accepted"]);
    assert.deepEqual(server.requests.map((r) => r.path), ["/submit", "/submit"]);
    assert.equal(noted, 1);
  } finally {
    server.stop();
  }
});

Deno.test("submitBatch() marks every tile retryable when the batch request fails", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    server.faults.push({ status: 503 });
    const outcomes = await client.submitBatch([tile("r1 tile"), tile("r2 tile")]);
    assert.deepEqual(outcomes.map((o) => o.kind), ["retryable", "retryable"]);
  } finally {
    server.stop();
  }
});

Deno.test("the client sends the bearer token and never prints it", async () => {
  const server = new FakePlato({ apiKey: "sekret-token-123" }).start();
  try {
    const good = createPlatoClient({ url: server.url, apiKey: "sekret-token-123" });
    assert.equal((await good.submit(tile("authorised tile"))).kind, "accepted");
    assert.equal(server.requests[0].authorization, "Bearer sekret-token-123");
    const bad = createPlatoClient({
      url: `http://user:pw-in-url@127.0.0.1:${server.port}`,
      apiKey: "wrong-token-456",
    });
    const outcome = await bad.submit(tile("refused tile"));
    assert.equal(outcome.kind, "retryable");
    const reason = (outcome as { reason: string }).reason;
    assert.doesNotMatch(reason, /wrong-token-456|pw-in-url/);
    assert.match(reason, /401 Unauthorized/);
  } finally {
    server.stop();
  }
});

Deno.test("readRoom(), listRooms(), search() and health() read a fleet-like server, rooms with '/' included", async () => {
  const server = new FakePlato().start();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch([tile("read me one"), tile("read me two")]);
    const page = await client.readRoom("gc/research/scout-reports/client");
    assert.equal(page.ok && page.value.tileCount, 2);
    assert.deepEqual(page.ok && page.value.tiles.map((t) => t.question), [
      "[PERIODIC] read me one",
      "[PERIODIC] read me two",
    ]);
    const rooms = await client.listRooms();
    assert.equal(rooms.ok && rooms.value["gc/research/scout-reports/client"].tile_count, 2);
    const found = await client.search("me two");
    assert.equal(found.ok && found.value.length, 1);
    const health = await client.health();
    assert.equal(health.ok && health.value.status, "healthy");
    const missing = await client.readRoom("no/such/room");
    assert.equal(missing.ok && missing.value.tileCount, 0);
  } finally {
    server.stop();
  }
});

Deno.test("read errors are values naming method, URL and status", async () => {
  const server = new FakePlato().start();
  const url = server.url;
  try {
    const bad = await createPlatoClient({ url }).listRooms();
    assert.equal(bad.ok, true);
  } finally {
    server.stop();
  }
  const down = await createPlatoClient({ url }).health();
  assert.equal(down.ok, false);
  assert.match(
    !down.ok ? down.error.message : "",
    /^\[GET\] "http:\/\/127\.0\.0\.1:\d+\/health": /,
  );
});

Deno.test("parseRetryAfter reads seconds and HTTP dates", () => {
  assert.equal(parseRetryAfter("2", 0), 2000);
  assert.equal(parseRetryAfter(new Date(5000).toUTCString(), 1000), 4000);
  assert.equal(parseRetryAfter("soon", 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
});

Deno.test("a 404 on every path is not taken for a missing batch endpoint", async () => {
  const paths: string[] = [];
  let noted = 0;
  const client = createPlatoClient({
    url: "http://plato.example",
    fetch: (input) => {
      paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
      return Promise.resolve(new Response("not here", { status: 404 }));
    },
    onNoBatch: () => noted++,
  });
  const outcomes = await client.submitBatch([tile("n1 tile"), tile("n2 tile")]);
  assert.deepEqual(outcomes.map((o) => o.kind), ["retryable", "retryable"]);
  assert.equal(noted, 0);
  // Not remembered in the process either: the next batch asks /submit_batch again.
  await client.submitBatch([tile("n3 tile"), tile("n4 tile")]);
  assert.deepEqual(paths, ["/submit_batch", "/submit", "/submit_batch", "/submit"]);
});

Deno.test("answers PLATO did not write keep the tile: a proxy's 403 or 400, a 200 page, a redirect", async () => {
  // What sits in front of a PLATO answers with its own bodies; only PLATO's
  // JSON refusals are final, and only PLATO's JSON 200 stores a tile.
  const seen: string[] = [];
  const answers: Array<() => Response> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    if (new URL(req.url).pathname === "/elsewhere") return Response.json({ ok: true });
    if (new URL(req.url).pathname === "/moved/submit") {
      return Response.json({ status: "accepted", room: "r" });
    }
    return answers.shift()!();
  });
  const html = (status: number, text: string) =>
    new Response(`<html><body><h1>${text}</h1>nginx</body></html>`, {
      status,
      headers: { "content-type": "text/html" },
    });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const client = createPlatoClient({ url });
    const cases: Array<[() => Response, Partial<SubmitOutcome>, RegExp]> = [
      [() => html(403, "403 Forbidden"), { kind: "retryable", status: 403 }, /not PLATO's answer/],
      [() => Response.json({ message: "Forbidden" }, { status: 403 }), {
        kind: "retryable",
        status: 403,
      }, /403 Forbidden, not PLATO's answer: '\{"message":"Forbidden"\}'/],
      [() => html(400, "400 Bad Request"), { kind: "retryable", status: 400 }, /not PLATO's/],
      [() => html(200, "down for maintenance"), { kind: "retryable", status: 200 }, /maintenance/],
      [() => new Response(null, { status: 204 }), { kind: "retryable", status: 204 }, /empty body/],
      // Where it goes, named: no advice (a base URL cannot be told from an endpoint's address).
      [() => Response.redirect(`${url}/elsewhere`, 301), {
        kind: "retryable",
        status: 301,
      }, /301 Moved Permanently: PLATO's URL redirects to http:\/\/127\.0\.0\.1:\d+\/elsewhere$/],
    ];
    for (const [answer, expected, reason] of cases) {
      answers.push(answer);
      const outcome = await client.submit(tile("a tile"));
      assert.deepEqual({ kind: outcome.kind, status: outcome.status }, expected);
      assert.match((outcome as { reason: string }).reason, reason);
    }
    // The redirects were not followed: nothing was sent to /elsewhere.
    assert.ok(!seen.some((s) => s.endsWith("/elsewhere")), seen.join(", "));
    // A 307 or 308 keeps the method and the body: it is followed.
    for (const code of [307, 308]) {
      answers.push(() => Response.redirect(`${url}/moved/submit`, code));
      assert.equal((await client.submit(tile("moved"))).kind, "accepted");
      assert.equal(seen.at(-1), "POST /moved/submit");
    }
    // The same for a batch: every tile is kept.
    answers.push(() => html(200, "maintenance"));
    const batch = await client.submitBatch([tile("one"), tile("two")]);
    assert.deepEqual(batch.map((o) => o.kind), ["retryable", "retryable"]);
    answers.push(() => Response.redirect(`${url}/elsewhere`, 302));
    const moved = await client.submitBatch([tile("three"), tile("four")]);
    assert.deepEqual(moved.map((o) => o.kind), ["retryable", "retryable"]);
    assert.ok(!seen.some((s) => s.endsWith("/elsewhere")), seen.join(", "));
    // PLATO's own answers are still final: its gate 403, a JSON 400, any 413.
    const final: Array<[() => Response, SubmitOutcome["kind"]]> = [
      [() =>
        Response.json({ status: "rejected", reason: "Answer too short", gate: "P0" }, {
          status: 403,
        }), "rejected"],
      [
        () => Response.json({ status: "rejected", reason: "Duplicate tile" }, { status: 403 }),
        "duplicate",
      ],
      [() => Response.json({ error: "Invalid JSON" }, { status: 400 }), "rejected"],
      [() => html(413, "413 Request Entity Too Large"), "rejected"],
      [() => Response.json({ status: "accepted", room: "r" }), "accepted"],
    ];
    for (const [answer, kind] of final) {
      answers.push(answer);
      assert.equal((await client.submit(tile("a tile"))).kind, kind);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("a tile a proxy refuses (a WAF's 403) is found by splitting, and refused only when refused twice", async () => {
  const plato = new FakePlato().start();
  let requests = 0;
  // A WAF in front of PLATO: a 403 for any body naming /etc/passwd; and, on
  // demand, for the next `blockNext` requests whatever they hold.
  let blockNext = 0;
  let json = false;
  const waf = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    requests++;
    const body = await req.text();
    if (body.includes("etc/passwd") || blockNext-- > 0) {
      return json
        ? Response.json({ message: "Forbidden" }, { status: 403 })
        : new Response("<html><h1>Request blocked</h1></html>", {
          status: 403,
          headers: { "content-type": "text/html" },
        });
    }
    return fetch(`${plato.url}${new URL(req.url).pathname}`, {
      method: "POST",
      body,
      headers: req.headers,
    });
  });
  try {
    const client = createPlatoClient({ url: `http://127.0.0.1:${waf.addr.port}` });
    for (const asJson of [false, true]) {
      json = asJson;
      const tiles = ["one", "GET /../../etc/passwd", "two", "three", "four", "five"].map((q) =>
        tile(`${q} ${asJson}`)
      );
      const outcomes = await client.submitBatch(tiles);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ["accepted", "rejected", "accepted", "accepted", "accepted", "accepted"],
        `json ${asJson}`,
      );
      assert.match(
        (outcomes[1] as { reason: string }).reason,
        /403 Forbidden, not PLATO's answer: /,
      );
    }
    assert.equal(plato.stored.length, 10);
    // A proxy that refuses for a while refuses nothing for good: refusing
    // the first requests then passing, or passing then refusing.
    json = false;
    for (const [block, label] of [[2, "blocks first"], [0, "blocks later"]] as const) {
      blockNext = block;
      const batch = Array.from({ length: 6 }, (_, i) => tile(`${label} ${i}`));
      const client1 = createPlatoClient({ url: `http://127.0.0.1:${waf.addr.port}`, batch: false });
      if (block === 0) {
        // The first two pass, then everything is refused.
        let passed = 0;
        const outcomes: SubmitOutcome[] = [];
        for (const t of batch) {
          if (passed++ === 2) blockNext = 100;
          outcomes.push(...await client1.submitBatch([t]));
        }
        blockNext = 0;
        assert.ok(!outcomes.some((o) => o.kind === "rejected"), label);
        continue;
      }
      const outcomes = await client1.submitBatch(batch);
      assert.ok(
        !outcomes.some((o) => o.kind === "rejected"),
        `${label}: ${JSON.stringify(outcomes)}`,
      );
    }
    // When it refuses everything (a setup problem), every tile is kept, and
    // finding that out costs a few requests, not one per tile.
    requests = 0;
    const all = Array.from({ length: 64 }, (_, i) => tile(`etc/passwd ${i}`));
    const kept = await client.submitBatch(all);
    assert.ok(kept.every((o) => o.kind === "retryable" && o.foreign), JSON.stringify(kept[0]));
    assert.ok(requests <= 16, `${requests} requests for 64 refused tiles`);
  } finally {
    await waf.shutdown();
    plato.stop();
  }
});

/**
 * A PLATO whose /submit stores a tile once ("Duplicate tile" after), or
 * answers what `alone` returns for it, and whose /submit_batch answers as
 * `batch` says (storing what it says it stored).
 */
function oddPlato(
  batch: (tiles: Tile[], store: (t: Tile) => boolean) => Response,
  alone: (t: Tile) => Response | undefined = () => undefined,
) {
  const stored = new Map<string, Tile>();
  const store = (t: Tile) => !stored.has(t.id) && !!stored.set(t.id, t);
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    paths.push(path);
    const body = await req.json();
    if (path === "/submit_batch") return batch(body.tiles, store);
    const answer = alone(body);
    if (answer) return answer;
    return store(body)
      ? Response.json({ status: "accepted" })
      : Response.json({ status: "rejected", reason: "Duplicate tile" }, { status: 403 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, stored, paths, server };
}

/** A batch answer that stores every tile and says so, tile by tile. */
const acceptAll = (tiles: Tile[], store: (t: Tile) => boolean) =>
  Response.json({
    accepted: tiles.length,
    rejected: 0,
    details: tiles.map((t) => store(t) && { status: "accepted" }),
  });

Deno.test("a 200 from /submit_batch that does not answer for each tile is not taken as stored: each tile goes again alone", async () => {
  const answers: Record<string, (tiles: Tile[], store: (t: Tile) => boolean) => Response> = {
    // Stores all but the last, and answers for those only.
    "short details": (tiles, store) =>
      Response.json({
        accepted: tiles.length - 1,
        rejected: 1,
        details: tiles.slice(0, -1).map((t) => store(t) && { status: "accepted" }),
      }),
    "counts only": () => Response.json({ accepted: 0, rejected: 3 }),
    "empty object": () => Response.json({}),
  };
  for (const [name, answer] of Object.entries(answers)) {
    const plato = oddPlato(answer);
    try {
      const tiles = ["a", "b", "c"].map((q) => tile(`${q} ${name}`));
      const outcomes = await createPlatoClient({ url: plato.url }).submitBatch(tiles);
      assert.deepEqual(outcomes.map((o) => o.kind), ["accepted", "accepted", "accepted"], name);
      // Each stored once, whether the batch or /submit stored it.
      assert.deepEqual([...plato.stored.keys()].sort(), tiles.map((t) => t.id).sort(), name);
      assert.deepEqual(plato.paths, ["/submit_batch", "/submit", "/submit", "/submit"], name);
    } finally {
      await plato.server.shutdown();
    }
  }
  // Every tile counted accepted and none refused: stored, nothing sent again.
  const plato = oddPlato((tiles, store) => {
    tiles.forEach(store);
    return Response.json({ accepted: tiles.length, rejected: 0 });
  });
  try {
    const tiles = [tile("x"), tile("y")];
    const outcomes = await createPlatoClient({ url: plato.url }).submitBatch(tiles);
    assert.deepEqual(outcomes.map((o) => o.kind), ["accepted", "accepted"]);
    assert.deepEqual(plato.paths, ["/submit_batch"]);
  } finally {
    await plato.server.shutdown();
  }
});

Deno.test("PLATO's refusal of a whole batch (403 gate, 409, 422) is split: only the refused tile is dropped", async () => {
  for (const status of [403, 409, 422]) {
    const bad = (t: Tile) => t.question.includes("bad");
    const refuse = () =>
      Response.json({ status: "rejected", reason: "one tile is bad", gate: "P0" }, { status });
    const plato = oddPlato(
      (tiles, store) => tiles.some(bad) ? refuse() : acceptAll(tiles, store),
      (t) => bad(t) ? refuse() : undefined,
    );
    try {
      const tiles = ["one", "two", "bad three", "four", "five", "six"].map((q) =>
        tile(`${q} ${status}`)
      );
      const outcomes = await createPlatoClient({ url: plato.url }).submitBatch(tiles);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ["accepted", "accepted", "rejected", "accepted", "accepted", "accepted"],
        `${status}`,
      );
      assert.match((outcomes[2] as { reason: string }).reason, /one tile is bad/);
      assert.equal(plato.stored.size, 5, `${status}: every good tile stored`);
    } finally {
      await plato.server.shutdown();
    }
  }
});

Deno.test("a split the server stops midway keeps the rest for the server's reason, on one line", async () => {
  // 413 for any batch, then a 503 page for every tile sent alone.
  const plato = oddPlato(
    () => new Response("too large", { status: 413 }),
    () =>
      new Response(
        "<html>\n<head><title>503</title></head>\n<body>overloaded, try later</body>\n</html>",
        {
          status: 503,
          headers: { "content-type": "text/html" },
        },
      ),
  );
  try {
    const outcomes = await createPlatoClient({ url: plato.url }).submitBatch(
      ["a", "b", "c", "d", "e"].map((q) => tile(q)),
    );
    assert.deepEqual(outcomes.map((o) => o.kind), Array(5).fill("retryable"));
    for (const o of outcomes) {
      const reason = (o as { reason: string }).reason;
      assert.match(
        reason,
        /503 Service Unavailable \(<html> <head><title>503<\/title>.*overloaded, try later/,
      );
      assert.doesNotMatch(reason, /\n|halted/);
    }
  } finally {
    await plato.server.shutdown();
  }
});

Deno.test("an answer longer than 1 MiB is not read: the tiles wait, and the reason says so", async () => {
  const plato = oddPlato(() =>
    new Response(
      new ReadableStream({
        pull(c) {
          c.enqueue(new Uint8Array(64 * 1024).fill(32));
        },
      }),
      { headers: { "content-type": "application/json" } },
    )
  );
  try {
    const outcomes = await createPlatoClient({ url: plato.url }).submitBatch([
      tile("a"),
      tile("b"),
    ]);
    assert.deepEqual(outcomes.map((o) => o.kind), ["retryable", "retryable"]);
    assert.match(
      (outcomes[0] as { reason: string }).reason,
      /\[POST\] "http:\/\/127\.0\.0\.1:\d+\/submit_batch": 200, an answer over 1 MiB$/,
    );
  } finally {
    await plato.server.shutdown();
  }
});

Deno.test("parseRetryAfter reads a header sent twice (fetch joins it) as its first value", () => {
  assert.equal(parseRetryAfter("30, 30", 0), 30_000);
  assert.equal(parseRetryAfter("5,5", 0), 5_000);
  const date = new Date(9000).toUTCString();
  assert.equal(parseRetryAfter(`${date}, ${date}`, 1000), 8000);
});

Deno.test("a dropped connection's reason names the URL once, without Deno's preamble or the local port", async () => {
  // Reads the request, closes without an answer.
  const server = startRawServer(null);
  try {
    const url = server.url;
    const [outcome] = await createPlatoClient({ url }).submitBatch([tile("a"), tile("b")]);
    const reason = (outcome as { reason: string }).reason;
    assert.equal(outcome.kind, "retryable");
    assert.equal(reason.split(`${url}/submit_batch`).length, 2, `the URL once: ${reason}`);
    assert.doesNotMatch(reason, /error sending request|from 127\.0\.0\.1:\d+/, reason);
  } finally {
    await server.close();
  }
});
