import type { ResolvedConfig } from "./config/schema.ts";
import type { Emitter } from "./emitter.ts";
import type { Logger } from "./logger.ts";
import type { MetricsRegistry } from "./metrics.ts";
import type { Scout } from "./scout.ts";
import type { ScoutFactory, ScoutHost } from "./scout_kind.ts";
import type { StateStore } from "./state.ts";

/** What {@linkcode buildScouts} wires into every scout. */
export interface BuildScoutsOptions {
  /** The scout kinds (or only their factories) `watch.type` may name. */
  kinds: readonly ScoutFactory[];
  /** One emitter shared by every scout of the process. */
  emitter: Emitter;
  /** State and files lent by the runtime; state is namespaced per scout. */
  host: ScoutHost;
  /** The PLATO base URL. */
  platoUrl: string;
  /** Bearer token for PLATO. */
  apiKey?: string;
  /** Injected fetch. */
  fetch?: typeof fetch;
  /** Epoch milliseconds now. */
  now?: () => number;
  /** The logger each scout gets a child of. */
  logger: Logger;
  /** The registry every scout records into. */
  metrics: MetricsRegistry;
}

/**
 * A view of a {@linkcode StateStore} whose keys are prefixed, so scouts
 * sharing one store cannot collide.
 *
 * @param store The shared store.
 * @param prefix The namespace, e.g. the scout name.
 * @returns The namespaced store.
 */
export function namespacedState(store: StateStore, prefix: string): StateStore {
  return {
    get: (key) => store.get(`${prefix}:${key}`),
    set: (key, value) => store.set(`${prefix}:${key}`, value),
    delete: (key) => store.delete(`${prefix}:${key}`),
  };
}

/**
 * Build the scouts a validated config describes, all sharing one emitter.
 *
 * @param config A config from `loadConfig`/`validateConfig`.
 * @param options Kinds, emitter, host capabilities and injectables.
 * @returns One scout per configured entry, in order, with its poll interval and cron.
 */
export function buildScouts(
  config: ResolvedConfig,
  options: BuildScoutsOptions,
): Array<{ scout: Scout<unknown>; pollInterval: number; cron?: string }> {
  const kinds = new Map(options.kinds.map((k) => [k.type, k]));
  return config.scouts.map((entry) => {
    const kind = kinds.get(entry.watch.type);
    if (!kind) {
      throw new TypeError(`Cannot build scout '${entry.name}': unknown type '${entry.watch.type}'`);
    }
    const state = namespacedState(options.host.state, entry.name);
    const scout = kind.create(
      {
        scoutName: entry.name,
        scoutRoom: entry.room,
        watchedService: entry.watchedService,
        platoUrl: options.platoUrl,
        apiKey: options.apiKey,
        fetch: options.fetch,
        now: options.now,
        emitter: options.emitter,
        logger: options.logger.child(entry.name),
        metrics: options.metrics,
        state,
      },
      entry.watch,
      { ...options.host, state },
    );
    return { scout, pollInterval: entry.pollInterval, cron: entry.cron };
  });
}
