/**
 * The tiles the benchmarks send, built one way everywhere so that figures
 * compared across scripts measure the same payload.
 *
 * @module
 */
import { buildTile, type Tile } from "../mod.ts";

/** `n` PERIODIC tiles shaped like an emitter's output (a small JSON answer). */
export function emitterTiles(n: number): Tile[] {
  return Array.from({ length: n }, (_, i) =>
    buildTile({
      scoutName: "bench-scout",
      room: "bench/scout-reports/emitter",
      checkpointType: "periodic",
      question: `bench tile ${i}`,
      answer: { i, status: "ok", latency_ms: 12.5, observed_at: new Date().toISOString() },
      tags: ["bench"],
    }));
}

/** `n` tiles over ten rooms for server ingest, with stable ids `<prefix>-<round>-<i>`. */
export function ingestTiles(n: number, round: number, prefix = "bench"): Tile[] {
  return Array.from({ length: n }, (_, i) =>
    buildTile({
      scoutName: "bench",
      room: `bench/room-${i % 10}`,
      checkpointType: "periodic",
      question: `bench tile ${round}-${i}`,
      answer: { round, i, note: "a structured answer of a typical size for a scout tile" },
      id: `${prefix}-${round}-${i}`,
      now: Date.UTC(2026, 0, 1) + i,
    }));
}
