import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { get, makeTile, post, startTestServer } from "./_support/plato_server.ts";

const ROOM = "gc/research/scout-reports/server-test";

Deno.test("the project's client submits a tile, reads it back by room, and sees it listed", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    const tile = makeTile(1);
    assert.deepEqual(await client.submit(tile), { kind: "accepted", status: 200 });
    const page = await client.readRoom(ROOM);
    assert.ok(page.ok);
    assert.equal(page.value.tileCount, 1);
    assert.equal(page.value.tiles[0].id, tile.id);
    assert.equal(page.value.tiles[0].answer, tile.answer);
    assert.match(String(page.value.tiles[0]._hash), /^[0-9a-f]{16}$/);
    const rooms = await client.listRooms();
    assert.ok(rooms.ok);
    assert.equal(rooms.value[ROOM].tile_count, 1);
    assert.match(String(rooms.value[ROOM].created), /Z$/);
  } finally {
    await server.stop();
  }
});

Deno.test("/submit answers the fleet's accepted shape with the normalized room", async () => {
  const server = await startTestServer();
  try {
    const r = await post(server.url, "/submit", makeTile(1, { domain: "GC/My Room" }));
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "accepted");
    assert.equal(r.body.room, "gc/my_room");
    assert.equal(r.body.room_tile_count, 1);
    assert.match(String(r.body.tile_hash), /^[0-9a-f]{16}$/);
    const read = await get(server.url, "/room/GC/My%20Room");
    assert.equal(read.body.tile_count, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("re-sending a tile id is acknowledged again without storing a second copy", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    const tile = makeTile(1);
    assert.equal((await client.submit(tile)).kind, "accepted");
    assert.equal((await client.submit(tile)).kind, "accepted");
    const again = await post(server.url, "/submit", tile);
    assert.equal(again.status, 200);
    assert.equal(again.body.already_stored, true);
    const page = await client.readRoom(ROOM);
    assert.ok(page.ok);
    assert.equal(page.value.tileCount, 1);
    assert.equal(page.value.tiles.length, 1);
  } finally {
    await server.stop();
  }
});

Deno.test("a tile without an id gets a derived one, so the same tile re-sent is stored once", async () => {
  const server = await startTestServer();
  try {
    const { id: _id, ...bare } = makeTile(1);
    const first = await post(server.url, "/submit", bare);
    const second = await post(server.url, "/submit", bare);
    assert.equal(first.status, 200);
    assert.match(String(first.body.id), /^derived-[0-9a-f]{32}$/);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.already_stored, true);
    const later = await post(server.url, "/submit", { ...bare, timestamp: "2026-05-19T22:31:00Z" });
    assert.notEqual(later.body.id, first.body.id);
    const read = await get(server.url, `/room/${ROOM}`);
    assert.equal(read.body.tile_count, 2);
  } finally {
    await server.stop();
  }
});

Deno.test("/submit_batch answers per-tile details in order and a bad tile costs no neighbour", async () => {
  const server = await startTestServer();
  try {
    const r = await post(server.url, "/submit_batch", {
      tiles: [makeTile(1), { ...makeTile(2), confidence: 7 }, "not a tile", makeTile(3)],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 2);
    assert.equal(r.body.rejected, 2);
    const details = r.body.details as Array<Record<string, unknown>>;
    assert.deepEqual(details.map((d) => d.status), [
      "accepted",
      "rejected",
      "rejected",
      "accepted",
    ]);
    assert.equal(details[0].id, "tile-1");
    assert.match(String(details[1].reason), /'confidence'/);
    assert.equal(details[1].field, "confidence");
    assert.equal(details[3].room, ROOM);
    const client = createPlatoClient({ url: server.url });
    const outcomes = await client.submitBatch([makeTile(4), { ...makeTile(5), source: "" }]);
    assert.deepEqual(outcomes.map((o) => o.kind), ["accepted", "rejected"]);
    const page = await client.readRoom(ROOM);
    assert.ok(page.ok);
    assert.deepEqual(page.value.tiles.map((t) => t.id), ["tile-1", "tile-3", "tile-4"]);
  } finally {
    await server.stop();
  }
});

Deno.test("invalid JSON is 400 'Invalid JSON' and stores nothing", async () => {
  const server = await startTestServer();
  try {
    for (const path of ["/submit", "/submit_batch"]) {
      const r = await post(server.url, path, '{"domain": ');
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { error: "Invalid JSON" });
    }
    const batch = await post(server.url, "/submit_batch", { tiles: "nope" });
    assert.equal(batch.status, 400);
    assert.equal(batch.body.field, "tiles");
    assert.equal((await get(server.url, "/status")).body.tiles, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("a body that is not valid UTF-8 is 400 saying so, with or without a length, and stores nothing", async () => {
  const server = await startTestServer();
  try {
    const text = JSON.stringify(makeTile(1, { answer: "caf\u00e9 answer long enough to pass" }));
    const bytes = new TextEncoder().encode(text);
    const at = bytes.indexOf(0xc3); // the first byte of the two of U+00E9
    const latin1 = Uint8Array.from([...bytes.subarray(0, at), 0xe9, ...bytes.subarray(at + 2)]);
    for (const chunked of [false, true]) {
      const response = await fetch(`${server.url}/submit`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chunked ? new Blob([latin1]).stream() : latin1,
      });
      assert.equal(response.status, 400, `chunked: ${chunked}`);
      assert.deepEqual(await response.json(), {
        error: "Invalid JSON: the body is not valid UTF-8",
      });
    }
    assert.equal((await get(server.url, "/status")).body.tiles, 0);
    assert.equal((await post(server.url, "/submit", text)).status, 200, "valid UTF-8 is stored");
  } finally {
    await server.stop();
  }
});

Deno.test("a schema error is 400 naming the field, in the default gate mode", async () => {
  const server = await startTestServer();
  try {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...makeTile(1), confidence: 1.5 }, "confidence"],
      [{ ...makeTile(1), timestamp: "yesterday" }, "timestamp"],
      [{ ...makeTile(1), answer: { structured: true } }, "answer"],
      [{ ...makeTile(1), tags: "scout" }, "tags"],
    ];
    for (const [tile, field] of cases) {
      const r = await post(server.url, "/submit", tile);
      assert.equal(r.status, 400, field);
      assert.equal(r.body.field, field);
      assert.match(String(r.body.error), new RegExp(`'${field}'`));
    }
    const client = createPlatoClient({ url: server.url });
    const outcome = await client.submit({ ...makeTile(2), confidence: -1 });
    assert.equal(outcome.kind, "rejected");
    assert.equal((await get(server.url, "/status")).body.tiles, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("the default gate mode does not apply the fleet's word or length rules", async () => {
  const server = await startTestServer();
  try {
    const r = await post(server.url, "/submit", makeTile(1, { answer: "never", question: "[X]" }));
    assert.equal(r.status, 200);
  } finally {
    await server.stop();
  }
});

Deno.test("a body over 1 MiB is 413, whether or not content-length announces it", async () => {
  const server = await startTestServer();
  try {
    const big = JSON.stringify({ ...makeTile(1), answer: "x".repeat(1024 * 1024) });
    const announced = await post(server.url, "/submit", big);
    assert.equal(announced.status, 413);
    assert.match(String(announced.body.error), /too large/i);
    const bytes = new TextEncoder().encode(big);
    const streamed = await fetch(server.url + "/submit_batch", {
      method: "POST",
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 65536) {
            controller.enqueue(bytes.slice(i, i + 65536));
          }
          controller.close();
        },
      }),
    });
    assert.equal(streamed.status, 413);
    assert.match(String((await streamed.json()).error), /too large/i);
    assert.equal((await get(server.url, "/status")).body.tiles, 0);
  } finally {
    await server.stop();
  }
});

Deno.test("a batch over 1,000 tiles is 413, and the project's client splits it and lands every tile", async () => {
  const server = await startTestServer();
  try {
    const tiles = Array.from({ length: 1001 }, (_, i) => makeTile(i));
    const r = await post(server.url, "/submit_batch", { tiles });
    assert.equal(r.status, 413);
    assert.match(String(r.body.error), /1001 tiles, at most 1000/);
    const client = createPlatoClient({ url: server.url });
    const outcomes = await client.submitBatch(tiles);
    assert.equal(outcomes.filter((o) => o.kind === "accepted").length, 1001);
    assert.equal((await get(server.url, "/status")).body.tiles, 1001);
  } finally {
    await server.stop();
  }
});

Deno.test("an unknown route is 404, a wrong method 405 with Allow, both as JSON, and HEAD is GET without the body", async () => {
  const server = await startTestServer();
  try {
    const missing = await get(server.url, "/nope");
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.error), /Not found: \/nope/);
    const wrong = await get(server.url, "/submit");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    assert.match(String(wrong.body.error), /GET \/submit/);
    const posted = await post(server.url, "/rooms", {});
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    for (const path of ["/health", "/rooms", "/status"]) {
      const head = await fetch(server.url + path, { method: "HEAD" });
      const got = await fetch(server.url + path);
      assert.equal(head.status, 200, `HEAD ${path}`);
      assert.equal(head.headers.get("content-type"), got.headers.get("content-type"));
      assert.equal(await head.text(), "");
      await got.body?.cancel();
    }
  } finally {
    await server.stop();
  }
});

Deno.test("an unknown room reads as 200 with no tiles", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    const page = await client.readRoom("no/such room");
    assert.ok(page.ok);
    assert.deepEqual(page.value.tiles, []);
    assert.equal(page.value.tileCount, 0);
    assert.deepEqual(page.value.raw.cursor, null);
  } finally {
    await server.stop();
  }
});

Deno.test("/search matches question and answer substrings across rooms, case-insensitively", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch([
      makeTile(1, { domain: "a/one", question: "[PERIODIC] Disk Usage at 91%" }),
      makeTile(2, { domain: "b/two", answer: "the disk usage is fine, thank you kindly" }),
      makeTile(3, { domain: "c/three" }),
    ]);
    const found = await client.search("disk usage");
    assert.ok(found.ok);
    assert.deepEqual(found.value.map((t) => t.room).sort(), ["a/one", "b/two"]);
    const pct = await client.search("91%");
    assert.ok(pct.ok);
    assert.equal(pct.value.length, 1);
    const missing = await get(server.url, "/search");
    assert.equal(missing.status, 400);
    assert.equal(missing.body.field, "q");
  } finally {
    await server.stop();
  }
});

Deno.test("/health is healthy and /status counts tiles, rooms and gate refusals by rule", async () => {
  let now = Date.UTC(2026, 0, 1);
  const server = await startTestServer({ now: () => now });
  try {
    const client = createPlatoClient({ url: server.url });
    const health = await client.health();
    assert.ok(health.ok);
    assert.equal(health.value.status, "healthy");
    await client.submitBatch([makeTile(1), makeTile(1), { ...makeTile(2), id: "" }]);
    now += 90_000;
    const status = await get(server.url, "/status");
    assert.equal(status.body.tiles, 1);
    assert.equal(status.body.rooms, 1);
    assert.equal(status.body.uptime_s, 90);
    assert.deepEqual(status.body.gate, {
      mode: "schema",
      accepted: 2,
      already_stored: 1,
      rejected: 1,
      by_rule: { schema: 1 },
    });
  } finally {
    await server.stop();
  }
});
