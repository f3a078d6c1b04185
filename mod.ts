/**
 * **@plato/scout** - scouts that watch a service and emit structured
 * checkpoint tiles to a PLATO room server.
 *
 * The library API: tiles, the {@linkcode Scout} base class, a fetch-only
 * PLATO client, an emitter that batches and retries, outboxes, metrics and
 * logging. Everything here is web-standard and runs unchanged on Deno, Bun,
 * Node >= 20 and Cloudflare Workers. Run as the main module
 * (`deno run -A jsr:@plato/scout ...`) it starts the command line.
 *
 * @example Emit a checkpoint (to PLATO_URL, default http://localhost:8848)
 * ```ts ignore
 * import { CheckpointType, Scout } from "@plato/scout";
 * const scout = new Scout({ scoutName: "demo", scoutRoom: "demo/scout-reports" });
 * scout.emitCheckpoint({
 *   checkpointType: CheckpointType.PERIODIC,
 *   question: "Queue depth of the demo service",
 *   answer: { queue_depth: 3, observed_at: new Date().toISOString() },
 * });
 * await scout.close(); // delivers what waits, within 10 s
 * ```
 *
 * @module
 */
import { getEnv, setEnvReader } from "./lib/env.ts";

export { CHECKPOINT_TYPES, CheckpointType } from "./lib/checkpoint_type.ts";
export {
  buildTags,
  buildTile,
  type BuildTileInput,
  prefixQuestion,
  serializeAnswer,
  type Tile,
} from "./lib/tile.ts";
export {
  ABSOLUTE_WORDS,
  checkGate,
  contentHash,
  GATE_LIMITS,
  type GateInput,
  quoteObserved,
} from "./lib/gate.ts";
export {
  createPlatoClient,
  encodeRoom,
  parseRetryAfter,
  type PlatoClient,
  type PlatoClientOptions,
  type PlatoReadError,
  type PlatoResult,
  type ReadRoomOptions,
  type RoomPage,
  type SubmitOutcome,
} from "./lib/client.ts";
export {
  Emitter,
  type EmitterOptions,
  type EmitterStats,
  type FlushReport,
  type GatePolicy,
} from "./lib/emitter.ts";
export { deadlineTimers, globalTimers, type Timers } from "./lib/timers.ts";
export {
  type Awaitable,
  MemoryOutbox,
  type MemoryOutboxOptions,
  type Outbox,
  type OutboxEntry,
} from "./lib/outbox.ts";
export { MemoryState, type StateStore } from "./lib/state.ts";
export { type Checkpoint, Scout, type ScoutOptions, type TickResult } from "./lib/scout.ts";
export { abortableSleep, runEvery, type RunEveryOptions } from "./lib/run_loop.ts";
export { backoffDelay, type BackoffOptions } from "./lib/backoff.ts";
export {
  DEFAULT_BUCKETS,
  type Labels,
  METRIC,
  METRIC_HELP,
  type MetricSeries,
  MetricsRegistry,
} from "./lib/metrics.ts";
export { renderMetrics } from "./lib/metrics_text.ts";
export {
  createLogger,
  formatLogRecord,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogRecord,
  parseLogLevel,
} from "./lib/logger.ts";
export { redactSecrets, redactUrl } from "./lib/redact.ts";
export { createPrintingClient } from "./lib/printing_client.ts";
export * from "./lib/log/mod.ts";
export { DEFAULT_PLATO_URL, type EnvReader, getEnv, setEnvReader } from "./lib/env.ts";

/**
 * The `PLATO_URL` environment variable where the runtime exposes one, as the
 * original's `plato_scout.PLATO_URL`; `undefined` otherwise.
 *
 * @example Default a scout's PLATO URL
 * ```ts
 * import { DEFAULT_PLATO_URL, PLATO_URL } from "@plato/scout";
 * const url = PLATO_URL ?? DEFAULT_PLATO_URL;
 * ```
 */
export const PLATO_URL: string | undefined = readPlatoUrl();

/**
 * On Deno, make getEnv read through `Deno.env` before anything reads the
 * environment: there the first touch of `process` (getEnv's runtime-neutral
 * default) loads the Node compatibility layer, 15-25 ms of every start, and
 * PLATO_URL is read as this module loads. Found by feature detection, so
 * Workers, Bun and Node bundles are unaffected.
 */
function readPlatoUrl(): string | undefined {
  const env = (globalThis as { Deno?: { env?: { get?: unknown } } }).Deno?.env;
  const get = env?.get;
  if (typeof get === "function") {
    setEnvReader((name) => get.call(env, name) as string | undefined);
  }
  return getEnv("PLATO_URL");
}

// Run as the main module, start the command line. The specifier is computed
// so that bundlers (wrangler, Bun) do not pull the CLI into library bundles.
async function runCli(): Promise<void> {
  const url: string = new URL("./cli.ts", import.meta.url).href;
  const cli = (await import(url)) as { main: (argv: string[]) => Promise<number> };
  const deno = (globalThis as { Deno?: { args: string[]; exit(code: number): never } }).Deno;
  if (deno) deno.exit(await cli.main(deno.args));
}

if ((import.meta as { main?: boolean }).main) await runCli();
