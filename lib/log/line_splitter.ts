/**
 * Turn a stream of byte chunks into decoded blocks of complete lines, with
 * bounded memory whatever the input.
 *
 * @module
 */

/** Options of {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Called with decoded text holding one or more complete lines, each ending
   * in `"\n"` (a `"\r"` before it is left in place), and the bytes it was
   * decoded from (valid during the call only). When `text.length ===
   * bytes.length` the block is ASCII and `bytes[i]` is `text.charCodeAt(i)`.
   * A block is decoded from about 48 KiB of bytes at most, unless one line is
   * longer. Lines inside a block are not cut; consumers cap them at
   * `maxLineLength` themselves. `cut` is true for a block of one line that
   * spanned chunks and was cut to `maxLineLength` here: a consumer sees no
   * more than the cap of it.
   */
  onBlock: (text: string, bytes: Uint8Array, cut: boolean) => void;
  /**
   * Longest line kept, in UTF-16 code units, for lines that span chunks; the
   * rest is skipped without being buffered or decoded. Default 8192.
   */
  maxLineLength?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Most bytes decoded into one string. Engines keep strings above ~128 KiB
 * apart (V8: one mapping per string, faulted in and freed each time), which
 * costs more than decoding them; pieces this size, even as two-byte strings,
 * stay in the ordinary young generation and in the CPU's cache while they are
 * scanned.
 */
const PIECE = 48 * 1024;

/** Default {@linkcode LineSplitterOptions.maxLineLength}. */
export const DEFAULT_MAX_LINE_LENGTH = 8192;

/**
 * Splits byte chunks into lines. A partial last line is held until its
 * newline arrives; a line that outgrows the bytes held for `maxLineLength`
 * code units is delivered cut as soon as it does, and the rest of it, up to
 * its newline, is skipped unread, so a 10 MB line costs a few KiB and its
 * bytes are no longer pending (a reader may save its position past them; see
 * {@linkcode LineSplitter.skipLine} for resuming there). Bytes that are not
 * UTF-8 decode to U+FFFD instead of throwing.
 *
 * @example Split chunks into lines
 * ```ts
 * import { LineSplitter } from "@plato/scout";
 * const lines: string[] = [];
 * const splitter = new LineSplitter({ onBlock: (text) => lines.push(...text.split("\n").slice(0, -1)) });
 * const enc = new TextEncoder();
 * splitter.push(enc.encode("one\ntw"));
 * splitter.push(enc.encode("o\nthree"));
 * console.log(lines, splitter.pendingBytes); // ["one", "two"] 5
 * ```
 */
export class LineSplitter {
  readonly #onBlock: (text: string, bytes: Uint8Array, cut: boolean) => void;
  readonly #maxLineLength: number;
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  /** Bytes of the held partial line (at most `3 * maxLineLength + 3`). */
  readonly #pending: Uint8Array;
  #held = 0;
  /** The rest of a line already delivered cut is being skipped, up to its newline. */
  #skipping = false;
  #cutLines = 0;

  /**
   * Create a splitter with nothing held.
   *
   * @param options The block callback and the line cap.
   */
  constructor(options: LineSplitterOptions) {
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!Number.isInteger(max) || max < 16) {
      throw new RangeError(
        `Cannot create line splitter: 'maxLineLength' must be an integer >= 16, got ${max}`,
      );
    }
    this.#onBlock = options.onBlock;
    this.#maxLineLength = max;
    // A UTF-16 code unit takes at most 3 UTF-8 bytes (4 bytes for a pair).
    this.#pending = new Uint8Array(3 * max + 3);
  }

  /**
   * Bytes of the incomplete last line held so far (not those of a line
   * delivered cut, whose rest is skipped).
   */
  get pendingBytes(): number {
    return this.#held;
  }

  /** Lines longer than the cap that were cut while spanning chunks. */
  get cutLines(): number {
    return this.#cutLines;
  }

  /**
   * Skip the bytes up to and including the next newline: the stream resumes
   * inside a line whose start was read before (delivered cut) or never.
   */
  skipLine(): void {
    this.#held = 0;
    this.#skipping = true;
  }

  /**
   * Feed the next chunk. Complete lines are delivered to `onBlock` before it
   * returns; the chunk may be reused by the caller afterwards.
   *
   * @param bytes The next bytes of the stream.
   */
  push(bytes: Uint8Array): void {
    let from = 0;
    if (this.#skipping) {
      from = bytes.indexOf(10) + 1;
      if (from === 0) return;
      this.#skipping = false;
    }
    const last = bytes.lastIndexOf(10);
    if (last < from) {
      this.#hold(from === 0 ? bytes : bytes.subarray(from));
      return;
    }
    if (this.#held > 0) {
      const first = bytes.indexOf(10, from);
      this.#hold(bytes.subarray(from, first));
      // Held whole, or delivered cut when it outgrew the bytes held.
      if (this.#skipping) this.#skipping = false;
      else this.#emitPending();
      from = first + 1;
    }
    if (last + 1 > from) this.#emit(bytes, from, last + 1);
    if (last + 1 < bytes.length) this.#hold(bytes.subarray(last + 1));
  }

  /**
   * Deliver the held partial line as a complete one (its file ended without a
   * final newline and will not grow again, e.g. after rotation).
   */
  flush(): void {
    if (this.#held > 0) this.#emitPending();
    this.#skipping = false;
  }

  /** Forget the held partial line (the file was truncated). */
  reset(): void {
    this.#held = 0;
    this.#skipping = false;
  }

  /** Deliver `bytes[from, to)`, complete lines, in pieces of about {@linkcode PIECE} bytes. */
  #emit(bytes: Uint8Array, from: number, to: number): void {
    while (from < to) {
      let end = to;
      if (to - from > PIECE) {
        // Cut after the last newline within the piece, or after the line that outgrows it.
        const nl = bytes.lastIndexOf(10, from + PIECE - 1);
        end = (nl >= from ? nl : bytes.indexOf(10, from + PIECE)) + 1;
      }
      const block = bytes.subarray(from, end);
      this.#onBlock(this.#decoder.decode(block), block, false);
      from = end;
    }
  }

  /** Hold `bytes` of the partial line; past the room, deliver it cut and skip the rest. */
  #hold(bytes: Uint8Array): void {
    const room = this.#pending.length - this.#held;
    if (bytes.length <= room) {
      this.#pending.set(bytes, this.#held);
      this.#held += bytes.length;
      return;
    }
    if (room > 0) this.#pending.set(bytes.subarray(0, room), this.#held);
    this.#held += room;
    this.#emitPending(true);
    this.#skipping = true;
  }

  /** Deliver the held line; `skipping`: its rest is skipped (it is cut). */
  #emitPending(skipping = false): void {
    const held = this.#pending.subarray(0, this.#held);
    let text = this.#decoder.decode(held);
    const cut = skipping || text.length > this.#maxLineLength;
    if (text.length > this.#maxLineLength) text = text.slice(0, this.#maxLineLength);
    if (cut) this.#cutLines++;
    this.#held = 0;
    // The bytes only stand for the text when nothing was cut.
    if (!cut && held.length < this.#pending.length) {
      this.#pending[held.length] = 10;
      this.#onBlock(text + "\n", this.#pending.subarray(0, held.length + 1), false);
    } else this.#onBlock(text + "\n", EMPTY, cut);
  }
}
