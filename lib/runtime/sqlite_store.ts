/**
 * A durable {@linkcode SyncRoomStore} on SQLite through `node:sqlite` (Deno, Node >= 22.5).
 *
 * Durability: the database runs in WAL mode with `synchronous=FULL`, and each
 * {@linkcode RoomStore.insertBatch} call is one `BEGIN IMMEDIATE ... COMMIT`
 * transaction that has returned (so the WAL is fsynced) before the handler
 * answers 2xx. An acknowledged tile therefore survives `kill -9` of the server,
 * and also a power loss. `synchronous: "NORMAL"` keeps the first promise only
 * (a crash of the process, not of the machine) and is faster.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  foldCase,
  type InsertOptions,
  type InsertResult,
  type RoomInfo,
  type RoomQuery,
  type RoomRead,
  type StoredTile,
  type StoreStats,
  type SyncRoomStore,
  type TileInsert,
} from "../server/store.ts";

/** Options of {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** `"FULL"` (default): durable across power loss. `"NORMAL"`: across process crashes only. */
  synchronous?: "FULL" | "NORMAL";
  /** Milliseconds to wait for another connection's lock; default 5,000. */
  busyTimeoutMs?: number;
}

/** A {@linkcode SyncRoomStore} on SQLite, with its database handle. */
export interface SqliteStore extends SyncRoomStore {
  /** The database file. */
  readonly path: string;
  /** The `node:sqlite` handle (benchmarks, inspection). */
  readonly db: DatabaseSync;
}

/** The schema, idempotent. `seq` is the rowid: increasing, never reused (no deletes). */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS tiles (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  room TEXT NOT NULL,
  hash TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tiles_room_seq ON tiles (room, seq);
CREATE TABLE IF NOT EXISTS rooms (
  name TEXT PRIMARY KEY,
  tile_count INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS content_hashes (hash TEXT PRIMARY KEY) WITHOUT ROWID;
`;

interface TileRow {
  seq: number;
  id: string;
  room: string;
  hash: string;
  received_at: number;
  body: string;
}

const COLUMNS = "seq, id, room, hash, received_at, body";

/** `text` as a LIKE pattern with `ESCAPE '\\'`: its `\\`, `%` and `_` escaped. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A LIKE pattern (`ESCAPE '\\'`) that every text holding `folded` under
 * {@linkcode foldCase} matches, and few others: a run of non-ASCII characters
 * becomes `%` (it may come from characters of other lengths), and `i` and `k`
 * become `_` (they may come from the non-ASCII 'I' with a dot above and the
 * Kelvin sign, the only non-ASCII characters that fold to ASCII). With `json`,
 * ASCII characters are written as JSON writes them, for matching stored JSON.
 */
function loosePattern(folded: string, json: boolean): string {
  return `%${
    folded.replace(/[^\0-\x7F]+|[\s\S]/g, (c) =>
      c > "\x7F"
        ? "%"
        : c === "i" || c === "k"
        ? "_"
        : likeEscape(json ? JSON.stringify(c).slice(1, -1) : c))
  }%`;
}

/**
 * Open (creating if needed) a SQLite room store.
 *
 * @param path The database file, or `":memory:"`.
 * @param options Durability settings.
 * @returns The store; call `close()` when done.
 *
 * @example Open a store in memory
 * ```ts
 * import { openSqliteStore } from "@plato/scout/server";
 * const store = openSqliteStore(":memory:");
 * console.log(store.stats()); // { rooms: 0, tiles: 0, hashes: 0 }
 * store.close();
 * ```
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`);
    db.exec(SQLITE_SCHEMA);
    db.function(
      "plato_fold",
      { deterministic: true },
      (v) => typeof v === "string" ? foldCase(v) : v,
    );
  } catch (error) {
    db.close();
    throw new Error(`Cannot open room database '${path}'`, { cause: error });
  }

  const cache = new Map<string, StatementSync>();
  const sql = (text: string): StatementSync => {
    let statement = cache.get(text);
    if (!statement) cache.set(text, statement = db.prepare(text));
    return statement;
  };

  const byId = sql("SELECT seq, room, hash FROM tiles WHERE id = ?");
  const hashSeen = sql("SELECT 1 AS seen FROM content_hashes WHERE hash = ?");
  const insertTile = sql(
    `INSERT INTO tiles (id, room, hash, received_at, body) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const recordHash = sql("INSERT OR IGNORE INTO content_hashes (hash) VALUES (?)");
  const saveRoom = sql(
    `INSERT INTO rooms (name, tile_count, created, updated) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET tile_count = excluded.tile_count, updated = excluded.updated`,
  );
  const roomCount = sql("SELECT tile_count, created FROM rooms WHERE name = ?");

  interface Existing {
    seq: number;
    room: string;
    hash: string;
  }

  interface RoomTally {
    count: number;
    created: number;
    updated: number;
    added: number;
  }

  function insertBatch(tiles: readonly TileInsert[], opts: InsertOptions = {}): InsertResult[] {
    if (tiles.length === 0) return [];
    const results: InsertResult[] = [];
    // Room counters are read once and written once per batch: the write lock
    // taken by BEGIN IMMEDIATE keeps them consistent.
    const rooms = new Map<string, RoomTally>();
    const tally = (room: string, at: number): RoomTally => {
      let entry = rooms.get(room);
      if (!entry) {
        const row = roomCount.get(room) as { tile_count: number; created: number } | undefined;
        entry = { count: row?.tile_count ?? 0, created: row?.created ?? at, updated: at, added: 0 };
        rooms.set(room, entry);
      }
      return entry;
    };
    const exists = (row: Existing, at: number): InsertResult => ({
      status: "exists",
      seq: row.seq,
      roomCount: tally(row.room, at).count,
      room: row.room,
      hash: row.hash,
    });
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const t of tiles) {
        if (opts.rejectDuplicateContent && hashSeen.get(t.hash)) {
          const existing = byId.get(t.id) as Existing | undefined;
          if (existing) {
            results.push(exists(existing, t.receivedAt));
          } else {
            results.push({ status: "duplicate" });
          }
          continue;
        }
        const { changes, lastInsertRowid } = insertTile.run(
          t.id,
          t.room,
          t.hash,
          t.receivedAt,
          JSON.stringify(t.tile),
        );
        if (Number(changes) === 0) {
          results.push(exists(byId.get(t.id) as unknown as Existing, t.receivedAt));
          continue;
        }
        recordHash.run(t.hash);
        const room = tally(t.room, t.receivedAt);
        room.count++;
        room.added++;
        room.updated = t.receivedAt;
        results.push({ status: "stored", seq: Number(lastInsertRowid), roomCount: room.count });
      }
      for (const [name, r] of rooms) {
        if (r.added > 0) saveRoom.run(name, r.count, r.created, r.updated);
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    }
    return results;
  }

  /**
   * Run a query whose SQL applies JSON functions to `tiles.body`, given that SQL
   * as a function of a row check. SQLite's JSON functions throw "malformed JSON"
   * on a body nested more than 1,000 levels deep (stored before such tiles were
   * refused), failing the whole answer; only then is the query run again with
   * each row checked by `json_valid`, so such a row is skipped instead.
   */
  function allTileRows(
    text: (valid: (expr: string) => string) => string,
    params: Array<string | number>,
  ): TileRow[] {
    try {
      return sql(text((expr) => expr)).all(...params) as unknown as TileRow[];
    } catch (error) {
      if (!(error instanceof Error && /malformed JSON/i.test(error.message))) throw error;
      // CASE, unlike AND, is evaluated in order: json_valid decides first.
      const checked = text((expr) => `CASE WHEN json_valid(tiles.body) THEN ${expr} END`);
      return sql(checked).all(...params) as unknown as TileRow[];
    }
  }

  function toStored(row: TileRow): StoredTile {
    return {
      seq: row.seq,
      id: row.id,
      room: row.room,
      hash: row.hash,
      receivedAt: row.received_at,
      tile: JSON.parse(row.body),
    };
  }

  function readRoom(room: string, query: RoomQuery): RoomRead {
    const info = roomCount.get(room) as { tile_count: number; created: number } | undefined;
    if (!info) return { tiles: [], tileCount: 0, hasMore: false };
    const where = ["room = ?"];
    const params: Array<string | number> = [room];
    if (query.after !== undefined) {
      where.push("seq > ?");
      params.push(query.after);
    }
    if (query.since !== undefined) {
      where.push("received_at > ?");
      params.push(query.since);
    }
    if (query.tag !== undefined) params.push(query.tag);
    const tagged = (valid: (expr: string) => string) =>
      query.tag === undefined
        ? ""
        : ` AND ${
          valid("EXISTS (SELECT 1 FROM json_each(tiles.body, '$.tags') WHERE json_each.value = ?)")
        }`;
    const forward = query.after !== undefined || query.since !== undefined;
    const rows = allTileRows(
      (valid) =>
        `SELECT ${COLUMNS} FROM tiles WHERE ${where.join(" AND ")}${tagged(valid)}
       ORDER BY seq ${forward ? "ASC" : "DESC"} LIMIT ?`,
      [...params, query.limit + (forward ? 1 : 0)],
    );
    const hasMore = forward && rows.length > query.limit;
    const page = forward ? rows.slice(0, query.limit) : rows.reverse();
    return {
      tiles: page.map(toStored),
      tileCount: info.tile_count,
      created: info.created,
      hasMore,
    };
  }

  function listRooms(): RoomInfo[] {
    const rows = sql("SELECT name, tile_count, created, updated FROM rooms ORDER BY name")
      .all() as unknown as Array<
        { name: string; tile_count: number; created: number; updated: number }
      >;
    return rows.map((r) => ({
      name: r.name,
      tileCount: r.tile_count,
      created: r.created,
      updated: r.updated,
    }));
  }

  /**
   * Tiles whose question or answer holds `query` under {@linkcode foldCase}, as
   * the memory store finds them, newest first.
   *
   * Cheap first: a LIKE over the stored JSON, which every match passes (see
   * {@linkcode loosePattern}), skips most rows without parsing them. SQLite's
   * LIKE ignores ASCII case only, so it decides for ASCII text, where it is
   * exact; a tile with non-ASCII text (more bytes than characters) also has its
   * question and answer folded, by a call into JavaScript, when they pass the
   * loose pattern. A query that folds to non-ASCII cannot be in ASCII text, so
   * the exact LIKE is left out then.
   */
  function search(query: string, limit: number): StoredTile[] {
    const needle = foldCase(query);
    const ascii = /^[\0-\x7F]*$/.test(needle);
    const fields = [
      "json_extract(body, '$.question')",
      "CAST(json_extract(body, '$.answer') AS TEXT)",
    ];
    const exact = fields.map((f) => `${f} LIKE ?1 ESCAPE '\\' OR `).join("");
    const folded = fields.map((f) =>
      `(${f} LIKE ?3 ESCAPE '\\' AND instr(plato_fold(${f}), ?2) > 0)`
    )
      .join(" OR ");
    const rows = allTileRows(
      (valid) =>
        `SELECT ${COLUMNS} FROM tiles
       WHERE body LIKE ?4 ESCAPE '\\' AND ${
          valid(`(${ascii ? exact : ""}(length(body) <> octet_length(body) AND (${folded})))`)
        }
       ORDER BY seq DESC LIMIT ?5`,
      [
        `%${likeEscape(needle)}%`,
        needle,
        loosePattern(needle, false),
        loosePattern(needle, true),
        limit,
      ],
    );
    return rows.map(toStored);
  }

  function stats(): StoreStats {
    const row = sql(
      `SELECT (SELECT count(*) FROM rooms) AS rooms, (SELECT count(*) FROM tiles) AS tiles,
              (SELECT count(*) FROM content_hashes) AS hashes`,
    ).get() as { rooms: number; tiles: number; hashes: number };
    return { rooms: row.rooms, tiles: row.tiles, hashes: row.hashes };
  }

  return {
    path,
    db,
    insertBatch,
    readRoom,
    listRooms,
    search,
    hasContentHash: (hash) => hashSeen.get(hash) !== undefined,
    stats,
    close() {
      if (db.isOpen) db.close();
    },
  };
}
