/**
 * One Worker invocation's cycle: load the outbox and state from KV, run one
 * tick of each selected scout within the subrequest and connection limits,
 * deliver within a deadline, and persist what is left.
 *
 * @module
 */

import { loadBatchMemory } from "../batch_memory.ts";
import { announceOncePerConfig } from "../announce.ts";
import { buildScouts } from "../build_scouts.ts";
import { createPlatoClient } from "../client.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { Emitter } from "../emitter.ts";
import type { Logger } from "../logger.ts";
import { MetricsRegistry } from "../metrics.ts";
import type { MemoryOutbox, Outbox } from "../outbox.ts";
import type { ScoutKind } from "../scout_kind.ts";
import type { StateStore } from "../state.ts";
import { createWorkerFetch, SubrequestBudgetError } from "./_worker_fetch.ts";
import type { KVNamespace } from "./cloudflare_types.ts";
import { KV_OUTBOX_DEFAULTS, KvOutbox, type KvOutboxOptions } from "./kv_outbox.ts";
import { KvState } from "./kv_state.ts";

/** What one cycle did (the manual trigger answers with it as JSON). */
export interface CycleReport {
  /** True when every scout ran and nothing is left undelivered. */
  ok: boolean;
  /** The scouts that ran, in order. */
  ran: string[];
  /** Tiles emitted by this cycle. */
  emitted: number;
  /** Tiles PLATO stored (including ones left by earlier invocations). */
  delivered: number;
  /** Tiles refused for good. */
  rejected: number;
  /** Tiles still waiting (in KV, when bound). */
  pending: number;
  /** Tiles dropped because the outbox was full. */
  dropped: number;
  /** Subrequests used: checks, then deliveries. */
  subrequests: { checks: number; delivery: number };
  /** Whether the outbox is durable (a KV binding was found). */
  durable: boolean;
  /** One line per failure (a failed check, an undeliverable batch, storage). */
  errors: string[];
}

/** Limits and injectables of a cycle (resolved `createWorker` options). */
export interface CycleOptions {
  kinds: readonly ScoutKind[];
  fetch: typeof fetch;
  /** Subrequests for the checks. */
  checkBudget: number;
  /** Subrequests for delivery (one per batch, retries included). */
  deliveryBudget: number;
  maxConnections: number;
  deadlineMs: number;
  outbox: KvOutboxOptions;
  logger: Logger;
  /** Per-isolate fallbacks when no KV namespace is bound. */
  memory: { outbox: MemoryOutbox; state: StateStore };
  /** Epoch milliseconds now. Default `Date.now`. */
  now?: () => number;
}

const ANNOUNCED = "plato-scout-worker:announced:";

/**
 * Run one cycle of the scouts in `config`.
 *
 * @param config The configuration, narrowed to the scouts to run.
 * @param target PLATO URL and key.
 * @param kv The KV namespace, if bound.
 * @param options Limits and injectables.
 * @returns The report; never rejects.
 */
export async function runWorkerCycle(
  config: ResolvedConfig,
  target: { platoUrl: string; apiKey?: string },
  kv: KVNamespace | undefined,
  options: CycleOptions,
): Promise<CycleReport> {
  const log = options.logger;
  const errors: string[] = [];
  let outbox: Outbox = options.memory.outbox;
  let state: StateStore = options.memory.state;
  let kvState: KvState | undefined;
  if (kv) {
    try {
      [outbox, kvState] = await Promise.all([
        KvOutbox.load(kv, {
          ...options.outbox,
          // scout.yaml's emission bounds apply when tighter than the Worker's.
          maxEntries: Math.min(
            config.emission.outboxMaxEntries,
            options.outbox.maxEntries ?? KV_OUTBOX_DEFAULTS.maxEntries,
          ),
          maxBytes: Math.min(
            config.emission.outboxMaxBytes,
            options.outbox.maxBytes ?? KV_OUTBOX_DEFAULTS.maxBytes,
          ),
        }),
        KvState.load(kv),
      ]);
      state = kvState;
      // Tiles an earlier cycle of this isolate could only keep in memory (KV
      // was failing then) go back into the durable outbox.
      const kept = options.memory.outbox.size();
      if (kept > 0) {
        const entries = options.memory.outbox.peek(kept);
        const stored = new Set((await outbox.peek(outbox.size())).map((e) => e.tile.id));
        for (const entry of entries) if (!stored.has(entry.tile.id)) outbox.append(entry.tile);
        options.memory.outbox.ack(entries.map((e) => e.tile.id));
      }
    } catch (error) {
      errors.push(`KV unavailable, tiles kept in memory only: ${(error as Error).message}`);
      log.error(errors.at(-1)!);
    }
  }
  const checks = createWorkerFetch(options.fetch, {
    budget: options.checkBudget,
    maxConnections: options.maxConnections,
  });
  const delivery = createWorkerFetch(options.fetch, {
    budget: options.deliveryBudget,
    maxConnections: options.maxConnections,
  });
  const metrics = new MetricsRegistry();
  // A PLATO without /submit_batch, as an earlier invocation found: its 404
  // would spend one of the few delivery subrequests every time.
  const batchMemory = await loadBatchMemory(state, target.platoUrl, (options.now ?? Date.now)());
  const emitter = new Emitter({
    client: createPlatoClient({
      url: target.platoUrl,
      apiKey: target.apiKey,
      fetch: delivery.fetch,
      batch: batchMemory.batch,
      onNoBatch: batchMemory.onNoBatch,
    }),
    outbox,
    batchSize: config.emission.batchSize,
    minIntervalMs: 0,
    gate: config.emission.gate,
    autoFlush: false,
    // Credential-named ${VAR} values and the API key never go out in a tile.
    secrets: [...(config.secrets ?? []), ...(target.apiKey ? [target.apiKey] : [])],
    name: "plato-scout",
    logger: log,
    metrics,
    sleep: (ms) =>
      delivery.exhausted
        ? Promise.reject(new SubrequestBudgetError(options.deliveryBudget))
        : new Promise((resolve) => setTimeout(resolve, ms)),
  });
  // A Retry-After an earlier invocation was given, not yet over.
  if (batchMemory.retryAfterUntil) emitter.holdUntil(batchMemory.retryAfterUntil);
  const ran: string[] = [];
  try {
    const scouts = buildScouts(config, {
      kinds: options.kinds,
      emitter,
      host: { state },
      platoUrl: target.platoUrl,
      apiKey: target.apiKey,
      fetch: checks.fetch,
      logger: log,
      metrics,
    });
    // The startup tile documents a scout's settings: send it once per configuration.
    const announced = await announceOncePerConfig(
      scouts.map(({ scout }, i) => ({
        scout,
        print: JSON.stringify([target.platoUrl, config.scouts[i]]),
      })),
      state,
      ANNOUNCED,
    );
    let next = 0;
    const lanes = Math.min(scouts.length, options.maxConnections);
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (next < scouts.length) {
        const { scout } = scouts[next++];
        const result = await scout.tick();
        ran.push(scout.scoutName);
        if (!result.ok) errors.push(`${scout.scoutName}: ${result.error}`);
      }
    }));
    // Recorded once the startup tiles are queued.
    await announced();
  } catch (error) {
    errors.push(`Cannot run scouts: ${(error as Error).message}`);
    log.error(errors.at(-1)!);
  }
  try {
    const report = await emitter.drain({ deadlineMs: options.deadlineMs });
    if (report.pending > 0 && report.lastError) errors.push(`Delivery: ${report.lastError}`);
  } catch (error) {
    if (!(error instanceof SubrequestBudgetError)) throw error;
    errors.push(`Delivery: ${error.message}; ${outbox.size()} tile(s) wait for the next run`);
    log.warn(errors.at(-1)!);
  }
  try {
    await batchMemory.save(emitter.retryAfterUntil);
    await Promise.all([outbox.close?.(), kvState?.sync()]);
  } catch (error) {
    // Keep what waits in this isolate's memory: the next cycle here puts it back in KV.
    const waiting = outbox === options.memory.outbox ? 0 : outbox.size();
    if (waiting > 0) {
      for (const entry of await outbox.peek(waiting)) options.memory.outbox.append(entry.tile);
    }
    errors.push(
      `Cannot persist to KV: ${(error as Error).message}` +
        (waiting > 0 ? `; ${waiting} tile(s) kept in memory for the next cycle` : ""),
    );
    log.error(errors.at(-1)!);
  }
  const stats = emitter.stats;
  return {
    ok: errors.length === 0 && stats.pending === 0,
    ran,
    emitted: stats.emitted,
    delivered: stats.delivered,
    rejected: stats.rejected,
    pending: outbox.size(),
    dropped: outbox.dropped,
    subrequests: { checks: checks.used, delivery: delivery.used },
    durable: kvState !== undefined,
    errors,
  };
}
