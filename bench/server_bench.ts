/**
 * Batch ingest through the local PLATO room server vs. a bare insert loop.
 *
 * ```sh
 * deno run -A bench/server_bench.ts [tiles-per-round] [rounds] [requests-in-flight]
 * ```
 *
 * Each round ingests the same tiles twice into fresh SQLite files with the
 * server's settings (WAL, synchronous=FULL): once as `POST /submit_batch`
 * requests of 1,000 tiles to `startLocalPlato` over loopback HTTP (JSON
 * parsing, schema validation, content hashing, SSE fan-out, JSON answers
 * included; the client runs in a worker so its own work is not on the
 * server's thread), once as a bare loop of prepared statements writing the
 * same rows on the same `node:sqlite` binding (the tile row, its content-hash
 * row, the room counters), one transaction per 1,000 tiles. A tile-row-only
 * loop is printed too. Target: the server reaches at least half the bare rate.
 *
 * @module
 */
import { openSqliteStore } from "../lib/runtime/sqlite_store.ts";
import { startLocalPlato } from "../lib/runtime/serve.ts";
import { contentHashSync } from "../lib/server/sha256.ts";
import { normalizeRoom } from "../lib/server/store.ts";
import type { Tile } from "../lib/tile.ts";
import { ingestTiles } from "./_tiles.ts";
import { type Figure, report, summary as minMedianMax } from "./_stats.ts";

const TILES = Number(Deno.args[0] ?? 20_000);
const ROUNDS = Number(Deno.args[1] ?? 5);
const BATCH = 1000;
const CONCURRENCY = Number(Deno.args[2] ?? 2);

type Row = readonly [string, string, string, number, string];

function rowsOf(tiles: Tile[]): Row[] {
  return tiles.map((t) => [
    t.id,
    normalizeRoom(t.domain),
    contentHashSync(t.question, t.answer),
    Date.now(),
    JSON.stringify(t),
  ]);
}

/** The rows the server writes per tile (tile, content hash) and per batch (room counters), bare. */
function bare(dir: string, round: number, rows: Row[], tileOnly: boolean): number {
  const store = openSqliteStore(`${dir}/bare-${round}-${tileOnly}.db`);
  try {
    const db = store.db;
    const insert = db.prepare(
      "INSERT INTO tiles (id, room, hash, received_at, body) VALUES (?, ?, ?, ?, ?)",
    );
    const hash = db.prepare("INSERT OR IGNORE INTO content_hashes (hash) VALUES (?)");
    const room = db.prepare(
      `INSERT INTO rooms (name, tile_count, created, updated) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET tile_count = tile_count + excluded.tile_count`,
    );
    const start = performance.now();
    for (let b = 0; b < rows.length; b += BATCH) {
      db.exec("BEGIN IMMEDIATE");
      const counts = new Map<string, number>();
      for (const row of rows.slice(b, b + BATCH)) {
        insert.run(...row);
        if (tileOnly) continue;
        hash.run(row[2]);
        counts.set(row[1], (counts.get(row[1]) ?? 0) + 1);
      }
      for (const [name, n] of counts) room.run(name, n, rows[b][3], rows[b][3]);
      db.exec("COMMIT");
    }
    return rows.length / ((performance.now() - start) / 1000);
  } finally {
    store.close();
  }
}

async function served(dir: string, round: number, tiles: Tile[]): Promise<number> {
  const bodies: string[] = [];
  for (let b = 0; b < tiles.length; b += BATCH) {
    bodies.push(JSON.stringify({ tiles: tiles.slice(b, b + BATCH) }));
  }
  const server = await startLocalPlato({ port: 0, dbPath: `${dir}/server-${round}.db` });
  const worker = new Worker(new URL("./_server_bench_client.ts", import.meta.url), {
    type: "module",
  });
  try {
    const done = new Promise<{ accepted: number; ms: number; partial?: string }>(
      (resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => reject(event.error ?? new Error(event.message));
      },
    );
    worker.postMessage({ url: server.url, bodies, concurrency: CONCURRENCY });
    const { accepted, ms, partial } = await done;
    if (accepted !== tiles.length) {
      throw new Error(`Only ${accepted}/${tiles.length} accepted; first short answer: ${partial}`);
    }
    return tiles.length / (ms / 1000);
  } finally {
    worker.terminate();
    await server.stop();
  }
}

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (n: number) => Math.round(n).toLocaleString("en-US").padStart(9);
  return `min ${f(s[0])}  median ${f(s[Math.floor(s.length / 2)])}  max ${f(s.at(-1)!)}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await Deno.makeTempDir({ prefix: "plato-bench-" });
try {
  const sameRows: number[] = [];
  const tileRows: number[] = [];
  const serverRates: number[] = [];
  await served(dir, -1, ingestTiles(TILES, -1)); // warm-up: JIT, first connection
  bare(dir, -1, rowsOf(ingestTiles(TILES, -2)), false);
  for (let round = 0; round < ROUNDS; round++) {
    const tiles = ingestTiles(TILES, round);
    const rows = rowsOf(tiles);
    sameRows.push(bare(dir, round, rows, false));
    tileRows.push(bare(dir, round, rows, true));
    serverRates.push(await served(dir, round, tiles));
  }
  const ratio = median(serverRates) / median(sameRows);
  console.log(
    `${TILES} tiles x ${ROUNDS} rounds, batches of ${BATCH}, ${CONCURRENCY} requests in flight, WAL + synchronous=FULL`,
  );
  console.log(`bare loop, same rows (tile+hash+room)  tiles/s: ${summary(sameRows)}`);
  console.log(`bare loop, tile row only               tiles/s: ${summary(tileRows)}`);
  console.log(`HTTP POST /submit_batch                tiles/s: ${summary(serverRates)}`);
  console.log(`server / bare same rows (medians): ${ratio.toFixed(2)}x (target >= 0.50x)`);
  console.log(
    `server / bare tile row only (medians): ${
      (median(serverRates) / median(tileRows)).toFixed(2)
    }x`,
  );
  const figures: Figure[] = [{
    name: "Server batch ingest (POST /submit_batch) vs bare inserts",
    unit: "tiles/s",
    ...minMedianMax(serverRates),
    against: { name: "bare insert loop, same rows, same binding", ...minMedianMax(sameRows) },
    target: ">= 0.5x the bare insert rate (medians)",
    met: ratio >= 0.5,
    note: `${ratio.toFixed(3)}x; ${TILES} tiles x ${ROUNDS} rounds, batches of ${BATCH}, ` +
      `${CONCURRENCY} requests in flight, WAL + synchronous=FULL.`,
  }];
  report(figures);
} finally {
  await Deno.remove(dir, { recursive: true });
}
