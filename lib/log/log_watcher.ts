/**
 * The log engine in one object: tail a file, match a pattern, summarise each
 * interval. Runtime-neutral; the file reading is injected.
 *
 * @module
 */

import type { StateStore } from "../state.ts";
import type { FileSource } from "./file_source.ts";
import { IntervalAggregator, type IntervalSummary } from "./interval_summary.ts";
import { KnownSignatures } from "./known_signatures.ts";
import { LineScanner } from "./line_scanner.ts";
import { DEFAULT_MAX_LINE_LENGTH } from "./line_splitter.ts";
import { compilePattern } from "./pattern.ts";
import { Tailer, type TailTick } from "./tailer.ts";

/** Options of {@linkcode LogWatcher}. */
export interface LogWatcherOptions {
  /** The log file, e.g. `/var/log/myapp.log`. */
  path: string;
  /** A JavaScript regex source, e.g. `"ERROR|WARN"`. */
  pattern: string;
  /** Match regardless of case. Default false. */
  ignoreCase?: boolean;
  /** How files are read. */
  source: FileSource;
  /** Where the offset and the known signatures are kept across restarts. */
  state: StateStore;
  /** Prefix of the state keys. Default `log:<path>`. */
  stateKey?: string;
  /** Lines are matched and reported on their first this many code units. Default 8192. */
  maxLineLength?: number;
  /** Bytes per read. Default 1 MiB. */
  chunkSize?: number;
  /** Most bytes read per tick. Default 64 MiB. */
  tickBudget?: number;
  /** On first start, read the existing file from its start instead of its end. Default false. */
  fromStart?: boolean;
  /** Top signatures per summary. Default 10. */
  topK?: number;
  /** Distinct signatures counted per interval. Default 1,000. */
  maxDistinct?: number;
  /** New signatures reported per interval. Default 5. */
  maxNewPerInterval?: number;
  /** Longest sample line. Default 300. */
  sampleLength?: number;
  /** Signatures remembered as known. Default 10,000. */
  knownCapacity?: number;
}

/** One interval of a followed log: what was read and what matched. */
export interface LogSummary extends IntervalSummary, TailTick {
  /** The file. */
  path: string;
  /** The pattern. */
  pattern: string;
  /** Complete lines read this interval. */
  linesScanned: number;
  /** Matched lines longer than the cap this interval. */
  cutLines: number;
}

/**
 * Follows a log file and summarises what matched, one
 * {@linkcode LogSummary} per {@linkcode LogWatcher.tick}. Call
 * {@linkcode LogWatcher.commit} once a summary has been emitted: a restart
 * resumes after the last committed line and keeps the signatures reported.
 *
 * @example Summarise a log file once
 * ```ts ignore
 * import { LogWatcher, MemoryState } from "@plato/scout";
 * import { denoFileSource } from "@plato/scout/runtime/deno";
 * const watcher = new LogWatcher({
 *   path: "/var/log/myapp.log",
 *   pattern: "ERROR|WARN",
 *   source: denoFileSource(),
 *   state: new MemoryState(),
 * });
 * const summary = await watcher.tick();
 * console.log(summary.matched, summary.levels, summary.newSignatures.length);
 * await watcher.commit();
 * ```
 */
export class LogWatcher {
  /** The file. */
  readonly path: string;
  /** The pattern source. */
  readonly pattern: string;
  readonly #state: StateStore;
  readonly #sigKey: string;
  readonly #known: KnownSignatures;
  readonly #aggregator: IntervalAggregator;
  readonly #scanner: LineScanner;
  readonly #tailer: Tailer;
  #loaded = false;

  /**
   * Create a watcher; nothing is read before the first tick.
   *
   * @param options File, pattern, reading and bounds.
   * @throws {TypeError} If the pattern is not a valid regular expression.
   */
  constructor(options: LogWatcherOptions) {
    if (!options.path) throw new TypeError("Cannot watch log: 'path' is required");
    const pattern = compilePattern(options.pattern, { ignoreCase: options.ignoreCase });
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    const prefix = options.stateKey ?? `log:${options.path}`;
    this.path = options.path;
    this.pattern = options.pattern;
    this.#state = options.state;
    this.#sigKey = `${prefix}:signatures`;
    this.#known = new KnownSignatures({ capacity: options.knownCapacity });
    this.#aggregator = new IntervalAggregator({
      known: this.#known,
      topK: options.topK,
      maxDistinct: options.maxDistinct,
      maxNewPerInterval: options.maxNewPerInterval,
      sampleLength: options.sampleLength,
    });
    const aggregator = this.#aggregator;
    this.#scanner = new LineScanner({
      pattern,
      maxLineLength: max,
      onMatch: (text, start, end, units) => aggregator.add(text, start, end, units),
    });
    const scanner = this.#scanner;
    this.#tailer = new Tailer({
      path: options.path,
      source: options.source,
      state: options.state,
      stateKey: `${prefix}:offset`,
      maxLineLength: max,
      chunkSize: options.chunkSize,
      tickBudget: options.tickBudget,
      fromStart: options.fromStart,
      onBlock: (text, bytes, cut) => scanner.scanBlock(text, bytes, cut),
    });
  }

  /**
   * Read what is new (up to the tick budget) and summarise it.
   *
   * @returns The interval's summary.
   */
  async tick(): Promise<LogSummary> {
    if (!this.#loaded) {
      await this.#known.load(this.#state, this.#sigKey);
      this.#loaded = true;
    }
    const lines = this.#scanner.lines, cut = this.#scanner.cut;
    const tail = await this.#tailer.tick();
    return {
      path: this.path,
      pattern: this.pattern,
      ...tail,
      linesScanned: this.#scanner.lines - lines,
      cutLines: this.#scanner.cut - cut,
      ...this.#aggregator.take(),
    };
  }

  /** Persist the position and the known signatures (after the summary was emitted). */
  async commit(): Promise<void> {
    await this.#tailer.commit();
    if (this.#known.dirty) await this.#known.save(this.#state, this.#sigKey);
  }

  /** Release the open file. */
  close(): Promise<void> {
    return this.#tailer.close();
  }
}
