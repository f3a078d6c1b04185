/**
 * A PLATO server for tests that behaves as ../shared/PLATO-CONTRACT.md records
 * the fleet's servers do, with faults on demand. Raw TCP + HTTP/1.1, so it can
 * close a connection without answering (the fleet server's known fault).
 */
import { checkGate, contentHash } from "../../lib/gate.ts";

export type Fault =
  | "drop" // close the connection without a response
  | "store-then-drop" // store the tile(s), then close without a response
  | { status: number; body?: unknown; headers?: Record<string, string> };

export interface FakePlatoOptions {
  /** Serve /submit_batch (default true); false answers 404 like older servers. */
  batch?: boolean;
  /** Apply the P0 gate incl. content-hash duplicates (default true). */
  gate?: boolean;
  /** Acknowledge a re-sent `id` without storing it again (default false: the fleet server does not). */
  dedupeById?: boolean;
  /** Require this bearer token. */
  apiKey?: string;
  port?: number;
}

export interface Received {
  method: string;
  path: string;
  authorization: string | null;
  tiles: number;
}

export class FakePlato {
  readonly stored: Array<Record<string, unknown>> = [];
  readonly requests: Received[] = [];
  /** Faults consumed one per submit request, in order. */
  readonly faults: Fault[] = [];
  #hashes = new Set<string>();
  #ids = new Set<string>();
  #listener: Deno.Listener | undefined;
  #conns = new Set<Deno.Conn>();
  #opts: FakePlatoOptions;
  port = 0;

  constructor(options: FakePlatoOptions = {}) {
    this.#opts = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Ids stored, with how many times each. */
  idCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const t of this.stored) m.set(String(t.id), (m.get(String(t.id)) ?? 0) + 1);
    return m;
  }

  start(): this {
    this.#listener = Deno.listen({
      hostname: "127.0.0.1",
      port: this.port || this.#opts.port || 0,
    });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    void this.#accept(this.#listener);
    return this;
  }

  /** Stop listening and close every connection: the server is down. */
  stop(): void {
    this.#listener?.close();
    this.#listener = undefined;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        this.#conns.add(conn);
        void this.#serve(conn).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
        });
      }
    } catch { /* listener closed */ }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    let buf: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    while (true) {
      const end = indexOf(buf, HEADER_END);
      if (end < 0) {
        const n = await conn.read(chunk).catch(() => null);
        if (n === null) return;
        buf = concat(buf, chunk.subarray(0, n));
        continue;
      }
      const head = new TextDecoder().decode(buf.subarray(0, end));
      const [requestLine, ...headerLines] = head.split("\r\n");
      const headers = new Headers();
      for (const line of headerLines) {
        const i = line.indexOf(":");
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const length = Number(headers.get("content-length") ?? 0);
      while (buf.length < end + 4 + length) {
        const n = await conn.read(chunk).catch(() => null);
        if (n === null) return;
        buf = concat(buf, chunk.subarray(0, n));
      }
      const body = new TextDecoder().decode(buf.subarray(end + 4, end + 4 + length));
      buf = buf.slice(end + 4 + length);
      const [method, target] = requestLine.split(" ");
      const answer = await this.#handle(method, target, headers, body);
      if (answer === "drop") return;
      const text = JSON.stringify(answer.body ?? {});
      const extra = Object.entries(answer.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      const bytes = new TextEncoder().encode(text);
      const res = `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? "Status"}\r\n` +
        `content-type: application/json\r\ncontent-length: ${bytes.length}\r\n${extra}\r\n`;
      try {
        await writeAll(conn, concat(new TextEncoder().encode(res), bytes));
      } catch {
        return;
      }
    }
  }

  async #handle(
    method: string,
    target: string,
    headers: Headers,
    body: string,
  ): Promise<"drop" | { status: number; body?: unknown; headers?: Record<string, string> }> {
    const url = new URL(target, "http://x");
    const path = url.pathname;
    let parsed: unknown;
    try {
      parsed = body ? JSON.parse(body) : undefined;
    } catch {
      parsed = Symbol.for("invalid");
    }
    const tiles = path === "/submit_batch"
      ? ((parsed as { tiles?: unknown[] })?.tiles ?? [])
      : path === "/submit"
      ? [parsed]
      : [];
    this.requests.push({
      method,
      path,
      authorization: headers.get("authorization"),
      tiles: tiles.length,
    });
    if (this.#opts.apiKey && headers.get("authorization") !== `Bearer ${this.#opts.apiKey}`) {
      return { status: 401, body: { error: "Unauthorized - set PLATO_API_KEY" } };
    }
    if (method === "POST" && (path === "/submit" || path === "/submit_batch")) {
      if (path === "/submit_batch" && this.#opts.batch === false) {
        return { status: 404, body: { error: "Not found" } };
      }
      if (parsed === Symbol.for("invalid")) return { status: 400, body: { error: "Invalid JSON" } };
      const fault = this.faults.shift();
      if (fault === "drop") return "drop";
      if (fault && fault !== "store-then-drop") return fault;
      const results = [];
      for (const tile of tiles) results.push(await this.#store(tile as Record<string, unknown>));
      if (fault === "store-then-drop") return "drop";
      if (path === "/submit") {
        const r = results[0];
        return r.status === "accepted"
          ? {
            status: 200,
            body: {
              status: "accepted",
              room: r.room,
              tile_hash: r.hash,
              room_tile_count: this.stored.length,
            },
          }
          : {
            status: 403,
            body: { status: "rejected", reason: r.reason, room: r.room, gate: "P0" },
          };
      }
      const accepted = results.filter((r) => r.status === "accepted").length;
      return {
        status: 200,
        body: {
          accepted,
          rejected: results.length - accepted,
          details: results.map((r) =>
            r.status === "accepted"
              ? { hash: r.hash, room: r.room, status: "accepted" }
              : { status: "rejected", reason: r.reason }
          ),
        },
      };
    }
    if (method === "GET" && path === "/health") return { status: 200, body: { status: "healthy" } };
    if (method === "GET" && path === "/rooms") {
      const rooms: Record<string, { tile_count: number; created: string }> = {};
      for (const t of this.stored) {
        const r = String(t.domain);
        rooms[r] ??= { tile_count: 0, created: "2026-01-01T00:00:00Z" };
        rooms[r].tile_count++;
      }
      return { status: 200, body: rooms };
    }
    if (method === "GET" && path.startsWith("/room/")) {
      const room = path.slice(6).split("/").map(decodeURIComponent).join("/");
      const tiles = this.stored.filter((t) => t.domain === room);
      return { status: 200, body: { tiles, tile_count: tiles.length } };
    }
    if (method === "GET" && path === "/search") {
      const q = url.searchParams.get("q") ?? "";
      const results = this.stored.filter((t) =>
        String(t.question).includes(q) || String(t.answer).includes(q)
      )
        .map((t) => ({ room: t.domain, ...t }));
      return { status: 200, body: { query: q, results } };
    }
    return { status: 404, body: { error: "Not found" } };
  }

  async #store(
    tile: Record<string, unknown>,
  ): Promise<{ status: "accepted" | "rejected"; reason?: string; room: string; hash?: string }> {
    const room = String(tile?.domain ?? "").toLowerCase().replaceAll(" ", "_");
    if (this.#opts.dedupeById && typeof tile.id === "string" && this.#ids.has(tile.id)) {
      return { status: "accepted", room };
    }
    if (this.#opts.gate !== false) {
      const reasons = checkGate(tile);
      if (reasons.length) return { status: "rejected", reason: reasons[0], room };
      const hash = await contentHash(String(tile.question), String(tile.answer));
      if (this.#hashes.has(hash)) return { status: "rejected", reason: "Duplicate tile", room };
      this.#hashes.add(hash);
    }
    if (typeof tile.id === "string") this.#ids.add(tile.id);
    this.stored.push({ ...tile, domain: room });
    return { status: "accepted", room, hash: "h" };
  }
}

const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}
