/**
 * Deno-specific pieces of @plato/scout: run configured scouts with a durable
 * SQLite outbox and state, Deno's file APIs for the log and holodeck scouts,
 * Deno.cron scheduling and a Prometheus endpoint. The CLI is built on these.
 *
 * @example Run scouts from a scout.yaml under Deno
 * ```ts ignore
 * import { loadConfig } from "@plato/scout/config";
 * import { BUILTIN_SCOUTS } from "@plato/scout/scouts";
 * import { runConfig } from "@plato/scout/deno";
 * const r = loadConfig(await Deno.readTextFile("scout.yaml"), { kinds: BUILTIN_SCOUTS, env: Deno.env.get });
 * if (!r.ok) throw new Error(r.problems.map((p) => p.message).join("; "));
 * // Ctrl-C or SIGTERM: SESSION_END tiles, then delivery within the deadline.
 * const stop = new AbortController();
 * for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, () => stop.abort());
 * Deno.exitCode = await runConfig(r.config, { kinds: BUILTIN_SCOUTS, signal: stop.signal });
 * ```
 *
 * @module
 */
export { runConfig, type RunOptions, STATE_FILE } from "./lib/runtime/runner.ts";
export {
  SqliteOutbox,
  type SqliteOutboxOptions,
  type SqliteSynchronous,
} from "./lib/runtime/sqlite_outbox.ts";
export { SqliteState, type SqliteStateOptions } from "./lib/runtime/sqlite_state.ts";
export { denoFileSource } from "./lib/runtime/deno_file_source.ts";
export { denoDirReader } from "./lib/runtime/deno_dir_reader.ts";
export {
  cronFor,
  type DenoCron,
  type ScheduleMode,
  scheduleScout,
} from "./lib/runtime/deno_schedule.ts";
export { type MetricsServer, serveMetrics } from "./lib/runtime/metrics_server.ts";
