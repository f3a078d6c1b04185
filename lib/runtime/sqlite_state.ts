import { DatabaseSync, type StatementSync } from "node:sqlite";
import { MemoryState, type StateStore } from "../state.ts";
import { openSqliteDatabase, type SqliteSynchronous } from "./_sqlite_db.ts";

/** Options of {@linkcode SqliteState.open}. */
export interface SqliteStateOptions {
  /** Commit durability; see {@linkcode SqliteSynchronous}. Default `"NORMAL"`. */
  synchronous?: SqliteSynchronous;
}

/**
 * A durable {@linkcode StateStore} in a SQLite file (`node:sqlite`), table
 * `state`. Every `set`/`delete` is its own committed transaction: durable
 * when it returns (against the process dying with the default
 * `synchronous: "NORMAL"`; against power loss too with `"FULL"`). It can share
 * the database file of a {@linkcode SqliteOutbox} (open the same path, or pass
 * the same `DatabaseSync`).
 *
 * @example Keep a log offset across restarts
 * ```ts ignore
 * import { SqliteState } from "@plato/scout/cli";
 * const state = SqliteState.open(".state/scout.db");
 * state.set("offset", "42");
 * console.log(state.get("offset")); // "42"
 * state.close();
 * ```
 */
export class SqliteState implements StateStore {
  #db: DatabaseSync;
  #owned = false;
  #closed = false;
  #get: StatementSync;
  #set: StatementSync;
  #delete: StatementSync;
  #beforeWrite: () => void;

  /**
   * Open (creating it and its directory if needed) the store in a database
   * file; {@linkcode SqliteState.close} closes the file.
   *
   * @param path The database file, e.g. `<state-dir>/scout.db`.
   * @param options Commit durability.
   * @returns The open store.
   */
  static open(path: string, options: SqliteStateOptions = {}): SqliteState {
    const db = openSqliteDatabase(path, options.synchronous);
    try {
      const state = new SqliteState(db);
      state.#owned = true;
      return state;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Use an open database; `close()` leaves it open.
   *
   * @param db The database; table `state` is created in it.
   * @param options `beforeWrite`: called before each `set`/`delete` (a throw
   * stops the write). Sharing a file with a {@linkcode SqliteOutbox}, pass
   * its `sync`: the tiles a cycle emitted are then written before the state
   * that says the cycle is done (a log offset), so a crash between the two
   * repeats the cycle instead of losing its tiles.
   */
  constructor(db: DatabaseSync, options: { beforeWrite?: () => void } = {}) {
    this.#db = db;
    this.#beforeWrite = options.beforeWrite ?? (() => {});
    db.exec("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#get = db.prepare("SELECT value FROM state WHERE key = ?");
    this.#set = db.prepare(
      "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.#delete = db.prepare("DELETE FROM state WHERE key = ?");
  }

  /** The value, or `undefined` if never set. */
  get(key: string): string | undefined {
    this.#open();
    const row = this.#get.get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Set (or replace) a value; committed when this returns. */
  set(key: string, value: string): void {
    this.#open();
    this.#beforeWrite();
    this.#set.run(key, value);
  }

  /** Remove a value; committed when this returns. */
  delete(key: string): void {
    this.#open();
    this.#beforeWrite();
    this.#delete.run(key);
  }

  /** Close the database if {@linkcode SqliteState.open} opened it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error("Cannot use state: the store is closed");
  }
}

/**
 * The state the given state files hold, copied into memory: a dry run
 * (`--stdout`) starts where the last real run stopped (a log offset, the
 * agents seen) and changes nothing on disk. Each file is read from a
 * temporary copy (with its write-ahead log), so no SQLite file is created
 * next to it, a directory the user may only read works, and a running scout
 * is not disturbed. A key in an earlier file wins. Missing files, or files
 * without a state table, add nothing.
 *
 * @param paths The state files, e.g. `<state-dir>/scout.db`, then an older
 * layout's `<state-dir>/state.db`.
 * @returns The copy.
 */
export function readStateSnapshot(paths: readonly string[]): MemoryState {
  const copy = new MemoryState();
  const present = paths.filter((path) => ifPresent(path, () => Deno.statSync(path)));
  // Nothing to read: no temporary folder needed either.
  if (present.length === 0) return copy;
  let tmp: string;
  try {
    tmp = Deno.makeTempDirSync({ prefix: "plato-scout-dry-run-" });
  } catch (error) {
    throw new SnapshotCopyError(
      `no temporary folder to copy the state into (TMPDIR): ${(error as Error).message}`,
    );
  }
  try {
    for (const [i, path] of present.entries()) {
      const db = `${tmp}/${i}.db`;
      const copied = ifPresent(path, () => {
        Deno.copyFileSync(path, db);
        return true;
      });
      if (!copied) continue;
      ifPresent(`${path}-wal`, () => Deno.copyFileSync(`${path}-wal`, `${db}-wal`));
      const sqlite = new DatabaseSync(db);
      try {
        const table = sqlite.prepare(
          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'state'",
        ).get();
        if (!table) continue;
        const rows = sqlite.prepare("SELECT key, value FROM state").all() as Array<
          { key: string; value: string }
        >;
        for (const { key, value } of rows) if (copy.get(key) === undefined) copy.set(key, value);
      } finally {
        sqlite.close();
      }
    }
    return copy;
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

/** {@linkcode readStateSnapshot} could not make its temporary copy (the state itself may be fine). */
export class SnapshotCopyError extends Error {
  /** @param message What failed. */
  constructor(message: string) {
    super(message);
    this.name = "SnapshotCopyError";
  }
}

/**
 * `op` on the file at `path`: undefined when nothing is there (nor a folder
 * on the way); another OS error names `path`, not the temporary copy.
 */
function ifPresent<T>(path: string, op: () => T): T | undefined {
  try {
    return op();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`${(error as Error).message.replace(/: (?:stat|copy) '.*$/s, "")}: ${path}`);
  }
}
