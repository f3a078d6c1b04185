import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Outbox, OutboxEntry } from "../outbox.ts";
import type { Tile } from "../tile.ts";
import { openSqliteDatabase, type SqliteSynchronous } from "./_sqlite_db.ts";
import { type OutboxSql, prepareOutboxSql, utf8Length } from "./_sqlite_outbox_sql.ts";

export type { SqliteSynchronous };

/** Options of {@linkcode SqliteOutbox}. */
export interface SqliteOutboxOptions {
  /** Most entries kept; beyond it the oldest is dropped and counted. Default 100,000. */
  maxEntries?: number;
  /**
   * Most bytes of tile JSON kept; beyond it the oldest entries are dropped
   * and counted when the buffered tiles are written. The file is this plus
   * SQLite's page and index overhead plus a WAL of at most ~4 MiB after each
   * checkpoint. Default 64 MiB.
   */
  maxBytes?: number;
  /** Commit durability, used by {@linkcode SqliteOutbox.open}. Default `"NORMAL"`. */
  synchronous?: SqliteSynchronous;
  /**
   * Told when the database cannot be read or written, once per streak of
   * failures (the outbox keeps working from memory, bounded by `maxEntries`,
   * and retries the write at the end of the next task). Default: one
   * `console.error` line.
   */
  onError?: (error: Error) => void;
}

/**
 * A durable {@linkcode Outbox} in a SQLite file (`node:sqlite`), for the
 * command line: tiles not yet acknowledged survive PLATO being down, the
 * scout restarting and `kill -9` of the scout.
 *
 * `append()` is synchronous and allocation-light: it pushes the tile onto a
 * small in-memory buffer and queues one microtask, which writes the whole
 * buffer in ONE transaction. **Durability window: a tile is durable once the
 * task that appended it has ended** - the write runs in that task's microtask
 * checkpoint, before the event loop takes any timer, I/O callback or other
 * task. `sync()` and `close()` write immediately. With the default
 * `synchronous: "NORMAL"` durable means "survives the process dying"; use
 * `"FULL"` to also survive power loss (see {@linkcode SqliteSynchronous}).
 *
 * Bounded: at most `maxEntries` entries (enforced at `append`) and
 * `maxBytes` bytes of tile JSON (enforced when the buffer is written), oldest
 * dropped first; {@linkcode SqliteOutbox.dropped} counts drops and persists.
 * Memory stays flat: `size()` is a maintained counter and `peek(max)` reads
 * at most `max` rows. No method throws once the outbox is open, except
 * `sync()`/`close()` when the tiles could not be made durable.
 *
 * @example Keep tiles across restarts
 * ```ts ignore
 * import { buildTile } from "@plato/scout";
 * import { SqliteOutbox } from "@plato/scout/cli";
 * const outbox = SqliteOutbox.open(".state/scout.db", { maxEntries: 50_000 });
 * outbox.append(buildTile({ scoutName: "s", room: "r", checkpointType: "periodic", question: "q", answer: "a" }));
 * const batch = outbox.peek(100);
 * outbox.ack(batch.map((entry) => entry.tile.id));
 * outbox.close();
 * ```
 */
export class SqliteOutbox implements Outbox {
  #db: DatabaseSync;
  #owned = false;
  #maxEntries: number;
  #maxBytes: number;
  #onError: (error: Error) => void;
  #sql: OutboxSql;
  /** Rows in the table, and the sum of their `bytes`. */
  #rows = 0;
  #bytes = 0;
  /** Oldest rows already counted as dropped, deleted at the next write. */
  #dropRows = 0;
  #dropped = 0;
  #droppedStored = 0;
  /** Appended, not yet written; entries before `#head` were dropped. */
  #pending: OutboxEntry[] = [];
  #head = 0;
  /** Tile id -> row `seq` of entries handed out by `peek`, so `ack`/`nack` hit the primary key. */
  #peeked = new Map<string, number>();
  /**
   * Ids acknowledged while the database refused to delete their rows (a full
   * disk, a read-only file): never handed out again, deleted at the next
   * acknowledgement that works.
   */
  #acked = new Set<string>();
  #scheduled = false;
  #closed = false;
  #failing = false;
  /** The last row an earlier process left (rows up to it count as tried). */
  #earlierSeq = 0;
  #lastError: Error | undefined;

  /**
   * Open (creating it and its directory if needed) the outbox in a database
   * file; {@linkcode SqliteOutbox.close} closes the file.
   *
   * @param path The database file, e.g. `<state-dir>/scout.db`.
   * @param options Bounds, durability and error reporting.
   * @returns The open outbox, holding whatever an earlier run left.
   */
  static open(path: string, options: SqliteOutboxOptions = {}): SqliteOutbox {
    const db = openSqliteDatabase(path, options.synchronous);
    try {
      const outbox = new SqliteOutbox(db, options);
      outbox.#owned = true;
      return outbox;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Use an open database (WAL mode recommended); `close()` leaves it open.
   *
   * @param db The database; tables `outbox` and `outbox_meta` are created in it.
   * @param options Bounds and error reporting (`synchronous` is ignored).
   * @throws {RangeError} If a bound is not a positive integer.
   */
  constructor(db: DatabaseSync, options: SqliteOutboxOptions = {}) {
    this.#maxEntries = positiveInteger("maxEntries", options.maxEntries ?? 100_000);
    this.#maxBytes = positiveInteger("maxBytes", options.maxBytes ?? 64 * 1024 * 1024);
    this.#onError = options.onError ??
      ((error) => console.error(`Cannot use outbox database: ${error.message}`));
    this.#db = db;
    this.#sql = prepareOutboxSql(db);
    const totals = db.prepare(
      "SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b, COALESCE(MAX(seq), 0) AS s FROM outbox",
    ).get() as { n: number; b: number; s: number };
    const meta = db.prepare("SELECT value FROM outbox_meta WHERE key = 'dropped'").get() as
      | { value: number }
      | undefined;
    this.#rows = totals.n;
    this.#earlierSeq = totals.s;
    this.#bytes = totals.b;
    this.#dropped = this.#droppedStored = this.droppedBefore = meta?.value ?? 0;
    // Bounds lowered since the last run apply now.
    this.#dropRows = Math.max(0, this.#rows - this.#maxEntries);
    this.#dropped += this.#dropRows;
    this.#write();
  }

  /** How many of `dropped` earlier runs counted (the count as it opened). */
  readonly droppedBefore: number;

  /** How many entries were dropped because the outbox was full, across runs. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The last error from the database, if any (cleared by the next successful write). */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Add a tile; written at the end of the current task. Never throws. */
  append(tile: Tile): void {
    if (this.#closed) {
      this.#dropped++;
      return;
    }
    this.#pending.push({ tile, attempts: 0 });
    if (this.size() > this.#maxEntries) this.#dropOldest();
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /** The oldest `max` entries, including appended ones not yet written. */
  peek(max: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    if (this.#closed || !(max > 0)) return out;
    this.#write();
    try {
      const rows = this.#sql.select.all(
        Math.min(max + this.#acked.size, this.#rows),
        this.#dropRows,
      );
      if (this.#peeked.size > 10_000) this.#peeked.clear();
      for (const row of rows as { seq: number; tile: string; attempts: number }[]) {
        const tile: Tile = JSON.parse(row.tile);
        if (this.#acked.has(tile.id) || out.length >= max) continue;
        this.#peeked.set(tile.id, row.seq);
        // What an earlier process left may have been sent by it (see OutboxEntry.attempts).
        const attempts = row.seq <= this.#earlierSeq ? Math.max(row.attempts, 1) : row.attempts;
        out.push({ tile, attempts });
      }
    } catch (error) {
      this.#report(error);
      return []; // Never hand out newer tiles ahead of older ones.
    }
    for (let i = this.#head; i < this.#pending.length && out.length < max; i++) {
      const { tile, attempts } = this.#pending[i];
      out.push({ tile, attempts });
    }
    return out;
  }

  /** Remove delivered (or permanently rejected) entries by tile id. */
  ack(ids: readonly string[]): void {
    if (this.#closed || ids.length === 0) return;
    this.#write();
    const remove = new Set(ids);
    const unwritten = new Set<string>();
    if (this.#head < this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head).filter((e) => {
        if (!remove.has(e.tile.id)) return true;
        unwritten.add(e.tile.id);
        return false;
      });
      this.#head = 0;
    }
    for (const id of this.#acked) remove.add(id);
    let rows = this.#rows;
    let bytes = this.#bytes;
    const ok = this.#transaction(() => {
      const removed = this.#bySeq(remove, this.#sql.deleteSeq, this.#sql.deleteIds);
      for (const row of removed as { bytes: number }[]) {
        rows--;
        bytes -= row.bytes;
      }
    });
    if (!ok) {
      // Delivered, but still stored: not to be sent again by this process (a
      // later run may, and PLATO answers a known id as a duplicate).
      for (const id of ids) if (!unwritten.has(id)) this.#acked.add(id);
      return;
    }
    for (const id of remove) this.#peeked.delete(id);
    this.#acked.clear();
    this.#rows = rows;
    this.#bytes = bytes;
    this.#dropRows = Math.min(this.#dropRows, rows);
  }

  /** Record a failed attempt for these entries; they keep their place. */
  nack(ids: readonly string[]): void {
    if (this.#closed || ids.length === 0) return;
    this.#write();
    const set = new Set(ids);
    for (let i = this.#head; i < this.#pending.length; i++) {
      if (set.has(this.#pending[i].tile.id)) this.#pending[i].attempts++;
    }
    this.#transaction(() => this.#bySeq(set, this.#sql.nackSeq, this.#sql.nackIds));
  }

  /** How many entries wait (a counter: O(1), no database read). */
  size(): number {
    return Math.max(0, this.#rows - this.#dropRows - this.#acked.size) +
      this.#pending.length - this.#head;
  }

  /**
   * Write appended tiles now.
   *
   * @throws {Error} The database error, if they could not be written.
   */
  sync(): void {
    if (!this.#closed && !this.#write()) throw this.#lastError;
  }

  /**
   * Write appended tiles, then close the database if {@linkcode SqliteOutbox.open} opened it.
   * Idempotent.
   *
   * @throws {Error} The database error, if the last tiles could not be written.
   */
  close(): void {
    if (this.#closed) return;
    const ok = this.#write();
    this.#closed = true;
    this.#pending = [];
    this.#head = 0;
    if (this.#owned) this.#db.close();
    if (!ok) throw this.#lastError;
  }

  /** Run `bySeq` for ids `peek` handed out, `byIds` (a table scan) for the rest. */
  #bySeq(
    ids: Set<string>,
    bySeq: StatementSync,
    byIds: StatementSync,
  ): unknown[] {
    const results: unknown[] = [];
    const unknown: string[] = [];
    for (const id of ids) {
      const seq = this.#peeked.get(id);
      if (seq === undefined) unknown.push(id);
      else results.push(...bySeq.all(seq, id));
    }
    if (unknown.length > 0) results.push(...byIds.all(JSON.stringify(unknown)));
    return results;
  }

  #flushTask = (): void => {
    this.#scheduled = false;
    this.#write();
  };

  #dropOldest(): void {
    this.#dropped++;
    if (this.#rows - this.#dropRows > 0) {
      this.#dropRows++;
      return;
    }
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Write the buffer, drop what the bounds say, persist `dropped`: one transaction. */
  #write(): boolean {
    if (this.#closed) return false;
    if (
      this.#head === this.#pending.length && this.#dropRows === 0 &&
      this.#bytes <= this.#maxBytes && this.#dropped === this.#droppedStored
    ) {
      if (this.#head > 0) this.#pending = [];
      this.#head = 0;
      return true;
    }
    let rows = this.#rows;
    let bytes = this.#bytes;
    let dropped = this.#dropped;
    const ok = this.#transaction(() => {
      for (let i = this.#head; i < this.#pending.length; i++) {
        const { tile, attempts } = this.#pending[i];
        const json = JSON.stringify(tile);
        const size = utf8Length(json);
        this.#sql.insert.run(tile.id, json, size, attempts);
        rows++;
        bytes += size;
      }
      if (this.#dropRows > 0) { // Already counted as dropped at append.
        const head = this.#sql.dropHead.get(this.#dropRows) as {
          last: number;
          n: number;
          b: number;
        };
        this.#sql.deleteUpTo.run(head.last);
        rows -= head.n;
        bytes -= head.b;
      }
      while (bytes > this.#maxBytes) { // The byte bound, a chunk of oldest rows at a time.
        const need = Math.ceil((bytes - this.#maxBytes) / Math.max(1, bytes / rows)) + 1;
        const chunk = this.#sql.oldest.all(Math.min(need, 256)) as { seq: number; bytes: number }[];
        if (chunk.length === 0) break;
        let last = -1;
        for (const row of chunk) {
          if (bytes <= this.#maxBytes) break;
          last = row.seq;
          rows--;
          bytes -= row.bytes;
          dropped++;
        }
        this.#sql.deleteUpTo.run(last);
      }
      if (dropped !== this.#droppedStored) this.#sql.setMeta.run("dropped", dropped);
    });
    if (!ok) return false;
    this.#rows = rows;
    this.#bytes = bytes;
    this.#dropped = this.#droppedStored = dropped;
    this.#dropRows = 0;
    this.#pending = [];
    this.#head = 0;
    return true;
  }

  #transaction(body: () => void): boolean {
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        body();
        this.#db.exec("COMMIT");
      } catch (error) {
        try {
          this.#db.exec("ROLLBACK");
        } catch {
          // SQLite rolled back already (a full disk does that): report the cause.
        }
        throw error;
      }
    } catch (error) {
      this.#report(error);
      return false;
    }
    this.#failing = false;
    this.#lastError = undefined;
    return true;
  }

  #report(error: unknown): void {
    this.#lastError = error instanceof Error ? error : new Error(String(error));
    if (this.#failing) return;
    this.#failing = true;
    try {
      this.#onError(this.#lastError);
    } catch {
      // A failing error handler must not break the outbox.
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot open outbox: '${name}' must be a positive integer, got ${value}`);
  }
  return value;
}
