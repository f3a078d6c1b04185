/**
 * Scouts under Bun (`@plato/scout/bun`): the core's drift-free timers
 * (`runEvery`), `Bun.serve` for `/metrics` and `/health`, and Bun's file APIs
 * for the log scout. Tiles wait in memory while PLATO is down (bounded by
 * `emission.outbox_max_entries`); for a durable outbox across restarts, run
 * under Deno (SQLite) or pass an `outbox` of your own.
 *
 * @example Run scouts from a JSON config under Bun
 * ```ts ignore
 * import { validateConfig } from "@plato/scout/config";
 * import { BUILTIN_SCOUTS } from "@plato/scout/scouts";
 * import { runConfigBun } from "@plato/scout/bun";
 * const r = validateConfig(await Bun.file("scout.json").json(), { kinds: BUILTIN_SCOUTS, env: (n) => Bun.env[n] });
 * if (!r.ok) throw new Error(r.problems.map((p) => p.message).join("; "));
 * // Ctrl-C or SIGTERM: SESSION_END tiles, then delivery (the outbox is in memory).
 * const stop = new AbortController();
 * for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => stop.abort());
 * process.exitCode = await runConfigBun(r.config, { kinds: BUILTIN_SCOUTS, metricsPort: 9464, signal: stop.signal });
 * ```
 *
 * @module
 */

import { buildScouts } from "../build_scouts.ts";
import { createPlatoClient } from "../client.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { Emitter, healthReport } from "../emitter.ts";
import { DEFAULT_PLATO_URL } from "../env.ts";
import { createLogger, type Logger } from "../logger.ts";
import { MetricsRegistry } from "../metrics.ts";
import { MemoryOutbox, type Outbox } from "../outbox.ts";
import { redactUrl } from "../redact.ts";
import { runEvery } from "../run_loop.ts";
import type { ScoutKind } from "../scout_kind.ts";
import { MemoryState, type StateStore } from "../state.ts";
import { bunGlobal } from "./_bun_global.ts";
import { bunFileSource } from "./bun_file_source.ts";
import { renderMetrics } from "../metrics_text.ts";

export { bunFileSource } from "./bun_file_source.ts";

/** Options of {@linkcode runConfigBun}. */
export interface BunRunOptions {
  /** The scout kinds `watch.type` may name. */
  kinds: readonly ScoutKind[];
  /** One cycle per scout, deliver, resolve (1 if tiles are left undelivered). */
  once?: boolean;
  /** Overrides the config's and `PLATO_URL`. */
  platoUrl?: string;
  /** Default `PLATO_API_KEY`. */
  apiKey?: string;
  /** Serve `/metrics` and `/health` on this port (0: any free port). */
  metricsPort?: number;
  /** Address to listen on. Default `0.0.0.0`. */
  metricsHostname?: string;
  /** Stops a long run. */
  signal?: AbortSignal;
  /** How long to keep delivering when stopping, ms. Default 10,000. */
  deadlineMs?: number;
  /** Where tiles wait. Default in memory. */
  outbox?: Outbox;
  /** Scout state. Default in memory. */
  state?: StateStore;
  /** Default: one line per record to `console.error`. */
  logger?: Logger;
  /** Called once the scouts are built and the metrics server listens; awaited. */
  onReady?: (info: { metricsPort?: number }) => void | Promise<void>;
}

/** A running `/metrics` server under Bun. */
export interface BunMetricsServer {
  /** The port it listens on. */
  port: number;
  /** Stop listening. */
  stop(): Promise<void>;
}

/**
 * Serve `/metrics` (Prometheus text) and `/health` with `Bun.serve`.
 *
 * @param registry The metrics to render.
 * @param options Port (0 for any), hostname, health details.
 * @returns The server.
 */
export function serveMetricsBun(
  registry: MetricsRegistry,
  options: { port: number; hostname?: string; health?: () => Record<string, unknown> },
): BunMetricsServer {
  const server = bunGlobal().serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Response.json({ error: "Method not allowed" }, {
          status: 405,
          headers: { allow: "GET, HEAD" },
        });
      }
      if (path === "/metrics") {
        return new Response(renderMetrics(registry), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      if (path === "/health") return Response.json({ status: "healthy", ...options.health?.() });
      return Response.json({ error: "Not found" }, { status: 404 });
    },
  });
  return { port: server.port, stop: async () => await server.stop(true) };
}

/**
 * Run the scouts a validated config describes under Bun, until `signal`
 * aborts (or one cycle each with `once`), all through one emitter.
 *
 * @param config A validated config.
 * @param options How to run.
 * @returns The exit code: 0, or 1 when `once` left tiles undelivered.
 */
export async function runConfigBun(
  config: ResolvedConfig,
  options: BunRunOptions,
): Promise<number> {
  const env = bunGlobal().env;
  const platoUrl = options.platoUrl ?? config.platoUrl ?? env.PLATO_URL ?? DEFAULT_PLATO_URL;
  const apiKey = options.apiKey ?? env.PLATO_API_KEY;
  // Credential-named ${VAR} values and the API key: never in a log line or a tile.
  const secrets = [...(config.secrets ?? []), ...(apiKey ? [apiKey] : [])];
  const log = options.logger ?? createLogger({ name: "plato-scout", secrets });
  const metrics = new MetricsRegistry();
  const outbox = options.outbox ??
    new MemoryOutbox({
      capacity: config.emission.outboxMaxEntries,
      maxBytes: config.emission.outboxMaxBytes,
    });
  const emitter = new Emitter({
    client: createPlatoClient({ url: platoUrl, apiKey }),
    outbox,
    batchSize: config.emission.batchSize,
    concurrency: config.emission.concurrency,
    minIntervalMs: config.emission.minIntervalSeconds * 1000,
    gate: config.emission.gate,
    secrets,
    name: "plato-scout",
    logger: log,
    metrics,
  });
  const scouts = buildScouts(config, {
    kinds: options.kinds,
    emitter,
    host: { state: options.state ?? new MemoryState(), files: bunFileSource() },
    platoUrl,
    apiKey,
    logger: log,
    metrics,
  });
  const server = options.metricsPort === undefined ? undefined : serveMetricsBun(metrics, {
    port: options.metricsPort,
    hostname: options.metricsHostname,
    health: () => healthReport(emitter.stats, scouts.map((s) => s.scout.scoutName)),
  });
  log.info(`${scouts.length} scout(s) \u2192 ${redactUrl(platoUrl)} under Bun`);
  const deadlineMs = options.deadlineMs ?? 10_000;
  try {
    await options.onReady?.({ metricsPort: server?.port });
    if (options.once) {
      for (const { scout } of scouts) await scout.tick();
      const report = await emitter.close({ deadlineMs });
      if (report.pending > 0) {
        log.error(`${report.pending} tile(s) could not be delivered: ${report.lastError ?? ""}`);
        return 1;
      }
      return 0;
    }
    const signal = options.signal ?? new AbortController().signal;
    // Bun has no cron: say so, rather than poll every poll_interval unannounced.
    for (const { scout, pollInterval, cron } of scouts) {
      if (cron) {
        log.warn(
          `scout '${scout.scoutName}': Bun has no cron, so '${cron}' is not followed; polling every ${pollInterval}s`,
        );
      }
    }
    await Promise.all(scouts.map(({ scout, pollInterval }) =>
      runEvery(() => scout.tick(signal), {
        intervalMs: pollInterval * 1000,
        signal,
        onSkip: (n) => scout.noteSkipped(n),
      })
    ));
    for (const { scout } of scouts) scout.emitSessionEnd("stopped");
    const report = await emitter.close({ deadlineMs });
    if (report.pending > 0) log.warn(`${report.pending} tile(s) undelivered at exit`);
    return 0;
  } finally {
    await server?.stop();
  }
}
