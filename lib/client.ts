import type { Tile } from "./tile.ts";
import { maskQuerySecrets, redactUrl } from "./redact.ts";
import { globalTimers, type Timers } from "./timers.ts";

/** How one tile submission ended; never thrown. */
export type SubmitOutcome =
  /** Stored by the server. */
  | { kind: "accepted"; status: number }
  /** 403 "Duplicate tile": this content was stored before (an earlier attempt, if retrying). */
  | { kind: "duplicate"; status: number; reason: string }
  /** Refused for good (gate rejection, validation error): retrying cannot succeed. */
  | { kind: "rejected"; status: number; reason: string }
  /**
   * Try again later: network error, dropped connection, 401, 408, 429, 5xx;
   * or a 400/403/409/422 that is not PLATO's JSON (`foreign`: a proxy or WAF
   * in front of it answered; see {@linkcode PlatoClient.submitBatch}).
   */
  | { kind: "retryable"; status?: number; reason: string; retryAfterMs?: number; foreign?: true };

/** A read that failed, as a value. */
export interface PlatoReadError {
  /** HTTP status, absent for network errors. */
  status?: number;
  /** One line: method, URL (without credentials) and status or cause. */
  message: string;
}

/** A read result: `{ ok: true, value }` or `{ ok: false, error }`. */
export type PlatoResult<T> = { ok: true; value: T } | { ok: false; error: PlatoReadError };

/** A room as read back from the server. */
export interface RoomPage {
  /** Tiles, oldest first where the server allows. */
  tiles: Array<Tile & Record<string, unknown>>;
  /** Total tiles in the room, as the server reports. */
  tileCount: number;
  /** The server's full body. */
  raw: Record<string, unknown>;
}

/** Options of {@linkcode createPlatoClient}. */
export interface PlatoClientOptions {
  /** Base URL, for example `http://localhost:8848`. */
  url: string;
  /** Bearer token (`PLATO_API_KEY`); never logged. */
  apiKey?: string;
  /** The fetch to use; defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds; default 10,000. */
  timeoutMs?: number;
  /** Epoch milliseconds now, for `Retry-After` dates; default `Date.now`. */
  now?: () => number;
  /** Timers for the per-request deadline; default the global ones. */
  timers?: Timers;
  /**
   * Whether to send batches to `POST /submit_batch` (default true). False
   * sends each tile to `/submit`: for a server known to lack the batch
   * endpoint (see {@linkcode PlatoClientOptions.onNoBatch}).
   */
  batch?: boolean;
  /**
   * Called once when the server answers `/submit_batch` with 404 or 405 and
   * then answers `/submit` (it has no batch endpoint; the client sends each
   * tile to `/submit` from then on). A short-lived run can remember it, and
   * pass `batch: false` next time.
   */
  onNoBatch?: () => void;
}

/** Options of {@linkcode PlatoClient.readRoom}. */
export interface ReadRoomOptions {
  /** Only tiles stored after this epoch-millisecond time (or server cursor). */
  since?: number;
  /** At most this many tiles. */
  limit?: number;
  /** Abort the read. */
  signal?: AbortSignal;
}

/** A fetch-only PLATO client. Every method resolves; none throws for HTTP or network reasons. */
export interface PlatoClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  /** `POST /submit` one tile. */
  submit(tile: Tile, signal?: AbortSignal): Promise<SubmitOutcome>;
  /**
   * `POST /submit_batch`, falling back to `/submit` per tile on 404. One
   * outcome per tile, in order. A batch refused by something in front of
   * PLATO (a WAF's 403 page) is split to find the tiles it refuses; a tile
   * refused that way while a tile sent after it got through is sent again
   * alone, and rejected if refused again (it would otherwise block the outbox
   * for ever). Otherwise such tiles are kept: the proxy refuses everything
   * (a setup problem), or refused for a while.
   */
  submitBatch(tiles: readonly Tile[], signal?: AbortSignal): Promise<SubmitOutcome[]>;
  /** `GET /room/<name>`; names may contain `/`. */
  readRoom(room: string, options?: ReadRoomOptions): Promise<PlatoResult<RoomPage>>;
  /** `GET /rooms`: room name to `{ tile_count, created }`. */
  listRooms(
    signal?: AbortSignal,
  ): Promise<PlatoResult<Record<string, { tile_count: number; created?: string }>>>;
  /** `GET /search?q=`. */
  search(query: string, signal?: AbortSignal): Promise<PlatoResult<Array<Record<string, unknown>>>>;
  /** `GET /health`. */
  health(signal?: AbortSignal): Promise<PlatoResult<Record<string, unknown>>>;
}

/**
 * Parse a `Retry-After` header (delta seconds or an HTTP date) into milliseconds.
 *
 * @param value The header value.
 * @param now Epoch milliseconds now.
 * @returns Milliseconds to wait, or `undefined` if absent or unparseable.
 *
 * @example Parse Retry-After
 * ```ts
 * import { parseRetryAfter } from "@plato/scout";
 * console.log(parseRetryAfter("3", 0)); // 3000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  // A header sent twice reaches fetch joined: "30, 30", or two dates.
  const trimmed = value.replace(/(^\s*[\d.]+|GMT)\s*,.*/, "$1").trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Encode a room name for a URL path, keeping `/` separators. */
export function encodeRoom(room: string): string {
  return room.split("/").map(encodeURIComponent).join("/");
}

const MAX_REASON = 300;

/** The most tiles a call sends again alone to tell a WAF rule from a passing refusal (see `submitBatch`). */
const MAX_RETRIES_ALONE = 8;

/** The most 307/308 redirects a submission follows (an http to https move, a path prefix). */
const MAX_POST_REDIRECTS = 3;

/**
 * The body of `response` as text, or undefined past `max` bytes (the rest is
 * not read): a submission's answer gets 1 MiB (the per-tile details of a
 * 1,000-tile batch are ~100 KB), a read of a room 64 MiB.
 */
async function boundedText(response: Response, max: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let size = 0; reader;) {
    const { done, value } = await reader.read();
    if (done) break;
    if ((size += value.byteLength) > max) return void await reader.cancel();
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Statuses that refuse the tile itself, final and never retried, when PLATO
 * says so in its JSON (see `classify`); 413 (too large) is final whoever says it.
 */
const TILE_REFUSALS: ReadonlySet<number> = new Set([400, 403, 409, 413, 422]);

/**
 * Create a fetch-only PLATO client.
 *
 * @param options Where the server is and how to reach it.
 * @returns A {@linkcode PlatoClient}.
 *
 * @example Submit a tile
 * ```ts ignore
 * import { buildTile, createPlatoClient } from "@plato/scout";
 * const client = createPlatoClient({ url: "http://localhost:8848" });
 * const outcome = await client.submit(buildTile({
 *   scoutName: "demo", room: "demo/room", checkpointType: "periodic",
 *   question: "hello", answer: "a twenty-character-long answer",
 * }));
 * console.log(outcome.kind);
 * ```
 */
export function createPlatoClient(options: PlatoClientOptions): PlatoClient {
  const base = options.url.replace(/\/+$/, "");
  const printable = redactUrl(base).replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  let batchSupported = options.batch ?? true;

  function headers(json: boolean): Headers {
    const h = new Headers({ accept: "application/json" });
    if (json) h.set("content-type", "application/json");
    if (options.apiKey) h.set("authorization", `Bearer ${options.apiKey}`);
    return h;
  }

  // An AbortController with a cleared timer: AbortSignal.timeout() measured ~25%
  // slower per request on loopback, and it cannot be cancelled once answered.
  const timers = options.timers ?? globalTimers;
  function deadline(signal?: AbortSignal): { signal: AbortSignal; done(): void } {
    const ac = new AbortController();
    const timer = timers.setTimeout(
      () => ac.abort(new DOMException(`Timed out after ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const onAbort = () => ac.abort(signal!.reason);
    if (signal?.aborted) ac.abort(signal.reason);
    else signal?.addEventListener("abort", onAbort, { once: true });
    return {
      signal: ac.signal,
      done() {
        timers.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      },
    };
  }

  function describe(method: string, path: string, detail: string): string {
    return `[${method}] "${printable}${path}": ${detail}`;
  }

  async function request(
    method: string,
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ response: Response; text: string } | { error: string }> {
    const limit = deadline(signal);
    try {
      let url = base + path;
      const init: RequestInit = {
        method,
        headers: headers(body !== undefined),
        body,
        signal: limit.signal,
        // A followed 301/302/303 turns a POST into a GET of the new address,
        // whose 200 would count tiles as stored that no server has: such a
        // redirect is an answer of its own (see `classify`). 307 and 308
        // keep the method and the body, and are followed here.
        redirect: method === "POST" ? "manual" : "follow",
      };
      let response = await doFetch(url, init);
      for (
        let hops = 0;
        hops < MAX_POST_REDIRECTS && /^30[78]$/.test(`${response.status}`);
        hops++
      ) {
        const location = response.headers.get("location");
        if (location === null) break;
        await response.body?.cancel();
        const next = new URL(location, url);
        // The API key is PLATO's: not for another origin (set the https
        // address as PLATO's URL to keep it over an http to https move).
        if (next.origin !== new URL(url).origin) (init.headers as Headers).delete("authorization");
        response = await doFetch(url = next.href, init);
      }
      const max = method === "GET" ? 64 : 1;
      const text = await boundedText(response, max << 20);
      return text === undefined
        ? { error: describe(method, path, `${response.status}, an answer over ${max} MiB`) }
        : { response, text };
    } catch (error) {
      return { error: describe(method, path, fetchError(error).slice(0, MAX_REASON)) };
    } finally {
      limit.done();
    }
  }

  function parseJson(text: string): Record<string, unknown> | undefined {
    try {
      const value = JSON.parse(text);
      return value && typeof value === "object" ? value as Record<string, unknown> : undefined;
    } catch {
      return undefined;
    }
  }

  function reasonOf(body: Record<string, unknown> | undefined, text: string): string {
    const r = body?.reason ?? body?.error ?? body?.message ?? body?.detail;
    const s = typeof r === "string" ? r : r !== undefined ? JSON.stringify(r) : text;
    // One line: a page's line breaks (an nginx 502) would split the log line.
    return s.replace(/\s+/g, " ").trim().slice(0, MAX_REASON);
  }

  function classify(method: string, path: string, response: Response, text: string): SubmitOutcome {
    const status = response.status;
    const body = parseJson(text);
    const headline = `${status} ${response.statusText}`.trim();
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
    // What a body PLATO did not write looks like, in a few words.
    const shown = text.replace(/\s+/g, " ").trim();
    const foreign: SubmitOutcome = {
      kind: "retryable",
      status,
      reason: describe(
        method,
        path,
        `${headline}, not PLATO's answer: ${shown ? `'${shown.slice(0, 80)}'` : "an empty body"}`,
      ),
    };
    // PLATO answers JSON; a maintenance page or a catch-all route answers
    // 200 too, and stores nothing.
    if (status >= 200 && status < 300) return body ? { kind: "accepted", status } : foreign;
    if (status >= 300 && status < 400) {
      return {
        kind: "retryable",
        status,
        // Where it goes; not advice: a base URL cannot be told from an endpoint's new address.
        reason: describe(
          method,
          path,
          `${headline}: PLATO's URL redirects to ${
            redactUrl(response.headers.get("location") ?? "nowhere").slice(0, MAX_REASON)
          }`,
        ),
      };
    }
    const reason = reasonOf(body, text);
    const line = describe(method, path, headline + (reason ? ` (${reason})` : ""));
    // Only PLATO's own answers about the tile are final: the gate's 403
    // ({"status":"rejected","reason",...}), an unparseable or invalid tile
    // (400, 422), a conflict (409), in JSON; and too large (413). The same
    // statuses from a proxy, a WAF or another service in front of it (an HTML
    // page, {"message":"Forbidden"}) say nothing about the tile: it is kept.
    const fromPlato = body !== undefined &&
      (status !== 403 || body.status === "rejected" || typeof body.reason === "string" ||
        body.gate !== undefined);
    if (fromPlato && status === 403 && /duplicate/i.test(reason)) {
      return { kind: "duplicate", status, reason };
    }
    if (!TILE_REFUSALS.has(status)) {
      return {
        kind: "retryable",
        status,
        reason: line,
        retryAfterMs,
      };
    }
    if (!fromPlato && status !== 413) {
      return {
        ...foreign,
        foreign: true,
        retryAfterMs,
      };
    }
    return { kind: "rejected", status, reason: reason || line };
  }

  async function submit(tile: Tile, signal?: AbortSignal): Promise<SubmitOutcome> {
    const result = await request("POST", "/submit", JSON.stringify(tile), signal);
    if ("error" in result) return { kind: "retryable", reason: result.error };
    return classify("POST", "/submit", result.response, result.text);
  }

  async function submitEach(
    tiles: readonly Tile[],
    signal?: AbortSignal,
  ): Promise<SubmitOutcome[]> {
    const out: SubmitOutcome[] = [];
    for (const tile of tiles) {
      const outcome = await submit(tile, signal);
      out.push(outcome);
      if (outcome.kind === "retryable" && !outcome.foreign) {
        // The server is struggling: do not hammer it with the rest of the batch.
        for (let i = out.length; i < tiles.length; i++) out.push({ ...outcome });
        break;
      }
    }
    return out;
  }

  async function submitBatch(
    tiles: readonly Tile[],
    signal?: AbortSignal,
  ): Promise<SubmitOutcome[]> {
    const outcomes = await sendBatch(tiles, signal);
    // A tile the proxy in front of PLATO refused while a tile sent after it
    // got through is sent again, alone, once: refused again, it is refused
    // for what it holds (a WAF rule), final, or it would hold the outbox's
    // head for ever. A proxy refusing for a while (then letting tiles
    // through, or the other way round) refuses nothing for good: the tile
    // passes on its second try, or nothing got through after it.
    let later = false;
    for (let i = outcomes.length - 1, tries = 0; i >= 0; i--) {
      const o = outcomes[i];
      if (o.kind === "accepted" || o.kind === "rejected") later = true;
      else if (o.kind === "retryable" && o.foreign && later && tries++ < MAX_RETRIES_ALONE) {
        const again = await submit(tiles[i], signal);
        outcomes[i] = again.kind === "retryable" && again.foreign
          ? { kind: "rejected", status: again.status ?? 0, reason: again.reason }
          : again;
      }
    }
    return outcomes;
  }

  /** `splitForeign` false: a proxy's refusal of the whole batch is not split (see below). */
  async function sendBatch(
    tiles: readonly Tile[],
    signal?: AbortSignal,
    splitForeign = true,
  ): Promise<SubmitOutcome[]> {
    if (tiles.length === 0) return [];
    if (!batchSupported || tiles.length === 1) return submitEach(tiles, signal);
    const path = "/submit_batch";
    const result = await request("POST", path, JSON.stringify({ tiles }), signal);
    if ("error" in result) return tiles.map(() => ({ kind: "retryable", reason: result.error }));
    const { response, text } = result;
    if (response.status === 404 || response.status === 405) {
      const outcomes = await submitEach(tiles, signal);
      // Only a server that answers /submit lacks just the batch endpoint; a
      // 404 there too (a wrong path prefix, a proxy mid-deploy) says nothing.
      if (batchSupported && outcomes.some((o) => o.kind !== "retryable")) {
        batchSupported = false;
        options.onNoBatch?.();
      }
      return outcomes;
    }
    const body = parseJson(text);
    // Too large, one bad neighbour, or a proxy's refusal of what one tile
    // holds: split so that every good tile still lands.
    const refusal = response.ok ? undefined : classify("POST", path, response, text);
    const foreign = refusal?.kind === "retryable" && refusal.foreign === true;
    // PLATO's refusal of a whole batch (its gate's 403, a 409 or 422) is about
    // one tile in it, or a few: split, as for a 400, so the others land.
    const final = refusal?.kind === "rejected" || refusal?.kind === "duplicate";
    if (
      response.status === 413 || response.status === 400 || final || (foreign && splitForeign)
    ) {
      if (tiles.length <= 2) return submitEach(tiles, signal);
      const mid = Math.ceil(tiles.length / 2);
      const left = await sendBatch(tiles.slice(0, mid), signal);
      const halted = left.find((o) => o.kind === "retryable" && !o.foreign);
      if (halted) {
        // The server failed midway (a 503): the rest waits, for the same reason.
        return [...left, ...tiles.slice(mid).map((): SubmitOutcome => ({ ...halted }))];
      }
      // A proxy that refused every tile of the first half may refuse
      // everything (a setup problem): the second half goes whole, once,
      // rather than split again, so such a proxy costs a few requests per
      // flush, not one per tile.
      const allForeign = left.every((o) => o.kind === "retryable" && o.foreign);
      return [...left, ...(await sendBatch(tiles.slice(mid), signal, !allForeign))];
    }
    if (!response.ok || body === undefined) {
      const outcome = classify("POST", path, response, text);
      return tiles.map(() => ({ ...outcome }));
    }
    const details = Array.isArray(body?.details)
      ? body.details as Array<Record<string, unknown>>
      : undefined;
    if (!details || details.length !== tiles.length) {
      // No answer for each tile. Only a count of all of them accepted and none
      // refused says each was stored; otherwise each goes again alone, and a
      // tile stored already comes back a duplicate, which counts as delivered.
      const all = body.accepted === tiles.length && !(Number(body.rejected) > 0);
      if (!details && all) return tiles.map(() => ({ kind: "accepted", status: response.status }));
      // A duplicate here was most likely stored by the batch just sent.
      return (await submitEach(tiles, signal)).map((o): SubmitOutcome =>
        o.kind === "duplicate" ? { kind: "accepted", status: o.status } : o
      );
    }
    return details.map((d): SubmitOutcome => {
      const status = String(d?.status ?? "");
      if (status === "accepted" || status === "duplicate_id" || status === "stored") {
        return { kind: "accepted", status: response.status };
      }
      const reason = typeof d?.reason === "string"
        ? d.reason.replace(/\s+/g, " ").trim().slice(0, MAX_REASON)
        : "rejected";
      if (/duplicate/i.test(reason)) return { kind: "duplicate", status: 403, reason };
      return { kind: "rejected", status: 403, reason };
    });
  }

  async function getJson<T>(path: string, signal?: AbortSignal): Promise<PlatoResult<T>> {
    const result = await request("GET", path, undefined, signal);
    if ("error" in result) return { ok: false, error: { message: result.error } };
    const { response, text } = result;
    if (!response.ok) {
      const reason = reasonOf(parseJson(text), text);
      return {
        ok: false,
        error: {
          status: response.status,
          message: describe(
            "GET",
            path,
            `${response.status} ${response.statusText}`.trim() + (reason ? ` (${reason})` : ""),
          ),
        },
      };
    }
    const body = parseJson(text);
    if (body === undefined) {
      return {
        ok: false,
        error: { status: response.status, message: describe("GET", path, "response is not JSON") },
      };
    }
    return { ok: true, value: body as T };
  }

  async function readRoom(
    room: string,
    opts: ReadRoomOptions = {},
  ): Promise<PlatoResult<RoomPage>> {
    const params = new URLSearchParams();
    if (opts.since !== undefined) params.set("since", String(opts.since));
    if (opts.limit !== undefined) params.set("limit", String(opts.limit));
    const query = params.size ? `?${params}` : "";
    const result = await getJson<Record<string, unknown>>(
      `/room/${encodeRoom(room)}${query}`,
      opts.signal,
    );
    if (!result.ok) return result;
    const raw = result.value;
    const tiles = Array.isArray(raw.tiles) ? raw.tiles as RoomPage["tiles"] : [];
    const tileCount = typeof raw.tile_count === "number" ? raw.tile_count : tiles.length;
    return { ok: true, value: { tiles, tileCount, raw } };
  }

  async function search(
    q: string,
    signal?: AbortSignal,
  ): Promise<PlatoResult<Array<Record<string, unknown>>>> {
    const result = await getJson<Record<string, unknown>>(
      `/search?q=${encodeURIComponent(q)}`,
      signal,
    );
    if (!result.ok) return result;
    const results = result.value.results;
    return { ok: true, value: Array.isArray(results) ? results : [] };
  }

  return {
    url: base,
    submit,
    submitBatch,
    readRoom,
    listRooms: (signal) => getJson("/rooms", signal),
    search,
    health: (signal) => getJson("/health", signal),
  };
}

/**
 * A failed fetch's first line: its name and message, and its cause's message
 * when it has one (Deno says "fetch failed" and puts the reason, such as
 * "tcp connect error: Connection refused", in the cause). The cause's copy of
 * the URL is dropped (the caller names the URL, redacted), and any query
 * secret left is masked.
 *
 * @param error What fetch threw.
 * @returns One line.
 */
export function fetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split("\n")[0];
  return `${error.name}: ${messageWithCause(error)}`.split("\n")[0];
}

/**
 * An error's message, and its cause's in parentheses when it has one (a
 * refused fetch is "fetch failed (... Connection refused ...)"); the cause's
 * copy of a request URL is dropped and query secrets are masked.
 *
 * @param error The error.
 * @returns The message.
 */
export function messageWithCause(error: Error): string {
  let text = error.message;
  if (error.cause instanceof Error && error.cause.message && !text.includes(error.cause.message)) {
    // Deno's preamble: "error sending request for url (<url>): " (older) or
    // "error sending request from <local addr> for <url> (<host>): " (2.9).
    text += ` (${
      error.cause.message.replace(
        /^error sending request (?:from \S+ )?for (?:url \(.*?\)|\S+ \(.*?\)): /,
        "",
      )
    })`;
  }
  return maskQuerySecrets(text);
}
