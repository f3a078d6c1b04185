import type { DatabaseSync, StatementSync } from "node:sqlite";

// No index on `id`: tile ids are random UUIDs, so such an index costs a random
// B-tree page per insert and per delete (measured: ~10x slower writes at 100k
// rows). `ack`/`nack` address rows by the `seq` that `peek` saw instead.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  tile TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** The prepared statements of `SqliteOutbox`, one per operation. */
export interface OutboxSql {
  insert: StatementSync;
  select: StatementSync;
  oldest: StatementSync;
  dropHead: StatementSync;
  deleteUpTo: StatementSync;
  deleteSeq: StatementSync;
  deleteIds: StatementSync;
  nackSeq: StatementSync;
  nackIds: StatementSync;
  setMeta: StatementSync;
}

/**
 * Create the outbox tables if needed and prepare its statements.
 *
 * @param db An open database.
 * @returns The statements.
 */
export function prepareOutboxSql(db: DatabaseSync): OutboxSql {
  db.exec(SCHEMA);
  return {
    insert: db.prepare("INSERT INTO outbox (id, tile, bytes, attempts) VALUES (?, ?, ?, ?)"),
    select: db.prepare("SELECT seq, tile, attempts FROM outbox ORDER BY seq LIMIT ? OFFSET ?"),
    oldest: db.prepare("SELECT seq, bytes FROM outbox ORDER BY seq LIMIT ?"),
    dropHead: db.prepare(
      "SELECT MAX(seq) AS last, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM (SELECT seq, bytes FROM outbox ORDER BY seq LIMIT ?)",
    ),
    deleteUpTo: db.prepare("DELETE FROM outbox WHERE seq <= ?"),
    deleteSeq: db.prepare("DELETE FROM outbox WHERE seq = ? AND id = ? RETURNING bytes"),
    deleteIds: db.prepare(
      "DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) RETURNING bytes",
    ),
    nackSeq: db.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ? AND id = ?"),
    nackIds: db.prepare(
      "UPDATE outbox SET attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))",
    ),
    setMeta: db.prepare(
      "INSERT INTO outbox_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
  };
}

/** A UTF-16 code unit outside ASCII: its character takes more than one byte in UTF-8. */
const NON_ASCII = /[\u0080-\uffff]/;
let encoder: TextEncoder | undefined;

/**
 * UTF-8 length of a string (`RETURNING` the stored length costs more per row).
 * Native scans only: in a fresh process a JavaScript loop over a few kB of
 * tile characters runs in V8's interpreter and then gets compiled by its
 * optimizing compiler mid-run, ~3 ms of every `--once` run.
 */
export function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  return (encoder ??= new TextEncoder()).encode(text).length;
}
