/**
 * The few Cloudflare Workers runtime objects this package touches, typed by
 * small structural interfaces (Hono style) instead of importing
 * `@cloudflare/workers-types`: the real objects satisfy them, and tests can
 * pass plain fakes.
 *
 * @module
 */

/** What a Cron Trigger hands to `scheduled()`. */
export interface ScheduledController {
  /** The cron expression that fired, exactly as written in the wrangler config. */
  readonly cron: string;
  /** When the trigger was due, epoch ms. */
  readonly scheduledTime: number;
  /** Ask the runtime not to retry this event if it fails (optional in fakes). */
  noRetry?(): void;
}

/** The invocation's execution context. */
export interface ExecutionContext {
  /** Keep the invocation alive until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void;
  /** Forward to the origin when the Worker throws (unused; optional in fakes). */
  passThroughOnException?(): void;
}

/** One page of {@linkcode KVNamespace.list}. */
export interface KVListResult {
  /** The keys of this page. */
  keys: Array<{ name: string }>;
  /** Whether this is the last page. */
  list_complete: boolean;
  /** Where the next page starts, when not complete. */
  cursor?: string;
}

/** A Workers KV namespace binding: the subset of its API this package uses. */
export interface KVNamespace {
  /** A value as text, or `null` when the key is absent. */
  get(key: string): Promise<string | null>;
  /** Store a text value. */
  put(key: string, value: string): Promise<void>;
  /** Remove a key (absent keys are fine). */
  delete(key: string): Promise<void>;
  /** List keys by prefix. */
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<KVListResult>;
}

/**
 * The Worker environment `createWorker` reads: vars, secrets and an optional
 * KV binding (any other bindings are ignored).
 */
export interface WorkerEnv {
  /** PLATO base URL (a var). */
  PLATO_URL?: string;
  /** Bearer token for PLATO (a secret: `wrangler secret put PLATO_API_KEY`). */
  PLATO_API_KEY?: string;
  /** The scouts, as scout.yaml in JSON (a string var, or a JSON object var). */
  SCOUTS?: unknown;
  /** Bearer token that authorises `POST /run` (a secret). */
  SCOUT_TRIGGER_TOKEN?: string;
  /** Log level: debug, info, warn, error, silent. */
  SCOUT_LOG_LEVEL?: string;
  /** Any other binding (the KV namespace is looked up by name). */
  [binding: string]: unknown;
}
