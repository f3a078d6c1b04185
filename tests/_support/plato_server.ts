/** Helpers for the room server tests: tiles that pass every gate, and a server on port 0. */
import { buildTile, type Tile } from "../../lib/tile.ts";
import {
  type LocalPlato,
  type LocalPlatoOptions,
  startLocalPlato,
} from "../../lib/runtime/serve.ts";
import { createMemoryStore } from "../../lib/server/memory_store.ts";

/** A tile that passes the schema and the fleet gate; distinct content per `n`. */
export function makeTile(n: number | string, overrides: Partial<Tile> = {}): Tile {
  return {
    ...buildTile({
      scoutName: "server-test",
      room: "gc/research/scout-reports/server-test",
      checkpointType: "periodic",
      question: `tile number ${n}`,
      answer: `an answer long enough to pass, number ${n}`,
      id: `tile-${n}`,
      now: Date.UTC(2026, 4, 19, 22, 30),
    }),
    ...overrides,
  };
}

/** Start a room server on a free loopback port (memory store unless one is given). */
export function startTestServer(options: LocalPlatoOptions = {}): Promise<LocalPlato> {
  return startLocalPlato({
    port: 0,
    store: options.dbPath ? undefined : createMemoryStore(),
    ...options,
  });
}

/** POST JSON (or raw text) to a server path. */
export async function post(
  url: string,
  path: string,
  body: unknown,
  headers: HeadersInit = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** GET a server path as JSON. */
export async function get(
  url: string,
  path: string,
  headers: HeadersInit = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url + path, { headers });
  return { status: response.status, body: await response.json(), headers: response.headers };
}
