import assert from "node:assert/strict";
import { createPlatoClient } from "../lib/client.ts";
import { openSqliteStore } from "../lib/runtime/sqlite_store.ts";
import { makeTile, startTestServer } from "./_support/plato_server.ts";

const WRITERS = 50;

Deno.test("50 concurrent writers: every acknowledged tile is stored exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const dbPath = `${dir}/rooms.db`;
  try {
    const server = await startTestServer({ dbPath });
    const acknowledged = new Set<string>();
    try {
      await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
        const client = createPlatoClient({ url: server.url });
        const mine = Array.from({ length: 10 }, (_, i) => makeTile(`${w}-${i}`));
        // Each writer also re-sends its neighbour's first tile: ids collide across writers.
        const neighbours = makeTile(`${(w + 1) % WRITERS}-0`);
        const batch = await client.submitBatch([...mine.slice(0, 5), neighbours]);
        const singles = await Promise.all(mine.slice(5).map((t) => client.submit(t)));
        const outcomes = [...batch, ...singles];
        [...mine.slice(0, 5), neighbours, ...mine.slice(5)].forEach((tile, i) => {
          if (outcomes[i].kind === "accepted") acknowledged.add(tile.id);
        });
      }));
    } finally {
      await server.stop();
    }
    assert.equal(acknowledged.size, WRITERS * 10);
    const store = openSqliteStore(dbPath);
    try {
      const rows = store.db.prepare("SELECT id, count(*) AS n FROM tiles GROUP BY id")
        .all() as Array<
          { id: string; n: number }
        >;
      assert.deepEqual(rows.filter((r) => r.n !== 1), []);
      assert.deepEqual(new Set(rows.map((r) => r.id)), acknowledged);
      const room = store.readRoom("gc/research/scout-reports/server-test", { limit: 1000 });
      assert.equal(room.tileCount, WRITERS * 10);
      assert.equal(new Set(room.tiles.map((t) => t.seq)).size, WRITERS * 10);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("50 concurrent writers of the same content in fleet mode: exactly one is stored", async () => {
  const server = await startTestServer({ gate: "fleet" });
  try {
    const outcomes = await Promise.all(Array.from({ length: WRITERS }, (_, w) => {
      const client = createPlatoClient({ url: server.url });
      return client.submit(makeTile("same", { id: `writer-${w}` }));
    }));
    assert.equal(outcomes.filter((o) => o.kind === "accepted").length, 1);
    assert.equal(outcomes.filter((o) => o.kind === "duplicate").length, WRITERS - 1);
    assert.equal((await server.store.stats()).tiles, 1);
  } finally {
    await server.stop();
  }
});
