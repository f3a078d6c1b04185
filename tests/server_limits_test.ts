import assert from "node:assert/strict";
import { openSqliteStore } from "../lib/runtime/sqlite_store.ts";
import { createMemoryStore } from "../lib/server/memory_store.ts";
import type { RoomStore } from "../lib/server/store.ts";
import { get, makeTile, post, startTestServer } from "./_support/plato_server.ts";
import { FakeClock, settle } from "./_support/fake_clock.ts";

const ROOM = "gc/research/scout-reports/server-test";

function nested(depth: number): unknown {
  return JSON.parse("[".repeat(depth) + "]".repeat(depth));
}

Deno.test("a tile nested too deep for SQLite's JSON functions is refused, so /search and tag reads keep working", async () => {
  const server = await startTestServer({ dbPath: ":memory:" });
  try {
    const deep = await post(server.url, "/submit", { ...makeTile(1), x: nested(1000) });
    assert.equal(deep.status, 400);
    assert.equal(deep.body.field, "x");
    assert.match(String(deep.body.error), /'x': nested deeper than \d+ levels/);
    assert.equal(
      (await post(server.url, "/submit", { ...makeTile(2), x: nested(20) })).status,
      200,
    );
    const search = await get(server.url, "/search?q=tile%20number");
    assert.equal(search.status, 200);
    assert.equal(search.body.count, 1);
    const tagged = await get(server.url, `/room/${ROOM}?tag=scout`);
    assert.equal(tagged.status, 200);
    assert.equal(tagged.body.count, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("a row stored too deep before such tiles were refused is skipped by /search and tag reads, which answer 200", async () => {
  const store = openSqliteStore(":memory:");
  const server = await startTestServer({ store });
  try {
    assert.equal((await post(server.url, "/submit", makeTile(1))).status, 200);
    const deep = { ...makeTile(2), x: nested(1500) };
    store.db.prepare(
      "INSERT INTO tiles (id, room, hash, received_at, body) VALUES (?, ?, ?, ?, ?)",
    ).run(deep.id, ROOM, "0123456789abcdef", 1, JSON.stringify(deep));
    assert.equal((await post(server.url, "/submit", makeTile(3))).status, 200);
    const search = await get(server.url, "/search?q=tile%20number");
    assert.equal(search.status, 200);
    const found = search.body.results as Array<Record<string, unknown>>;
    assert.deepEqual(found.map((t) => t.id), ["tile-3", "tile-1"]);
    const tagged = await get(server.url, `/room/${ROOM}?tag=scout`);
    assert.equal(tagged.status, 200);
    assert.deepEqual((tagged.body.tiles as Array<{ id: string }>).map((t) => t.id), [
      "tile-1",
      "tile-3",
    ]);
    const all = await get(server.url, `/room/${ROOM}`);
    assert.equal(all.status, 200);
    assert.deepEqual((all.body.tiles as Array<{ id: string }>).map((t) => t.id), [
      "tile-1",
      "tile-2",
      "tile-3",
    ]);
  } finally {
    await server.stop();
  }
});

function failingStore(message: string): RoomStore {
  return {
    ...createMemoryStore(),
    search: () => {
      throw new Error(message);
    },
  };
}

Deno.test("a storage error that repeats is 500 without Retry-After, a locked database 503 with it", async () => {
  for (
    const [message, status, retry] of [
      ["malformed JSON", 500, null],
      ["database is locked", 503, "1"],
    ] as const
  ) {
    const server = await startTestServer({ store: failingStore(message) });
    try {
      const r = await get(server.url, "/search?q=x");
      assert.equal(r.status, status, message);
      assert.equal(r.headers.get("retry-after"), retry, message);
      assert.match(String(r.body.error), new RegExp(message));
    } finally {
      await server.stop();
    }
  }
});

Deno.test("a tile reusing a stored id with another room or content is 409 naming the stored room; the same tile again is accepted", async () => {
  for (const dbPath of [undefined, ":memory:"]) {
    const server = await startTestServer({ dbPath });
    try {
      const first = makeTile("fixed", { domain: "roomA" });
      assert.equal((await post(server.url, "/submit", first)).status, 200);
      const moved = await post(server.url, "/submit", { ...first, domain: "roomB" });
      assert.equal(moved.status, 409, String(dbPath));
      assert.equal(moved.body.status, "rejected");
      assert.equal(moved.body.room, "rooma");
      assert.match(String(moved.body.reason), /tile id 'tile-fixed' is stored in room 'rooma'/);
      const changed = await post(server.url, "/submit_batch", {
        tiles: [{ ...first, answer: "different content, long enough to pass" }, first],
      });
      assert.equal(changed.body.accepted, 1);
      const details = changed.body.details as Array<Record<string, unknown>>;
      assert.equal(details[0].status, "rejected");
      assert.equal(details[1].already_stored, true);
      assert.equal((await get(server.url, "/room/roomb")).body.tile_count, 0);
      const status = await get(server.url, "/status");
      assert.equal(
        (status.body.gate as { by_rule: Record<string, number> }).by_rule.id_conflict,
        2,
      );
    } finally {
      await server.stop();
    }
  }
});

Deno.test("a room name with a NUL byte or a '.' or '..' segment is refused with 400 naming 'domain'", async () => {
  const server = await startTestServer({ dbPath: ":memory:" });
  try {
    for (const domain of ["nul\u0000room", "..", ".", "x/../y", "a/./b", "a/.."]) {
      const r = await post(server.url, "/submit", makeTile(domain, { domain }));
      assert.equal(r.status, 400, JSON.stringify(domain));
      assert.equal(r.body.field, "domain");
      assert.match(String(r.body.error), /NUL byte or a '\.' or '\.\.' segment/);
    }
    for (const domain of ["a..b", ".hidden/x", "x/...", "v1.2/room"]) {
      assert.equal((await post(server.url, "/submit", makeTile(domain, { domain }))).status, 200);
    }
    assert.deepEqual(Object.keys((await get(server.url, "/rooms")).body).sort(), [
      ".hidden/x",
      "a..b",
      "v1.2/room",
      "x/...",
    ]);
  } finally {
    await server.stop();
  }
});

Deno.test("a cursor beyond 2^53 is refused with 400 naming 'after', and every cursor handed out is accepted back", async () => {
  const server = await startTestServer();
  try {
    for (const after of ["99999999999999999999999", "9007199254740993"]) {
      const r = await get(server.url, `/room/a?after=${after}`);
      assert.equal(r.status, 400, after);
      assert.equal(r.body.field, "after");
    }
    const edge = await get(server.url, `/room/a?after=${Number.MAX_SAFE_INTEGER}`);
    assert.equal(edge.status, 200);
    assert.equal(edge.body.cursor, String(Number.MAX_SAFE_INTEGER));
    assert.equal((await get(server.url, `/room/a?after=${edge.body.cursor}`)).status, 200);
  } finally {
    await server.stop();
  }
});

/** Read from a raw connection until the peer closes it. */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  const chunks: string[] = [];
  const buffer = new Uint8Array(4096);
  const decoder = new TextDecoder();
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    chunks.push(decoder.decode(buffer.subarray(0, n)));
  }
  return chunks.join("");
}

Deno.test("a client that sends part of a body and stalls is answered 408 at the body deadline, and its connection ends with the server's stop", async () => {
  const clock = new FakeClock();
  const server = await startTestServer({ timers: clock, limits: { bodyTimeoutMs: 30_000 } });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    // A complete request first: its deadline is cleared, none is left behind.
    assert.equal((await post(server.url, "/submit", makeTile(1))).status, 200);
    assert.deepEqual(clock.pending, []);
    const body = JSON.stringify(makeTile(2));
    await conn.write(new TextEncoder().encode(
      `POST /submit HTTP/1.1\r\nhost: plato\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    ));
    for (let i = 0; i < 100 && clock.pending.length === 0; i++) await settle();
    assert.deepEqual(clock.pending, [30_000], "the body deadline was not set");
    await clock.advance(29_999);
    assert.deepEqual(clock.pending, [1]);
    await clock.advance(1);
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    assert.match(head, /^HTTP\/1\.1 408 /);
    assert.equal((await get(server.url, "/status")).body.tiles, 1);
    await server.stop();
    // The rest of the answer, then the end of the connection.
    assert.match(head + await readToEnd(conn), /the body did not arrive within 30000 ms/);
  } finally {
    conn.close();
    await server.stop();
  }
});
