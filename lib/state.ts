import type { Awaitable } from "./outbox.ts";

/**
 * Small persistent key/value state a scout keeps across restarts: a log
 * offset, the agents already seen, the sessions already reported. Values are
 * strings (JSON when structured). Durable implementations live with the
 * runtime entrypoints (SQLite in the state directory, KV on Workers).
 */
export interface StateStore {
  /** The value, or `undefined` if never set. */
  get(key: string): Awaitable<string | undefined>;
  /** Set (or replace) a value; durable once the returned promise resolves. */
  set(key: string, value: string): Awaitable<void>;
  /** Remove a value. */
  delete(key: string): Awaitable<void>;
}

/**
 * A {@linkcode StateStore} in memory (tests, one-shot runs).
 *
 * @example Keep state in memory
 * ```ts
 * import { MemoryState } from "@plato/scout";
 * const state = new MemoryState();
 * state.set("offset", "42");
 * console.log(state.get("offset")); // "42"
 * ```
 */
export class MemoryState implements StateStore {
  #map = new Map<string, string>();
  /** The value, or `undefined`. */
  get(key: string): string | undefined {
    return this.#map.get(key);
  }
  /** Set a value. */
  set(key: string, value: string): void {
    this.#map.set(key, value);
  }
  /** Remove a value. */
  delete(key: string): void {
    this.#map.delete(key);
  }
}
