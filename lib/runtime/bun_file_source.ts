/**
 * The log tailer's {@linkcode FileSource} under Bun.
 *
 * @module
 */

import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import type { FileInfo, FileSource, OpenFile } from "../log/file_source.ts";
import { bunGlobal } from "./_bun_global.ts";

function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}

/**
 * A {@linkcode FileSource} on Bun: `Bun.file(path).stat()` for what a path
 * points at (identity `dev:ino`), and an open file descriptor for reading, so
 * a file renamed or deleted by log rotation stays readable until closed (Bun
 * implements `node:fs` natively; `Bun.file` has no descriptor-level reads),
 * and `readdir` to list a directory.
 *
 * @returns The file source.
 *
 * @example Tail a log under Bun
 * ```ts ignore
 * import { bunFileSource } from "@plato/scout/bun";
 * const info = await bunFileSource().stat("/var/log/app.log");
 * ```
 */
export function bunFileSource(): FileSource {
  const bun = bunGlobal();
  return {
    async stat(path: string): Promise<FileInfo | null> {
      const file = bun.file(path);
      try {
        const st = await file.stat();
        return { identity: `${st.dev}:${st.ino}`, size: st.size };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    open(path: string): OpenFile | null {
      let fd: number;
      try {
        // Opening a FIFO would block the thread until a writer comes.
        if (!statSync(path).isFile()) throw new Error(`'${path}' is not a regular file`);
        fd = openSync(path, "r");
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      const st = fstatSync(fd);
      let closed = false;
      return {
        identity: `${st.dev}:${st.ino}`,
        size: () => fstatSync(fd).size,
        read: (offset, buffer) => readSync(fd, buffer, 0, buffer.length, offset),
        close() {
          if (!closed) closeSync(fd);
          closed = true;
        },
      };
    },
    async list(dir: string): Promise<string[]> {
      try {
        return await readdir(dir);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
  };
}
