/**
 * The holodeck scout's {@linkcode DirReader} on Deno's file APIs.
 *
 * @module
 */

import type { DirReader } from "../scout_kind.ts";
import { fileKind, readAtMost } from "./_deno_files.ts";

/** Largest text file {@linkcode denoDirReader} reads by default: 8 MiB. */
const DEFAULT_MAX_TEXT_BYTES = 8 * 1024 * 1024;

/** Throw unless `info` is a regular file of at most `max` bytes. */
function checkFile(path: string, info: Deno.FileInfo, max: number): void {
  if (!info.isFile) throw new Error(`'${path}' is not a regular file (${fileKind(info)})`);
  if (info.size > max) throw tooLarge(path, max);
}

function tooLarge(path: string, max: number): Error {
  return new Error(`'${path}' is too large (over ${max} bytes)`);
}

/**
 * Read a regular file of at most `max` bytes as UTF-8. Opening a FIFO waits
 * for a writer, perhaps for good, and a device may never end: both are
 * refused from a stat before the open.
 */
async function readText(path: string, max: number): Promise<string> {
  checkFile(path, await Deno.stat(path), max);
  const file = await Deno.open(path, { read: true });
  try {
    checkFile(path, await file.stat(), max);
    return new TextDecoder().decode(await readAtMost(file, max, () => tooLarge(path, max)));
  } finally {
    file.close();
  }
}

/**
 * A {@linkcode DirReader} on `Deno.readDir`, `Deno.stat` and `Deno.open`. A
 * path that does not exist reads as `null`; any other failure (permission, a
 * file where a folder is expected) throws, and the scout reports it. A text
 * file must be a regular file (not a FIFO, device or socket, which could
 * block or never end) of at most `maxTextBytes`, or it throws. Symbolic
 * links are followed to tell folders from files. An entry whose name is not
 * UTF-8 is listed with `notUtf8` set: Deno cannot name it to open it.
 *
 * @param options `maxTextBytes`: the largest text file read, in bytes (default 8 MiB).
 * @returns The reader.
 *
 * @example Read a sessions folder
 * ```ts ignore
 * import { denoDirReader } from "@plato/scout/runtime/deno";
 * const dirs = denoDirReader();
 * console.log(await dirs.list("sessions")); // [{ name: "demo_20260101T000000Z", isDirectory: true }] or null
 * ```
 */
export function denoDirReader(options: { maxTextBytes?: number } = {}): DirReader {
  const max = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  return {
    async list(path) {
      try {
        const out: Array<{ name: string; isDirectory: boolean; notUtf8?: boolean }> = [];
        for await (const entry of Deno.readDir(path)) {
          let isDirectory = entry.isDirectory;
          if (entry.isSymlink) {
            isDirectory = await Deno.stat(`${path}/${entry.name}`).then(
              (info) => info.isDirectory,
              () => false,
            );
          }
          // Deno lists a name that is not UTF-8 with U+FFFD for its bad bytes:
          // that name is not the entry's, so it is not found by it.
          const notUtf8 = entry.name.includes("\uFFFD") &&
            await Deno.lstat(`${path}/${entry.name}`).then(
              () => false,
              (error) => error instanceof Deno.errors.NotFound,
            );
          out.push({ name: entry.name, isDirectory, ...notUtf8 ? { notUtf8 } : {} });
        }
        return out;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    async readText(path) {
      try {
        return await readText(path, max);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
  };
}
