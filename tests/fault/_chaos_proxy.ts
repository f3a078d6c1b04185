/**
 * A fault-injecting HTTP/1.1 proxy for the fault suite, on raw TCP
 * (`Deno.listen`) so it can do what a fleet PLATO server does when it fails:
 * answer 429 with `Retry-After`, answer 503, refuse with a 403 gate rejection,
 * or drop the connection without any answer — before forwarding, or after the
 * upstream stored the tiles (the fleet's "known server fault"). Everything else
 * is forwarded to the real server.
 *
 * Decisions come from a seeded PRNG (mulberry32), one per request, so a seed
 * gives the same sequence of decisions. Every request is recorded with its
 * time, its tile ids and what was done, and every tile id with what happened
 * to it, for the test to account for each tile at the end.
 *
 * @module
 */
import { mulberry32 } from "../_support/random.ts";

/** What the proxy does with one request. */
export type ChaosAction = "pass" | "429" | "503" | "403" | "drop" | "drop_after";

/** Relative weights of each action; absent ones are 0. */
export type ChaosMix = Partial<Record<ChaosAction, number>>;

/** One request the proxy saw. */
export interface ChaosRequest {
  at: number;
  method: string;
  path: string;
  ids: string[];
  action: ChaosAction | "upstream_down";
  /** Upstream status when forwarded. */
  status?: number;
}

/** The reason every proxy-made 403 carries, as a fleet gate refusal would. */
export const CHAOS_REJECT_REASON = "Answer refused by chaos gate (P0 test rule)";

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A running chaos proxy. */
export class ChaosProxy {
  /** Base URL to point the scout at. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ChaosRequest[] = [];
  /** Tile ids answered 403 by the proxy (never forwarded before, never after). */
  readonly rejected = new Set<string>();
  /** Tile ids the upstream answered "accepted" for, as relayed to the scout. */
  readonly acknowledged = new Set<string>();
  /** Tile ids ever forwarded to the upstream. */
  readonly forwarded = new Set<string>();
  /** Tile ids seen in any request. */
  readonly seen = new Set<string>();
  /** Called as a request is forwarded, right after its fetch has started. */
  onForward?: (ids: string[]) => void;
  #listener: Deno.Listener;
  #conns = new Set<Deno.Conn>();
  #upstream: string;
  #mix: Array<[ChaosAction, number]> = [["pass", 1]];
  #random: () => number;
  #accepting: Promise<void>;

  /**
   * Listen on a free loopback port and forward to `upstream`.
   *
   * @param upstream The real server's base URL.
   * @param seed PRNG seed.
   */
  constructor(upstream: string, seed = 1) {
    this.#upstream = upstream;
    this.#random = mulberry32(seed);
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.url = `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
    this.#accepting = this.#accept();
  }

  /** Set the action weights from now on. */
  setMix(mix: ChaosMix): void {
    this.#mix = Object.entries(mix).filter(([, w]) => w! > 0) as Array<[ChaosAction, number]>;
  }

  /** Forward to another server from now on (e.g. a restarted one on a new port). */
  setUpstream(url: string): void {
    this.#upstream = url;
  }

  #pick(): ChaosAction {
    const total = this.#mix.reduce((s, [, w]) => s + w, 0);
    let r = this.#random() * total;
    for (const [action, w] of this.#mix) {
      if ((r -= w) < 0) return action;
    }
    return this.#mix[this.#mix.length - 1][0];
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        this.#serve(conn).catch(() => {}).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
        });
      }
    } catch { /* listener closed */ }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const reader = new BufferedReader(conn);
    while (true) {
      const head = await reader.readUntilBlankLine();
      if (head === null) return;
      const [requestLine, ...headerLines] = head.split("\r\n");
      const [method, path] = requestLine.split(" ");
      const headers = new Headers();
      for (const line of headerLines) {
        const i = line.indexOf(":");
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      if (headers.get("transfer-encoding")) throw new Error("chunked bodies are not supported");
      const body = await reader.readExactly(Number(headers.get("content-length") ?? 0));
      if (body === null) return;
      const ids = tileIds(new TextDecoder().decode(body));
      ids.forEach((id) => this.seen.add(id));
      let action = this.#pick();
      // A 403 for a tile the server may already hold would make "rejected" and
      // "stored" overlap; the fleet would answer such a retry "Duplicate tile".
      if (action === "403" && ids.some((id) => this.forwarded.has(id))) action = "pass";
      // The gate is deterministic: a tile it refused is refused again, alone
      // or in any batch (the client splits a refused batch to find it).
      if (ids.some((id) => this.rejected.has(id))) action = "403";
      const record: ChaosRequest = { at: Date.now(), method, path, ids, action };
      this.requests.push(record);
      if (action === "drop") return;
      if (action === "429" || action === "503") {
        const retryAfter = action === "429" || this.#random() < 0.5 ? "1" : undefined;
        await write(conn, Number(action), { error: `chaos ${action}` }, retryAfter);
        continue;
      }
      if (action === "403") {
        ids.forEach((id) => this.rejected.add(id));
        await write(conn, 403, {
          status: "rejected",
          reason: CHAOS_REJECT_REASON,
          room: "chaos",
          gate: "P0",
        });
        continue;
      }
      let response: Response;
      let text: string;
      try {
        ids.forEach((id) => this.forwarded.add(id));
        const pending = fetch(this.#upstream + path, {
          method,
          headers: stripHop(headers),
          body: method === "GET" || method === "HEAD" ? undefined : body,
        });
        this.onForward?.(ids);
        response = await pending;
        text = await response.text();
      } catch {
        record.action = "upstream_down";
        return; // the server behind is gone: the client sees a dropped connection
      }
      record.status = response.status;
      if (response.ok) this.#noteAccepted(path, ids, text);
      if (action === "drop_after") return;
      await writeRaw(conn, response.status, response.headers.get("content-type"), text);
    }
  }

  #noteAccepted(path: string, ids: string[], text: string): void {
    if (path.startsWith("/submit_batch")) {
      try {
        const details = JSON.parse(text).details as Array<{ status: string }>;
        details.forEach((d, i) => d.status === "accepted" && this.acknowledged.add(ids[i]));
      } catch { /* not a batch answer */ }
    } else if (path.startsWith("/submit")) {
      ids.forEach((id) => this.acknowledged.add(id));
    }
  }

  /** Stop listening and close every connection. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* closed */ }
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await this.#accepting;
  }
}

function tileIds(text: string): string[] {
  try {
    const value = JSON.parse(text);
    const tiles = Array.isArray(value?.tiles) ? value.tiles : [value];
    return tiles.map((t: { id?: unknown }) => String(t?.id ?? "")).filter(Boolean);
  } catch {
    return [];
  }
}

function stripHop(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const h of ["host", "connection", "content-length", "keep-alive"]) out.delete(h);
  return out;
}

function write(
  conn: Deno.Conn,
  status: number,
  body: unknown,
  retryAfter?: string,
): Promise<void> {
  return writeRaw(conn, status, "application/json", JSON.stringify(body), retryAfter);
}

async function writeRaw(
  conn: Deno.Conn,
  status: number,
  contentType: string | null,
  text: string,
  retryAfter?: string,
): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Status"}`,
    `content-type: ${contentType ?? "application/json"}`,
    `content-length: ${bytes.length}`,
    ...(retryAfter ? [`retry-after: ${retryAfter}`] : []),
    "",
    "",
  ].join("\r\n");
  const all = new Uint8Array(head.length + bytes.length);
  all.set(new TextEncoder().encode(head));
  all.set(bytes, head.length);
  for (let off = 0; off < all.length;) off += await conn.write(all.subarray(off));
}

class BufferedReader {
  #conn: Deno.Conn;
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.#conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }
  async readUntilBlankLine(): Promise<string | null> {
    while (true) {
      const text = new TextDecoder("latin1").decode(this.#buf);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.#buf = this.#buf.subarray(end + 4);
        return text.slice(0, end);
      }
      if (!(await this.#fill())) return null;
    }
  }
  async readExactly(n: number): Promise<Uint8Array<ArrayBuffer> | null> {
    while (this.#buf.length < n) if (!(await this.#fill())) return null;
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }
}
