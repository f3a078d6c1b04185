/**
 * Where the local PLATO server's batch-ingest time goes, per tile, in one
 * process and without the network: JSON.parse of a 1,000-tile body, the
 * tile check and content hash of each tile (`prepareTile`), the store's
 * `insertBatch` (SQLite, WAL, synchronous=FULL), and the whole web-standard
 * handler called with a `Request` (no socket). The bare insert loop of
 * `server_bench.ts` is timed alongside, on the same rows. Explains the
 * server-vs-bare figure of `server_bench.ts`: prints a human table and one
 * `BENCH_NOTE {"for": ..., "note": ...}` line that `run_all.ts` attaches to
 * that figure.
 *
 *     deno run -A bench/server_ingest_profile.ts [rounds=5]
 *
 * @module
 */
import { openSqliteStore } from "../lib/runtime/sqlite_store.ts";
import { createPlatoHandler } from "../lib/server/handler.ts";
import { prepareTile } from "../lib/server/ingest.ts";
import { contentHashSync } from "../lib/server/sha256.ts";
import { isWireTile, TileSchema } from "../lib/tile_schema.ts";
import { summary } from "./_stats.ts";
import { ingestTiles } from "./_tiles.ts";

const ROUNDS = Number(Deno.args[0] ?? (Deno.env.get("BENCH_QUICK") === "1" ? 3 : 5));
const N = 20_000, BATCH = 1000;

/** µs per tile of `work` over all batches. */
function perTile(work: () => void): number {
  const t0 = performance.now();
  work();
  return ((performance.now() - t0) * 1000) / N;
}

async function perTileAsync(work: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work();
  return ((performance.now() - t0) * 1000) / N;
}

const steps: Record<string, number[]> = {
  "JSON.parse of the batch body": [],
  "isWireTile (prepareTile's tile check)": [],
  "TileSchema.safeParse (zod, refused tiles)": [],
  "content hash (sha256)": [],
  "prepareTile (tile check + hash + id)": [],
  "store.insertBatch (SQLite, FULL)": [],
  "bare insert loop (server_bench's rows)": [],
  "whole handler, Request in, Response out": [],
};
const dir = await Deno.makeTempDir({ prefix: "server_ingest_profile_" });
try {
  for (let r = -1; r < ROUNDS; r++) {
    const tiles = ingestTiles(N, r, "profile");
    const bodies: string[] = [];
    for (let b = 0; b < N; b += BATCH) {
      bodies.push(JSON.stringify({ tiles: tiles.slice(b, b + BATCH) }));
    }
    const parsed: unknown[][] = [];
    const t: Record<string, number> = {};
    t["JSON.parse of the batch body"] = perTile(() => {
      for (const body of bodies) parsed.push(JSON.parse(body).tiles);
    });
    t["isWireTile (prepareTile's tile check)"] = perTile(() => {
      for (const batch of parsed) for (const tile of batch) isWireTile(tile);
    });
    t["TileSchema.safeParse (zod, refused tiles)"] = perTile(() => {
      for (const batch of parsed) for (const tile of batch) TileSchema.safeParse(tile);
    });
    t["content hash (sha256)"] = perTile(() => {
      for (const tile of tiles) contentHashSync(tile.question, tile.answer);
    });
    const now = Date.now();
    const inserts = parsed.map((batch) =>
      batch.map((tile) => {
        const p = prepareTile(tile, "schema", now);
        if (!p.ok) throw new Error(p.refusal.reason);
        return p.insert;
      })
    );
    t["prepareTile (tile check + hash + id)"] = perTile(() => {
      for (const batch of parsed) for (const tile of batch) prepareTile(tile, "schema", now);
    });
    const store = openSqliteStore(`${dir}/store-${r}.db`);
    t["store.insertBatch (SQLite, FULL)"] = await perTileAsync(async () => {
      for (const batch of inserts) await store.insertBatch(batch);
    });
    store.close();

    const bare = openSqliteStore(`${dir}/bare-${r}.db`);
    const insert = bare.db.prepare(
      "INSERT INTO tiles (id, room, hash, received_at, body) VALUES (?, ?, ?, ?, ?)",
    );
    const hash = bare.db.prepare("INSERT OR IGNORE INTO content_hashes (hash) VALUES (?)");
    const room = bare.db.prepare(
      `INSERT INTO rooms (name, tile_count, created, updated) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET tile_count = tile_count + excluded.tile_count`,
    );
    const rows = inserts.map((batch) =>
      batch.map((i) => [i.id, i.room, i.hash, now, JSON.stringify(i.tile)] as const)
    );
    t["bare insert loop (server_bench's rows)"] = perTile(() => {
      for (const batch of rows) {
        bare.db.exec("BEGIN IMMEDIATE");
        const counts = new Map<string, number>();
        for (const row of batch) {
          insert.run(...row);
          hash.run(row[2]);
          counts.set(row[1], (counts.get(row[1]) ?? 0) + 1);
        }
        for (const [name, n] of counts) room.run(name, n, now, now);
        bare.db.exec("COMMIT");
      }
    });
    bare.close();

    const served = openSqliteStore(`${dir}/handler-${r}.db`);
    const handler = createPlatoHandler({ store: served });
    t["whole handler, Request in, Response out"] = await perTileAsync(async () => {
      for (const body of bodies) {
        const res = await handler.fetch(
          new Request("http://127.0.0.1/submit_batch", { method: "POST", body }),
        );
        const answer = await res.json();
        if (answer.accepted !== BATCH) throw new Error(JSON.stringify(answer).slice(0, 200));
      }
    });
    handler.close();
    served.close();
    if (r >= 0) { for (const [k, v] of Object.entries(t)) steps[k].push(v); }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

const med = (k: string) => summary(steps[k]).median;
console.log(`${N} tiles x ${ROUNDS} rounds, batches of ${BATCH}; µs per tile (median of rounds)`);
for (const k of Object.keys(steps)) {
  const s = summary(steps[k]);
  console.log(
    `  ${k.padEnd(44)} ${s.median.toFixed(2).padStart(7)}  (min ${s.min.toFixed(2)}, max ${
      s.max.toFixed(2)
    })`,
  );
}
const handlerUs = med("whole handler, Request in, Response out");
const bareUs = med("bare insert loop (server_bench's rows)");
const us = (x: number) => `${x.toFixed(1)} µs`;
const parseUs = med("JSON.parse of the batch body");
const prepareUs = med("prepareTile (tile check + hash + id)");
const insertUs = med("store.insertBatch (SQLite, FULL)");
const glueUs = handlerUs - parseUs - prepareUs - insertUs;
const note = `Per tile, in-process without the network (server_ingest_profile.ts): the bare ` +
  `insert loop costs ${us(bareUs)}, so 0.5x allows ${us(2 * bareUs)} end to end. The whole ` +
  `handler alone takes ${us(handlerUs)} (${(bareUs / handlerUs).toFixed(2)}x before any ` +
  `HTTP): store.insertBatch ${us(insertUs)} (${us(insertUs - bareUs)} over the bare rows), ` +
  `prepareTile ${us(prepareUs)} (the hand-written tile check ${
    us(med("isWireTile (prepareTile's tile check)"))
  }; zod's TileSchema, now run only to name a refused tile's field, would take ${
    us(med("TileSchema.safeParse (zod, refused tiles)"))
  }; JS sha256 content hash ${us(med("content hash (sha256)"))}), JSON.parse ${us(parseUs)}, ` +
  `and ${us(glueUs)} of glue (reading the body as text, the per-tile answer objects and ` +
  `their JSON, event-hub and gate bookkeeping). Loopback HTTP and Deno.serve add the rest. ` +
  `Levers left: the store's extra work over the bare rows (it serializes each tile; the bare ` +
  `loop is handed the JSON), the glue, and a native digest for the content hash.`;
console.log(
  `BENCH_NOTE ${
    JSON.stringify({ for: "Server batch ingest (POST /submit_batch) vs bare inserts", note })
  }`,
);
