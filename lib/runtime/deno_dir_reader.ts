/**
 * The holodeck scout's {@linkcode DirReader} on Deno's file APIs.
 *
 * @module
 */

import type { DirReader } from "../scout_kind.ts";

/**
 * A {@linkcode DirReader} on `Deno.readDir` and `Deno.readTextFile`. A path
 * that does not exist reads as `null`; any other failure (permission, a file
 * where a folder is expected) throws, and the scout reports it. Symbolic
 * links are followed to tell folders from files.
 *
 * @returns The reader.
 *
 * @example Read a sessions folder
 * ```ts ignore
 * import { denoDirReader } from "@plato/scout/runtime/deno";
 * const dirs = denoDirReader();
 * console.log(await dirs.list("sessions")); // [{ name: "demo_20260101T000000Z", isDirectory: true }] or null
 * ```
 */
export function denoDirReader(): DirReader {
  return {
    async list(path) {
      try {
        const out: Array<{ name: string; isDirectory: boolean }> = [];
        for await (const entry of Deno.readDir(path)) {
          let isDirectory = entry.isDirectory;
          if (entry.isSymlink) {
            isDirectory = await Deno.stat(`${path}/${entry.name}`).then(
              (info) => info.isDirectory,
              () => false,
            );
          }
          out.push({ name: entry.name, isDirectory });
        }
        return out;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    async readText(path) {
      try {
        return await Deno.readTextFile(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
  };
}
