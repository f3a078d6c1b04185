import { hasDotSegment } from "../../config/defaults.ts";
import { type Command, givenPlatoUrl, parseFlags } from "./command.ts";
import { UsageError } from "../usage_error.ts";
import { encodeRoom, fetchError } from "../../client.ts";
import { DEFAULT_PLATO_URL } from "../../env.ts";
import { redactUrl } from "../../redact.ts";
import { globalTimers, sleepOn } from "../../timers.ts";
import { readSse } from "./sse_reader.ts";

const HELP = `plato-scout read: print the tiles of a PLATO room

Usage: plato-scout read <room> [--since TIME] [--limit N] [--follow] [--json]

Flags:
  --plato-url URL  The server (default $PLATO_URL, else ${DEFAULT_PLATO_URL})
  --since TIME     Only tiles stored after TIME (epoch milliseconds or an ISO date)
  --limit N        At most N tiles (default: the server's, 100 on plato-scout serve)
  --follow         Keep printing tiles as they arrive (over /events) until Ctrl-C;
                   reconnects when PLATO restarts or the connection drops
  --json           One JSON object per line instead of the readable form

Environment:
  PLATO_URL      The server, when --plato-url is not given
  PLATO_API_KEY  Sent as 'Authorization: Bearer <key>'`;

/** What {@linkcode createReadCommand} takes from its surroundings; defaults are Deno's. */
export interface ReadCommandDeps {
  /** Read an environment variable. */
  env?: (name: string) => string | undefined;
  /** The fetch to use. */
  fetch?: typeof fetch;
  /** Print one line to stdout; throwing `Deno.errors.BrokenPipe` ends the read (stdout closed). */
  write?: (line: string) => void;
  /** Stops `--follow`; default: SIGINT. */
  signal?: AbortSignal;
  /** Print one line to stderr (`--follow`'s reconnects). */
  warn?: (line: string) => void;
  /** Wait before `--follow` reconnects; `signal` ends it early. Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The longest wait between `--follow`'s reconnects, ms. */
const MAX_RECONNECT_MS = 10_000;

/** An error `--follow` does not reconnect after: PLATO answered, and said no. */
class Refused extends Error {}

type Tile = Record<string, unknown>;

function parseSince(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) {
    throw new UsageError(
      `read: '--since' must be epoch milliseconds or an ISO date, got '${value}'`,
    );
  }
  return n;
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new UsageError(`read: '--limit' must be an integer greater than 0, got '${value}'`);
  }
  return Number(value);
}

/**
 * Format a tile for a person: timestamp, source and question on one line, the
 * answer indented below.
 *
 * @param tile A tile as read from a room.
 * @returns The lines.
 */
export function formatTile(tile: Tile): string {
  const text = (v: unknown) => typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
  const head = [
    text(tile.timestamp) || text(tile._received_at),
    text(tile.source),
    text(tile.question),
  ]
    .filter(Boolean).join("  ");
  const answer = text(tile.answer).split("\n").map((line) => `    ${line}`);
  return [head, ...answer].join("\n");
}

const encoder = new TextEncoder();

/** Write one line to stdout; unlike `console.log`, a closed stdout throws `BrokenPipe`. */
function writeStdout(line: string): void {
  let bytes = encoder.encode(`${line}\n`);
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

/** Whether `error` says stdout was closed (`read --follow | head`). */
function outputClosed(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe;
}

function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Create the `plato-scout read` command with its surroundings injected (tests).
 *
 * @param deps Environment, fetch, output and stop signal.
 * @returns The command.
 */
export function createReadCommand(deps: ReadCommandDeps = {}): Command {
  return {
    name: "read",
    summary: "Print a PLATO room's tiles (--follow for live ones)",
    help: HELP,
    run: (argv) => runRead(argv, deps),
  };
}

async function runRead(argv: string[], deps: ReadCommandDeps): Promise<number> {
  const { values, positionals } = parseFlags("read", argv, {
    since: { type: "string" },
    limit: { type: "string" },
    follow: { type: "boolean" },
    json: { type: "boolean" },
    "plato-url": { type: "string" },
  }, { positionals: 1 });
  const room = positionals[0];
  if (!room) throw new UsageError("read: missing <room> (plato-scout read <room>)");
  if (hasDotSegment(room)) {
    // `a/../b` would be read from room `b`, as scout.yaml and --room say.
    throw new UsageError(
      `read: room '${room}': its '/'-separated parts cannot be '.' or '..' (a URL would drop them)`,
    );
  }
  const since = values.since !== undefined ? parseSince(values.since) : undefined;
  const limit = values.limit !== undefined ? parseLimit(values.limit) : undefined;
  const env = deps.env ?? defaultEnv;
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const write = deps.write ?? writeStdout;
  const warn = deps.warn ?? ((line: string) => console.error(`plato-scout: ${line}`));
  const sleep = deps.sleep ??
    ((ms: number, signal?: AbortSignal) => sleepOn(globalTimers, ms, signal));
  const given = givenPlatoUrl("read", values["plato-url"] as string | undefined, env("PLATO_URL"));
  const base = (given ?? DEFAULT_PLATO_URL).replace(/\/+$/, "");
  const apiKey = env("PLATO_API_KEY");
  const headers: HeadersInit = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const print = (tile: Tile) => write(values.json ? JSON.stringify(tile) : formatTile(tile));

  let stop = deps.signal;
  let disposeSignal = () => {};
  if (values.follow && !stop) {
    const controller = new AbortController();
    const onInt = () => controller.abort();
    Deno.addSignalListener("SIGINT", onInt);
    disposeSignal = () => Deno.removeSignalListener("SIGINT", onInt);
    stop = controller.signal;
  }

  /** GET `path`; a network failure throws one line naming the URL and the cause. */
  async function get(path: string): Promise<Response> {
    try {
      return await doFetch(base + path, { headers, signal: stop });
    } catch (error) {
      if (stop?.aborted) throw error;
      throw new Error(`[GET] "${redactUrl(base)}${path}": ${fetchError(error)}`);
    }
  }

  interface Page {
    tiles: Tile[];
    cursor: string | null;
    hasMore: boolean;
    tileCount: number;
  }

  async function getRoom(query: URLSearchParams): Promise<Page> {
    const path = `/room/${encodeRoom(room)}${query.size ? `?${query}` : ""}`;
    const response = await get(path);
    const text = await response.text();
    if (!response.ok) {
      const message = `[GET] "${redactUrl(base)}${path}": ${response.status} ${text.slice(0, 200)}`;
      throw response.status >= 500 ? new Error(message) : new Refused(message);
    }
    const body = JSON.parse(text) as {
      tiles?: Tile[];
      cursor?: string | null;
      has_more?: boolean;
      tile_count?: number;
    };
    const tiles = body.tiles ?? [];
    return {
      tiles,
      cursor: body.cursor ?? null,
      hasMore: body.has_more === true && tiles.length > 0 && body.cursor != null,
      tileCount: body.tile_count ?? tiles.length,
    };
  }

  /**
   * Print `query`'s tiles and, while the server says `has_more`, the pages after
   * its cursor, up to `max` tiles (only the first page unless `more`). Returns
   * the last cursor, what was printed and whether tiles were left.
   */
  async function printPages(
    query: URLSearchParams,
    max = Infinity,
    more = true,
  ): Promise<{ cursor: string | null; printed: number; left: boolean; tileCount: number }> {
    let page = await getRoom(query);
    let printed = 0;
    while (true) {
      const tiles = page.tiles.slice(0, max - printed);
      tiles.forEach(print);
      printed += tiles.length;
      if (!more || !page.hasMore || printed >= max) break;
      const next = new URLSearchParams({ after: page.cursor! });
      if (limit !== undefined) next.set("limit", String(Math.min(limit, max - printed)));
      page = await getRoom(next);
    }
    return { cursor: page.cursor, printed, left: page.hasMore, tileCount: page.tileCount };
  }

  try {
    const first = new URLSearchParams();
    if (since !== undefined) first.set("since", String(since));
    if (limit !== undefined) first.set("limit", String(limit));
    if (!values.follow) {
      // Forward reads (--since) page up to --limit; without one, one page as the server sends it.
      const paging = since !== undefined && limit !== undefined;
      const read = await printPages(first, limit, paging);
      const { printed } = read;
      if (read.left && !paging) {
        warn(`read: stopped at ${printed} tiles; more follow (--limit N reads more)`);
      } else if (
        since === undefined && limit !== undefined && printed < limit && read.tileCount > printed
      ) {
        warn(
          `read: stopped at ${printed} tiles, the server's page size (--since 0 --limit N pages through the room)`,
        );
      }
      // PLATO answers an unknown room as an empty one: say so (stdout stays empty for scripts).
      if (printed === 0) {
        warn(
          `read: no tiles in room '${room}'${
            since !== undefined ? " since then" : ""
          } (or no such room)`,
        );
      }
      return 0;
    }
    // Subscribe before reading, so nothing stored in between is missed;
    // events at or below the read's cursor were already printed. When the
    // connection drops (PLATO restarts), reconnect and catch up from the cursor.
    let query = first;
    let seen: number | undefined;
    let failures = 0;
    let reason: string;
    while (!stop?.aborted) {
      try {
        const events = await get(`/events?room=${encodeURIComponent(room)}`);
        if (!events.ok || !events.body) {
          await events.body?.cancel();
          const message = `[GET] "${redactUrl(base)}/events": ${events.status}`;
          throw events.status >= 500 ? new Error(message) : new Refused(message);
        }
        // Every page the server holds after the cursor, before the live events.
        const { cursor } = await printPages(query);
        seen = Math.max(seen ?? 0, Number(cursor ?? 0));
        if (failures > 0) warn(`read: reconnected to ${redactUrl(base)}`);
        failures = 0;
        for await (const event of readSse(events.body)) {
          if (event.event !== "tile") continue;
          const tile = JSON.parse(event.data) as Tile;
          const seq = Number(tile._seq ?? 0);
          if (seq <= seen) continue;
          seen = seq;
          const { room: _room, ...rest } = tile;
          print(rest);
        }
        reason = "PLATO ended the stream"; // it dropped us, or restarts
      } catch (error) {
        if (stop?.aborted || error instanceof Refused || outputClosed(error)) throw error;
        reason = `connection lost: ${error instanceof Error ? error.message : error}`;
      }
      if (stop?.aborted) break;
      // A wait even after a clean end: a stream that ends at once makes no busy loop.
      const wait = Math.min(MAX_RECONNECT_MS, 500 * 2 ** Math.min(failures++, 10));
      warn(`read: ${reason}; reconnecting in ${wait / 1000}s`);
      await sleep(wait, stop);
      if (seen !== undefined) query = new URLSearchParams({ after: String(seen) });
    }
    return 0;
  } catch (error) {
    if (stop?.aborted || outputClosed(error)) return 0;
    throw error;
  } finally {
    disposeSignal();
  }
}

/** `plato-scout read <room>`: print a room's tiles from `PLATO_URL`. */
export const readCommand: Command = createReadCommand();
