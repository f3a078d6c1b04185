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
import {
  findRotated,
  hash,
  parsePosition,
  type Position,
  readBytes,
  WINDOW,
  windowBefore,
} from "./_rotated.ts";

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
  /**
   * Receives decoded blocks of complete lines, their bytes, and whether the
   * block is one line cut to the cap (see `LineSplitter`).
   */
  onBlock: (text: string, bytes: Uint8Array, cut: boolean) => void;
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

/** What replaced the file read: another file at the path, or itself, truncated. */
type Change = "rotation" | "truncation";

/**
 * A tailer over a {@linkcode FileSource}. The first start follows from the end
 * of the file (from the start of a file that appears later); afterwards it
 * resumes from the offset saved by {@linkcode Tailer.commit}, so a restart
 * neither repeats nor skips a line. Rotation by rename-and-create: the old
 * file is read to its end through the open handle, then the new one from 0.
 * Copytruncate: a size below the offset, or other bytes just before it than
 * were read there (a file truncated and regrown past it), restarts at 0,
 * after the copy's end is read (see below). A partial last line is held
 * until complete; one longer than the line cap is delivered cut once it
 * outgrows it, and the offset goes on past what was read of it, so a line
 * longer than the tick budget does not hold a restart back: a position
 * inside a line resumes at its end. Reads are bounded by `chunkSize`, and each tick by
 * `tickBudget`; after a full chunk the next one is read into a second buffer
 * while the first is scanned.
 *
 * The saved position holds the file's `dev:ino`, a hash of its first 256
 * bytes and one of the 256 bytes before the offset. When a restart (or a
 * truncation) finds another file at the path, or this one truncated, the
 * unread end of the old one is looked for among the path's siblings named
 * with the file's name as prefix (`app.log.1`, `app.log-20261203`; not
 * `.gz` and other compressed names; at most 32): the file with the saved
 * `dev:ino` (renamed) or a copy holding the same bytes before the offset
 * (copytruncate). It is read to its end first, then the path's file from 0.
 * This needs {@linkcode FileSource.list}; without it, or when the old file is
 * not found, the path's file is read from 0.
 *
 * Limits: lines written to a rotated file after the switch are not seen (as
 * with `tail -F`); a rotated file not found among the siblings (compressed,
 * moved elsewhere, renamed without the prefix) is lost from the offset on,
 * and so is a whole file written and rotated away between two ticks (two
 * rotations: only the file being read is looked for). A truncation followed,
 * before the next tick, by the same bytes up to at least the offset is not
 * seen: same `dev:ino`, same bytes checked, a size past the offset, as after
 * an append. Reading goes on at the offset, so only the rewritten copies of
 * lines already read are not read again.
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
  /** The `#tailLen` bytes of the open file just before `#readOffset`. */
  readonly #tail = new Uint8Array(WINDOW);
  #tailLen = 0;
  /** The open file is a rotated file or a copy, read to its end before the path's file. */
  #finishing = false;
  /** A saved position whose file was looked for and not found. */
  #notFound: Position | null = null;
  /** Counted by this tick so far. */
  #rotations = 0;
  #truncations = 0;

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
    this.#rotations = this.#truncations = 0;
    let budget = this.#budget, bytesRead = 0;
    let missing = false;
    // A file open since the last tick may have been truncated and regrown since.
    let verify = this.#file !== null && !this.#finishing;
    if (!this.#file && !(await this.#open())) missing = true;
    while (this.#file) {
      const file = this.#file;
      this.#size = await file.size();
      if (
        this.#size < this.#readOffset ||
        (verify && this.#size > this.#readOffset && !(await this.#continues(file)))
      ) {
        verify = false;
        if (!(await this.#truncated(file))) missing = true;
        continue;
      }
      verify = false;
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
          const bytes = n === buf.length ? buf : buf.subarray(0, n);
          this.#splitter.push(bytes);
          this.#keepTail(bytes);
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
      if (!this.#finishing) this.#rotations++; // else counted when it was found
      this.#finishing = false;
      if (!(await this.#open())) missing = true;
    }
    return {
      status: missing ? "missing" : "ok",
      bytesRead,
      rotations: this.#rotations,
      truncations: this.#truncations,
      offset: this.#committed(),
      backlog: this.#file ? Math.max(0, this.#size - this.#readOffset) : 0,
    };
  }

  /** Save the position after the last complete line delivered, so a restart resumes there. */
  async commit(): Promise<void> {
    const file = this.#file;
    const position: Position = file
      ? {
        id: file.identity,
        off: this.#committed(),
        ...(await this.#headOf(file)),
        ...(await this.#tailOf(file)),
        ...(this.#finishing ? { f: 1 as const } : {}),
      }
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
      const file = this.#file!;
      this.#readOffset = await this.#lastLineStart(file, await file.size());
      this.#setTail(await windowBefore(file, this.#readOffset));
      // A last line longer than the look-back: its start is not read, so none of it is.
      this.#skipIfMidLine();
    }
    await this.commit();
  }

  /**
   * Open the path's file at the position to resume from. A saved position
   * whose file is no longer there, or no longer holds the bytes read, makes
   * it look for that file's unread end first (see the class notes).
   *
   * @returns Whether a file is open now (the path's, or the one being finished).
   */
  async #open(): Promise<boolean> {
    const want = this.#resume;
    const file = await this.#source.open(this.path);
    if (want.id === null && want.off === 0) {
      if (file) this.#use(file, 0, null);
      return file !== null;
    }
    if (!file) {
      // Renamed away, the new file not created yet: the old one can be finished already.
      return await this.#finish(want, null, "rotation");
    }
    if (want.id !== null && file.identity !== null && file.identity !== want.id) {
      // Another file at the path: rotated while stopped.
      if (await this.#finish(want, file, "rotation")) {
        await file.close();
        return true;
      }
      this.#use(file, 0, null);
      return true;
    }
    const size = await file.size();
    const head = want.h !== undefined && want.hl && want.hl <= size
      ? { file, len: want.hl, hash: want.h }
      : null;
    const headOk = !head || hash(await readBytes(file, 0, head.len)) === head.hash;
    const tail = want.off <= size ? await windowBefore(file, want.off) : null;
    if (headOk && tail && (want.t === undefined || hash(tail) === want.t)) {
      this.#use(file, want.off, tail);
      this.#head = head; // checked: the commit need not read it again
      return true;
    }
    // The same file, truncated (copytruncate) and maybe regrown; or, with
    // another head and no copy found, a new file that got the deleted one's inode.
    if (await this.#finish(want, file, headOk ? "truncation" : ["truncation", "rotation"])) {
      await file.close();
      return true;
    }
    this.#use(file, 0, null);
    return true;
  }

  /**
   * Look for the file of `want` among the path's siblings; when found, make it
   * the open file at `want.off`, to be read to its end before `current`, the
   * path's file (`null`: none yet). Counts the rotation or truncation (`kind`,
   * or `[if found, if not]`) once `current` replaces it or it is found, and
   * not again for a position saved while finishing (an earlier run counted it).
   */
  async #finish(
    want: Position,
    current: OpenFile | null,
    kind: Change | [Change, Change],
  ): Promise<boolean> {
    const found = await this.#find(want, current?.identity ?? null);
    if ((found || current) && !want.f) {
      const change = typeof kind === "string" ? kind : kind[found ? 0 : 1];
      if (change === "rotation") this.#rotations++;
      else this.#truncations++;
    }
    if (!found) return false;
    this.#use(found.file, want.off, found.tail);
    this.#finishing = true;
    return true;
  }

  /**
   * The open file no longer holds what was read up to `#readOffset`: it was
   * truncated (and maybe regrown). Go on in its copy if one is found, else
   * read it again from 0.
   */
  async #truncated(file: OpenFile): Promise<boolean> {
    if (this.#finishing) {
      // A rotated file or a copy that shrank: nothing more to take from it.
      this.#splitter.reset();
      this.#file = null;
      this.#finishing = false;
      await file.close();
      this.#resume = { id: null, off: 0 };
      return await this.#open();
    }
    this.#truncations++;
    const want: Position = {
      id: file.identity,
      off: this.#readOffset,
      ...(this.#head?.file === file ? { h: this.#head.hash, hl: this.#head.len } : {}),
      t: hash(this.#tail.subarray(0, this.#tailLen)),
    };
    const found = await this.#find(want, file.identity);
    this.#head = null;
    if (found) {
      // The copy goes on where the file was, after the same partial line.
      this.#file = found.file;
      this.#finishing = true;
      await file.close();
      return true;
    }
    this.#splitter.reset();
    this.#readOffset = 0;
    this.#tailLen = 0;
    return true;
  }

  /**
   * The sibling of the path holding `want`'s file (see {@linkcode findRotated}),
   * looked for once per saved position.
   */
  async #find(
    want: Position,
    pathId: string | null,
  ): Promise<{ file: OpenFile; tail: Uint8Array } | null> {
    if (this.#notFound === want) return null;
    const found = await findRotated(this.#source, this.path, want, pathId);
    if (!found) this.#notFound = want;
    return found;
  }

  /** Make `file` the open one, read from `offset`, `tail` being the bytes before it. */
  #use(file: OpenFile, offset: number, tail: Uint8Array | null): void {
    this.#file = file;
    this.#head = null;
    this.#readOffset = offset;
    this.#setTail(tail ?? this.#tail.subarray(0, 0));
    this.#splitter.reset();
    this.#skipIfMidLine();
  }

  /**
   * A position not just after a newline is inside a line delivered cut (its
   * rest was being skipped when it was saved): skip to the line's end.
   */
  #skipIfMidLine(): void {
    if (this.#tailLen > 0 && this.#tail[this.#tailLen - 1] !== 10) this.#splitter.skipLine();
  }

  /** Whether the open file still holds, just before `#readOffset`, the bytes read there. */
  async #continues(file: OpenFile): Promise<boolean> {
    const got = await readBytes(file, this.#readOffset - this.#tailLen, this.#tailLen);
    if (got.length !== this.#tailLen) return false;
    for (let i = 0; i < got.length; i++) if (got[i] !== this.#tail[i]) return false;
    return true;
  }

  /** Remember the last bytes read (the window before `#readOffset`). */
  #keepTail(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n >= WINDOW) {
      this.#tail.set(bytes.subarray(n - WINDOW));
      this.#tailLen = WINDOW;
      return;
    }
    const keep = Math.min(this.#tailLen, WINDOW - n);
    this.#tail.copyWithin(0, this.#tailLen - keep, this.#tailLen);
    this.#tail.set(bytes, keep);
    this.#tailLen = keep + n;
  }

  #setTail(bytes: Uint8Array): void {
    this.#tail.set(bytes);
    this.#tailLen = bytes.length;
  }

  /** The open file's head hash, for {@linkcode Tailer.commit} (read once it is complete). */
  async #headOf(file: OpenFile): Promise<{ h?: string; hl?: number }> {
    const len = Math.min(WINDOW, this.#committed());
    if (len === 0) return {};
    if (this.#head?.file !== file || this.#head.len < len) {
      this.#head = { file, len, hash: hash(await readBytes(file, 0, len)) };
    }
    return { h: this.#head.hash, hl: this.#head.len };
  }

  /** The hash of the bytes before the committed offset, for {@linkcode Tailer.commit}. */
  async #tailOf(file: OpenFile): Promise<{ t?: string }> {
    const off = this.#committed();
    if (off === 0) return {};
    // Usually the last bytes read; with a partial line held, read them again.
    if (off === this.#readOffset) return { t: hash(this.#tail.subarray(0, this.#tailLen)) };
    return { t: hash(await windowBefore(file, off)) };
  }

  /** Where the last line of the file's last chunk starts; `size` when the chunk holds no newline. */
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
