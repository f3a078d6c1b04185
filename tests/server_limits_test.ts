import assert from "node:assert/strict";
import { createMemoryStore } from "../lib/server/memory_store.ts";
import type { RoomStore } from "../lib/server/store.ts";
import { get, makeTile, post, startTestServer } from "./_support/plato_server.ts";

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
