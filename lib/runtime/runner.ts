import { buildScouts } from "../build_scouts.ts";
import { createPlatoClient } from "../client.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { Emitter } from "../emitter.ts";
import { DEFAULT_PLATO_URL, getEnv } from "../env.ts";
import { createLogger, type Logger } from "../logger.ts";
import { MetricsRegistry } from "../metrics.ts";
import { MemoryOutbox, type Outbox } from "../outbox.ts";
import { createPrintingClient } from "../printing_client.ts";
import { redactUrl } from "../redact.ts";
import type { ScoutKind } from "../scout_kind.ts";
import { MemoryState, type StateStore } from "../state.ts";
import { denoDirReader } from "./deno_dir_reader.ts";
import { denoFileSource } from "./deno_file_source.ts";
import { scheduleScout } from "./deno_schedule.ts";
import { serveMetrics } from "./metrics_server.ts";
import { SqliteOutbox } from "./sqlite_outbox.ts";
import { SqliteState } from "./sqlite_state.ts";

/** Options of {@linkcode runConfig}. */
export interface RunOptions {
  /** The scout kinds `watch.type` may name. */
  kinds: readonly ScoutKind[];
  /** One cycle per scout, deliver, exit (1 if tiles are left undelivered). */
  once?: boolean;
  /** Print tiles as JSON lines instead of sending them. */
  stdout?: boolean;
  /** Where the durable outbox and state live. Default `.plato-scout`. */
  stateDir?: string;
  /** Overrides the config's and `PLATO_URL`. */
  platoUrl?: string;
  /** Bearer token for PLATO. Default `PLATO_API_KEY`. */
  apiKey?: string;
  /** How long to keep delivering on stop, ms. Default 10,000. */
  deadlineMs?: number;
  /** Serve /metrics and /health on this port (`SCOUT_METRICS_PORT`). */
  metricsPort?: number;
  /** Stops a long run (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Extra strings that must never be logged. */
  secrets?: string[];
  /** Where to log. Default: stderr, honouring `SCOUT_LOG_LEVEL`. */
  logger?: Logger;
  /** Where `--stdout` tiles go. Default `console.log`. */
  print?: (line: string) => void;
  /** Called once everything is running (tests use it). */
  onReady?: (info: { metricsPort?: number; modes: string[] }) => void;
}

/**
 * Run the scouts a config describes, under Deno, until `signal` aborts (or one
 * cycle each with `once`). Tiles go through one emitter whose outbox is SQLite
 * in the state directory, so nothing acknowledged-to-the-scout is lost across
 * PLATO outages, restarts or `kill -9`.
 *
 * @param config A validated config.
 * @param options How to run.
 * @returns The exit code: 0, or 1 when `once` left tiles undelivered.
 */
export async function runConfig(config: ResolvedConfig, options: RunOptions): Promise<number> {
  const platoUrl = options.platoUrl ?? config.platoUrl ?? getEnv("PLATO_URL") ??
    DEFAULT_PLATO_URL;
  const apiKey = options.apiKey ?? getEnv("PLATO_API_KEY");
  const secrets = [...(options.secrets ?? []), ...(apiKey ? [apiKey] : [])];
  const log = options.logger ?? createLogger({ name: "plato-scout", secrets });
  const metrics = new MetricsRegistry();
  const stateDir = options.stateDir ?? config.stateDir ?? ".plato-scout";
  let outbox: Outbox;
  let state: StateStore & { close?: () => void };
  if (options.stdout) {
    outbox = new MemoryOutbox({ capacity: config.emission.outboxMaxEntries });
    state = new MemoryState();
  } else {
    await Deno.mkdir(stateDir, { recursive: true });
    outbox = SqliteOutbox.open(`${stateDir}/outbox.db`, {
      maxEntries: config.emission.outboxMaxEntries,
      maxBytes: config.emission.outboxMaxBytes,
      onError: (e) => log.error(`Outbox storage failed (tiles kept in memory): ${e.message}`),
    });
    state = SqliteState.open(`${stateDir}/state.db`);
  }
  const client = options.stdout
    ? createPrintingClient(options.print ?? ((line) => console.log(line)))
    : createPlatoClient({ url: platoUrl, apiKey });
  const emitter = new Emitter({
    client,
    outbox,
    batchSize: config.emission.batchSize,
    concurrency: config.emission.concurrency,
    minIntervalMs: config.emission.minIntervalSeconds * 1000,
    gate: config.emission.gate,
    name: "plato-scout",
    logger: log,
    metrics,
  });
  const waiting = outbox.size();
  if (waiting > 0) {
    log.info(`${waiting} tile(s) from an earlier run wait in the outbox; delivering them first`);
  }
  const scouts = buildScouts(config, {
    kinds: options.kinds,
    emitter,
    host: { state, files: denoFileSource(), dirs: denoDirReader() },
    platoUrl,
    apiKey,
    logger: log,
    metrics,
  });
  const metricsServer = options.metricsPort !== undefined
    ? serveMetrics(metrics, {
      port: options.metricsPort,
      health: () => ({ scouts: scouts.map((s) => s.scout.scoutName), outbox_depth: outbox.size() }),
    })
    : undefined;
  const target = options.stdout ? "stdout" : redactUrl(platoUrl);
  log.info(
    `${scouts.length} scout(s) → ${target}` + (options.stdout ? "" : ` (state: ${stateDir})`) +
      (metricsServer ? `, metrics on :${metricsServer.port}/metrics` : ""),
  );
  const deadlineMs = options.deadlineMs ?? 10_000;
  try {
    if (options.once) {
      for (const { scout } of scouts) await scout.tick();
      const report = await emitter.close({ deadlineMs });
      if (report.pending > 0) {
        log.error(
          `${report.pending} tile(s) could not be delivered (kept in ${stateDir}): ${
            report.lastError ?? ""
          }`,
        );
        return 1;
      }
      log.info(`Delivered ${emitter.stats.delivered} tile(s), ${emitter.stats.rejected} refused`);
      return 0;
    }
    const signal = options.signal ?? new AbortController().signal;
    const running = scouts.map(({ scout, pollInterval, cron }) =>
      scheduleScout(scout, { intervalSeconds: pollInterval, signal, cron })
    );
    options.onReady?.({ metricsPort: metricsServer?.port, modes: running.map((r) => r.mode) });
    await Promise.all(running.map((r) => r.done));
    for (const { scout } of scouts) scout.emitSessionEnd("stopped");
    const report = await emitter.close({ deadlineMs });
    if (report.pending > 0) {
      log.warn(
        `${report.pending} tile(s) still waiting in ${stateDir}; they will be delivered on the next run`,
      );
    } else {
      log.info(`Stopped; delivered ${emitter.stats.delivered} tile(s) in all`);
    }
    return 0;
  } finally {
    // The emitter's close() closed the outbox.
    await metricsServer?.stop();
    state.close?.();
  }
}
