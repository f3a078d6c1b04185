import type { Tile } from "./tile.ts";

/** A value or a promise of it: outboxes may be synchronous (memory) or not (KV). */
export type Awaitable<T> = T | Promise<T>;

/** A tile waiting for delivery. */
export interface OutboxEntry {
  /** The tile (its `id` is the entry's key). */
  tile: Tile;
  /**
   * How many delivery attempts failed retryably so far. A durable outbox
   * counts a tile an earlier process left as tried at least once: that
   * process may have sent it and stopped before the answer (a `kill -9`
   * mid-request), so PLATO's "Duplicate tile" to it means delivered.
   */
  attempts: number;
}

/**
 * Where undelivered tiles wait. One emitter drains one outbox; entries stay
 * until acknowledged, oldest first.
 *
 * Implementations: {@linkcode MemoryOutbox} here; durable ones come with the
 * runtime entrypoints. All must pass the shared conformance suite
 * (`tests/outbox_conformance.ts`).
 */
export interface Outbox {
  /**
   * Add a tile. Synchronous and non-throwing: when full, the oldest entry is
   * dropped and counted in {@linkcode Outbox.dropped}.
   */
  append(tile: Tile): void;
  /** The oldest `max` entries, without removing them. */
  peek(max: number): Awaitable<OutboxEntry[]>;
  /** Remove delivered (or permanently rejected) entries by tile id. */
  ack(ids: readonly string[]): Awaitable<void>;
  /** Record a failed attempt for these entries; they stay in place. */
  nack(ids: readonly string[]): Awaitable<void>;
  /** How many entries wait. */
  size(): number;
  /** How many entries were dropped because the outbox was full. */
  readonly dropped: number;
  /**
   * How many of {@linkcode Outbox.dropped} earlier runs counted, for a
   * durable outbox that keeps the count: what it held when it opened, before
   * any drop of this run (a bound lowered since included). Default 0.
   */
  readonly droppedBefore?: number;
  /** Make everything appended so far durable (no-op for memory). */
  sync?(): Awaitable<void>;
  /** Release resources; appended entries must be durable after this resolves. */
  close?(): Awaitable<void>;
}

/** Options of {@linkcode MemoryOutbox}. */
export interface MemoryOutboxOptions {
  /** Most entries held; beyond it the oldest is dropped. Default 10,000. */
  capacity?: number;
  /**
   * Most bytes held, counting each tile's text in UTF-16 code units (about
   * its size in memory and on the wire); beyond it the oldest are dropped.
   * Default: no bound but `capacity`.
   */
  maxBytes?: number;
}

/** An entry with its counted size (0 when the outbox has no byte bound). */
type SizedEntry = OutboxEntry & { bytes: number };

/** About how many bytes a tile takes: its text fields and a JSON envelope. */
function tileBytes(tile: Tile): number {
  let n = 160 + tile.id.length + tile.domain.length + tile.question.length +
    tile.answer.length + tile.source.length + tile.timestamp.length;
  for (const tag of tile.tags) n += tag.length + 3;
  return n;
}

/**
 * An in-memory outbox bounded by count (and, if given, bytes), with a counted
 * drop-oldest policy.
 * A ring buffer: `append` is O(1) and allocation-free once warm.
 *
 * @example Hold tiles in memory
 * ```ts
 * import { buildTile, MemoryOutbox } from "@plato/scout";
 * const outbox = new MemoryOutbox({ capacity: 2 });
 * for (let i = 0; i < 3; i++) {
 *   outbox.append(buildTile({ scoutName: "s", room: "r", checkpointType: "periodic", question: `q${i}`, answer: "x" }));
 * }
 * console.log(outbox.size(), outbox.dropped); // 2 1
 * ```
 */
export class MemoryOutbox implements Outbox {
  #capacity: number;
  #maxBytes: number;
  #bytes = 0;
  #ring: Array<SizedEntry | undefined>;
  #head = 0;
  #size = 0;
  #dropped = 0;

  /**
   * Create an outbox.
   *
   * @param options The capacity, and a byte bound.
   */
  constructor(options: MemoryOutboxOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create outbox: 'capacity' must be a positive integer, got ${capacity}`,
      );
    }
    const maxBytes = options.maxBytes ?? Infinity;
    if (!(maxBytes >= 1)) {
      throw new RangeError(`Cannot create outbox: 'maxBytes' must be >= 1, got ${maxBytes}`);
    }
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#ring = new Array(Math.min(capacity, 1024));
  }

  /** How many entries were dropped because the outbox was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Add a tile, dropping the oldest when full. */
  append(tile: Tile): void {
    if (this.#size === this.#capacity) this.#dropOldest();
    const bytes = this.#maxBytes === Infinity ? 0 : tileBytes(tile);
    // The newest tile is kept even when it alone is over the bound.
    while (this.#size > 0 && this.#bytes + bytes > this.#maxBytes) this.#dropOldest();
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) % this.#ring.length] = { tile, attempts: 0, bytes };
    this.#size++;
    this.#bytes += bytes;
  }

  #dropOldest(): void {
    this.#bytes -= this.#ring[this.#head]!.bytes;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#size--;
    this.#dropped++;
  }

  #grow(): void {
    const next = new Array<SizedEntry | undefined>(
      Math.min(this.#capacity, this.#ring.length * 2),
    );
    for (let i = 0; i < this.#size; i++) next[i] = this.#ring[(this.#head + i) % this.#ring.length];
    this.#ring = next;
    this.#head = 0;
  }

  /** The oldest `max` entries. */
  peek(max: number): OutboxEntry[] {
    const n = Math.min(max, this.#size);
    const out: OutboxEntry[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#ring[(this.#head + i) % this.#ring.length]!;
    return out;
  }

  /** Remove entries by tile id (normally the oldest ones, so O(k)). */
  ack(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const remove = new Set(ids);
    // Fast path: acknowledged entries are at the head.
    while (this.#size > 0 && remove.size > 0) {
      const entry = this.#ring[this.#head]!;
      if (!remove.delete(entry.tile.id)) break;
      this.#bytes -= entry.bytes;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ring.length;
      this.#size--;
    }
    if (remove.size === 0) return;
    const kept: SizedEntry[] = [];
    for (let i = 0; i < this.#size; i++) {
      const entry = this.#ring[(this.#head + i) % this.#ring.length]!;
      if (!remove.has(entry.tile.id)) kept.push(entry);
      else this.#bytes -= entry.bytes;
    }
    this.#ring.fill(undefined);
    for (let i = 0; i < kept.length; i++) this.#ring[i] = kept[i];
    this.#head = 0;
    this.#size = kept.length;
  }

  /** Count a failed attempt. */
  nack(ids: readonly string[]): void {
    const set = new Set(ids);
    for (let i = 0; i < this.#size; i++) {
      const entry = this.#ring[(this.#head + i) % this.#ring.length]!;
      if (set.has(entry.tile.id)) entry.attempts++;
    }
  }

  /** How many entries wait. */
  size(): number {
    return this.#size;
  }
}
