import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { get, makeTile, startTestServer } from "./_support/plato_server.ts";

const ROOM = "gc/research/scout-reports/server-test";

type Page = { tiles: Array<Record<string, unknown>>; cursor: string | null; has_more: boolean };

Deno.test("a room reads newest last, and limit without a cursor gives the newest tiles", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch(Array.from({ length: 10 }, (_, i) => makeTile(i)));
    const page = await client.readRoom(ROOM, { limit: 3 });
    assert.ok(page.ok);
    assert.deepEqual(page.value.tiles.map((t) => t.id), ["tile-7", "tile-8", "tile-9"]);
    assert.equal(page.value.tileCount, 10);
    assert.equal(page.value.raw.cursor, String(page.value.tiles[2]._seq));
  } finally {
    await server.stop();
  }
});

Deno.test("a reader pages a room from the start with ?after=<cursor> and sees every tile once, in order", async () => {
  for (const dbPath of [undefined, "sqlite"]) {
    const dir = dbPath ? await Deno.makeTempDir() : undefined;
    const server = await startTestServer({ dbPath: dir ? `${dir}/rooms.db` : undefined });
    try {
      const client = createPlatoClient({ url: server.url });
      const ids = Array.from({ length: 25 }, (_, i) => makeTile(i));
      await client.submitBatch(ids);
      const seen: unknown[] = [];
      let cursor = "0";
      let pages = 0;
      while (true) {
        const page = (await get(server.url, `/room/${ROOM}?after=${cursor}&limit=10`)).body as Page;
        pages++;
        seen.push(...page.tiles.map((t) => t.id));
        if (!page.has_more) break;
        cursor = page.cursor!;
      }
      assert.equal(pages, 3, String(dbPath));
      assert.deepEqual(seen, ids.map((t) => t.id));
      await client.submit(makeTile("late"));
      const resumed = (await get(server.url, `/room/${ROOM}?after=${cursor}&limit=10`))
        .body as Page;
      assert.deepEqual(resumed.tiles.map((t) => t.id).slice(-1), ["tile-late"]);
    } finally {
      await server.stop();
      if (dir) await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("?since=<ms> returns only tiles the server received after that time", async () => {
  let now = Date.UTC(2026, 0, 1, 12);
  const server = await startTestServer({ now: () => now });
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submit(makeTile("old"));
    const cut = now;
    now += 1000;
    await client.submit(makeTile("new"));
    const page = await client.readRoom(ROOM, { since: cut });
    assert.ok(page.ok);
    assert.deepEqual(page.value.tiles.map((t) => t.id), ["tile-new"]);
    const iso = await get(server.url, `/room/${ROOM}?since=${new Date(cut).toISOString()}`);
    assert.deepEqual((iso.body as Page).tiles.map((t) => t.id), ["tile-new"]);
    assert.equal(iso.body.tile_count, 2);
  } finally {
    await server.stop();
  }
});

Deno.test("?tag= and ?checkpoint= filter a room by tag", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submitBatch([
      makeTile(1, { tags: ["scout", "checkpoint:periodic", "disk"] }),
      makeTile(2, { tags: ["scout", "checkpoint:error"] }),
      makeTile(3, { tags: ["scout", "checkpoint:periodic"] }),
    ]);
    const disk = (await get(server.url, `/room/${ROOM}?tag=disk`)).body as Page;
    assert.deepEqual(disk.tiles.map((t) => t.id), ["tile-1"]);
    const errors = (await get(server.url, `/room/${ROOM}?checkpoint=ERROR`)).body as Page;
    assert.deepEqual(errors.tiles.map((t) => t.id), ["tile-2"]);
    const periodic = (await get(server.url, `/room/${ROOM}?checkpoint=periodic&after=0`))
      .body as Page;
    assert.deepEqual(periodic.tiles.map((t) => t.id), ["tile-1", "tile-3"]);
  } finally {
    await server.stop();
  }
});

Deno.test("bad read parameters are 400 naming the parameter", async () => {
  const server = await startTestServer();
  try {
    for (
      const [query, field] of [["limit=0", "limit"], ["limit=abc", "limit"], [
        "since=soon",
        "since",
      ], ["after=-1", "after"]]
    ) {
      const r = await get(server.url, `/room/${ROOM}?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.field, field);
      assert.match(String(r.body.error), new RegExp(`'${field}'`));
    }
    assert.equal((await get(server.url, "/room/%E0%A4%A")).status, 400);
  } finally {
    await server.stop();
  }
});

Deno.test("room names keep '/' separators and percent-decode each segment", async () => {
  const server = await startTestServer();
  try {
    const client = createPlatoClient({ url: server.url });
    await client.submit(makeTile(1, { domain: "Fleet/Ops Room/50% done" }));
    const page = await client.readRoom("fleet/ops_room/50%_done");
    assert.ok(page.ok);
    assert.equal(page.value.tileCount, 1);
    assert.equal(page.value.raw.room, "fleet/ops_room/50%_done");
  } finally {
    await server.stop();
  }
});
