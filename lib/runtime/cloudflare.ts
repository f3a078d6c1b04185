/**
 * Scouts as a Cloudflare Worker (`@plato/scout/cloudflare`): Cron Triggers
 * run one cycle of the scouts whose `cron` fired, tiles that cannot be
 * delivered wait in an optional KV namespace for the next invocation, and a
 * `fetch` handler answers `/health` and runs a cycle on an authorised
 * `POST /run`. Web-standard only: it runs without `nodejs_compat`.
 *
 * What a cycle costs on the Workers free plan (50 subrequests, 6 connections
 * and 10 ms CPU per invocation): one subrequest per HTTP check (two per
 * Keeper check), then one per batch of up to 50 tiles delivered; KV
 * operations (one read of the outbox and one of the state; a write only when
 * something changed) do not count as subrequests. By default checks may use
 * 45 subrequests and delivery 5; at most 6 requests are in flight at once.
 *
 * @example A Worker from the environment's SCOUTS var
 * ```ts ignore
 * import { createWorker } from "@plato/scout/cloudflare";
 * import { httpScout, keeperScout } from "@plato/scout/scouts";
 * export default createWorker({ kinds: [httpScout, keeperScout] });
 * ```
 *
 * @module
 */

import { createLogger, type Logger } from "../logger.ts";
import { MemoryOutbox } from "../outbox.ts";
import type { ScoutKind } from "../scout_kind.ts";
import { MemoryState } from "../state.ts";
import { timingSafeEqual } from "./_timing_safe.ts";
import { resolveWorkerConfig, selectScouts, type WorkerSetup } from "./_worker_config.ts";
import { type CycleReport, runWorkerCycle } from "./_worker_cycle.ts";
import type {
  ExecutionContext,
  KVNamespace,
  ScheduledController,
  WorkerEnv,
} from "./cloudflare_types.ts";
import type { KvOutboxOptions } from "./kv_outbox.ts";

export type { CycleReport } from "./_worker_cycle.ts";
export type {
  ExecutionContext,
  KVListResult,
  KVNamespace,
  ScheduledController,
  WorkerEnv,
} from "./cloudflare_types.ts";
export { KvOutbox, type KvOutboxOptions } from "./kv_outbox.ts";
export { KvState, type KvStateOptions } from "./kv_state.ts";

/** Options of {@linkcode createWorker}. */
export interface WorkerOptions {
  /** The scout kinds `watch.type` may name (only fetch-based kinds work on Workers). */
  kinds: readonly ScoutKind[];
  /** scout.yaml as an object. Default: the `SCOUTS` var (JSON text or a JSON object). */
  config?: unknown;
  /** Parses a `SCOUTS` string. Default `JSON.parse`; pass `parse` from the yaml package for YAML. */
  parseConfig?: (text: string) => unknown;
  /** PLATO base URL. Default: `scout.plato_url`, else the `PLATO_URL` var. */
  platoUrl?: string;
  /** PLATO bearer token. Default: the `PLATO_API_KEY` secret. */
  apiKey?: string;
  /** Name of the optional KV namespace binding for the outbox and state. Default `SCOUT_KV`. */
  kvBinding?: string;
  /**
   * Bounds of the KV outbox. Default 2,000 entries, 1 MiB; the config's
   * `emission.outbox_max_entries` and `outbox_max_bytes` apply when lower.
   */
  outbox?: KvOutboxOptions;
  /** Subrequests the checks may use per invocation. Default 45 (free plan: 50 in all). */
  checkBudget?: number;
  /** Subrequests delivery may use per invocation (one per batch). Default 5. */
  deliveryBudget?: number;
  /** Requests in flight at once. Default 6 (the Workers limit). */
  maxConnections?: number;
  /** How long delivery keeps retrying within one invocation, ms. Default 15,000. */
  deadlineMs?: number;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Default: one line per record to `console.error`, level from `SCOUT_LOG_LEVEL`. */
  logger?: Logger;
  /** Epoch milliseconds now. Default `Date.now`. */
  now?: () => number;
}

/** The Worker: export it as the module's default. */
export interface ScoutWorker {
  /** Cron Trigger handler: one cycle of the scouts whose `cron` fired. */
  scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext): Promise<void>;
  /** `GET /health`; `POST /run` (Bearer `SCOUT_TRIGGER_TOKEN`) runs a cycle and reports it. */
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response>;
  /**
   * Run one cycle by hand (tests, other handlers).
   *
   * @param env The Worker's environment.
   * @param selection `cron`: as if that trigger fired; `scouts`: only these names.
   * @returns What the cycle did.
   */
  runCycle(env: WorkerEnv, selection?: { cron?: string; scouts?: string[] }): Promise<CycleReport>;
}

const json = (body: unknown, status = 200, allow?: string) =>
  new Response(JSON.stringify(body, null, 2), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(allow ? { allow } : {}),
    },
  });

/**
 * Build a Worker that runs scouts on Cron Triggers.
 *
 * Each scout with a `cron` runs when that trigger fires; scouts without one
 * run on every trigger. `scheduled` keeps the invocation alive with
 * `ctx.waitUntil` until delivery is done or `deadlineMs` passes; what is left
 * waits in the `SCOUT_KV` namespace (when bound) for the next invocation.
 *
 * @param options Kinds, configuration source and limits.
 * @returns The Worker's handlers.
 *
 * @example A Worker configured in code
 * ```ts ignore
 * import { createWorker } from "@plato/scout/cloudflare";
 * import { keeperScout } from "@plato/scout/scouts";
 * export default createWorker({
 *   kinds: [keeperScout],
 *   config: {
 *     scout: { name: "keeper-watch", scout_room: "fleet/scout-reports/keeper", cron: "*\/5 * * * *" },
 *     watch: { type: "keeper", url: "https://keeper.example.com" },
 *   },
 * });
 * ```
 */
export function createWorker(options: WorkerOptions): ScoutWorker {
  const setups = new WeakMap<object, WorkerSetup>();
  const memory = { outbox: new MemoryOutbox({ capacity: 2_000 }), state: new MemoryState() };
  const setupFor = (env: WorkerEnv): WorkerSetup => {
    let setup = setups.get(env);
    if (!setup) {
      setup = resolveWorkerConfig(env, options);
      setups.set(env, setup);
    }
    return setup;
  };
  const loggerFor = (env: WorkerEnv, setup: WorkerSetup): Logger =>
    options.logger ?? createLogger({
      name: "plato-scout",
      level: typeof env.SCOUT_LOG_LEVEL === "string" ? env.SCOUT_LOG_LEVEL : undefined,
      secrets: [
        ...(setup.ok && setup.apiKey ? [setup.apiKey] : []),
        ...(setup.ok ? setup.config.secrets ?? [] : []),
        ...(typeof env.SCOUT_TRIGGER_TOKEN === "string" ? [env.SCOUT_TRIGGER_TOKEN] : []),
      ],
    });

  const runCycle = async (
    env: WorkerEnv,
    selection: { cron?: string; scouts?: string[] } = {},
  ): Promise<CycleReport> => {
    const setup = setupFor(env);
    const log = loggerFor(env, setup);
    if (!setup.ok) {
      for (const problem of setup.problems) log.error(`Invalid configuration: ${problem}`);
      return {
        ok: false,
        ran: [],
        emitted: 0,
        delivered: 0,
        rejected: 0,
        pending: 0,
        dropped: 0,
        subrequests: { checks: 0, delivery: 0 },
        durable: false,
        errors: setup.problems.map((p) => `Invalid configuration: ${p}`),
      };
    }
    const kv = env[options.kvBinding ?? "SCOUT_KV"] as KVNamespace | undefined;
    const report = await runWorkerCycle(
      selectScouts(setup.config, selection.cron, selection.scouts),
      setup,
      kv && typeof kv.get === "function" ? kv : undefined,
      {
        kinds: options.kinds,
        fetch: options.fetch ?? ((input, init) => fetch(input, init)),
        checkBudget: options.checkBudget ?? 45,
        deliveryBudget: options.deliveryBudget ?? 5,
        maxConnections: options.maxConnections ?? 6,
        deadlineMs: options.deadlineMs ?? 15_000,
        outbox: options.outbox ?? {},
        logger: log,
        memory,
        now: options.now,
      },
    );
    const line = `Cycle${
      selection.cron ? ` for '${selection.cron}'` : ""
    }: ran ${report.ran.length} scout(s), delivered ${report.delivered}, ${report.pending} waiting`;
    if (report.ok) log.info(line);
    else log.warn(`${line}; ${report.errors.join("; ")}`);
    return report;
  };

  return {
    runCycle,
    scheduled(controller, env, ctx) {
      const done = runCycle(env, { cron: controller.cron }).then(() => {});
      ctx.waitUntil(done);
      return done;
    },
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      const path = url.pathname;
      const allow = path === "/health" ? "GET, HEAD" : path === "/run" ? "POST" : "";
      if (allow && !allow.split(", ").includes(request.method)) {
        return json({ error: `Method not allowed: ${request.method} ${path}` }, 405, allow);
      }
      if (path === "/health") {
        const setup = setupFor(env);
        return setup.ok
          ? json({
            status: "healthy",
            scouts: setup.config.scouts.map((s) => ({
              name: s.name,
              type: s.watch.type,
              cron: s.cron ?? "every trigger",
            })),
          })
          : json({ status: "misconfigured", problems: setup.problems }, 503);
      }
      if (path === "/run") {
        const token = typeof env.SCOUT_TRIGGER_TOKEN === "string" ? env.SCOUT_TRIGGER_TOKEN : "";
        if (!token) {
          return json(
            { error: "Manual runs are disabled: set the SCOUT_TRIGGER_TOKEN secret" },
            403,
          );
        }
        // The auth scheme is case-insensitive (RFC 9110).
        const presented = /^bearer +(.*)$/i.exec(request.headers.get("authorization") ?? "");
        if (!(await timingSafeEqual(presented?.[1] ?? "", token))) {
          return json({ error: "Unauthorized" }, 401);
        }
        const names = url.searchParams.get("scouts")?.split(",").filter(Boolean);
        const setup = setupFor(env);
        const unknown = setup.ok &&
          names?.filter((n) => !setup.config.scouts.some((s) => s.name === n));
        if (unknown && unknown.length) {
          return json({ error: `Unknown scout in 'scouts': ${unknown.join(", ")}` }, 400);
        }
        const cron = url.searchParams.get("cron") ?? undefined;
        const running = runCycle(env, { cron, scouts: names });
        ctx.waitUntil(running);
        const report = await running;
        return json(report, report.ok ? 200 : 502);
      }
      return json({ error: "Not found" }, 404);
    },
  };
}
