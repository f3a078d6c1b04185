/**
 * The log tailer's saved position and how it finds the file a position was
 * saved from once that file has left the path: renamed beside it
 * (`app.log.1`) or copied there and truncated (copytruncate). Private to
 * `tailer.ts`.
 *
 * @module
 */

import type { Awaitable } from "../outbox.ts";
import type { FileSource, OpenFile } from "./file_source.ts";

/** Where a tailer stopped, as saved in the state (`{v: 1, ...}`). */
export interface Position {
  id: string | null;
  off: number;
  /**
   * A hash of the file's first `hl` bytes (its head, up to {@linkcode WINDOW}):
   * a new file that reuses a deleted file's inode has the same `id`, but not
   * the same head.
   */
  h?: string;
  hl?: number;
  /**
   * A hash of the (up to {@linkcode WINDOW}) bytes just before `off`: a file
   * truncated and regrown past `off` has other bytes there, and the copy a
   * copytruncate made has the same.
   */
  t?: string;
  /**
   * Set while the file at `off` is a rotated file (or a truncated file's copy)
   * being finished before the one at the path: its switch is already counted.
   */
  f?: 1;
}

/** How much of a file's start identifies it, with its `dev:ino`, and how much before the offset (bytes). */
export const WINDOW = 256;

/** At most this many siblings are examined when looking for a rotated file. */
const MAX_CANDIDATES = 32;

/** Rotated files under these names are compressed, not readable as text. */
const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4|lzma|z|br)$/i;

/**
 * The sibling of `path` holding `want`'s file: the one with its identity,
 * else (with a tail hash to check) a copy with the same bytes before the
 * offset; with the bytes before the offset read. Deterministic: candidates
 * are taken in one order (see {@linkcode candidates}).
 *
 * @param source Lists, stats and opens files (`null` without `list`).
 * @param path The followed path.
 * @param want The saved position.
 * @param pathId The identity of the file at the path now, if any.
 * @returns The file open, and the bytes before `want.off`; or `null`.
 */
export async function findRotated(
  source: FileSource,
  path: string,
  want: Position,
  pathId: string | null,
): Promise<{ file: OpenFile; tail: Uint8Array } | null> {
  if (!source.list || want.id === null) return null;
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const prefix = path.slice(0, cut + 1);
  const dir = cut < 0 ? "." : cut === 0 ? prefix : path.slice(0, cut);
  let names: string[];
  try {
    names = candidates(await source.list(dir), path.slice(cut + 1));
  } catch {
    names = []; // an unreadable directory: nothing to find
  }
  const byId: string[] = [], byContent: string[] = [];
  for (const name of names) {
    const info = await orNull(() => source.stat(prefix + name));
    if (!info?.identity || info.size < want.off) continue;
    if (info.identity === want.id) byId.push(prefix + name);
    else if (want.t !== undefined && want.off > 0 && info.identity !== pathId) {
      byContent.push(prefix + name);
    }
  }
  for (const candidate of [...byId, ...byContent]) {
    const file = await orNull(() => source.open(candidate));
    if (!file) continue;
    const tail = await orNull(() => holds(file, want));
    if (tail && (file.identity === want.id || byContent.includes(candidate))) return { file, tail };
    await file.close();
  }
  return null;
}

/** The bytes of `file` before `want.off`, if it holds what `want` was saved from. */
async function holds(file: OpenFile, want: Position): Promise<Uint8Array | null> {
  if ((await file.size()) < want.off) return null;
  if (want.h !== undefined && want.hl) {
    if (hash(await readBytes(file, 0, want.hl)) !== want.h) return null;
  }
  const tail = await windowBefore(file, want.off);
  return want.t === undefined || hash(tail) === want.t ? tail : null;
}

/** The (up to {@linkcode WINDOW}) bytes of `file` before `end`. */
export function windowBefore(file: OpenFile, end: number): Promise<Uint8Array> {
  const len = Math.min(WINDOW, end);
  return readBytes(file, end - len, len);
}

/** Up to `len` bytes of `file` from `from` (fewer at its end). */
export async function readBytes(
  file: OpenFile,
  from: number,
  len: number,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const n = await file.read(from + got, bytes.subarray(got));
    if (!(n > 0)) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

/** What `fn` gives, or `null` if it fails (a candidate that vanished or cannot be read). */
async function orNull<T>(fn: () => Awaitable<T | null>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null;
  }
}

/** FNV-1a (32 bit) of `bytes`, in hex, after their length. */
export function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return `${bytes.length}:${h.toString(16)}`;
}

/**
 * The names in a directory that may be a rotated `base`, in the order they
 * are examined: numbered ones (`app.log.1`, `app.log.2`) by number, then the
 * others (`app.log-20261203`) newest date first, by name descending; at most
 * {@linkcode MAX_CANDIDATES}, none compressed.
 */
function candidates(names: string[], base: string): string[] {
  const index = (name: string) => {
    const m = /^[.\-_](\d{1,4})$/.exec(name.slice(base.length));
    return m ? Number(m[1]) : Infinity;
  };
  return names
    .filter((name) => name.length > base.length && name.startsWith(base) && !COMPRESSED.test(name))
    .map((name) => ({ name, index: index(name) }))
    .sort((a, b) =>
      a.index !== b.index ? a.index - b.index : a.name < b.name ? 1 : a.name > b.name ? -1 : 0
    )
    .slice(0, MAX_CANDIDATES)
    .map((c) => c.name);
}

/** A saved position, or `null` when absent or unreadable. */
export function parsePosition(raw: string | undefined): Position | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw);
    if (
      value?.v === 1 && Number.isSafeInteger(value.off) && value.off >= 0 &&
      (value.id === null || typeof value.id === "string")
    ) {
      const head = typeof value.h === "string" && Number.isSafeInteger(value.hl) && value.hl > 0
        ? { h: value.h, hl: value.hl }
        : {};
      const tail = typeof value.t === "string" ? { t: value.t } : {};
      return { id: value.id, off: value.off, ...head, ...tail, ...(value.f === 1 ? { f: 1 } : {}) };
    }
  } catch {
    // An unreadable position counts as none.
  }
  return null;
}
