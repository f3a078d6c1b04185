import {
  foldCase,
  type InsertOptions,
  type InsertResult,
  type RoomInfo,
  type RoomQuery,
  type RoomRead,
  searchText,
  type StoredTile,
  type StoreStats,
  type SyncRoomStore,
  tagsOf,
  type TileInsert,
} from "./store.ts";

interface Room {
  tiles: StoredTile[];
  created: number;
  updated: number;
}

/** A {@linkcode SyncRoomStore} in memory, whose methods all answer synchronously. */
export type MemoryStore = SyncRoomStore;

/**
 * A {@linkcode SyncRoomStore} in memory: for tests and throwaway servers. Nothing
 * survives the process.
 *
 * @returns An empty store.
 *
 * @example Store a tile in memory
 * ```ts
 * import { createMemoryStore } from "@plato/scout/server";
 * const store = createMemoryStore();
 * const [result] = store.insertBatch([{
 *   id: "t1", room: "demo", hash: "0123456789abcdef", receivedAt: 0, tile: { question: "q" },
 * }]);
 * console.log(result.status); // "stored"
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const rooms = new Map<string, Room>();
  const byId = new Map<string, StoredTile>();
  const hashes = new Set<string>();
  let seq = 0;
  let closed = false;

  function open(): void {
    if (closed) throw new Error("Cannot use room store: it is closed");
  }

  function insertBatch(tiles: readonly TileInsert[], options: InsertOptions = {}): InsertResult[] {
    open();
    return tiles.map((insert): InsertResult => {
      const existing = byId.get(insert.id);
      if (existing) {
        return {
          status: "exists",
          seq: existing.seq,
          roomCount: rooms.get(existing.room)?.tiles.length ?? 0,
          room: existing.room,
          hash: existing.hash,
        };
      }
      if (options.rejectDuplicateContent && hashes.has(insert.hash)) return { status: "duplicate" };
      const stored: StoredTile = { ...insert, tile: structuredClone(insert.tile), seq: ++seq };
      let room = rooms.get(insert.room);
      if (!room) {
        room = { tiles: [], created: insert.receivedAt, updated: insert.receivedAt };
        rooms.set(insert.room, room);
      }
      room.tiles.push(stored);
      room.updated = insert.receivedAt;
      byId.set(insert.id, stored);
      hashes.add(insert.hash);
      return { status: "stored", seq: stored.seq, roomCount: room.tiles.length };
    });
  }

  function readRoom(name: string, query: RoomQuery): RoomRead {
    open();
    const room = rooms.get(name);
    if (!room) return { tiles: [], tileCount: 0, hasMore: false };
    const matching = room.tiles.filter((t) =>
      (query.after === undefined || t.seq > query.after) &&
      (query.since === undefined || t.receivedAt > query.since) &&
      (query.tag === undefined || tagsOf(t.tile).includes(query.tag))
    );
    const forward = query.after !== undefined || query.since !== undefined;
    const tiles = forward ? matching.slice(0, query.limit) : matching.slice(-query.limit);
    return {
      tiles: tiles.map(copy),
      tileCount: room.tiles.length,
      created: room.created,
      hasMore: forward && matching.length > query.limit,
    };
  }

  function listRooms(): RoomInfo[] {
    open();
    return [...rooms].map(([name, r]) => ({
      name,
      tileCount: r.tiles.length,
      created: r.created,
      updated: r.updated,
    }));
  }

  function search(query: string, limit: number): StoredTile[] {
    open();
    const needle = foldCase(query);
    const out: StoredTile[] = [];
    const all = [...byId.values()].sort((a, b) => b.seq - a.seq);
    for (const t of all) {
      if (out.length >= limit) break;
      const [q, a] = searchText(t.tile);
      if (foldCase(q).includes(needle) || foldCase(a).includes(needle)) out.push(copy(t));
    }
    return out;
  }

  function stats(): StoreStats {
    open();
    return { rooms: rooms.size, tiles: byId.size, hashes: hashes.size };
  }

  return {
    insertBatch,
    readRoom,
    listRooms,
    search,
    hasContentHash: (hash) => hashes.has(hash),
    stats,
    close: () => {
      closed = true;
    },
  };
}

function copy(t: StoredTile): StoredTile {
  return { ...t, tile: structuredClone(t.tile) };
}
