import type { PlatoClient, PlatoResult } from "./client.ts";

/**
 * A {@linkcode PlatoClient} that prints each tile as one JSON line instead of
 * sending it (the CLI's `--stdout`). Every submission is "accepted"; reads
 * answer with an error value.
 *
 * @param write Receives one JSON line per tile.
 * @returns The client.
 *
 * @example Print tiles
 * ```ts
 * import { buildTile, createPrintingClient } from "@plato/scout";
 * const client = createPrintingClient((line) => console.log(line));
 * await client.submit(buildTile({ scoutName: "s", room: "r", checkpointType: "periodic", question: "q", answer: "x" }));
 * ```
 */
export function createPrintingClient(write: (line: string) => void): PlatoClient {
  const unavailable = <T>(): Promise<PlatoResult<T>> =>
    Promise.resolve({
      ok: false,
      error: { message: "Reading is not available when printing tiles (--stdout)" },
    });
  return {
    url: "stdout:",
    submit(tile) {
      write(JSON.stringify(tile));
      return Promise.resolve({ kind: "accepted", status: 200 });
    },
    submitBatch(tiles) {
      for (const tile of tiles) write(JSON.stringify(tile));
      return Promise.resolve(tiles.map(() => ({ kind: "accepted" as const, status: 200 })));
    },
    readRoom: () => unavailable(),
    listRooms: () => unavailable(),
    search: () => unavailable(),
    health: () => Promise.resolve({ ok: true, value: { status: "healthy", mode: "stdout" } }),
  };
}
