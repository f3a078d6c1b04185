/**
 * A {@linkcode StateStore} kept in one Workers KV key.
 *
 * @module
 */

import type { StateStore } from "../state.ts";
import type { KVNamespace } from "./cloudflare_types.ts";

/** Options of {@linkcode KvState.load}. */
export interface KvStateOptions {
  /** The KV key holding every value. Default `plato-scout:state`. */
  key?: string;
}

function parseMap(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, string>
      : {};
  } catch {
    return {};
  }
}

/**
 * Scout state (offsets, agents seen, up/down and latency baselines) for one
 * Worker invocation: {@linkcode KvState.load} reads every value with one KV
 * read, reads and writes then stay in memory, and {@linkcode KvState.sync}
 * writes the changed keys back with one `put` - only when a value changed.
 * A concurrent writer's changes to other keys are kept (the key is re-read
 * and merged before writing); for the same key the last writer wins.
 *
 * Note a scout that updates its state every cycle (the HTTP scout's latency
 * baseline) makes every invocation write: mind the free plan's 1,000 KV
 * writes a day when choosing cron schedules.
 *
 * @example Keep scout state in KV
 * ```ts ignore
 * import { KvState } from "@plato/scout/cloudflare";
 * const state = await KvState.load(env.SCOUT_KV);
 * state.set("http-scout:seen", "1");
 * await state.sync();
 * ```
 */
export class KvState implements StateStore {
  readonly #kv: KVNamespace;
  readonly #key: string;
  #values: Map<string, string>;
  #changed = new Map<string, string | undefined>();

  private constructor(kv: KVNamespace, key: string, values: Record<string, string>) {
    this.#kv = kv;
    this.#key = key;
    this.#values = new Map(Object.entries(values).filter(([, v]) => typeof v === "string"));
  }

  /**
   * Read every value (one KV read); a missing or unreadable value is empty state.
   *
   * @param kv The KV namespace binding.
   * @param options The key.
   * @returns The state.
   */
  static async load(kv: KVNamespace, options: KvStateOptions = {}): Promise<KvState> {
    const key = options.key ?? "plato-scout:state";
    return new KvState(kv, key, parseMap(await kv.get(key)));
  }

  /** The value, or `undefined`. */
  get(key: string): string | undefined {
    return this.#values.get(key);
  }

  /** Set a value (durable after {@linkcode KvState.sync}). */
  set(key: string, value: string): void {
    if (this.#values.get(key) === value) return;
    this.#values.set(key, value);
    this.#changed.set(key, value);
  }

  /** Remove a value (durable after {@linkcode KvState.sync}). */
  delete(key: string): void {
    if (!this.#values.has(key)) return;
    this.#values.delete(key);
    this.#changed.set(key, undefined);
  }

  /** Write changed values back: nothing when none changed, else one read and one put. */
  async sync(): Promise<void> {
    if (this.#changed.size === 0) return;
    const merged = parseMap(await this.#kv.get(this.#key));
    for (const [key, value] of this.#changed) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    await this.#kv.put(this.#key, JSON.stringify(merged));
    this.#values = new Map(Object.entries(merged));
    this.#changed.clear();
  }
}
