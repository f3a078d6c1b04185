/**
 * The local PLATO room server as a web-standard `fetch(Request) => Response`
 * handler over a {@linkcode RoomStore}: mount it on any runtime.
 *
 * @module
 */
import { bearerChecker, json, jsonError, readBodyText } from "./http.ts";
import { type GateMode, prepareTile, type Refusal } from "./ingest.ts";
import { createEventHub } from "./sse.ts";
import { normalizeRoom, type RoomStore, type StoredTile, type TileInsert } from "./store.ts";
import { createGateStats } from "./gate_stats.ts";
import { readQuery } from "./query.ts";
import { globalTimers, type Timers } from "../timers.ts";

export type { GateMode };

/** Size and load limits of the handler. */
export interface ServerLimits {
  /** Largest request body, bytes (413 beyond). Default 1 MiB. */
  maxBodyBytes: number;
  /** Most tiles in one `/submit_batch` (413 beyond). Default 1,000. */
  maxBatchTiles: number;
  /** Largest `limit` of a read or search; larger ones are clamped. Default 1,000. */
  maxReadLimit: number;
  /** `limit` of a read or search that names none. Default 100. */
  defaultReadLimit: number;
  /** Events an SSE client may have waiting before it is dropped. Default 256. */
  sseQueue: number;
  /** SSE clients at once (503 beyond), ending streams included. Default 64. */
  sseClients: number;
  /** Milliseconds a dropped or closing SSE stream has to drain before it is aborted. Default 2,000. */
  sseDrainMs: number;
  /** Milliseconds a request body has to arrive in full (408 beyond). Default 30,000. */
  bodyTimeoutMs: number;
}

/** The default {@linkcode ServerLimits}. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 1024 * 1024,
  maxBatchTiles: 1000,
  maxReadLimit: 1000,
  defaultReadLimit: 100,
  sseQueue: 256,
  sseClients: 64,
  sseDrainMs: 2000,
  bodyTimeoutMs: 30_000,
};

/** Options of {@linkcode createPlatoHandler}. */
export interface PlatoHandlerOptions {
  /** Where tiles are kept. */
  store: RoomStore;
  /** `"schema"` (default): the project's tile schema. `"fleet"`: the fleet's P0 gate, exactly. */
  gate?: GateMode;
  /** When set, every route but `/health` requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Epoch milliseconds now; default `Date.now`. */
  now?: () => number;
  /** Timers of the body deadline; default the global ones. */
  timers?: Timers;
  /** Overrides of {@linkcode DEFAULT_LIMITS}. */
  limits?: Partial<ServerLimits>;
}

/** A PLATO room server as a fetch handler. */
export interface PlatoHandler {
  /** Answer one request. Never rejects. */
  fetch(request: Request): Promise<Response>;
  /**
   * End every `/events` stream (aborting those not drained within `sseDrainMs`) and
   * refuse new ones; call before shutting the HTTP server down.
   */
  close(): void;
}

/** Storage errors that pass: another connection holds a lock, or the store is closing. */
const TRANSIENT = /\b(locked|busy)\b|not open|is closed/i;

/**
 * The answer to a store that threw: 503 with `Retry-After` when waiting helps
 * (busy, locked, closing), 500 without it otherwise, so that clients do not
 * retry an error that repeats forever.
 */
function storageError(error: unknown): Response {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  return TRANSIENT.test(message)
    ? jsonError(503, `Storage unavailable: ${message}`, {}, { "retry-after": "1" })
    : jsonError(500, `Storage error: ${message}`);
}

type Route = (request: Request, url: URL) => Promise<Response> | Response;

/**
 * Create the room server's request handler.
 *
 * @param options The store, gate mode, key, clock and limits.
 * @returns The handler.
 *
 * @example Serve rooms from memory
 * ```ts
 * import { createMemoryStore, createPlatoHandler } from "@plato/scout/server";
 * const handler = createPlatoHandler({ store: createMemoryStore() });
 * const response = await handler.fetch(new Request("http://localhost/health"));
 * console.log(response.status); // 200
 * ```
 */
export function createPlatoHandler(options: PlatoHandlerOptions): PlatoHandler {
  const { store } = options;
  const mode: GateMode = options.gate ?? "schema";
  const now = options.now ?? Date.now;
  const timers = options.timers ?? globalTimers;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const authorized = options.apiKey ? bearerChecker(options.apiKey) : undefined;
  const hub = createEventHub({
    queueLimit: limits.sseQueue,
    maxClients: limits.sseClients,
    drainMs: limits.sseDrainMs,
  });
  const gateStats = createGateStats();
  const started = now();

  function render(t: StoredTile): Record<string, unknown> {
    return {
      ...t.tile,
      _hash: t.hash,
      _seq: t.seq,
      _received_at: new Date(t.receivedAt).toISOString(),
    };
  }

  /** {@linkcode render} led by the room the tile is stored in: it wins over a `room` of the tile. */
  function renderWithRoom(t: StoredTile): Record<string, unknown> {
    const out: Record<string, unknown> = { room: t.room, ...render(t) };
    out.room = t.room;
    return out;
  }

  async function readJson(request: Request): Promise<{ value: unknown } | Response> {
    const reading = readBodyText(request, limits.maxBodyBytes);
    let timer: unknown;
    const body = await Promise.race([
      reading,
      new Promise<undefined>((resolve) =>
        timer = timers.setTimeout(() => resolve(undefined), limits.bodyTimeoutMs)
      ),
    ]);
    timers.clearTimeout(timer);
    if (!body) {
      // A client that sent part of a body and stalled. The read is left to end
      // with the connection, not cancelled: on Deno a cancelled body keeps the
      // connection open through a server shutdown, while a pending one ends there.
      reading.catch(() => {});
      return jsonError(
        408,
        `Request timeout: the body did not arrive within ${limits.bodyTimeoutMs} ms`,
        {},
        { connection: "close" },
      );
    }
    if (!body.ok) {
      return body.problem === "too large"
        ? jsonError(413, `Body too large: over ${limits.maxBodyBytes} bytes`)
        : jsonError(400, "Invalid JSON: the body is not valid UTF-8");
    }
    try {
      return { value: JSON.parse(body.text) };
    } catch {
      return jsonError(400, "Invalid JSON");
    }
  }

  type Detail = Record<string, unknown> & { status: string };

  /** Validate, store and announce tiles; one detail (and HTTP status) per tile, in order. */
  type Outcome = { code: number; detail: Detail; roomCount?: number };

  async function ingest(values: unknown[]): Promise<Outcome[]> {
    const receivedAt = now();
    const prepared = values.map((v) => prepareTile(v, mode, receivedAt));
    const inserts: TileInsert[] = [];
    for (const p of prepared) if (p.ok) inserts.push(p.insert);
    const results = await store.insertBatch(inserts, { rejectDuplicateContent: mode === "fleet" });
    let next = 0;
    return prepared.map((p) => {
      if (!p.ok) return refused(p.refusal);
      const insert = p.insert;
      const result = results[next++];
      if (result.status === "duplicate") {
        return refused({ status: 403, reason: "Duplicate tile", room: insert.room }, insert.hash);
      }
      if (result.status === "stored") {
        const seq = result.seq;
        hub.publish(
          insert.room,
          seq,
          () => JSON.stringify(renderWithRoom({ ...insert, seq })),
        );
      }
      if (
        result.status === "exists" && (result.room !== insert.room || result.hash !== insert.hash)
      ) {
        return refused({
          status: 409,
          reason:
            `Conflict: tile id '${insert.id}' is stored in room '${result.room}' with other content`,
          room: result.room,
        }, insert.hash);
      }
      gateStats.accept(result.status === "exists");
      const detail: Detail = {
        status: "accepted",
        id: insert.id,
        hash: insert.hash,
        room: insert.room,
      };
      if (result.status === "exists") detail.already_stored = true;
      return { code: 200, detail, roomCount: result.roomCount };
    });
  }

  function refused(r: Refusal, hash?: string): Outcome {
    gateStats.reject(r.reason);
    const detail: Detail = { status: "rejected", reason: r.reason };
    if (r.room !== undefined) detail.room = r.room;
    if (r.field !== undefined) detail.field = r.field;
    if (hash !== undefined) detail.tile_hash = hash;
    if (r.status === 403) detail.gate = "P0";
    return { code: r.status, detail };
  }

  const submit: Route = async (request) => {
    const parsed = await readJson(request);
    if (parsed instanceof Response) return parsed;
    const [{ code, detail, roomCount }] = await ingest([parsed.value]);
    if (code === 400) {
      const { reason, status: _status, ...rest } = detail;
      return json(400, { error: reason, ...rest });
    }
    if (code !== 200) return json(code, detail);
    const { hash, ...rest } = detail;
    return json(200, { ...rest, tile_hash: hash, room_tile_count: roomCount });
  };

  const submitBatch: Route = async (request) => {
    const parsed = await readJson(request);
    if (parsed instanceof Response) return parsed;
    const tiles = (parsed.value as { tiles?: unknown } | null)?.tiles;
    if (!Array.isArray(tiles)) {
      return jsonError(400, "Invalid batch: 'tiles' must be an array", { field: "tiles" });
    }
    if (tiles.length > limits.maxBatchTiles) {
      return jsonError(
        413,
        `Batch too large: ${tiles.length} tiles, at most ${limits.maxBatchTiles}`,
      );
    }
    const outcomes = await ingest(tiles);
    const accepted = outcomes.filter((o) => o.code === 200).length;
    return json(200, {
      accepted,
      rejected: outcomes.length - accepted,
      details: outcomes.map((o) => o.detail),
    });
  };

  const rooms: Route = async () => {
    const out: Record<string, unknown> = {};
    for (const r of await store.listRooms()) {
      out[r.name] = {
        tile_count: r.tileCount,
        created: new Date(r.created).toISOString(),
        updated: new Date(r.updated).toISOString(),
      };
    }
    return json(200, out);
  };

  const room: Route = async (_request, url) => {
    let name: string;
    try {
      name = url.pathname.slice("/room/".length).split("/").map(decodeURIComponent).join("/");
    } catch {
      return jsonError(400, "Invalid room name: bad percent-encoding");
    }
    if (name === "") return jsonError(400, "Missing room name: use /room/<name>");
    name = normalizeRoom(name);
    const query = readQuery(url.searchParams, limits, ["since", "after", "limit"]);
    if ("error" in query) return query.error;
    const tag = url.searchParams.get("tag") ?? undefined;
    const checkpoint = url.searchParams.get("checkpoint");
    if (tag !== undefined && checkpoint !== null) {
      return jsonError(400, "Invalid query: use 'tag' or 'checkpoint', not both");
    }
    const read = await store.readRoom(name, {
      ...query.value,
      tag: checkpoint !== null ? `checkpoint:${checkpoint.toLowerCase()}` : tag,
    });
    const last = read.tiles.at(-1);
    const cursor = last ? String(last.seq) : query.value.after?.toString() ?? null;
    return json(200, {
      room: name,
      tiles: read.tiles.map(render),
      tile_count: read.tileCount,
      count: read.tiles.length,
      created: read.created !== undefined ? new Date(read.created).toISOString() : null,
      cursor,
      has_more: read.hasMore,
    });
  };

  const search: Route = async (_request, url) => {
    const q = url.searchParams.get("q") ?? "";
    if (q.trim() === "") return jsonError(400, "Missing query parameter 'q'", { field: "q" });
    const query = readQuery(url.searchParams, limits, ["limit"]);
    if ("error" in query) return query.error;
    const found = await store.search(q, query.value.limit);
    return json(200, {
      query: q,
      results: found.map(renderWithRoom),
      count: found.length,
    });
  };

  const health: Route = () => json(200, { status: "healthy", service: "plato-scout" });

  const status: Route = async () => {
    const counts = await store.stats();
    return json(200, {
      status: "ok",
      service: "plato-scout",
      rooms: counts.rooms,
      tiles: counts.tiles,
      content_hashes: counts.hashes,
      gate: { mode, ...gateStats.snapshot() },
      events: hub.stats(),
      started: new Date(started).toISOString(),
      uptime_s: Math.max(0, Math.round((now() - started) / 1000)),
    });
  };

  const events: Route = (_request, url) => {
    const room = url.searchParams.get("room");
    const prefix = url.searchParams.get("prefix");
    const stream = hub.subscribe({
      room: room !== null ? normalizeRoom(room) : undefined,
      prefix: prefix !== null ? normalizeRoom(prefix) : undefined,
    });
    if (!stream) {
      return jsonError(503, "Too many event streams open", {}, { "retry-after": "5" });
    }
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  };

  const routes: Record<string, { method: string; route: Route }> = {
    "/submit": { method: "POST", route: submit },
    "/submit_batch": { method: "POST", route: submitBatch },
    "/rooms": { method: "GET", route: rooms },
    "/search": { method: "GET", route: search },
    "/health": { method: "GET", route: health },
    "/status": { method: "GET", route: status },
    "/events": { method: "GET", route: events },
    "/room/": { method: "GET", route: room },
  };

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    if (authorized && path !== "/health" && !(await authorized(request))) {
      return jsonError(401, "Unauthorized: send 'Authorization: Bearer <PLATO_API_KEY>'", {}, {
        "www-authenticate": 'Bearer realm="plato"',
      });
    }
    const entry = routes[path] ?? (path.startsWith("/room/") ? routes["/room/"] : undefined);
    if (!entry) return jsonError(404, `Not found: ${path}`);
    // HEAD is GET without the body, as HTTP has every GET route answer it.
    const head = request.method === "HEAD" && entry.method === "GET";
    if (request.method !== entry.method && !head) {
      await request.body?.cancel().catch(() => {});
      const allow = entry.method === "GET" ? "GET, HEAD" : entry.method;
      return jsonError(
        405,
        `Method not allowed: ${request.method} ${path} (allowed: ${allow})`,
        {},
        { allow },
      );
    }
    const response = await entry.route(request, url);
    if (!head) return response;
    await response.body?.cancel().catch(() => {});
    return new Response(null, { status: response.status, headers: response.headers });
  }

  return {
    async fetch(request) {
      try {
        return await handle(request);
      } catch (error) {
        return storageError(error);
      }
    },
    close: () => hub.close(),
  };
}
