/**
 * The small file-reading seam the log tailer runs on, so each runtime can
 * supply its own (`lib/runtime/deno_file_source.ts` under Deno).
 *
 * @module
 */

import type { Awaitable } from "../outbox.ts";

/** What a path currently points at. */
export interface FileInfo {
  /**
   * Which file this is, stable while the file exists and different for a new
   * file at the same path (`dev:ino` on Unix); `null` when the platform cannot
   * tell, in which case only truncation is detected, not rotation.
   */
  identity: string | null;
  /** Size in bytes. */
  size: number;
}

/** An open file; it stays readable after being renamed or deleted. */
export interface OpenFile {
  /** The identity of the file opened (see {@linkcode FileInfo.identity}). */
  readonly identity: string | null;
  /** Its current size in bytes. */
  size(): Awaitable<number>;
  /**
   * Read into `buffer` from byte `offset`. The tailer never has two reads in
   * flight, but starts the next one (into another buffer) before it has
   * scanned the last, so an asynchronous read overlaps the scanning.
   *
   * @returns Bytes read; 0 at the end of the file.
   */
  read(offset: number, buffer: Uint8Array): Awaitable<number>;
  /** Release it. */
  close(): Awaitable<void>;
}

/** Opens and inspects files by path. */
export interface FileSource {
  /** What `path` points at now, or `null` if nothing does. Other failures throw. */
  stat(path: string): Awaitable<FileInfo | null>;
  /** Open `path` for reading, or `null` if it does not exist. Other failures throw. */
  open(path: string): Awaitable<OpenFile | null>;
  /**
   * The names (not paths) of the entries in directory `dir`, in any order;
   * `[]` if it does not exist. Optional: the tailer uses it to find a log
   * file rotated while it was stopped (`app.log.1` beside `app.log`), and
   * without it reads the new file from its start, as before.
   */
  list?(dir: string): Awaitable<string[]>;
}
