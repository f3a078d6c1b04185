/**
 * The signatures already reported, bounded and kept across restarts.
 *
 * @module
 */

import type { StateStore } from "../state.ts";

/** Options of {@linkcode KnownSignatures}. */
export interface KnownSignaturesOptions {
  /** Most signatures remembered; the least recently seen are forgotten first. Default 10,000. */
  capacity?: number;
}

const FORMAT = "sig1:";

/**
 * A bounded, least-recently-seen set of signature hashes (see
 * `SignatureBuilder.normalize`), saved through a {@linkcode StateStore} so a
 * restart does not report known signatures again.
 *
 * @example Remember signatures across restarts
 * ```ts
 * import { KnownSignatures, MemoryState } from "@plato/scout";
 * const state = new MemoryState();
 * const known = new KnownSignatures({ capacity: 2 });
 * known.add(1); known.add(2); known.add(3);
 * await known.save(state, "sigs");
 * const again = new KnownSignatures();
 * await again.load(state, "sigs");
 * console.log(again.has(1), again.has(3)); // false true
 * ```
 */
export class KnownSignatures {
  readonly #capacity: number;
  readonly #set = new Set<number>();
  #dirty = false;

  /**
   * Create an empty set.
   *
   * @param options The capacity.
   */
  constructor(options: KnownSignaturesOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create signature set: 'capacity' must be a positive integer, got ${capacity}`,
      );
    }
    this.#capacity = capacity;
  }

  /** How many signatures are remembered. */
  get size(): number {
    return this.#set.size;
  }

  /** Whether anything was added since the last load or save. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Whether a signature hash is known.
   *
   * @param hash The hash.
   * @returns True if it is remembered.
   */
  has(hash: number): boolean {
    return this.#set.has(hash);
  }

  /**
   * Remember a hash (or mark it as recently seen), forgetting the least
   * recently seen beyond the capacity.
   *
   * @param hash The hash.
   */
  add(hash: number): void {
    if (this.#set.delete(hash)) {
      this.#set.add(hash);
      return;
    }
    this.#set.add(hash);
    this.#dirty = true;
    if (this.#set.size > this.#capacity) {
      this.#set.delete(this.#set.values().next().value!);
    }
  }

  /**
   * Replace the contents with what `state` holds under `key` (nothing if unset
   * or unreadable).
   *
   * @param state The store.
   * @param key The key.
   */
  async load(state: StateStore, key: string): Promise<void> {
    const raw = await state.get(key);
    this.#set.clear();
    this.#dirty = false;
    if (!raw?.startsWith(FORMAT)) return;
    for (const part of raw.slice(FORMAT.length).split(",")) {
      const hash = parseInt(part, 36);
      if (Number.isSafeInteger(hash)) this.add(hash);
    }
    this.#dirty = false;
  }

  /**
   * Save the contents (oldest first) to `state` under `key`.
   *
   * @param state The store.
   * @param key The key.
   */
  async save(state: StateStore, key: string): Promise<void> {
    const parts: string[] = [];
    for (const hash of this.#set) parts.push(hash.toString(36));
    await state.set(key, FORMAT + parts.join(","));
    this.#dirty = false;
  }
}
