/**
 * Follow one log file the way `tail -F` users expect, resuming from a
 * persisted offset.
 *
 * @module
 */

import type { Awaitable } from "../outbox.ts";
import type { StateStore } from "../state.ts";
import type { FileSource, OpenFile } from "./file_source.ts";
import { LineSplitter } from "./line_splitter.ts";

/** Options of {@linkcode Tailer}. */
export interface TailerOptions {
  /** The file to follow. */
  path: string;
  /** How files are opened and read. */
  source: FileSource;
  /** Where the position is kept across restarts. */
  state: StateStore;
  /** The state key. Default `log:offset:<path>`. */
  stateKey?: string;
  /** Receives decoded blocks of complete lines and their bytes (see `LineSplitter`). */
  onBlock: (text: string, bytes: Uint8Array) => void;
  /** Line cap, in code units (see `LineSplitter`). Default 8192. */
  maxLineLength?: number;
  /** Bytes per read. Default 1 MiB. */
  chunkSize?: number;
  /** Most bytes read by one tick; the next tick continues. Default 64 MiB. */
  tickBudget?: number;
  /** On first start, read the existing file from its start instead of its end. Default false. */
  fromStart?: boolean;
}

/** What one {@linkcode Tailer.tick} did. */
export interface TailTick {
  /** `missing` when nothing is at the path right now (an old open file may still be read). */
  status: "ok" | "missing";
  /** Bytes read this tick. */
  bytesRead: number;
  /** Files replaced at the path (rename-and-create, delete-and-recreate) this tick. */
  rotations: number;
  /** Truncations in place (copytruncate) this tick. */
  truncations: number;
  /** Position after the last complete line of the current file. */
  offset: number;
  /** Bytes of the current file not read yet (the tick's budget ran out). */
  backlog: number;
}

interface Position {
  id: string | null;
  off: number;
  /**
   * A hash of the file's first `hl` bytes (its head, up to {@linkcode HEAD_BYTES}):
   * a new file that reuses a deleted file's inode has the same `id`, but not
   * the same head.
   */
  h?: string;
  hl?: number;
}

/** How much of a file's start identifies it, with its `dev:ino` (bytes). */
const HEAD_BYTES = 256;

/**
 * A tailer over a {@linkcode FileSource}. The first start follows from the end
 * of the file (from the start of a file that appears later); afterwards it
 * resumes from the offset saved by {@linkcode Tailer.commit}, so a restart
 * neither repeats nor skips a line. Rotation by rename-and-create: the old
 * file is read to its end through the open handle, then the new one from 0.
 * Copytruncate: a size below the offset restarts at 0. A restart finding the
 * saved `dev:ino` with another head (the first 256 bytes: a new file that got
 * the deleted one's inode) reads the file from 0. A partial last line is
 * held until complete. Reads are bounded by `chunkSize`, and each tick by
 * `tickBudget`; after a full chunk the next one is read into a second buffer
 * while the first is scanned.
 *
 * Limits, as with `tail -F`: lines written to a rotated file after the switch,
 * and a truncated file that grows past the old offset between two ticks, are
 * not seen.
 *
 * @example Follow a file
 * ```ts ignore
 * import { MemoryState, Tailer } from "@plato/scout";
 * import { denoFileSource } from "@plato/scout/runtime/deno";
 * const tailer = new Tailer({
 *   path: "/var/log/myapp.log",
 *   source: denoFileSource(),
 *   state: new MemoryState(),
 *   onBlock: (text) => console.log(text),
 * });
 * await tailer.tick();
 * await tailer.commit();
 * ```
 */
export class Tailer {
  /** The file followed. */
  readonly path: string;
  readonly #source: FileSource;
  readonly #state: StateStore;
  readonly #key: string;
  readonly #splitter: LineSplitter;
  /** The chunk being read; `#spare` is the other one while reads overlap scanning. */
  #buf: Uint8Array;
  #spare: Uint8Array | null = null;
  readonly #budget: number;
  #started = false;
  #file: OpenFile | null = null;
  #readOffset = 0;
  /** Where to resume when the path's file is opened next. */
  #resume: Position = { id: null, off: 0 };
  #size = 0;
  readonly #fromStart: boolean;
  /** The open file's head hash, once taken (see {@linkcode Position.h}). */
  #head: { file: OpenFile; len: number; hash: string } | null = null;
  /** A file found at open to reuse the saved inode (a rotation the next tick counts). */
  #reused = false;

  /**
   * Create a tailer; nothing is read before the first tick.
   *
   * @param options Path, file source, state, sizes.
   */
  constructor(options: TailerOptions) {
    this.path = options.path;
    this.#source = options.source;
    this.#state = options.state;
    this.#key = options.stateKey ?? `log:offset:${options.path}`;
    this.#fromStart = options.fromStart ?? false;
    this.#splitter = new LineSplitter({
      onBlock: options.onBlock,
      maxLineLength: options.maxLineLength,
    });
    const chunk = options.chunkSize ?? 1 << 20;
    const budget = options.tickBudget ?? 64 << 20;
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(`Cannot create tailer: 'chunkSize' must be >= 1, got ${chunk}`);
    }
    if (!Number.isInteger(budget) || budget < chunk) {
      throw new RangeError(
        `Cannot create tailer: 'tickBudget' must be >= chunkSize (${chunk}), got ${budget}`,
      );
    }
    this.#buf = new Uint8Array(chunk);
    this.#budget = budget;
  }

  /** Lines cut to the cap so far (see `LineSplitter.cutLines`). */
  get cutLines(): number {
    return this.#splitter.cutLines;
  }

  /**
   * Read what is new, up to the tick budget, delivering complete lines.
   *
   * @returns What happened.
   */
  async tick(): Promise<TailTick> {
    if (!this.#started) await this.#start();
    let budget = this.#budget, bytesRead = 0, rotations = 0, truncations = 0;
    let missing = false;
    if (!this.#file && !(await this.#open())) missing = true;
    while (this.#file) {
      const file = this.#file;
      this.#size = await file.size();
      if (this.#size < this.#readOffset) {
        this.#splitter.reset();
        this.#readOffset = 0;
        this.#head = null; // new content at the start
        truncations++;
      }
      /** A read of the next chunk into `#buf`, started before this one was scanned. */
      let ahead: Awaitable<number> | null = null;
      try {
        while (budget > 0) {
          const buf = this.#buf.length <= budget ? this.#buf : this.#buf.subarray(0, budget);
          const n = ahead === null ? await file.read(this.#readOffset, buf) : await ahead;
          ahead = null;
          if (!(n > 0)) break;
          if (n === buf.length && budget > n) {
            // A full chunk: more is likely. Read it into the other buffer while
            // this one is scanned (an asynchronous source works meanwhile).
            const next = this.#spare ?? new Uint8Array(this.#buf.length);
            this.#spare = this.#buf;
            this.#buf = next;
            const left = budget - n;
            ahead = file.read(
              this.#readOffset + n,
              next.length <= left ? next : next.subarray(0, left),
            );
          }
          this.#splitter.push(n === buf.length ? buf : buf.subarray(0, n));
          this.#readOffset += n;
          budget -= n;
          bytesRead += n;
        }
      } finally {
        // Only when scanning threw: let the read finish before the file is used again.
        if (ahead !== null) await Promise.resolve(ahead).catch(() => 0);
      }
      if (this.#readOffset > this.#size) this.#size = this.#readOffset;
      if (budget <= 0) break;
      const info = await this.#source.stat(this.path);
      if (info === null) {
        missing = true;
        break;
      }
      if (info.identity === null || info.identity === file.identity) break;
      // Replaced: finish the old file (it may have grown since), then switch.
      if ((await file.size()) > this.#readOffset) continue;
      this.#splitter.flush();
      this.#file = null;
      await file.close();
      this.#resume = { id: null, off: 0 };
      rotations++;
      if (!(await this.#open())) missing = true;
    }
    if (this.#reused) {
      this.#reused = false;
      rotations++;
    }
    return {
      status: missing ? "missing" : "ok",
      bytesRead,
      rotations,
      truncations,
      offset: this.#committed(),
      backlog: this.#file ? Math.max(0, this.#size - this.#readOffset) : 0,
    };
  }

  /** Save the position after the last complete line delivered, so a restart resumes there. */
  async commit(): Promise<void> {
    const position: Position = this.#file
      ? { id: this.#file.identity, off: this.#committed(), ...(await this.#headOf(this.#file)) }
      : this.#resume;
    await this.#state.set(this.#key, JSON.stringify({ v: 1, ...position }));
  }

  /** Close the open file, if any. */
  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    if (file) await file.close();
  }

  #committed(): number {
    return this.#file ? this.#readOffset - this.#splitter.pendingBytes : this.#resume.off;
  }

  async #start(): Promise<void> {
    this.#started = true;
    const saved = parsePosition(await this.#state.get(this.#key));
    if (saved) {
      this.#resume = saved;
      return;
    }
    // First start: follow from the end, beginning with a line still being written.
    if ((await this.#open()) && !this.#fromStart) {
      this.#readOffset = await this.#lastLineStart(this.#file!, await this.#file!.size());
    }
    await this.commit();
  }

  async #open(): Promise<boolean> {
    const file = await this.#source.open(this.path);
    if (!file) return false;
    const size = await file.size();
    const { id, off, h, hl } = this.#resume;
    let same = id === null || id === file.identity;
    // The same inode with another head: the old file was deleted while the
    // scout was down, and a new one got its inode (logrotate's compress).
    if (same && off <= size && h !== undefined && hl && (await this.#hash(file, hl)) !== h) {
      same = false;
      this.#reused = true;
    }
    this.#file = file;
    this.#head = null;
    this.#readOffset = same && off <= size ? off : 0;
    this.#splitter.reset();
    return true;
  }

  /** The open file's head hash, for {@linkcode Tailer.commit} (read once it is complete). */
  async #headOf(file: OpenFile): Promise<{ h?: string; hl?: number }> {
    const len = Math.min(HEAD_BYTES, this.#committed());
    if (len === 0) return {};
    if (this.#head?.file !== file || this.#head.len < len) {
      this.#head = { file, len, hash: await this.#hash(file, len) };
    }
    return { h: this.#head.hash, hl: this.#head.len };
  }

  /** FNV-1a (32 bit) of the first `len` bytes of `file`, in hex. */
  async #hash(file: OpenFile, len: number): Promise<string> {
    const head = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const n = await file.read(got, head.subarray(got));
      if (!(n > 0)) break;
      got += n;
    }
    let hash = 0x811c9dc5;
    for (let i = 0; i < got; i++) hash = Math.imul(hash ^ head[i], 0x01000193) >>> 0;
    return `${got}:${hash.toString(16)}`;
  }

  async #lastLineStart(file: OpenFile, size: number): Promise<number> {
    const from = Math.max(0, size - this.#buf.length);
    let got = 0;
    while (from + got < size) {
      const n = await file.read(from + got, this.#buf.subarray(got, size - from));
      if (!(n > 0)) break;
      got += n;
    }
    const nl = this.#buf.subarray(0, got).lastIndexOf(10);
    return nl === -1 ? (from === 0 ? 0 : size) : from + nl + 1;
  }
}

function parsePosition(raw: string | undefined): Position | null {
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
      return { id: value.id, off: value.off, ...head };
    }
  } catch {
    // An unreadable position counts as none.
  }
  return null;
}
