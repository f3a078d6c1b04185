/**
 * The local PLATO room server: a web-standard handler
 * ({@linkcode createPlatoHandler}) over a small storage interface
 * ({@linkcode RoomStore}), an in-memory store for tests, a durable SQLite
 * store, and {@linkcode startLocalPlato} to run it all under Deno.
 *
 * ```ts ignore
 * import { startLocalPlato } from "@plato/scout/server";
 * const plato = await startLocalPlato({ port: 0, dbPath: "rooms.db" });
 * console.log(`PLATO_URL=${plato.url}`);
 * await plato.stop();
 * ```
 *
 * @module
 */
export {
  createPlatoHandler,
  DEFAULT_LIMITS,
  type GateMode,
  type PlatoHandler,
  type PlatoHandlerOptions,
  type ServerLimits,
} from "./lib/server/handler.ts";
export { deriveTileId } from "./lib/server/ingest.ts";
export type { Awaitable } from "./lib/outbox.ts";
export type { Timers } from "./lib/timers.ts";
export { createMemoryStore, type MemoryStore } from "./lib/server/memory_store.ts";
export {
  foldCase,
  type InsertOptions,
  type InsertResult,
  normalizeRoom,
  type RoomInfo,
  type RoomQuery,
  type RoomRead,
  type RoomStore,
  type StoredTile,
  type StoreStats,
  type SyncRoomStore,
  type TileInsert,
} from "./lib/server/store.ts";
export {
  openSqliteStore,
  SQLITE_SCHEMA,
  type SqliteStore,
  type SqliteStoreOptions,
} from "./lib/runtime/sqlite_store.ts";
export {
  DEFAULT_HOST,
  DEFAULT_PORT,
  isLoopback,
  type LocalPlato,
  type LocalPlatoOptions,
  startLocalPlato,
} from "./lib/runtime/serve.ts";
