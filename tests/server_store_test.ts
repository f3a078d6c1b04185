import assert from "node:assert/strict";
import { contentHash } from "../lib/gate.ts";
import { openSqliteStore } from "../lib/runtime/sqlite_store.ts";
import { createMemoryStore } from "../lib/server/memory_store.ts";
import { contentHashSync, sha256Hex } from "../lib/server/sha256.ts";
import type { RoomStore, TileInsert } from "../lib/server/store.ts";

function insert(n: number, room = "r/one", tags: string[] = []): TileInsert {
  return {
    id: `t${n}`,
    room,
    hash: `hash-${n}`,
    receivedAt: 1000 + n,
    tile: { id: `t${n}`, question: `question ${n}`, answer: `Answer ${n}`, tags },
  };
}

/** The shared conformance suite: every RoomStore must pass it. */
async function conformance(store: RoomStore): Promise<void> {
  const first = await store.insertBatch([insert(1), insert(2, "r/two", ["x"]), insert(1)]);
  assert.deepEqual(first.map((r) => r.status), ["stored", "stored", "exists"]);
  assert.equal(
    first[2].status === "exists" && first[2].seq,
    first[0].status === "stored" && first[0].seq,
  );
  const dup = await store.insertBatch([{ ...insert(3), hash: "hash-1" }], {
    rejectDuplicateContent: true,
  });
  assert.deepEqual(dup, [{ status: "duplicate" }]);
  const allowed = await store.insertBatch([{ ...insert(4), hash: "hash-1" }]);
  assert.equal(allowed[0].status, "stored");
  await store.insertBatch([insert(5, "r/one", ["x"]), insert(6)]);
  const tail = await store.readRoom("r/one", { limit: 2 });
  assert.deepEqual(tail.tiles.map((t) => t.id), ["t5", "t6"]);
  assert.equal(tail.tileCount, 4);
  assert.equal(tail.hasMore, false);
  const forward = await store.readRoom("r/one", { after: 0, limit: 2 });
  assert.deepEqual(forward.tiles.map((t) => t.id), ["t1", "t4"]);
  assert.equal(forward.hasMore, true);
  const since = await store.readRoom("r/one", { since: 1004, limit: 10 });
  assert.deepEqual(since.tiles.map((t) => t.id), ["t5", "t6"]);
  const tagged = await store.readRoom("r/one", { tag: "x", limit: 10 });
  assert.deepEqual(tagged.tiles.map((t) => t.id), ["t5"]);
  assert.deepEqual((await store.readRoom("nope", { limit: 5 })).tiles, []);
  const rooms = await store.listRooms();
  assert.deepEqual(rooms.map((r) => [r.name, r.tileCount]).sort(), [["r/one", 4], ["r/two", 1]]);
  const found = await store.search("ANSWER 5", 10);
  assert.deepEqual(found.map((t) => t.id), ["t5"]);
  assert.deepEqual((await store.search("%", 10)).map((t) => t.id), []);
  assert.equal(await store.hasContentHash("hash-2"), true);
  assert.equal(await store.hasContentHash("hash-9"), false);
  assert.deepEqual(await store.stats(), { rooms: 2, tiles: 5, hashes: 4 });
}

Deno.test("the memory store passes the RoomStore conformance suite", async () => {
  const store = createMemoryStore();
  try {
    await conformance(store);
  } finally {
    store.close();
  }
});

Deno.test("the SQLite store passes the RoomStore conformance suite, and keeps it across reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = openSqliteStore(`${dir}/rooms.db`);
    try {
      await conformance(store);
      assert.equal(store.db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
      assert.equal(store.db.prepare("PRAGMA synchronous").get()?.synchronous, 2, "FULL");
    } finally {
      store.close();
    }
    const reopened = openSqliteStore(`${dir}/rooms.db`);
    try {
      assert.deepEqual(reopened.stats(), { rooms: 2, tiles: 5, hashes: 4 });
      assert.equal(reopened.insertBatch([insert(1)])[0].status, "exists");
    } finally {
      reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("search ignores case in any script, and the memory and SQLite stores find the same tiles", async () => {
  const texts = [
    ["L'ÉCOLE est fermée", "plain ascii answer"],
    ["plain ascii question", "la réunion de l'école"],
    ["ΟΔΟΣ closed", "οδος final sigma"],
    ["Kelvin K sign", "an answer"],
    ["TILE Number", "ascii only"],
    ['say "Hi" \\ 50%_off\nNext', "escapes in JSON"],
  ];
  const inserts = texts.map(([question, answer], i) => ({
    ...insert(i + 1),
    tile: { id: `t${i + 1}`, question, answer },
  }));
  const cases: Array<[string, string[]]> = [
    ["école", ["t2", "t1"]],
    ["ÉCOLE", ["t2", "t1"]],
    ["FERMÉE", ["t1"]],
    ["οδοσ", ["t3"]],
    ["ΟΔΟΣ FINAL", ["t3"]],
    ["kelvin k", ["t4"]],
    ["K", ["t4"]],
    ["tile number", ["t5"]],
    ["ASCII", ["t5", "t2", "t1"]],
    ['"hi" \\ 50%_OFF\nnext', ["t6"]],
    ["50%_", ["t6"]],
    ["0%o", []],
    ["id", []],
  ];
  const dir = await Deno.makeTempDir();
  const stores: RoomStore[] = [createMemoryStore(), openSqliteStore(`${dir}/rooms.db`)];
  try {
    for (const store of stores) {
      await store.insertBatch(inserts);
      for (const [query, ids] of cases) {
        assert.deepEqual((await store.search(query, 10)).map((t) => t.id), ids, query);
      }
    }
  } finally {
    for (const store of stores) await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the synchronous SHA-256 matches Web Crypto, including multi-byte text and block edges", async () => {
  const inputs = ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "é😀".repeat(300)];
  inputs.push("x".repeat(70_000), "lone \ud800 surrogate");
  for (const text of inputs) {
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
    );
    const want = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(sha256Hex(text), want, `length ${text.length}`);
  }
  assert.equal(contentHashSync("[X] q", "an answer"), await contentHash("[X] q", "an answer"));
});
