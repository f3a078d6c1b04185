/**
 * The log tailer's {@linkcode FileSource} on Deno's file APIs.
 *
 * @module
 */

import type { FileInfo, FileSource, OpenFile } from "../log/file_source.ts";

function identityOf(info: Deno.FileInfo): string | null {
  return info.ino !== null && info.dev !== null ? `${info.dev}:${info.ino}` : null;
}

interface ReadAhead {
  offset: number;
  buffer: Uint8Array;
  result: Promise<number | null>;
}

class DenoOpenFile implements OpenFile {
  /** Where the OS file position is; -1 when unknown. */
  #position = 0;
  /** The next chunk, read while the caller works on this one (sequential reads only). */
  #ahead: ReadAhead | null = null;
  #spare: Uint8Array | null = null;

  constructor(readonly file: Deno.FsFile, readonly identity: string | null) {}

  async size(): Promise<number> {
    return (await this.file.stat()).size;
  }

  async read(offset: number, buffer: Uint8Array): Promise<number> {
    const ahead = this.#ahead;
    this.#ahead = null;
    let n = 0;
    if (ahead) {
      const got = await ahead.result.catch(() => null);
      this.#spare = ahead.buffer;
      if (got === null) this.#position = -1;
      else this.#position = ahead.offset + got;
      if (got && ahead.offset === offset && got <= buffer.length) {
        buffer.set(ahead.buffer.subarray(0, got));
        n = got;
      }
    }
    if (n === 0) n = await this.#readAt(offset, buffer);
    if (n === buffer.length) {
      // A full chunk: more is likely; start reading it now.
      let spare = this.#spare;
      if (!spare || spare.length !== buffer.length) spare = new Uint8Array(buffer.length);
      this.#spare = null;
      this.#ahead = { offset: offset + n, buffer: spare, result: this.file.read(spare) };
    }
    return n;
  }

  async #readAt(offset: number, buffer: Uint8Array): Promise<number> {
    if (offset !== this.#position) {
      await this.file.seek(offset, Deno.SeekMode.Start);
      this.#position = offset;
    }
    const n = await this.file.read(buffer);
    if (n === null) return 0;
    this.#position += n;
    return n;
  }

  async close(): Promise<void> {
    const ahead = this.#ahead;
    this.#ahead = null;
    if (ahead) await ahead.result.catch(() => null);
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
 * none, as on Windows). After a full chunk it reads the next one ahead, so
 * the disk works while the caller scans. Needs `--allow-read` for the
 * watched path.
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
  };
}
