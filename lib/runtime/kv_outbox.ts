/**
 * An {@linkcode Outbox} kept in one Workers KV key, for scouts that run as a
 * Worker: tiles one invocation could not deliver wait in KV and go out with
 * the next one.
 *
 * @module
 */

import type { Outbox, OutboxEntry } from "../outbox.ts";
import type { Tile } from "../tile.ts";
import type { KVNamespace } from "./cloudflare_types.ts";

/** Options of {@linkcode KvOutbox.load}. */
export interface KvOutboxOptions {
  /** The KV key holding the waiting tiles. Default `plato-scout:outbox`. */
  key?: string;
  /** Most entries kept; beyond it the oldest is dropped and counted. Default 2,000. */
  maxEntries?: number;
  /**
   * Most bytes of the stored JSON (UTF-8); the oldest entries are dropped to
   * fit when persisting. Default 1 MiB (parsing it costs CPU at every start).
   */
  maxBytes?: number;
}

/** The KV outbox's bounds when none are given: what one KV value and a Worker's CPU allow. */
export const KV_OUTBOX_DEFAULTS: Readonly<Required<Omit<KvOutboxOptions, "key">>> = {
  maxEntries: 2_000,
  maxBytes: 1024 * 1024,
};

/** The stored value. `rev` changes on every write, to notice a concurrent writer. */
interface Stored {
  v: 1;
  rev: string;
  dropped: number;
  entries: OutboxEntry[];
}

function parseStored(text: string | null): Stored | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Stored;
    return value?.v === 1 && Array.isArray(value.entries) ? value : undefined;
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

/**
 * An outbox held in memory during one Worker invocation and persisted to a
 * single KV key: {@linkcode KvOutbox.load} reads it at the start (one KV
 * read), {@linkcode KvOutbox.sync} writes what is left at the end - only when
 * something changed, so a healthy invocation that delivered everything costs
 * one read and no write (the free plan allows 1,000 KV writes a day).
 *
 * Bounded by `maxEntries` and `maxBytes` (drop-oldest, counted in
 * {@linkcode KvOutbox.dropped}). When another invocation wrote the key since
 * this one loaded it, `sync` merges the other's entries in instead of
 * overwriting them; KV is eventually consistent, so two invocations in
 * different locations within ~60 s can still deliver a tile twice (PLATO
 * refuses the second copy as a duplicate).
 *
 * @example Persist waiting tiles between invocations
 * ```ts ignore
 * import { KvOutbox } from "@plato/scout/cloudflare";
 * const outbox = await KvOutbox.load(env.SCOUT_KV, { maxEntries: 1000 });
 * // ... emitter delivers what it can ...
 * await outbox.close(); // writes the remainder back, if any changed
 * ```
 */
export class KvOutbox implements Outbox {
  readonly #kv: KVNamespace;
  readonly #key: string;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #entries: OutboxEntry[];
  #head = 0;
  #dropped: number;
  /** `dropped` as stored when loaded (or last written). */
  #droppedStored: number;
  #dirty = false;
  /** How many of `dropped` earlier invocations counted (the count as loaded). */
  readonly droppedBefore: number;
  #loadedRev: string | undefined;
  #loadedIds: Set<string>;

  private constructor(kv: KVNamespace, options: Required<KvOutboxOptions>, stored?: Stored) {
    this.#kv = kv;
    this.#key = options.key;
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    // What an earlier invocation left may have been sent by it (see OutboxEntry.attempts).
    this.#entries = stored
      ? stored.entries.slice(-options.maxEntries).map((e) => ({
        tile: e.tile,
        attempts: Math.max(e.attempts ?? 0, 1),
      }))
      : [];
    this.#droppedStored = this.droppedBefore = stored?.dropped ?? 0;
    this.#dropped = this.#droppedStored +
      (stored ? stored.entries.length - this.#entries.length : 0);
    this.#loadedRev = stored?.rev;
    this.#loadedIds = new Set(this.#entries.map((e) => e.tile.id));
  }

  /**
   * Read the waiting tiles from KV (one read). A missing or unreadable value
   * is an empty outbox.
   *
   * @param kv The KV namespace binding.
   * @param options Key and bounds.
   * @returns The outbox, holding what earlier invocations left.
   */
  static async load(kv: KVNamespace, options: KvOutboxOptions = {}): Promise<KvOutbox> {
    const resolved = {
      key: options.key ?? "plato-scout:outbox",
      maxEntries: options.maxEntries ?? KV_OUTBOX_DEFAULTS.maxEntries,
      maxBytes: options.maxBytes ?? KV_OUTBOX_DEFAULTS.maxBytes,
    };
    for (const name of ["maxEntries", "maxBytes"] as const) {
      if (!Number.isInteger(resolved[name]) || resolved[name] < 1) {
        throw new RangeError(
          `Cannot create KV outbox: '${name}' must be a positive integer, got ${resolved[name]}`,
        );
      }
    }
    return new KvOutbox(kv, resolved, parseStored(await kv.get(resolved.key)));
  }

  /** How many entries were dropped because the outbox was full (this and earlier runs). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Add a tile, dropping the oldest when full. */
  append(tile: Tile): void {
    if (this.size() === this.#maxEntries) {
      this.#entries[this.#head++] = undefined as unknown as OutboxEntry;
      this.#dropped++;
      this.#compact();
    }
    this.#entries.push({ tile, attempts: 0 });
    this.#dirty = true;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The oldest `max` entries, without removing them. */
  peek(max: number): OutboxEntry[] {
    return this.#entries.slice(this.#head, this.#head + Math.max(0, max));
  }

  /** Remove entries by tile id. */
  ack(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const remove = new Set(ids);
    const before = this.size();
    while (this.#head < this.#entries.length && remove.delete(this.#entries[this.#head].tile.id)) {
      this.#entries[this.#head++] = undefined as unknown as OutboxEntry;
    }
    if (remove.size > 0) {
      this.#entries = this.#entries.slice(this.#head).filter((e) => !remove.has(e.tile.id));
      this.#head = 0;
    }
    this.#compact();
    if (this.size() !== before) this.#dirty = true;
  }

  /** Count a failed attempt for these entries. */
  nack(ids: readonly string[]): void {
    const set = new Set(ids);
    for (let i = this.#head; i < this.#entries.length; i++) {
      if (set.has(this.#entries[i].tile.id)) {
        this.#entries[i].attempts++;
        this.#dirty = true;
      }
    }
  }

  /** How many entries wait. */
  size(): number {
    return this.#entries.length - this.#head;
  }

  /**
   * Write what waits back to KV when anything changed since loading: one
   * `put` (plus one `get`, to merge a concurrent writer's entries), or one
   * `delete` when nothing waits any more and nothing was ever dropped (else
   * the drop count stays, under the same key, with no entries).
   */
  async sync(): Promise<void> {
    if (!this.#dirty) return;
    let entries = this.#entries.slice(this.#head);
    const nothingStored = this.#loadedRev === undefined ||
      (this.#loadedIds.size === 0 && this.#dropped === this.#droppedStored);
    if (entries.length === 0 && nothingStored) {
      // Nothing was waiting and nothing is: leave the key (and any other writer's) alone.
      this.#entries = [];
      this.#head = 0;
      this.#dirty = false;
      return;
    }
    const current = parseStored(await this.#kv.get(this.#key));
    if (current && current.rev !== this.#loadedRev) {
      // Another invocation wrote since we loaded: keep the tiles it added.
      const ours = new Set(entries.map((e) => e.tile.id));
      const theirs = current.entries.filter((e) =>
        !this.#loadedIds.has(e.tile.id) && !ours.has(e.tile.id)
      );
      entries = [...theirs, ...entries];
      // Their drops since our load count too.
      this.#dropped += Math.max(0, current.dropped - this.#droppedStored);
      if (entries.length > this.#maxEntries) {
        this.#dropped += entries.length - this.#maxEntries;
        entries = entries.slice(-this.#maxEntries);
      }
    }
    if (entries.length === 0 && this.#dropped === 0) {
      if (current) await this.#kv.delete(this.#key);
      this.#loadedRev = undefined;
    } else {
      const parts = entries.map((e) => JSON.stringify(e));
      const sizes = parts.map((p) => encoder.encode(p).length + 1);
      let total = sizes.reduce((a, b) => a + b, 80);
      let first = 0;
      while (total > this.#maxBytes && first < parts.length - 1) total -= sizes[first++];
      this.#dropped += first;
      const rev = crypto.randomUUID();
      const text = `{"v":1,"rev":"${rev}","dropped":${this.#dropped},"entries":[${
        parts.slice(first).join(",")
      }]}`;
      await this.#kv.put(this.#key, text);
      this.#loadedRev = rev;
      this.#droppedStored = this.#dropped;
      entries = entries.slice(first);
    }
    this.#entries = entries;
    this.#head = 0;
    this.#loadedIds = new Set(entries.map((e) => e.tile.id));
    this.#dirty = false;
  }

  /** Persist (see {@linkcode KvOutbox.sync}); the outbox stays usable. */
  close(): Promise<void> {
    return this.sync();
  }
}
