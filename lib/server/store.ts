/**
 * The storage seam of the local PLATO room server: a small interface the
 * web-standard handler talks to. {@linkcode createMemoryStore} keeps rooms in
 * memory (tests); the SQLite store in `lib/runtime/sqlite_store.ts` keeps them
 * durably (`plato-scout serve`).
 *
 * @module
 */
import type { Awaitable } from "../outbox.ts";

export type { Awaitable };

/** A tile on its way into a store, with the fields the server derived. */
export interface TileInsert {
  /** Idempotency key: a second insert with this id stores nothing. */
  id: string;
  /** The normalized room name (see {@linkcode normalizeRoom}). */
  room: string;
  /** The gate's content hash: 16 hex characters of sha256(question + answer). */
  hash: string;
  /** When the server received it, epoch milliseconds. */
  receivedAt: number;
  /** The tile exactly as submitted (plus a derived `id` if it had none). */
  tile: Record<string, unknown>;
}

/** A tile as a store holds it. */
export interface StoredTile extends TileInsert {
  /** Store-wide sequence number, increasing in insertion order; the read cursor. */
  seq: number;
}

/** What happened to one tile of {@linkcode RoomStore.insertBatch}. */
export type InsertResult =
  /** Stored now. */
  | { status: "stored"; seq: number; roomCount: number }
  /** A tile with this id was stored before, in `room` with content `hash`; nothing changed. */
  | { status: "exists"; seq: number; roomCount: number; room: string; hash: string }
  /** Refused: its content hash was seen before (only with `rejectDuplicateContent`). */
  | { status: "duplicate" };

/** Options of {@linkcode RoomStore.insertBatch}. */
export interface InsertOptions {
  /** Refuse a tile whose content hash was recorded before, in any room (the fleet gate's rule 6). */
  rejectDuplicateContent?: boolean;
}

/** Filters of {@linkcode RoomStore.readRoom}. */
export interface RoomQuery {
  /** Only tiles with `seq` greater than this cursor; reads oldest first from there. */
  after?: number;
  /** Only tiles received after this epoch-millisecond time; reads oldest first from there. */
  since?: number;
  /** Only tiles carrying this tag. */
  tag?: string;
  /** At most this many tiles. With neither `after` nor `since`, the newest ones. */
  limit: number;
}

/** The answer of {@linkcode RoomStore.readRoom}: tiles oldest first (newest last). */
export interface RoomRead {
  /** The matching tiles, in `seq` order. */
  tiles: StoredTile[];
  /** All tiles in the room, unfiltered. */
  tileCount: number;
  /** When the room got its first tile, epoch ms; absent for an unknown room. */
  created?: number;
  /** More matching tiles follow the last one returned (only when reading forward). */
  hasMore: boolean;
}

/** One room of {@linkcode RoomStore.listRooms}. */
export interface RoomInfo {
  /** The normalized name. */
  name: string;
  /** Tiles stored in it. */
  tileCount: number;
  /** First tile, epoch ms. */
  created: number;
  /** Latest tile, epoch ms. */
  updated: number;
}

/** Counts of {@linkcode RoomStore.stats}. */
export interface StoreStats {
  /** Rooms holding at least one tile. */
  rooms: number;
  /** Tiles stored. */
  tiles: number;
  /** Content hashes recorded for the duplicate rule. */
  hashes: number;
}

/**
 * Where the room server keeps tiles. Implementations must make
 * {@linkcode RoomStore.insertBatch} atomic per call and idempotent by tile id,
 * and must not resolve it before the tiles are as durable as they promise.
 */
export interface RoomStore {
  /** Insert tiles in order; one result per tile. Records each stored tile's content hash. */
  insertBatch(tiles: readonly TileInsert[], options?: InsertOptions): Awaitable<InsertResult[]>;
  /** Every room with at least one tile, by name. */
  listRooms(): Awaitable<RoomInfo[]>;
  /** Read one room; an unknown room is an empty read. */
  readRoom(room: string, query: RoomQuery): Awaitable<RoomRead>;
  /** Tiles whose question or answer holds `query` under {@linkcode foldCase}, newest first. */
  search(query: string, limit: number): Awaitable<StoredTile[]>;
  /** Whether a content hash was recorded (by any stored tile, ever). */
  hasContentHash(hash: string): Awaitable<boolean>;
  /** Counts. */
  stats(): Awaitable<StoreStats>;
  /** Release resources; further calls may throw. */
  close(): Awaitable<void>;
}

/**
 * Normalize a room name as the fleet's servers do: lower-case, spaces to `_`.
 *
 * @param name The `domain` of a tile, or a room name from a URL.
 * @returns The room's key.
 *
 * @example Normalize a room name
 * ```ts
 * import { normalizeRoom } from "@plato/scout/server";
 * console.log(normalizeRoom("GC/Research/My Room")); // "gc/research/my_room"
 * ```
 */
export function normalizeRoom(name: string): string {
  return name.toLowerCase().replaceAll(" ", "_");
}

/**
 * The tags of a stored tile, or none if it carries no string array.
 *
 * @param tile A tile as submitted.
 * @returns Its string tags.
 */
export function tagsOf(tile: Record<string, unknown>): string[] {
  const tags = tile.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

/**
 * The text a search matches against: question and answer, as strings.
 *
 * @param tile A tile as submitted.
 * @returns `[question, answer]`.
 */
export function searchText(tile: Record<string, unknown>): [string, string] {
  const text = (v: unknown) => typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
  return [text(tile.question), text(tile.answer)];
}

/**
 * Fold text for a case-insensitive search, in any script: lower-case, with the
 * final sigma as sigma (the one mapping that depends on context). Each
 * character is thus folded alone, so a folded text contains the folded query
 * exactly when the text contains the query with case ignored.
 *
 * @param text A query, or a tile's question or answer.
 * @returns The folded text.
 *
 * @example Fold a query
 * ```ts
 * import { foldCase } from "@plato/scout/server";
 * console.log(foldCase("\u00c9COLE") === foldCase("\u00e9cole")); // true
 * ```
 */
export function foldCase(text: string): string {
  return text.toLowerCase().replaceAll("\u03C2", "\u03C3");
}

/** A {@linkcode RoomStore} whose methods all answer synchronously (memory, SQLite). */
export interface SyncRoomStore extends RoomStore {
  /** Insert tiles in order; one result per tile. */
  insertBatch(tiles: readonly TileInsert[], options?: InsertOptions): InsertResult[];
  /** Read one room. */
  readRoom(room: string, query: RoomQuery): RoomRead;
  /** Every room with at least one tile, by name. */
  listRooms(): RoomInfo[];
  /** Tiles whose question or answer contains the text. */
  search(query: string, limit: number): StoredTile[];
  /** Whether a content hash was recorded. */
  hasContentHash(hash: string): boolean;
  /** Counts. */
  stats(): StoreStats;
  /** Release the store. */
  close(): void;
}
