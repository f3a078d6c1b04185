/**
 * Fold the matching lines of one interval into a bounded summary: counts per
 * level, first and last lines, the most frequent signatures, and the
 * signatures never seen before.
 *
 * @module
 */

import { detectLevel, type LineLevel, LOG_LEVELS } from "./level.ts";
import type { KnownSignatures } from "./known_signatures.ts";
import { SignatureBuilder } from "./signature.ts";
import { ShapeHasher } from "./shape_hasher.ts";

/** One signature of an interval. */
export interface SignatureCount {
  /** The signature (see `signatureOf`). */
  signature: string;
  /** Its stable hash, the key it is remembered by. */
  hash: number;
  /** The level of its first line in the interval. */
  level: LineLevel;
  /** Matching lines with this signature in the interval. */
  count: number;
  /** Its first line in the interval, cut to the sample length. */
  example: string;
}

/** What one interval matched. */
export interface IntervalSummary {
  /** Lines matched by the pattern. */
  matched: number;
  /** Matched lines per detected level (levels with no lines are left out). */
  levels: Partial<Record<LineLevel, number>>;
  /** The first matched line, cut to the sample length. */
  firstLine?: string;
  /** The last matched line, cut to the sample length. */
  lastLine?: string;
  /** The most frequent signatures, most frequent first. */
  signatures: SignatureCount[];
  /**
   * Signatures (and their lines) beyond the top ones or beyond the distinct
   * cap; `distinct` stops counting at 10,000 past the cap.
   */
  otherSignatures: { distinct: number; lines: number };
  /** Signatures seen for the first time ever, first seen first (capped). */
  newSignatures: SignatureCount[];
  /** New signatures beyond the cap; they stay unknown and are reported when seen again. */
  newSignaturesUnreported: number;
}

/** Options of {@linkcode IntervalAggregator}. */
export interface IntervalAggregatorOptions {
  /** Signatures remembered across intervals; new ones are added when a summary is taken. */
  known: KnownSignatures;
  /** How many top signatures a summary lists. Default 10. */
  topK?: number;
  /** Distinct signatures counted per interval; beyond it lines count as "other". Default 1,000. */
  maxDistinct?: number;
  /** New signatures reported per interval. Default 5. */
  maxNewPerInterval?: number;
  /** Longest sample line, in code units. Default 300. */
  sampleLength?: number;
}

interface Shape {
  check: number;
  length: number;
  hash: number;
  level: number;
  /** The entry of this interval (`epoch`); null when it overflowed the distinct cap. */
  entry: Entry | null;
  epoch: number;
}

/** Shapes remembered; the cache is emptied when full. */
const SHAPE_CACHE = 8192;
/** Slots of the shape table (a power of 2, so that it is never more than half full). */
const SLOTS = 2 * SHAPE_CACHE;

interface Entry {
  hash: number;
  signature: string;
  level: LineLevel;
  count: number;
  example: string;
  fresh: boolean;
  reported: boolean;
}

/** A copy of `s` that does not keep the (large) string it was sliced from alive. */
function detach(s: string): string {
  return (" " + s).slice(1);
}

/**
 * Aggregates matching lines (as bounds into a block, see `LineScanner`) into
 * one {@linkcode IntervalSummary} per interval. Memory is bounded by
 * `maxDistinct` and the sample length, whatever the number of lines.
 *
 * @example Summarise an interval
 * ```ts
 * import { IntervalAggregator, KnownSignatures } from "@plato/scout";
 * const agg = new IntervalAggregator({ known: new KnownSignatures() });
 * for (const line of ["ERROR order 1 failed", "ERROR order 2 failed", "WARN slow 30ms"]) {
 *   agg.add(line, 0, line.length);
 * }
 * const s = agg.take();
 * console.log(s.matched, s.levels, s.newSignatures.length); // 3 { ERROR: 2, WARN: 1 } 2
 * ```
 */
export class IntervalAggregator {
  readonly #known: KnownSignatures;
  readonly #topK: number;
  readonly #maxDistinct: number;
  readonly #maxNew: number;
  readonly #sample: number;
  readonly #builder = new SignatureBuilder();
  readonly #levels = new Float64Array(LOG_LEVELS.length);
  readonly #hasher = new ShapeHasher();
  /** The shape table: each slot's key (-1: empty) and shape. */
  readonly #keys = new Int32Array(SLOTS).fill(-1);
  readonly #slots: (Shape | undefined)[] = new Array(SLOTS).fill(undefined);
  #count = 0;
  #epoch = 0;
  #entries = new Map<number, Entry>();
  #matched = 0;
  #overflowLines = 0;
  #overflow = new Set<number>();
  #unreported = new Set<number>();
  #reported = 0;
  #first: string | undefined;
  #lastText = "";
  #lastStart = 0;
  #lastEnd = -1;

  /**
   * Create an aggregator for a first, empty interval.
   *
   * @param options Known signatures and bounds.
   */
  constructor(options: IntervalAggregatorOptions) {
    this.#known = options.known;
    this.#topK = positive("topK", options.topK ?? 10);
    this.#maxDistinct = positive("maxDistinct", options.maxDistinct ?? 1000);
    this.#maxNew = positive("maxNewPerInterval", options.maxNewPerInterval ?? 5, 0);
    this.#sample = positive("sampleLength", options.sampleLength ?? 300);
  }

  /** Lines added since the last {@linkcode IntervalAggregator.take}. */
  get matched(): number {
    return this.#matched;
  }

  /**
   * Add one matching line, `text[start, end)`.
   *
   * @param text The text holding the line.
   * @param start Its first index.
   * @param end Just past its last character.
   * @param units The same code units as `text` (an ASCII block's bytes), if
   *   at hand: the line's shape is read from them, several times faster.
   */
  add(text: string, start: number, end: number, units?: Uint8Array): void {
    this.#matched++;
    // Lines of the same shape (see ShapeHasher) share level and signature.
    const hasher = this.#hasher;
    const key = units === undefined
      ? hasher.hashText(text, start, end)
      : hasher.hash(units, start, end);
    const check = hasher.check, length = end - start;
    // An open-addressing table keyed by the hash: cheaper than a Map per line.
    const keys = this.#keys, shapes = this.#slots;
    let slot = key & (SLOTS - 1), shape: Shape | undefined;
    for (let k = keys[slot]; k !== -1; slot = (slot + 1) & (SLOTS - 1), k = keys[slot]) {
      if (k !== key) continue;
      const s = shapes[slot]!;
      if (s.check === check && s.length === length) {
        shape = s;
        break;
      }
    }
    if (shape === undefined) {
      shape = {
        check,
        length,
        hash: this.#builder.normalize(text, start, end),
        level: LOG_LEVELS.indexOf(detectLevel(text, start, end)),
        entry: null,
        epoch: -1,
      };
      if (this.#count >= SHAPE_CACHE) {
        keys.fill(-1);
        shapes.fill(undefined);
        this.#count = 0;
        slot = key & (SLOTS - 1);
      }
      keys[slot] = key;
      shapes[slot] = shape;
      this.#count++;
    }
    this.#levels[shape.level]++;
    if (this.#first === undefined) this.#first = this.#cut(text, start, end);
    this.#lastText = text;
    this.#lastStart = start;
    this.#lastEnd = end;
    if (shape.epoch === this.#epoch) {
      if (shape.entry) shape.entry.count++;
      else this.#overflowLines++;
      return;
    }
    shape.epoch = this.#epoch;
    shape.entry = this.#entry(shape.hash, shape.level, text, start, end);
  }

  #entry(hash: number, level: number, text: string, start: number, end: number): Entry | null {
    const entry = this.#entries.get(hash);
    if (entry) {
      entry.count++;
      return entry;
    }
    const fresh = !this.#known.has(hash);
    if (fresh && this.#reported >= this.#maxNew) {
      if (this.#unreported.size < 100_000) this.#unreported.add(hash);
    }
    if (this.#entries.size >= this.#maxDistinct && !(fresh && this.#reported < this.#maxNew)) {
      this.#overflowLines++;
      if (this.#overflow.size < 10_000) this.#overflow.add(hash);
      return null;
    }
    const reported = fresh && this.#reported < this.#maxNew;
    if (reported) this.#reported++;
    this.#builder.normalize(text, start, end);
    const created: Entry = {
      hash,
      signature: this.#builder.toString(),
      level: LOG_LEVELS[level],
      count: 1,
      example: this.#cut(text, start, end),
      fresh,
      reported,
    };
    this.#entries.set(hash, created);
    return created;
  }

  /**
   * End the interval: return its summary, remember its new reported
   * signatures as known, and start the next interval empty.
   *
   * @returns The summary.
   */
  take(): IntervalSummary {
    const levels: Partial<Record<LineLevel, number>> = {};
    LOG_LEVELS.forEach((level, i) => {
      if (this.#levels[i] > 0) levels[level] = this.#levels[i];
    });
    const all = [...this.#entries.values()];
    const newSignatures = all.filter((e) => e.reported).map(toCount);
    for (const e of all) if (e.reported || !e.fresh) this.#known.add(e.hash);
    all.sort((a, b) => b.count - a.count);
    const top = all.slice(0, this.#topK);
    let otherLines = this.#overflowLines;
    for (let i = this.#topK; i < all.length; i++) otherLines += all[i].count;
    const summary: IntervalSummary = {
      matched: this.#matched,
      levels,
      firstLine: this.#first,
      lastLine: this.#lastEnd >= 0
        ? this.#cut(this.#lastText, this.#lastStart, this.#lastEnd)
        : undefined,
      signatures: top.map(toCount),
      otherSignatures: {
        distinct: Math.max(0, all.length - this.#topK) + this.#overflow.size,
        lines: otherLines,
      },
      newSignatures,
      newSignaturesUnreported: this.#unreported.size,
    };
    this.#entries = new Map();
    this.#epoch++;
    this.#levels.fill(0);
    this.#matched = 0;
    this.#overflowLines = 0;
    this.#overflow = new Set();
    this.#unreported = new Set();
    this.#reported = 0;
    this.#first = undefined;
    this.#lastText = "";
    this.#lastEnd = -1;
    return summary;
  }

  #cut(text: string, start: number, end: number): string {
    return detach(text.slice(start, Math.min(end, start + this.#sample)));
  }
}

function toCount(e: Entry): SignatureCount {
  return {
    signature: e.signature,
    hash: e.hash,
    level: e.level,
    count: e.count,
    example: e.example,
  };
}

function positive(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot create aggregator: '${name}' must be an integer >= ${min}, got ${value}`,
    );
  }
  return value;
}
