import assert from "node:assert/strict";
import {
  checkGate,
  contentHash,
  createLogger,
  createPlatoClient,
  Emitter,
  MemoryState,
  type Tile,
} from "../mod.ts";
import { HttpScout, httpScout, type HttpScoutOptions, HttpWatchSchema } from "../scouts/http.ts";
import { FakeClock } from "./_support/fake_clock.ts";
import { FakePlato } from "./_support/fake_plato.ts";
import { prepareTarget, Scrubber } from "../scouts/_http_secrets.ts";
import { startRawServer } from "./_support/silent_server.ts";

type Handler = (req: Request) => Response | Promise<Response>;

/** A real loopback target; `close()` shuts it down. */
function target(handler: Handler): { url: string; port: number; close: () => Promise<void> } {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}

interface Harness {
  scout: HttpScout;
  clock: FakeClock;
  logs: string[];
  tiles(): Promise<Tile[]>;
}

/** A scout whose tiles stay in its outbox (no flush timer), on fake time. */
function harness(
  url: string,
  extra: Partial<HttpScoutOptions> = {},
  clock = new FakeClock(),
): Harness {
  const logs: string[] = [];
  const logger = createLogger({ level: "debug", sink: (r) => logs.push(JSON.stringify(r)) });
  const emitter = new Emitter({
    client: createPlatoClient({ url: "http://127.0.0.1:9" }),
    autoFlush: false,
    logger,
    now: clock.now,
  });
  const scout = new HttpScout({
    scoutName: "http-monitor",
    scoutRoom: "my/research/scout-reports/http",
    url,
    now: clock.now,
    timers: clock,
    logger,
    emitter,
    ...extra,
  });
  return {
    scout,
    clock,
    logs,
    tiles: async () => (await emitter.outbox.peek(10_000)).map((e) => e.tile),
  };
}

/** Every tile and log line of these scouts, as one string to search for leaks. */
async function shown(...harnesses: Harness[]): Promise<string> {
  const tiles = await Promise.all(harnesses.map((h) => h.tiles()));
  return JSON.stringify([...tiles, ...harnesses.map((h) => h.logs)]);
}

/** Every tile passes the gate's rules 1-5 and no two share the duplicate key. */
async function assertGateClean(tiles: Tile[]): Promise<void> {
  const keys = new Set<string>();
  for (const tile of tiles) {
    assert.deepEqual(checkGate(tile), [], `gate refuses ${tile.question}`);
    const key = await contentHash(tile.question, tile.answer);
    assert.ok(!keys.has(key), `duplicate tile: ${tile.question}`);
    keys.add(key);
  }
}

// deno-lint-ignore no-explicit-any -- answers are read as loose JSON in assertions
function answerOf(tile: Tile): Record<string, any> {
  return JSON.parse(tile.answer);
}

function last(tiles: Tile[], prefix: string): Tile {
  const found = tiles.filter((t) => t.question.startsWith(prefix));
  assert.ok(found.length > 0, `no tile starting with ${prefix}`);
  return found[found.length - 1];
}

const KEEPER_STATS = {
  registry: { total: 3, by_status: { active: 2, idle: 1 } },
  discovery: { queries: 12 },
  routing: { pools: 2, mailboxes: 5 },
};

Deno.test("a JSON body is summarised by its keys and small values in a PERIODIC tile", async () => {
  const t = target(() => Response.json(KEEPER_STATS));
  try {
    const h = harness(`${t.url}/stats`);
    const result = await h.scout.tick();
    assert.equal(result.ok, true);
    const tiles = await h.tiles();
    assert.equal(tiles[0].question, "[STARTUP] http-monitor initialized");
    const periodic = last(tiles, "[PERIODIC]");
    assert.match(
      periodic.question,
      /^\[PERIODIC\] GET http:\/\/127\.0\.0\.1:\d+\/stats: 200 OK in 0 ms, \d+ B json$/,
    );
    const a = answerOf(periodic);
    assert.equal(a.status, 200);
    assert.equal(a.state, "up");
    assert.equal(a.body.kind, "json");
    assert.deepEqual(a.body.json.keys, ["registry", "discovery", "routing"]);
    assert.equal(a.body.json.values["registry.total"], 3);
    assert.equal(a.body.json.values["registry.by_status.active"], 2);
    assert.equal(a.body.sha256, undefined);
    assert.equal(a.interesting, false);
    for (const tag of ["http", "periodic", "state:up", "status:200"]) {
      assert.ok(periodic.tags.includes(tag), tag);
    }
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("a non-JSON body is reported by its size and SHA-256", async () => {
  const text = "<html><body>hello</body></html>";
  const t = target(() => new Response(text, { headers: { "content-type": "text/html" } }));
  try {
    const h = harness(t.url);
    await h.scout.tick();
    const tiles = await h.tiles();
    const a = answerOf(last(tiles, "[PERIODIC]"));
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    );
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    assert.deepEqual(a.body, { bytes: text.length, truncated: false, kind: "text", sha256: hex });
    assert.equal(a.content_type, "text/html");
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("a binary body is hashed as binary, not decoded", async () => {
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe]);
  const t = target(() => new Response(bytes, { headers: { "content-type": "image/png" } }));
  try {
    const h = harness(t.url);
    await h.scout.tick();
    const tiles = await h.tiles();
    const a = answerOf(last(tiles, "[PERIODIC]"));
    assert.equal(a.body.kind, "binary");
    assert.equal(a.body.bytes, 10);
    assert.match(a.body.sha256, /^[0-9a-f]{64}$/);
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("invalid JSON falls back to size and hash and says why", async () => {
  const t = target(() =>
    new Response('{"registry": {"total": 3,', { headers: { "content-type": "application/json" } })
  );
  try {
    const h = harness(t.url);
    await h.scout.tick();
    const tiles = await h.tiles();
    const a = answerOf(last(tiles, "[PERIODIC]"));
    assert.equal(a.body.kind, "text");
    assert.match(a.body.sha256, /^[0-9a-f]{64}$/);
    assert.match(a.body.json_error, /^invalid JSON/);
    assert.equal(a.state, "up", "without a json_path assertion, invalid JSON is an observation");
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("every assertion that holds keeps the target up and is listed as ok", async () => {
  const t = target(() => Response.json(KEEPER_STATS));
  try {
    const h = harness(t.url, {
      expectStatus: [200],
      bodyContains: '"mailboxes"',
      bodyMatches: '/"total":\\s*\\d+/i',
      jsonPath: "registry.by_status",
      jsonEquals: { idle: 1, active: 2 },
    });
    await h.scout.tick();
    const a = answerOf(last(await h.tiles(), "[PERIODIC]"));
    assert.deepEqual(
      a.assertions.map((x: { assertion: string; ok: boolean }) => [x.assertion, x.ok]),
      [["status", true], ["body_contains", true], ["body_matches", true], ["json_path", true]],
    );
  } finally {
    await t.close();
  }
});

Deno.test("each failed assertion is an interesting ERROR tile typed by the assertion", async () => {
  const t = target((req) =>
    new URL(req.url).pathname === "/missing"
      ? new Response("gone", { status: 404 })
      : Response.json({ ...KEEPER_STATS, items: [{ name: "a" }] })
  );
  const cases: Array<[string, Partial<HttpScoutOptions>, string, RegExp]> = [
    ["/missing", {}, "status", /expected status 2xx or 3xx/],
    ["/", { bodyContains: "healthy" }, "body_contains", /body does not contain "healthy"/],
    ["/", { bodyMatches: "^OK$" }, "body_matches", /body does not match \/\^OK\$\//],
    [
      "/",
      { jsonPath: "registry.total", jsonEquals: 5 },
      "json_path",
      /expected registry.total == 5, got 3/,
    ],
    [
      "/",
      { jsonPath: "items[1].name" },
      "json_path",
      /expected items\[1\]\.name exists, got missing/,
    ],
  ];
  try {
    for (const [path, extra, type, message] of cases) {
      const h = harness(`${t.url}${path}`, extra);
      const result = await h.scout.tick();
      assert.equal(result.ok, true, "a failed assertion is an observation, not a crash");
      const tiles = await h.tiles();
      const error = last(tiles, "[ERROR]");
      assert.ok(error.tags.includes(`error:${type}`), `${type}: ${error.tags}`);
      for (const tag of ["interesting", "state:down", "http"]) assert.ok(error.tags.includes(tag));
      const a = answerOf(error);
      assert.equal(a.interesting, true);
      assert.equal(a.state, "down");
      assert.match(a.message, message);
      assert.equal(a.assertions.find((x: { ok: boolean }) => !x.ok).assertion, type);
      await assertGateClean(tiles);
    }
  } finally {
    await t.close();
  }
});

Deno.test("a 5xx answer is an ERROR tile typed 5xx", async () => {
  const t = target(() => new Response("upstream broke", { status: 503 }));
  try {
    const h = harness(t.url);
    await h.scout.tick();
    const tiles = await h.tiles();
    const error = last(tiles, "[ERROR]");
    assert.ok(error.tags.includes("error:5xx"));
    assert.match(error.question, /503 Service Unavailable/);
    assert.equal(answerOf(error).status, 503);
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("long credentials leak no fragment when a body echoes them, an error quotes them, or their query name is uncommon", async () => {
  const bearer = `ghp_${"R3alLookingT0kenValue0123456789abcdefXYZ".repeat(2)}`;
  const pass = "S3cretPassw0rdThatIsQuiteLongIndeed-0123456789";
  const token = `eyJ${"a1B2c3D4e5".repeat(36)}`;
  const uncommon = {
    client_secret: "ClientSecretValue99",
    refresh_token: "RefreshTokenValue77",
    "X-Amz-Signature": "deadbeefcafe12345678",
    "api-key": "ApiKeyValueWithDash55",
    private_key: "PrivateKeyValue4444",
  };
  // An echo endpoint: every value is longer than the summary keeps (48 characters).
  const t = target((req) =>
    Response.json({
      auth: req.headers.get("authorization"),
      req: `${req.method} ${new URL(req.url).pathname}${new URL(req.url).search}`,
    })
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  try {
    // A '+' in a query value as written reads as a space once decoded.
    const plus = "Pq7+Wm2+Xr4+Zt8+Yu1+Vn3+Ab5";
    const query = `password=${plus}&${new URLSearchParams({ token, ...uncommon })}`;
    const h1 = harness(`${t.url}/echo?${query}`, {
      headers: { Authorization: `Bearer ${bearer}` },
    });
    await h1.scout.tick();
    const h2 = harness(`http://user:${pass}@127.0.0.1:${t.port}/echo`);
    await h2.scout.tick();
    // A URL over the error message's 300 characters, to a port nobody listens on.
    const h3 = harness(`http://127.0.0.1:${closedPort}/api?access_token=${token}`);
    await h3.scout.tick();
    const everything = await shown(h1, h2, h3);
    const basic = btoa(`user:${pass}`);
    for (const secret of [bearer, pass, token, basic, plus, ...Object.values(uncommon)]) {
      for (let i = 0; i + 12 <= secret.length; i += 6) {
        const fragment = secret.slice(i, i + 12);
        assert.ok(!everything.includes(fragment), `leaked '${fragment}' of a secret`);
      }
    }
    const refused = last(await h3.tiles(), "[ERROR]");
    assert.ok(refused.tags.includes("error:refused"), String(refused.tags));
    assert.match(answerOf(last(await h1.tiles(), "[PERIODIC]")).body.json.values.auth, /^\*\*\*/);
  } finally {
    await t.close();
  }
});

Deno.test("a refused connection is an ERROR tile, not an exception", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const h = harness(`http://127.0.0.1:${port}/health`);
  const result = await h.scout.tick();
  assert.equal(result.ok, true);
  const tiles = await h.tiles();
  const error = last(tiles, "[ERROR]");
  assert.ok(error.tags.includes("error:refused"), String(error.tags));
  assert.match(error.question, /Connection refused/);
  assert.equal(answerOf(error).phase, "headers");
  await assertGateClean(tiles);
});

Deno.test("a target that never sends headers times out at the deadline", async () => {
  let arrived!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const t = target(async () => {
    arrived();
    await held;
    return new Response("late");
  });
  try {
    const h = harness(t.url, { timeoutSeconds: 2 });
    const tick = h.scout.tick();
    await reached;
    await h.clock.advance(1999);
    assert.deepEqual(h.clock.pending, [1], "the deadline has not fired yet");
    await h.clock.advance(1);
    await tick;
    const tiles = await h.tiles();
    const error = last(tiles, "[ERROR]");
    assert.ok(error.tags.includes("error:timeout"));
    const a = answerOf(error);
    assert.equal(a.phase, "headers");
    assert.equal(a.latency_ms, 2000);
    assert.match(a.message, /Timed out after 2 s waiting for the headers/);
    assert.deepEqual(h.clock.pending, [], "no timer outlives the probe");
    await assertGateClean(tiles);
  } finally {
    release();
    await t.close();
  }
});

/**
 * Serve `response` (raw HTTP/1.1: headers and the start of a body) on a real
 * socket, then send nothing more; tick a scout on fake time until its 5 s
 * deadline passes, and check the cycle ended in a body-phase timeout.
 */
// deno-lint-ignore no-explicit-any -- the ERROR tile's answer, read as loose JSON
async function assertBodyTimesOut(response: string, path: string): Promise<Record<string, any>> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.read(new Uint8Array(4096));
      await conn.write(new TextEncoder().encode(response));
      // ...and nothing more, ever.
    }
  })();
  let headersSeen!: () => void;
  const seen = new Promise<void>((r) => (headersSeen = r));
  const h = harness(`http://127.0.0.1:${port}${path}`, {
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      headersSeen();
      return res;
    },
  });
  try {
    const tick = h.scout.tick();
    await seen;
    await h.clock.advance(5000);
    await tick;
    const tiles = await h.tiles();
    const error = last(tiles, "[ERROR]");
    assert.ok(error.tags.includes("error:timeout"));
    const a = answerOf(error);
    assert.equal(a.phase, "body");
    assert.equal(a.status, 200);
    assert.match(a.message, /200, then: Timed out after 5 s waiting for the body/);
    assert.deepEqual(h.clock.pending, [], "no timer outlives the probe");
    await assertGateClean(tiles);
    return a;
  } finally {
    for (const c of conns) c.close();
    listener.close();
    await serving;
  }
}

Deno.test("a body that never ends times out at the same deadline", async () => {
  const head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n";
  await assertBodyTimesOut(`${head}5\r\nhello\r\n`, "/stream");
});

Deno.test("a body that declares its length and stops short times out at the deadline", async () => {
  // 100 bytes declared (well inside the cap: read in one step), 5 sent.
  const head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n";
  const a = await assertBodyTimesOut(`${head}hello`, "/short");
  // Read in one step: how much arrived is unknown, and not claimed to be 0.
  assert.equal(a.body_bytes_read, undefined);
});

Deno.test("a compressed body is capped by its decoded size, not its declared length", async () => {
  // 4 MiB of one letter gzips to a few KB: the declared content-length fits
  // the cap many times over, the body the scout would read does not.
  const plain = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  const gzipped = new Uint8Array(
    await new Response(
      new Blob([plain]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  const t = target(() =>
    new Response(gzipped, {
      headers: {
        "content-type": "text/plain",
        "content-encoding": "gzip",
        "content-length": String(gzipped.byteLength),
      },
    })
  );
  try {
    const cap = 64 * 1024;
    assert.ok(gzipped.byteLength < cap, "the declared length fits the cap");
    const h = harness(t.url, { maxBodyBytes: cap });
    await h.scout.tick();
    const a = answerOf(last(await h.tiles(), "[PERIODIC]"));
    assert.equal(a.body.bytes, cap, "the scout keeps exactly the cap");
    assert.equal(a.body.truncated, true);
  } finally {
    await t.close();
  }
});

Deno.test("a response whose body outgrows its declared length is still cut at the cap", async () => {
  // Only a fetch made in code can do this (HTTP framing cannot): the scout
  // must not trust the header for the cap.
  const h = harness("http://127.0.0.1:9/lying", {
    maxBodyBytes: 1024,
    fetch: () =>
      Promise.resolve(
        new Response(new Uint8Array(64 * 1024).fill(0x61), {
          headers: { "content-type": "text/plain", "content-length": "10" },
        }),
      ),
  });
  await h.scout.tick();
  const a = answerOf(last(await h.tiles(), "[PERIODIC]"));
  assert.equal(a.body.bytes, 1024);
  assert.equal(a.body.truncated, true);
});

Deno.test("a body of declared length within the cap is kept whole", async () => {
  const text = "x".repeat(10_000);
  const t = target(() => new Response(text, { headers: { "content-type": "text/plain" } }));
  try {
    const h = harness(t.url, { maxBodyBytes: 10_000 });
    await h.scout.tick();
    const a = answerOf(last(await h.tiles(), "[PERIODIC]"));
    assert.equal(a.body.bytes, 10_000);
    assert.equal(a.body.truncated, false);
    assert.equal(a.content_length, 10_000);
  } finally {
    await t.close();
  }
});

Deno.test("a 1 GB body is read only up to max_body_bytes and the transfer is cut", async () => {
  const GB = 1024 ** 3;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let produced = 0;
  let cancelled = false;
  const t = target(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (produced >= GB) return controller.close();
          produced += chunk.length;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      }, { highWaterMark: 0 }),
      { headers: { "content-type": "text/plain" } },
    )
  );
  try {
    const cap = 256 * 1024;
    const h = harness(t.url, { maxBodyBytes: cap });
    await h.scout.tick();
    const tiles = await h.tiles();
    const a = answerOf(last(tiles, "[PERIODIC]"));
    assert.equal(a.body.bytes, cap, "the scout keeps exactly the cap");
    assert.equal(a.body.truncated, true);
    assert.match(a.body.sha256, /^[0-9a-f]{64}$/);
    // The server stops producing once the scout hangs up: what it produced is
    // the cap plus what socket buffers held, far below the 1 GB offered.
    for (let i = 0; i < 50 && !cancelled; i++) await new Promise((r) => setTimeout(r, 0));
    assert.ok(produced < 32 * 1024 * 1024, `server produced ${produced} bytes`);
    const after = produced;
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(produced, after, "production stopped");
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("a redirect loop stops after max_redirects with an ERROR tile", async () => {
  let hits = 0;
  const t = target(() => {
    hits++;
    return new Response(null, { status: 302, headers: { location: "/loop" } });
  });
  try {
    const h = harness(`${t.url}/loop`, { maxRedirects: 3 });
    await h.scout.tick();
    const tiles = await h.tiles();
    const error = last(tiles, "[ERROR]");
    assert.ok(error.tags.includes("error:redirects"));
    assert.match(answerOf(error).message, /Stopped after 3 redirects \(a redirect loop\)/);
    assert.equal(hits, 4, "the first request and three redirects");
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("redirects are followed, and credentials are not sent on to another origin", async () => {
  const seenByOther: Array<string | null> = [];
  const other = target((req) => {
    seenByOther.push(req.headers.get("authorization"));
    return Response.json({ ok: true });
  });
  const seenByFirst: Array<string | null> = [];
  const first = target((req) => {
    seenByFirst.push(req.headers.get("authorization"));
    return new URL(req.url).pathname === "/a"
      ? new Response(null, { status: 301, headers: { location: "/b" } })
      : new Response(null, {
        status: 307,
        headers: { location: `${other.url}/c?token=abcdef123` },
      });
  });
  try {
    const h = harness(`${first.url}/a`, {
      headers: { Authorization: "Bearer sk-redirect-secret" },
    });
    await h.scout.tick();
    const tiles = await h.tiles();
    const a = answerOf(last(tiles, "[PERIODIC]"));
    assert.equal(a.redirects, 2);
    assert.equal(a.final_url, `${other.url}/c?token=***`);
    assert.deepEqual(seenByFirst, ["Bearer sk-redirect-secret", "Bearer sk-redirect-secret"]);
    assert.deepEqual(seenByOther, [null]);
    assert.ok(!JSON.stringify(tiles).includes("abcdef123"));
    await assertGateClean(tiles);
  } finally {
    await first.close();
    await other.close();
  }
});

Deno.test("up, down and up again each emit a STATE_CHANGE tile marked interesting", async () => {
  let healthy = true;
  const t = target(() =>
    healthy ? Response.json({ status: "ok" }) : new Response("down", { status: 503 })
  );
  try {
    const h = harness(t.url);
    await h.scout.tick();
    h.clock.t += 30_000;
    healthy = false;
    await h.scout.tick();
    h.clock.t += 30_000;
    await h.scout.tick();
    h.clock.t += 90_000;
    healthy = true;
    await h.scout.tick();
    const tiles = await h.tiles();
    const changes = tiles.filter((x) => x.question.startsWith("[STATE_CHANGE]"));
    assert.equal(changes.length, 2, "one tile per change, none while the state holds");
    const [down, up] = changes;
    assert.match(down.question, /went down after 30s up: 503 Service Unavailable/);
    assert.match(up.question, /is up again after 2m down/);
    for (const [tile, to] of [[down, "down"], [up, "up"]] as const) {
      assert.ok(tile.tags.includes("interesting"));
      assert.ok(tile.tags.includes(`state:${to}`));
      assert.ok(tile.tags.includes("state-change"));
      const a = answerOf(tile);
      assert.equal(a.interesting, true);
      assert.equal(a.to, to);
    }
    assert.equal(answerOf(down).previous_state_seconds, 30);
    assert.equal(answerOf(up).previous_state_seconds, 120);
    assert.equal(tiles.filter((x) => x.question.startsWith("[ERROR]")).length, 2);
    assert.equal(answerOf(last(tiles, "[ERROR]")).consecutive_failures, 2);
    await assertGateClean(tiles);
  } finally {
    await t.close();
  }
});

Deno.test("the up/down state survives a restart through the state store", async () => {
  let healthy = true;
  const t = target(() => (healthy ? new Response("ok") : new Response("no", { status: 500 })));
  try {
    const state = new MemoryState();
    const clock = new FakeClock();
    await harness(t.url, { state }, clock).scout.tick();
    healthy = false;
    const again = harness(t.url, { state }, clock);
    await again.scout.tick();
    const change = last(await again.tiles(), "[STATE_CHANGE]");
    assert.ok(change.tags.includes("state:down"));
  } finally {
    await t.close();
  }
});

Deno.test("the state keeps the target's fingerprint, not its URL, and still restores an earlier build's memory", async () => {
  let healthy = true;
  const t = target(() => (healthy ? new Response("ok") : new Response("no", { status: 500 })));
  try {
    // A path secret from ${VAR} interpolation: only the emitter's secrets mask it in tiles.
    const url = `${t.url}/hooks/Path-S3cret-Value`;
    const state = new MemoryState();
    const clock = new FakeClock();
    await harness(url, { state }, clock).scout.tick();
    const key = "http:http-monitor"; // the scout's state key
    const kept = String(await state.get(key));
    assert.ok(!kept.includes("Path-S3cret-Value"), kept);
    assert.match(JSON.parse(kept).target, /^[0-9a-f]{16}$/);
    // What builds before the fingerprint kept: the URL itself, the target up.
    const earlier = new MemoryState();
    await earlier.set(key, JSON.stringify({ url, state: "up", since: clock.now(), failures: 0 }));
    healthy = false;
    const again = harness(url, { state: earlier }, clock);
    await again.scout.tick();
    assert.ok(last(await again.tiles(), "[STATE_CHANGE]").tags.includes("state:down"));
  } finally {
    await t.close();
  }
});

Deno.test("a state change after the clock went back gives no negative duration", async () => {
  let healthy = true;
  const t = target(() => (healthy ? new Response("ok") : new Response("no", { status: 500 })));
  try {
    const clock = new FakeClock();
    const h = harness(t.url, {}, clock);
    await h.scout.tick();
    clock.t -= 86_400_000; // the clock corrected a day back
    healthy = false;
    await h.scout.tick();
    const change = last(await h.tiles(), "[STATE_CHANGE]");
    assert.doesNotMatch(change.question, /-\d/);
    assert.match(change.question, /went down: /);
    assert.equal(answerOf(change).previous_state_seconds, undefined);
  } finally {
    await t.close();
  }
});

Deno.test("a latency far above the recent baseline is flagged, but not during warm-up", async () => {
  const clock = new FakeClock();
  let delay = 20;
  const t = target(() => {
    clock.t += delay; // the injected clock is the scout's only notion of time
    return new Response("ok");
  });
  try {
    const h = harness(t.url, { latency: { warmup: 5, threshold: 4, minDeltaMs: 50 } }, clock);
    delay = 20;
    await h.scout.tick();
    delay = 900; // second sample: still warming up
    await h.scout.tick();
    for (let i = 0; i < 6; i++) {
      delay = 20 + (i % 2) * 4;
      await h.scout.tick();
    }
    delay = 600;
    await h.scout.tick();
    const periodic = (await h.tiles()).filter((x) => x.question.startsWith("[PERIODIC]"));
    assert.equal(periodic.length, 9);
    const flagged = periodic.filter((x) => x.tags.includes("anomaly:latency"));
    assert.equal(flagged.length, 1);
    const tile = flagged[0];
    assert.equal(tile, periodic[8]);
    assert.match(tile.question, /in 600 ms.*\(latency anomaly, baseline \d+(\.\d)? ms\)$/);
    assert.ok(tile.tags.includes("interesting"));
    const a = answerOf(tile);
    assert.equal(a.anomaly, true);
    assert.equal(a.interesting, true);
    assert.equal(a.latency_ms, 600);
    assert.ok(a.latency_baseline.limit_ms < 600);
    assert.equal(answerOf(periodic[1]).latency_baseline.warming_up, true);
    assert.equal(answerOf(periodic[1]).anomaly, false);
    await assertGateClean(await h.tiles());
  } finally {
    await t.close();
  }
});

Deno.test("identical observations are delivered to a gated PLATO without a duplicate refusal", async () => {
  const plato = new FakePlato().start();
  const t = target(() => Response.json({ status: "ok" }));
  try {
    const clock = new FakeClock();
    const emitter = new Emitter({
      client: createPlatoClient({ url: plato.url }),
      autoFlush: false,
      logger: createLogger({ level: "silent" }),
      now: clock.now,
    });
    const h = harness(t.url, { emitter, platoUrl: plato.url }, clock);
    for (let i = 0; i < 3; i++) {
      await h.scout.tick();
      clock.t += 1000;
    }
    await emitter.flush();
    assert.equal(plato.stored.length, 4);
    assert.equal(emitter.stats.rejected, 0);
  } finally {
    await t.close();
    plato.stop();
  }
});

Deno.test("credentials in the URL and headers never appear in any tile or log line", async () => {
  const secrets = {
    user: "alice-operator",
    pass: "s3cr3t-pass-word",
    token: "tok-1234567890",
    bearer: "sk-live-abcdef-987654",
    apiKey: "key-5555-6666-7777",
    cookie: "session=cookie-value-42",
  };
  const received: string[] = [];
  let fail = false;
  // A hostile target that echoes the request back, as httpbin's /anything does.
  const t = target((req) => {
    received.push(req.headers.get("authorization") ?? "", req.headers.get("x-api-key") ?? "");
    const echo = { url: req.url, headers: Object.fromEntries(req.headers) };
    return fail ? Response.json(echo, { status: 500 }) : Response.json(echo);
  });
  const url =
    `http://${secrets.user}:${secrets.pass}@127.0.0.1:${t.port}/anything?token=${secrets.token}&x=1`;
  try {
    const h = harness(url, {
      headers: { "X-Api-Key": secrets.apiKey, Cookie: secrets.cookie },
      bodyContains: "never-present",
    });
    await h.scout.tick();
    fail = true;
    h.clock.t += 1000;
    await h.scout.tick();
    const h2 = harness(url, { headers: { Authorization: `Bearer ${secrets.bearer}` } });
    await h2.scout.tick();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const h3 = harness(
      `http://${secrets.user}:${secrets.pass}@127.0.0.1:${closedPort}/?token=${secrets.token}`,
      { headers: { Authorization: `Bearer ${secrets.bearer}` } },
    );
    await h3.scout.tick();

    const basic = btoa(`${secrets.user}:${secrets.pass}`);
    assert.ok(received.includes(`Basic ${basic}`), "URL credentials were sent as Basic auth");
    assert.ok(received.includes(`Bearer ${secrets.bearer}`), "the configured header was sent");
    assert.ok(received.includes(secrets.apiKey));
    const everything = await shown(h, h2, h3);
    for (const secret of [...Object.values(secrets), basic, "cookie-value-42"]) {
      assert.ok(!everything.includes(secret), `leaked ${secret}`);
    }
    assert.ok(h.logs.length > 0 && h3.logs.length > 0, "the failures were logged");
    const startup = answerOf((await h.tiles())[0]);
    assert.equal(startup.url, `http://127.0.0.1:${t.port}/anything?token=***&x=1`);
    assert.deepEqual(startup.headers, { "X-Api-Key": "***", Cookie: "***" });
    for (const tiles of [await h.tiles(), await h2.tiles(), await h3.tiles()]) {
      await assertGateClean(tiles);
    }
  } finally {
    await t.close();
  }
});

Deno.test("a hostile JSON body still yields an answer the gate accepts", async () => {
  const hostile: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) {
    hostile[`${"k".repeat(60)}-${i}-"\\\u0001`] = `"never" ${'\\"\u0000'.repeat(50)} always`;
  }
  hostile.nested = { deep: { deeper: { deepest: { value: 1 } } }, list: Array(10_000).fill(7) };
  const t = target(() => Response.json(hostile));
  try {
    const h = harness(t.url, { jsonPath: "nested.list", jsonEquals: [1] });
    await h.scout.tick();
    h.clock.t += 1;
    const h2 = harness(t.url);
    await h2.scout.tick();
    for (const tiles of [await h.tiles(), await h2.tiles()]) {
      for (const tile of tiles) {
        assert.ok(tile.answer.length < 4500, `${tile.question}: ${tile.answer.length} chars`);
        JSON.parse(tile.answer); // still valid JSON
      }
      await assertGateClean(tiles);
    }
    const a = answerOf(last(await h2.tiles(), "[PERIODIC]"));
    assert.equal(a.body.json.size, 1001);
    assert.ok(a.body.json.values_omitted > 0);
  } finally {
    await t.close();
  }
});

Deno.test("the startup tile documents the target, its assertions and how to read the tiles", async () => {
  const h = harness("http://127.0.0.1:9/stats?api_key=abcd1234", {
    method: "head",
    timeoutSeconds: 3,
    expectStatus: ["2xx", 304],
    jsonPath: "registry.total",
    jsonEquals: 3,
    headers: { Authorization: "Bearer zzzz-secret" },
  });
  await h.scout.start();
  const tiles = await h.tiles();
  assert.equal(tiles.length, 1);
  const a = answerOf(tiles[0]);
  assert.equal(a.url, "http://127.0.0.1:9/stats?api_key=***");
  assert.equal(a.method, "HEAD");
  assert.equal(a.timeout_seconds, 3);
  assert.deepEqual(a.headers, { Authorization: "***" });
  assert.deepEqual(a.assertions, {
    expect_status: ["2xx", "304"],
    json_path: "registry.total",
    json_equals: "3",
  });
  assert.equal(a.max_body_bytes, 1 << 20);
  assert.equal(a.max_redirects, 5);
  assert.ok(Array.isArray(a.how_to_read) && a.how_to_read.length >= 4);
  assert.equal(a.watched_service, "127.0.0.1:9");
  await assertGateClean(tiles);
});

Deno.test("the watch schema applies defaults to a minimal http section", () => {
  const watch = HttpWatchSchema.parse({ type: "http", url: "http://localhost:8900/stats" });
  assert.deepEqual(watch, {
    type: "http",
    url: "http://localhost:8900/stats",
    method: "GET",
    headers: {},
    timeout: 5,
    expect_status: ["2xx", "3xx"],
    max_body_bytes: 1 << 20,
    max_redirects: 5,
    latency_alpha: 0.2,
    latency_threshold: 4,
    latency_warmup: 5,
    latency_min_delta_ms: 50,
  });
  const full = HttpWatchSchema.parse({
    type: "http",
    url: "https://example.test/x",
    method: "post",
    expect_status: "200-204",
    json_path: "a.b[0].c",
    json_equals: null,
    body_matches: "/ok/i",
  });
  assert.equal(full.method, "POST");
  assert.deepEqual(full.expect_status, ["200-204"]);
  assert.equal(full.json_equals, null);
  const nested = { a: [1, "x", true, null, { b: -0.5 }], c: {} };
  const deep = HttpWatchSchema.parse({
    type: "http",
    url: "https://example.test/x",
    json_path: "a",
    json_equals: nested,
  });
  assert.deepEqual(deep.json_equals, nested);
});

Deno.test("the watch schema names the field of every bad http section", () => {
  const base = { type: "http", url: "http://localhost:8900/stats" };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ type: "http" }, "url", /./],
    [{ ...base, url: "ftp://host/x" }, "url", /http or https/],
    [{ ...base, url: "not a url" }, "url", /http or https/],
    [{ ...base, method: "FETCH" }, "method", /./],
    [{ ...base, timeout: 0 }, "timeout", /./],
    [{ ...base, expect_status: ["abc"] }, "expect_status.0", /Cannot parse status 'abc'/],
    [{ ...base, expect_status: [700] }, "expect_status.0", /100-599/],
    [{ ...base, expect_status: [] }, "expect_status", /./],
    [{ ...base, expect_status: "abc" }, "expect_status", /a class \('2xx'\) or a range/],
    [{ ...base, expect_status: true }, "expect_status", /a code \(200\)/],
    [{ ...base, body_matches: "(unclosed" }, "body_matches", /Cannot compile regex/],
    [{ ...base, json_path: "a..b" }, "json_path", /Cannot parse JSON path/],
    [{ ...base, json_equals: 3 }, "json_equals", /needs json_path/],
    [{ ...base, json_path: "a", json_equals: NaN }, "json_equals", /expected a JSON value/],
    [{ ...base, json_path: "a", json_equals: [1, Infinity] }, "json_equals", /a finite number/],
    [{ ...base, json_path: "a", json_equals: { d: new Date(0) } }, "json_equals", /JSON value/],
    [{ ...base, headers: { "bad header": "x" } }, "headers.bad header", /not a valid HTTP header/],
    [{ ...base, max_body_bytes: -1 }, "max_body_bytes", /./],
    [{ ...base, max_redirects: 100 }, "max_redirects", /./],
    [{ ...base, latency_alpha: 2 }, "latency_alpha", /./],
    [{ ...base, body: "x=1" }, "body", /needs a method other than GET/],
    [{ ...base, typo_field: 1 }, "", /typo_field/],
  ];
  for (const [input, path, message] of cases) {
    const r = HttpWatchSchema.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    const issue = r.error!.issues[0];
    assert.equal(issue.path.join("."), path, JSON.stringify(input));
    assert.match(issue.message, message, JSON.stringify(input));
  }
});

Deno.test("httpScout.create builds a working scout from a parsed watch section", async () => {
  const t = target(() => Response.json({ registry: { total: 3 } }));
  try {
    const clock = new FakeClock();
    const watch = httpScout.watch.parse({
      type: "http",
      url: t.url,
      json_path: "registry.total",
      json_equals: 3,
    });
    const emitter = new Emitter({
      client: createPlatoClient({ url: "http://127.0.0.1:9" }),
      autoFlush: false,
      logger: createLogger({ level: "silent" }),
      now: clock.now,
    });
    const scout = httpScout.create(
      {
        scoutName: "http-monitor",
        scoutRoom: "r/http",
        now: clock.now,
        emitter,
        logger: createLogger({ level: "silent" }),
      },
      watch,
      { state: new MemoryState() },
    );
    assert.equal(httpScout.type, "http");
    assert.ok(scout instanceof HttpScout);
    await scout.tick();
    const tiles = (await emitter.outbox.peek(10)).map((e) => e.tile);
    const a = answerOf(last(tiles, "[PERIODIC]"));
    assert.deepEqual(a.assertions[1], {
      assertion: "json_path",
      ok: true,
      expected: "registry.total == 3",
      actual: "3",
    });
  } finally {
    await t.close();
  }
});

Deno.test("an invalid URL, regex, JSON path or limit is an error naming the option", () => {
  const base = { scoutName: "s", scoutRoom: "r" };
  assert.throws(() => new HttpScout({ ...base, url: "ftp://u:pw-secret@host/" }), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.ok(!e.message.includes("pw-secret"), e.message);
    return true;
  });
  assert.throws(
    () => new HttpScout({ ...base, url: "http://h/", bodyMatches: "(" }),
    /'bodyMatches'/,
  );
  assert.throws(() => new HttpScout({ ...base, url: "http://h/", jsonPath: "a[" }), /'jsonPath'/);
  assert.throws(
    () => new HttpScout({ ...base, url: "http://h/", expectStatus: ["6xx"] }),
    /'expectStatus'/,
  );
  assert.throws(() => new HttpScout({ ...base, url: "http://h/", jsonEquals: 1 }), /'jsonEquals'/);
  assert.throws(() => new HttpScout({ ...base, url: "http://h/", body: "x" }), /'body'/);
  assert.throws(() => new HttpScout({ ...base, url: "http://h/", timeoutSeconds: 0 }), RangeError);
  assert.throws(() => new HttpScout({ ...base, url: "http://h/", maxBodyBytes: 0.5 }), RangeError);
});

Deno.test("a POST probe sends its body and follows a 303 with a GET", async () => {
  const seen: string[] = [];
  const t = target(async (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`);
    return new URL(req.url).pathname === "/submit"
      ? new Response(null, { status: 303, headers: { location: "/done" } })
      : Response.json({ ok: true });
  });
  try {
    const h = harness(`${t.url}/submit`, { method: "post", body: '{"ping":1}' });
    await h.scout.tick();
    assert.deepEqual(seen, ['POST /submit {"ping":1}', "GET /done "]);
    const periodic = last(await h.tiles(), "[PERIODIC]");
    assert.match(periodic.question, /^\[PERIODIC\] POST /);
    assert.equal(answerOf(periodic).redirects, 1);
  } finally {
    await t.close();
  }
});

Deno.test("a JSON value nested too deeply for the json_equals check fails that check, and up/down still counts", async () => {
  let deep = false;
  const t = target(() =>
    new Response(deep ? `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}` : '{"a":1}', {
      headers: { "content-type": "application/json" },
    })
  );
  try {
    const h = harness(t.url, { jsonPath: "a", jsonEquals: 1 });
    assert.equal((await h.scout.tick()).ok, true);
    deep = true;
    h.clock.t += 1000;
    const result = await h.scout.tick();
    assert.equal(result.ok, true, result.error); // a failed check, not a failed cycle
    const tiles = await h.tiles();
    const down = tiles.find((t) => t.question.startsWith("[STATE_CHANGE]"));
    assert.ok(down, tiles.map((t) => t.question).join("\n"));
    const error = answerOf(last(tiles, "[ERROR]"));
    assert.equal(error.status, 200);
    assert.match(JSON.stringify(error), /nested too deeply/);
  } finally {
    await t.close();
  }
});

Deno.test("credentials in a URL fragment, a redirect's query or a short query value appear nowhere", async () => {
  // /go redirects to /echo with a key in its query; /echo answers with the path and query it got.
  const t = target((req) => {
    const u = new URL(req.url);
    if (u.pathname === "/go") {
      return new Response(null, {
        status: 302,
        headers: { location: `/echo?api_key=L0cationKey5678&x=1#frag` },
      });
    }
    return Response.json({ path: `${u.pathname}${u.search}` });
  });
  try {
    const h1 = harness(`${t.url}/go#access_token=FRAGSECRET999`);
    await h1.scout.tick();
    const h2 = harness(`${t.url}/echo?token=abc&x=1`);
    await h2.scout.tick();
    const everything = await shown(h1, h2);
    for (const secret of ["FRAGSECRET999", "L0cationKey5678", "token=abc"]) {
      assert.ok(!everything.includes(secret), `leaked '${secret}'`);
    }
    assert.match(everything, /api_key=\*\*\*/);
  } finally {
    await t.close();
  }
});

Deno.test("the scrubber learns each redirect URL once, and at most 64", () => {
  const scrubber = new Scrubber([]);
  for (let i = 0; i < 1000; i++) scrubber.addUrl(new URL("http://h/ok?token=SameValue1"));
  assert.equal(scrubber.urlCount, 1);
  for (let i = 0; i < 1000; i++) scrubber.addUrl(new URL(`http://h/ok?token=Value${i}x`));
  assert.equal(scrubber.urlCount, 64);
  // Past the bound a sensitive name=value is still masked.
  assert.equal(scrubber.scrub("got /ok?token=Value999x"), "got /ok?token=***");
});

Deno.test("the scrubber reads credential names as redactUrl does, and only URLs with credentials count", () => {
  // A percent-encoded name is still a credential's name.
  const target = prepareTarget("https://h/x?api%2Dkey=S3CRETVALUE&private%5Fkey=Pr1vateValue");
  const scrubber = new Scrubber(target.secrets);
  assert.equal(
    scrubber.scrub('{"echo":"S3CRETVALUE","k":"Pr1vateValue"}'),
    '{"echo":"***","k":"***"}',
  );
  // 64 harmless redirects do not use up what a credential-carrying one needs.
  for (let i = 0; i < 64; i++) scrubber.addUrl(new URL(`https://h/app?t=${i}`));
  scrubber.addUrl(new URL("https://h/sso?session=SESS10NVALUE42"));
  assert.equal(scrubber.scrub('{"sid":"SESS10NVALUE42"}'), '{"sid":"***"}');
  // A JSON-escaped '&' (Go's encoder writes \u0026) still separates a credential.
  assert.equal(
    scrubber.scrub('{"next":"https://h/cb?state=1\\u0026access_token=LEAKEDVALUE"}'),
    '{"next":"https://h/cb?state=1\\u0026access_token=***"}',
  );
});

Deno.test("every header but the plain ones is a secret; a 'true' flag cannot break the answers' JSON", async () => {
  // Masking every header value masked every 'true' and 'application/json' in
  // the answers: invalid JSON, and a json_equals check that failed on a good body.
  const t = target((req) =>
    Response.json({
      ok: true,
      echo: req.headers.get("x-custom"),
      key: req.headers.get("x-api-key"),
    })
  );
  try {
    const h = harness(t.url, {
      headers: {
        Accept: "application/json",
        "X-Feature-Enabled": "true",
        "X-Api-Key": "k3y-abcdef",
        "X-Custom": "Bearer zyxwvut",
        // Names no rule would take for credentials: a header is one unless it is a known plain one.
        "X-JFrog-Art-Api": "AKCp8jQwertyuiop",
        "X-Passphrase": "correct-horse-battery",
      },
      jsonPath: "ok",
      jsonEquals: true,
    });
    await h.scout.tick();
    const tiles = await h.tiles();
    for (const tile of tiles) JSON.parse(tile.answer);
    const periodic = last(tiles, "[PERIODIC]");
    assert.ok(periodic, `no PERIODIC tile: ${tiles.map((x) => x.question).join(" | ")}`);
    const startup = answerOf(tiles[0]);
    assert.deepEqual(startup.headers, {
      Accept: "application/json",
      "X-Feature-Enabled": "***",
      "X-Api-Key": "***",
      "X-Custom": "***",
      "X-JFrog-Art-Api": "***",
      "X-Passphrase": "***",
    });
    const everything = await shown(h);
    for (const secret of ["k3y-abcdef", "zyxwvut", "AKCp8jQwertyuiop", "correct-horse-battery"]) {
      assert.ok(!everything.includes(secret), `leaked ${secret}`);
    }
  } finally {
    await t.close();
  }
});

Deno.test("a failure is typed by what failed, not by words in the URL", async () => {
  // A server that reads the request and closes without answering: a network
  // error whose message quotes the URL, 'dns' and 'refused' in it included.
  const server = startRawServer(null);
  try {
    for (const path of ["/api/dns-records", "/closed/refused-orders", "/tls-settings"]) {
      const h = harness(`${server.url}${path}`);
      await h.scout.tick();
      const error = last(await h.tiles(), "[ERROR]");
      assert.ok(error.tags.includes("error:network"), `${path}: ${error.tags}`);
      assert.doesNotMatch(error.question, /not resolved|Connection refused|TLS/, path);
      // Deno's "error sending request from <addr> for <url>" preamble is
      // dropped: the cause fits the question, which ends with it whole.
      assert.match(error.question, /: fetch failed: connection closed[^\u2026]*$/, error.question);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a URL too long for the gate's 5,000 characters leaves answers that are still JSON", async () => {
  const t = target(() => Response.json({ ok: true }));
  try {
    const url = `${t.url}/ok?q=${"a".repeat(3000)}&never=1`;
    const h = harness(url, { bodyContains: "ok" });
    await h.scout.tick();
    const tiles = await h.tiles();
    assert.ok(tiles.length >= 2);
    for (const tile of tiles) {
      assert.ok(tile.answer.length <= 5000, `${tile.question}: ${tile.answer.length}`);
      const answer = JSON.parse(tile.answer);
      assert.deepEqual(checkGate(tile), [], tile.question);
      assert.equal(typeof answer.url, "string");
    }
    // The startup tile keeps its assertions; the URL is what was shortened.
    const startup = answerOf(tiles[0]);
    assert.ok(JSON.stringify(startup.assertions).includes("ok"), JSON.stringify(startup));
    assert.ok(startup.url.endsWith("\u2026"), startup.url.slice(-20));
  } finally {
    await t.close();
  }
});

Deno.test("https to a plain-HTTP port is a TLS failure, whatever the URL says", async () => {
  const t = target(() => new Response("plain"));
  try {
    const h = harness(`https://127.0.0.1:${t.port}/x`);
    await h.scout.tick();
    const error = last(await h.tiles(), "[ERROR]");
    assert.ok(error.tags.includes("error:tls"), `${error.tags}: ${error.question}`);
  } finally {
    await t.close();
  }
});

Deno.test("a masked header's plain value (a tenant id, a mode) is not hunted in the body: checks still hold", async () => {
  const t = target(() => Response.json({ count: 5000, mode: "enabled", echo: "tok-AB12cd34ef" }));
  try {
    const h = harness(t.url, {
      headers: { "X-Tenant-Id": "5000", "X-Mode": "enabled", "X-Org": "tok-AB12cd34ef" },
      jsonPath: "mode",
      jsonEquals: "enabled",
    });
    await h.scout.tick();
    const tiles = await h.tiles();
    assert.ok(last(tiles, "[PERIODIC]"), tiles.map((x) => x.question).join(" | "));
    const startup = answerOf(tiles[0]);
    assert.deepEqual(startup.headers, { "X-Tenant-Id": "***", "X-Mode": "***", "X-Org": "***" });
    // A value that looks like a token is hunted wherever the target echoes it.
    assert.ok(!(await shown(h)).includes("tok-AB12cd34ef"));
  } finally {
    await t.close();
  }
});

Deno.test("user info with a '%' that starts no escape is sent as written, not a startup crash", async () => {
  const received: string[] = [];
  const t = target((req) => {
    received.push(req.headers.get("authorization") ?? "");
    return new Response("ok");
  });
  try {
    const h = harness(`http://bob:50%off@127.0.0.1:${t.port}/ok`);
    await h.scout.tick();
    assert.deepEqual(received, [`Basic ${btoa("bob:50%off")}`]);
    assert.ok(last(await h.tiles(), "[PERIODIC]"));
    assert.ok(!(await shown(h)).includes("50%off"));
  } finally {
    await t.close();
  }
});

Deno.test("each credential cookie of a Cookie header, and a Basic header's user and password, appear nowhere", async () => {
  // An echo endpoint, as httpbin's /cookies and an auth-debug page answer.
  const t = target((req) => {
    const cookies = Object.fromEntries(
      (req.headers.get("cookie") ?? "").split("; ").map((pair) => pair.split("=")),
    );
    const basic = (req.headers.get("authorization") ?? "").replace(/^Basic /, "");
    return Response.json({ cookies, auth_decoded: basic ? atob(basic) : null });
  });
  try {
    const h1 = harness(`${t.url}/echo`, {
      headers: { Cookie: "sid=Ck7777zzzz; connect.sid=plainsession; theme=dark" },
      jsonPath: "cookies.sid",
      jsonEquals: "nope",
    });
    await h1.scout.tick();
    const h2 = harness(`${t.url}/echo`, {
      headers: { Authorization: `Basic ${btoa("alice:S3cretPass9")}` },
      jsonPath: "auth_decoded",
      jsonEquals: "x",
    });
    await h2.scout.tick();
    assert.ok(last(await h1.tiles(), "[ERROR]"));
    const everything = await shown(h1, h2);
    for (const secret of ["Ck7777zzzz", "plainsession", "S3cretPass9", "alice"]) {
      assert.ok(!everything.includes(secret), `leaked '${secret}'`);
    }
    // A cookie neither named nor looking like a credential is shown.
    assert.match(everything, /dark/);
  } finally {
    await t.close();
  }
});

Deno.test("assertions check the body as sent: masking what is shown cannot fail a check that holds", async () => {
  const t = target((req) =>
    new URL(req.url).pathname === "/text"
      ? new Response("db=up;cache=up;session_store=up")
      : Response.json({ link: "/api?page=2&auth=none", echo: "tok-AB12cd34ef" })
  );
  try {
    const h1 = harness(`${t.url}/text`, {
      bodyContains: "session_store=up",
      bodyMatches: "session_store=\\w+",
    });
    await h1.scout.tick();
    const h2 = harness(`${t.url}/json`, {
      headers: { "X-Org": "tok-AB12cd34ef" },
      jsonPath: "link",
      jsonEquals: "/api?page=2&auth=none",
    });
    await h2.scout.tick();
    const h3 = harness(`${t.url}/json`, {
      headers: { "X-Org": "tok-AB12cd34ef" },
      jsonPath: "echo",
      jsonEquals: "tok-AB12cd34ef",
    });
    await h3.scout.tick();
    for (const h of [h1, h2, h3]) {
      const tiles = await h.tiles();
      assert.ok(last(tiles, "[PERIODIC]"), tiles.map((x) => x.question).join(" | "));
    }
    // What is shown is still masked: the match, the summary, the echoed token.
    const everything = await shown(h1, h2, h3);
    assert.ok(everything.includes('matched \\\\\\"session_store=***'), "the match is masked");
    assert.ok(!everything.includes("tok-AB12cd34ef"));
  } finally {
    await t.close();
  }
});

Deno.test("max_redirects 0 follows no redirect: the 3xx itself is checked against expect_status", async () => {
  let hits = 0;
  const t = target(() => {
    hits++;
    return new Response("see /login", { status: 302, headers: { location: "/login" } });
  });
  try {
    const h1 = harness(`${t.url}/app`, { maxRedirects: 0, expectStatus: [302] });
    await h1.scout.tick();
    const up = last(await h1.tiles(), "[PERIODIC]");
    assert.equal(answerOf(up).status, 302);
    assert.equal(answerOf(up).redirects, 0);
    assert.equal(hits, 1, "the redirect was not followed");
    const h2 = harness(`${t.url}/app`, { maxRedirects: 0, expectStatus: ["2xx"] });
    await h2.scout.tick();
    const error = last(await h2.tiles(), "[ERROR]");
    assert.ok(error.tags.includes("error:status"), error.tags.join());
  } finally {
    await t.close();
  }
});

Deno.test("an existence-only json_path holds on a value nested too deeply to compare", async () => {
  const t = target(() =>
    new Response(`{"a":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`, {
      headers: { "content-type": "application/json" },
    })
  );
  try {
    const h = harness(t.url, { jsonPath: "a.a" });
    await h.scout.tick();
    const up = answerOf(last(await h.tiles(), "[PERIODIC]"));
    const check = up.assertions.find((a: { assertion: string }) => a.assertion === "json_path");
    assert.equal(check.ok, true);
    assert.match(check.actual, /nested too deeply/);
  } finally {
    await t.close();
  }
});

Deno.test("a /source/flags body_matches with g or y matches as one search, every cycle", async () => {
  const t = target(() => new Response("all ok /health/ok"));
  try {
    const h = harness(t.url, { bodyMatches: "/OK/gi" });
    await h.scout.tick();
    h.clock.t += 1000;
    await h.scout.tick();
    const tiles = await h.tiles();
    assert.equal(tiles.filter((x) => x.question.startsWith("[PERIODIC]")).length, 2);
    // A path with letters after its last '/' is still literal text, not flags.
    const h2 = harness(t.url, { bodyMatches: "/health/ok" });
    await h2.scout.tick();
    assert.ok(last(await h2.tiles(), "[PERIODIC]"));
  } finally {
    await t.close();
  }
});

Deno.test("a status above 599 is a failed status check, not a 5xx", async () => {
  const server = startRawServer(
    "HTTP/1.1 999 Weird\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
  );
  try {
    const h = harness(`${server.url}/weird`);
    await h.scout.tick();
    const error = last(await h.tiles(), "[ERROR]");
    assert.equal(answerOf(error).status, 999);
    assert.ok(error.tags.includes("error:status"), error.tags.join());
  } finally {
    await server.close();
  }
});

Deno.test("a reversed status range says it is reversed", () => {
  const base = { scoutName: "s", scoutRoom: "r", url: "http://h/" };
  assert.throws(
    () => new HttpScout({ ...base, expectStatus: ["200-199"] }),
    /'expectStatus': Cannot parse status '200-199': the range is reversed \(write 199-200\)/,
  );
});

Deno.test("a text/plain body starting with '[' is text, not broken JSON; real JSON in it is still summarised", async () => {
  let body = "[INFO] service started\n[INFO] ready\n";
  const t = target(() => new Response(body, { headers: { "content-type": "text/plain" } }));
  try {
    const h = harness(t.url);
    await h.scout.tick();
    const text = answerOf(last(await h.tiles(), "[PERIODIC]")).body;
    assert.equal(text.kind, "text");
    assert.equal(text.json_error, undefined, JSON.stringify(text));
    body = '{"status":"up"}';
    h.clock.t += 1000;
    await h.scout.tick();
    const json = answerOf(last(await h.tiles(), "[PERIODIC]")).body;
    assert.deepEqual(json.json.values, { status: "up" });
  } finally {
    await t.close();
  }
});

Deno.test("a value cut for a tile never ends in half an emoji", async () => {
  const t = target(() => new Response(`a${"\u{1F600}".repeat(100)}`));
  try {
    const h = harness(t.url, { bodyMatches: "^.+$", jsonPath: "x", bodyContains: "nope" });
    await h.scout.tick();
    const error = last(await h.tiles(), "[ERROR]");
    const texts = [
      error.question,
      ...answerOf(error).assertions.map((a: { actual: string }) => a.actual),
    ];
    for (const text of texts) {
      // Half of a pair: a high surrogate alone, or as JSON.stringify escapes it.
      assert.doesNotMatch(text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|\\ud[89ab]/i, text);
    }
  } finally {
    await t.close();
  }
});

Deno.test("a body is decoded in its declared charset or byte order mark", async () => {
  const bodies: Record<string, [number[], string]> = {
    // {"a":"\u00e9"} in Latin-1
    "/latin1": [[0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d], "iso-8859-1"],
    // {"a":1} in UTF-16 with its BOM
    "/utf16": [[0xff, 0xfe, ...[...'{"a":1}'].flatMap((c) => [c.charCodeAt(0), 0])], "utf-16"],
  };
  const t = target((req) => {
    const [bytes, charset] = bodies[new URL(req.url).pathname];
    return new Response(new Uint8Array(bytes), {
      headers: { "content-type": `application/json; charset=${charset}` },
    });
  });
  try {
    const h1 = harness(`${t.url}/latin1`, { bodyContains: "\u00e9" });
    await h1.scout.tick();
    const latin1 = answerOf(last(await h1.tiles(), "[PERIODIC]"));
    assert.deepEqual(latin1.body.json.values, { a: "\u00e9" });
    const h2 = harness(`${t.url}/utf16`, { jsonPath: "a", jsonEquals: 1 });
    await h2.scout.tick();
    const utf16 = answerOf(last(await h2.tiles(), "[PERIODIC]"));
    assert.equal(utf16.body.kind, "json");
  } finally {
    await t.close();
  }
});
