/**
 * The Keeper scout: `plato-scout keeper --room gc/research/scout-reports/keeper`.
 * Watches the fleet Keeper's `GET /agents` and `GET /stats` and emits a
 * registration tile per agent seen for the first time, an interesting tile
 * per status change, and a periodic snapshot, as the original's Keeper
 * example does. Agents seen are remembered across restarts, until they have
 * been missing from `GET /agents` for an hour (`forget_after`); so is an
 * outage's run of failed cycles, so that a cron job's `--once` runs (or a
 * Worker's cycles) count them and report the recovery as a long run does.
 *
 * @module
 */

import * as z from "../lib/_zod_mini.ts";
import { getEnv } from "../lib/env.ts";
import { fingerprint } from "../lib/fingerprint.ts";
import { quoteObserved } from "../lib/gate.ts";
import { redactUrl } from "../lib/redact.ts";
import { abortableSleep } from "../lib/run_loop.ts";
import { type Checkpoint, Scout, type ScoutOptions } from "../lib/scout.ts";
import type { ScoutKind } from "../lib/scout_kind.ts";
import {
  AgentListSchema,
  type KeeperAgent,
  keeperGet,
  type KeeperStats,
  KeeperStatsSchema,
} from "./_keeper_api.ts";
import { AgentRoster, DEFAULT_FORGET_AFTER_MS } from "./_keeper_roster.ts";
import {
  recoveryCheckpoint,
  registrationCheckpoints,
  snapshotCheckpoint,
  statusChangeCheckpoints,
} from "./_keeper_tiles.ts";

/** The Keeper's default address (PLATO-CONTRACT.md). */
export const DEFAULT_KEEPER_URL = "http://localhost:8900";

/** Options of {@linkcode KeeperScout}: the scout's own, plus where the Keeper is. */
export interface KeeperScoutOptions extends ScoutOptions {
  /** The Keeper's base URL. Default {@linkcode DEFAULT_KEEPER_URL}. */
  keeperUrl?: string;
  /** Bearer token for the Keeper; never appears in tiles or logs. */
  keeperApiKey?: string;
  /** Give up on a Keeper request after this many ms. Default 10,000. */
  timeoutMs?: number;
  /** Most agents remembered across restarts. Default 10,000. */
  maxAgents?: number;
  /**
   * Forget an agent once it has been missing from `GET /agents` this long, by
   * the scout's clock; if it comes back it is registered again. Default an hour.
   */
  forgetAfterMs?: number;
  /** Most registration (and, separately, status-change) tiles per cycle; the rest are summarised. Default 25. */
  maxAgentTiles?: number;
}

/** What one cycle observed. */
export interface KeeperObservation {
  /** The valid agent records of `GET /agents`. */
  agents: KeeperAgent[];
  /** Records of `GET /agents` that were not agent records. */
  invalid: number;
  /** `GET /stats`, or `null` when it failed (see `statsError`). */
  stats: KeeperStats | null;
  /** Why `GET /stats` failed. */
  statsError?: string;
}

/**
 * The Keeper scout. `collect()` reads the Keeper (a failure becomes the
 * cycle's ERROR tile); `onPeriodic` compares with the remembered roster,
 * emits registration, status-change and snapshot tiles, then saves the roster,
 * so a restart re-registers nobody (a crash between the two repeats one cycle).
 */
export class KeeperScout extends Scout<KeeperObservation> {
  /** The Keeper's base URL. */
  readonly keeperUrl: string;
  readonly #apiKey?: string;
  readonly #timeoutMs: number;
  readonly #maxAgentTiles: number;
  readonly #maxAgents: number;
  readonly #forgetAfterMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #roster: AgentRoster;
  readonly #outageKey: string;
  /** The failed cycles since the Keeper last answered; kept in the state across runs. */
  #outage: Outage | null = null;
  #outageLoaded = false;

  /**
   * Build a Keeper scout; nothing is fetched before the first tick.
   *
   * @param options Scout options and the Keeper's address.
   */
  constructor(options: KeeperScoutOptions) {
    const keeperUrl = options.keeperUrl ?? DEFAULT_KEEPER_URL;
    super({
      ...options,
      watchedService: options.watchedService ?? "keeper",
      purpose: options.purpose ??
        `Observes agent registrations, status changes and routing stats of the Keeper at ${
          quoteObserved(redactUrl(keeperUrl))
        }`,
    });
    this.keeperUrl = keeperUrl;
    this.#apiKey = options.keeperApiKey;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAgents = options.maxAgents ?? 10_000;
    this.#forgetAfterMs = options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS;
    this.#maxAgentTiles = options.maxAgentTiles ?? 25;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? abortableSleep;
    this.#roster = new AgentRoster(
      this.state,
      `keeper:${this.scoutName}:agents`,
      this.#maxAgents,
      this.#forgetAfterMs,
    );
    this.#outageKey = `keeper:${this.scoutName}:outage`;
  }

  /** The startup tile's extra fields: what is watched and how to read the tiles. */
  protected override describe(): Record<string, unknown> {
    return {
      keeper_url: quoteObserved(redactUrl(this.keeperUrl)),
      endpoints: ["/agents", "/stats"],
      auth: this.#apiKey ? "bearer" : "none",
      timeout_ms: this.#timeoutMs,
      max_agents_remembered: this.#maxAgents,
      forget_absent_agents_after_s: this.#forgetAfterMs / 1000,
      max_agent_tiles_per_cycle: this.#maxAgentTiles,
      tiles: {
        "[AGENT_REGISTER] <name>": "an agent seen for the first time; the answer is its record",
        "[AGENT_STATUS] <name>: <from> \u2192 <to>": "an agent's status changed (interesting)",
        "[PERIODIC]": "agent count, counts per status, new since last, routing stats",
        "[RECOVERED]": "the Keeper answers again after failed cycles",
        "[ERROR]": "the Keeper is down, slow or answered garbage",
      },
    };
  }

  /**
   * Read `GET /agents` (required) and `GET /stats` (optional).
   *
   * @param signal Aborted when the scout stops.
   * @returns The observation.
   * @throws {KeeperError} When `GET /agents` fails; the cycle's ERROR tile says why.
   */
  protected override async collect(signal?: AbortSignal): Promise<KeeperObservation> {
    await this.#roster.load();
    await this.#loadOutage();
    const req = {
      baseUrl: this.keeperUrl,
      apiKey: this.#apiKey,
      timeoutMs: this.#timeoutMs,
      sleep: this.#sleep,
      fetch: this.#fetch,
      signal,
    };
    const [agents, stats] = await Promise.allSettled([
      keeperGet("/agents", AgentListSchema, req),
      keeperGet("/stats", KeeperStatsSchema, req),
    ]);
    if (agents.status === "rejected") {
      const message = agents.reason instanceof Error ? agents.reason.message : "unknown failure";
      const outage: Outage = this.#outage ?? { failures: 0, since: this.now(), lastError: "" };
      outage.failures++;
      outage.lastError = message;
      this.#outage = outage;
      await this.#saveOutage();
      const cycles = outage.failures === 1 ? "" : ` (${outage.failures} failed cycles)`;
      throw new Error(`Keeper unavailable: ${message}${cycles}`, { cause: agents.reason });
    }
    return {
      agents: agents.value.agents,
      invalid: agents.value.invalid,
      stats: stats.status === "fulfilled" ? stats.value : null,
      statsError: stats.status === "rejected" ? String(stats.reason?.message) : undefined,
    };
  }

  /**
   * Emit recovery, registration, status-change and snapshot tiles; then save the roster.
   *
   * @param obs What this cycle observed.
   */
  override async onPeriodic(obs: KeeperObservation): Promise<void> {
    const observedAt = new Date(this.now()).toISOString();
    const checkpoints: Checkpoint[] = [];
    const outage = this.#outage;
    if (outage !== null) {
      checkpoints.push(
        recoveryCheckpoint(outage.since, this.now(), outage.failures, outage.lastError),
      );
      this.#outage = null;
    }
    const diff = this.#roster.observe(obs.agents, this.now());
    checkpoints.push(
      ...registrationCheckpoints(diff.joined, this.#maxAgentTiles, observedAt),
      ...statusChangeCheckpoints(diff.changed, this.#maxAgentTiles, observedAt),
      snapshotCheckpoint({
        ...obs,
        diff,
        remembered: this.#roster.size,
        keeperUrl: redactUrl(this.keeperUrl),
        observedAt,
      }),
    );
    for (const checkpoint of checkpoints) this.emitCheckpoint(checkpoint);
    await this.#roster.save();
    if (outage !== null) await this.#saveOutage();
  }

  /**
   * Restore the failed cycles an earlier run (a cron job's `--once`, a
   * Worker's previous cycle) left, once. Absent (none, or a build that kept
   * them in memory only), unreadable, or about another Keeper: no outage.
   */
  async #loadOutage(): Promise<void> {
    if (this.#outageLoaded) return;
    this.#outageLoaded = true;
    try {
      this.#outage = parseOutage(await this.state.get(this.#outageKey), this.keeperUrl);
    } catch (error) {
      this.log.warn(`Cannot read the Keeper outage state: ${errorText(error)}`);
    }
  }

  /**
   * Keep the outage (or its end) for the next run. Best effort: the cycle's
   * tiles do not depend on it, and in a long run the memory stays current.
   */
  async #saveOutage(): Promise<void> {
    const o = this.#outage;
    try {
      if (o === null) await this.state.delete(this.#outageKey);
      else {
        await this.state.set(
          this.#outageKey,
          JSON.stringify({
            v: 1,
            keeper: fingerprint(this.keeperUrl),
            failures: o.failures,
            since: o.since,
            error: o.lastError.slice(0, MAX_KEPT_ERROR),
          }),
        );
      }
    } catch (error) {
      this.log.warn(`Cannot save the Keeper outage state: ${errorText(error)}`);
    }
  }
}

/** Failed cycles in a row: how many, since when (the first one's time, scout clock) and the last error. */
interface Outage {
  failures: number;
  since: number;
  lastError: string;
}

/** The longest error message kept across runs; Keeper messages are one line of a few hundred. */
const MAX_KEPT_ERROR = 1000;

/**
 * Read a saved outage: `{v: 1, keeper, failures, since, error}`, `keeper`
 * being the URL's fingerprint (a URL may hold a credential).
 */
function parseOutage(raw: string | undefined, keeperUrl: string): Outage | null {
  if (raw === undefined) return null;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (
    v === null || typeof v !== "object" || v.v !== 1 || v.keeper !== fingerprint(keeperUrl) ||
    !Number.isSafeInteger(v.failures) || (v.failures as number) < 1 ||
    typeof v.since !== "number" || !Number.isFinite(v.since)
  ) return null;
  return {
    failures: v.failures as number,
    since: v.since,
    lastError: typeof v.error === "string" ? v.error : "",
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Create a Keeper scout.
 *
 * @param options Scout options and the Keeper's address.
 * @returns The scout.
 *
 * @example Watch the local Keeper
 * ```ts ignore
 * import { createKeeperScout } from "@plato/scout/scouts/keeper";
 * const scout = createKeeperScout({
 *   scoutName: "keeper-scout",
 *   scoutRoom: "gc/research/scout-reports/keeper",
 *   keeperUrl: "http://localhost:8900",
 * });
 * await scout.run({ pollInterval: 30 });
 * ```
 */
export function createKeeperScout(options: KeeperScoutOptions): KeeperScout {
  return new KeeperScout(options);
}

/** A validated Keeper `watch:` section, as scout.yaml writes it (defaults applied). */
export interface KeeperWatch {
  /** Always `"keeper"`. */
  type: "keeper";
  /** The Keeper's base URL. Default {@linkcode DEFAULT_KEEPER_URL}. */
  url: string;
  /** Bearer token; else `KEEPER_API_KEY` from the environment. */
  api_key?: string;
  /** Seconds to wait for the Keeper. Default 10. */
  timeout: number;
  /** Most agents remembered across restarts. Default 10,000. */
  max_agents: number;
  /** Seconds an agent missing from `GET /agents` is remembered. Default 3,600 (an hour). */
  forget_after: number;
  /** Most registration (and status-change) tiles per cycle. Default 25. */
  max_agent_tiles: number;
}

/** The zod schema of the `watch:` section of a Keeper scout in scout.yaml. */
export const KeeperWatchSchema: z.ZodMiniType<KeeperWatch> = z.strictObject({
  type: z.literal("keeper"),
  url: z._default(
    z.string().check(z.httpUrl),
    DEFAULT_KEEPER_URL,
  ),
  api_key: z.optional(z.string().check(z.minLength(1))),
  timeout: z._default(z.number().check(z.positive(), z.maximum(600)), 10),
  max_agents: z._default(
    z.number().check(z.whole, z.minimum(1), z.maximum(1_000_000)),
    10_000,
  ),
  max_agent_tiles: z._default(z.number().check(z.whole, z.minimum(1), z.maximum(200)), 25),
  forget_after: z._default(
    z.number().check(z.positive(), z.maximum(366 * 86_400)),
    DEFAULT_FORGET_AFTER_MS / 1000,
  ),
});

/**
 * The Keeper scout kind: `watch.type: keeper` in scout.yaml, the `keeper` CLI
 * subcommand. The bearer token is `watch.api_key`, else `KEEPER_API_KEY`.
 *
 * @example Build a Keeper scout from a watch section
 * ```ts ignore
 * import { keeperScout } from "@plato/scout/scouts/keeper";
 * import { MemoryState } from "@plato/scout";
 * const watch = keeperScout.watch.parse({ type: "keeper", url: "http://localhost:8900" });
 * const scout = keeperScout.create(
 *   { scoutName: "keeper-scout", scoutRoom: "gc/research/scout-reports/keeper" },
 *   watch,
 *   { state: new MemoryState() },
 * );
 * await scout.tick();
 * ```
 */
export const keeperScout: ScoutKind<KeeperWatch> = {
  type: "keeper",
  summary: "Watch the fleet Keeper: agent registrations, status changes, routing stats",
  watch: KeeperWatchSchema,
  create(options, watch, host) {
    return new KeeperScout({
      ...options,
      state: options.state ?? host.state,
      keeperUrl: watch.url,
      keeperApiKey: watch.api_key ?? getEnv("KEEPER_API_KEY"),
      timeoutMs: Math.round(watch.timeout * 1000),
      maxAgents: watch.max_agents,
      forgetAfterMs: Math.round(watch.forget_after * 1000),
      maxAgentTiles: watch.max_agent_tiles,
    });
  },
};
