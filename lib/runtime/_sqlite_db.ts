import { DatabaseSync } from "node:sqlite";

/**
 * How hard a commit waits for the disk.
 *
 * - `"NORMAL"` (default): in WAL mode a commit is a `write()` into the WAL
 *   file, with no fsync. It survives the process dying (`kill -9`, a crash,
 *   an OOM kill) because the data is already in the OS page cache; a power
 *   loss or kernel crash may roll back the last commits but never corrupts the
 *   file. That is the failure model the scout is asked to survive, and it
 *   keeps a commit in the tens of microseconds instead of an fsync's
 *   milliseconds, so observing a service does not slow it.
 * - `"FULL"`: fsync the WAL on every commit; survives power loss too, at the
 *   cost of one fsync per commit.
 */
export type SqliteSynchronous = "NORMAL" | "FULL";

/**
 * Open (creating the file and its directory if needed) a SQLite database in
 * WAL mode with the given synchronous level.
 *
 * @param path The database file, e.g. `<state-dir>/scout.db`.
 * @param synchronous See {@linkcode SqliteSynchronous}.
 * @returns The open database; the caller closes it.
 */
export function openSqliteDatabase(
  path: string,
  synchronous: SqliteSynchronous = "NORMAL",
): DatabaseSync {
  if (synchronous !== "NORMAL" && synchronous !== "FULL") {
    throw new TypeError(
      `Cannot open database: 'synchronous' must be "NORMAL" or "FULL", got ${synchronous}`,
    );
  }
  // Deno's own mkdir, not node:fs: importing node:fs starts Deno's Node
  // compatibility layer, about 40 ms of the CLI's startup. (node:sqlite alone
  // does not.)
  if (path !== ":memory:") Deno.mkdirSync(parentDir(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous}`);
    // Truncate the WAL back to 4 MiB after checkpoints so the file set stays bounded.
    db.exec("PRAGMA journal_size_limit = 4194304");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The folder holding `path` (`.` for a bare file name), for POSIX and Windows separators. */
function parentDir(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0) return ".";
  if (cut === 0) return path.slice(0, 1);
  // `C:\db` keeps its root.
  if (cut === 2 && path[1] === ":") return path.slice(0, 3);
  return path.slice(0, cut);
}
