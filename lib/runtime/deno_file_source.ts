/**
 * The log tailer's {@linkcode FileSource} on Deno's file APIs.
 *
 * @module
 */

import type { FileInfo, FileSource, OpenFile } from "../log/file_source.ts";
import { fileKind } from "./_deno_files.ts";

function identityOf(info: Deno.FileInfo): string | null {
  return info.ino !== null && info.dev !== null ? `${info.dev}:${info.ino}` : null;
}

class DenoOpenFile implements OpenFile {
  /** Where the OS file position is; -1 when unknown. */
  #position = 0;

  constructor(readonly file: Deno.FsFile, readonly identity: string | null) {}

  async size(): Promise<number> {
    return (await this.file.stat()).size;
  }

  async read(offset: number, buffer: Uint8Array): Promise<number> {
    const at = this.#position;
    this.#position = -1;
    if (offset !== at) await this.file.seek(offset, Deno.SeekMode.Start);
    const n = (await this.file.read(buffer)) ?? 0;
    this.#position = offset + n;
    return n;
  }

  close(): void {
    try {
      this.file.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}

/**
 * A {@linkcode FileSource} reading with `Deno.open`, `seek`/`read` and
 * identifying files by `dev:ino` from `Deno.stat` (`null` where Deno reports
 * none, as on Windows). Reads go straight into the caller's buffer; a
 * sequential read skips the seek. Needs `--allow-read` for the watched path,
 * and for its directory to find a file rotated while the scout was stopped
 * (`list`, with `Deno.readDir`).
 *
 * @returns The file source.
 *
 * @example Read a log file's size
 * ```ts
 * import { denoFileSource } from "./deno_file_source.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "one\n");
 * const info = await denoFileSource().stat(path);
 * console.log(info?.size); // 4
 * await Deno.remove(path);
 * ```
 */
export function denoFileSource(): FileSource {
  return {
    async stat(path: string): Promise<FileInfo | null> {
      try {
        const info = await Deno.stat(path);
        return { identity: identityOf(info), size: info.size };
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    async open(path: string): Promise<OpenFile | null> {
      let file: Deno.FsFile;
      try {
        // Opening a FIFO waits for a writer, perhaps for good; a device, a
        // socket or a folder is no log file either.
        const info = await Deno.stat(path);
        if (!info.isFile) throw new Error(`'${path}' is not a regular file (${fileKind(info)})`);
        file = await Deno.open(path, { read: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
      try {
        return new DenoOpenFile(file, identityOf(await file.stat()));
      } catch (error) {
        file.close();
        throw error;
      }
    },
    async list(dir: string): Promise<string[]> {
      const names: string[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) names.push(entry.name);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return [];
        throw error;
      }
      return names;
    },
  };
}
