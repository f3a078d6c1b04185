/**
 * An in-memory Workers KV namespace for Deno tests, counting operations.
 *
 * @module
 */
import type { KVListResult, KVNamespace } from "../../lib/runtime/cloudflare_types.ts";

/** A Map-backed {@linkcode KVNamespace}. */
export class FakeKv implements KVNamespace {
  readonly data = new Map<string, string>();
  readonly ops = { get: 0, put: 0, delete: 0, list: 0 };

  get(key: string): Promise<string | null> {
    this.ops.get++;
    return Promise.resolve(this.data.get(key) ?? null);
  }
  put(key: string, value: string): Promise<void> {
    this.ops.put++;
    this.data.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.ops.delete++;
    this.data.delete(key);
    return Promise.resolve();
  }
  list(options: { prefix?: string } = {}): Promise<KVListResult> {
    this.ops.list++;
    const keys = [...this.data.keys()].filter((k) => k.startsWith(options.prefix ?? "")).sort();
    return Promise.resolve({ keys: keys.map((name) => ({ name })), list_complete: true });
  }
}
