/**
 * Run the local PLATO room server under Deno: `Deno.serve` over
 * {@linkcode createPlatoHandler}, with a SQLite store (or one in memory).
 *
 * @module
 */
import {
  createPlatoHandler,
  DEFAULT_LIMITS,
  type GateMode,
  type ServerLimits,
} from "../server/handler.ts";
import { createMemoryStore } from "../server/memory_store.ts";
import type { RoomStore } from "../server/store.ts";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite_store.ts";
import type { Timers } from "../timers.ts";

/** The port `plato-scout serve` listens on by default (the seed's `PLATO_URL`). */
export const DEFAULT_PORT = 8848;

/** The address `plato-scout serve` binds by default. */
export const DEFAULT_HOST = "127.0.0.1";

/** Options of {@linkcode startLocalPlato}. */
export interface LocalPlatoOptions {
  /** Port; default 8848. `0` picks a free one (see {@linkcode LocalPlato.port}). */
  port?: number;
  /** Address to bind; default `127.0.0.1`. Anything not loopback requires `apiKey`. */
  hostname?: string;
  /** SQLite database file. Absent: tiles are kept in memory only. */
  dbPath?: string;
  /** A store to use instead of `dbPath` (it is closed on stop). */
  store?: RoomStore;
  /** Gate mode; default `"schema"`. */
  gate?: GateMode;
  /** Require `Authorization: Bearer <apiKey>` on every route but `/health`. */
  apiKey?: string;
  /** SQLite durability settings. */
  sqlite?: SqliteStoreOptions;
  /** Handler limits. */
  limits?: Partial<ServerLimits>;
  /** Epoch milliseconds now; default `Date.now`. */
  now?: () => number;
  /** Timers of the handler's body deadline; default the global ones. */
  timers?: Timers;
}

/** A running local room server. */
export interface LocalPlato {
  /** Base URL, e.g. `http://127.0.0.1:8848`. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** The address bound. */
  hostname: string;
  /** The store tiles go to. */
  store: RoomStore;
  /** The database file, if tiles are kept on disk. */
  dbPath?: string;
  /**
   * End event streams, finish in-flight requests, close the store. Idempotent.
   * Bounded: a connection whose client stopped reading is given up on after
   * `sseDrainMs` and a second more (it ends when its client goes; `finished` waits for it).
   */
  stop(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/**
 * Whether binding `hostname` only accepts connections from this machine.
 *
 * @param hostname An address or host name.
 * @returns `true` for `localhost`, `127.0.0.0/8` and `::1`.
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Start a PLATO room server on this machine.
 *
 * @param options Port, address, database, gate mode and key.
 * @returns The running server; `await server.stop()` when done.
 * @throws {Error} If `hostname` is not loopback and no `apiKey` is given, or the port is taken.
 *
 * @example Start a throwaway server
 * ```ts ignore
 * import { startLocalPlato } from "@plato/scout/server";
 * const plato = await startLocalPlato({ port: 0 });
 * console.log(plato.url); // "http://127.0.0.1:54321"
 * await plato.stop();
 * ```
 */
export async function startLocalPlato(options: LocalPlatoOptions = {}): Promise<LocalPlato> {
  const hostname = options.hostname ?? DEFAULT_HOST;
  if (!isLoopback(hostname) && !options.apiKey) {
    throw new Error(
      `Refusing to listen on '${hostname}' without PLATO_API_KEY: set it, or bind ${DEFAULT_HOST}`,
    );
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot start room server: 'port' must be 0..65535, got ${port}`);
  }
  const store = options.store ??
    (options.dbPath !== undefined
      ? openSqliteStore(options.dbPath, options.sqlite)
      : createMemoryStore());
  const handler = createPlatoHandler({
    store,
    gate: options.gate,
    apiKey: options.apiKey,
    now: options.now,
    timers: options.timers,
    limits: options.limits,
  });

  let server: Deno.HttpServer<Deno.NetAddr>;
  const listening = Promise.withResolvers<Deno.NetAddr>();
  try {
    server = Deno.serve({
      port,
      hostname,
      onListen: (addr) => listening.resolve(addr),
      onError: () => Response.json({ error: "Internal error" }, { status: 500 }),
    }, (request) => handler.fetch(request));
  } catch (error) {
    await store.close();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot listen on ${hostname}:${port}: ${why}`, { cause: error });
  }
  const addr = await listening.promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;

  let stopping: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopping ??= (async () => {
      handler.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = (options.limits?.sseDrainMs ?? DEFAULT_LIMITS.sseDrainMs) + 1000;
      await Promise.race([
        server.shutdown(),
        new Promise<void>((resolve) => timer = setTimeout(resolve, patience)),
      ]);
      clearTimeout(timer);
      await store.close();
    })();
    return stopping;
  }

  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    hostname: addr.hostname,
    store,
    dbPath: options.store ? undefined : options.dbPath,
    stop,
    finished: server.finished,
  };
}
