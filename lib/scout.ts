import { CheckpointType } from "./checkpoint_type.ts";
import {
  createPlatoClient,
  messageWithCause,
  type PlatoClient,
  type PlatoResult,
  type ReadRoomOptions,
  type RoomPage,
  type SubmitOutcome,
} from "./client.ts";
import { Emitter, type GatePolicy } from "./emitter.ts";
import { DEFAULT_PLATO_URL, getEnv } from "./env.ts";
import { quoteObserved } from "./gate.ts";
import { createLogger, type Logger } from "./logger.ts";
import { METRIC, METRIC_HELP, MetricsRegistry } from "./metrics.ts";
import type { Outbox } from "./outbox.ts";
import { redactUrl } from "./redact.ts";
import { runEvery } from "./run_loop.ts";
import { MemoryState, type StateStore } from "./state.ts";
import { buildTile, type Tile } from "./tile.ts";

/** Options of {@linkcode Scout}. */
export interface ScoutOptions {
  /** The scout's name: `source` of its tiles and a tag. */
  scoutName: string;
  /** What it watches (default: the scout name). */
  watchedService?: string;
  /** PLATO base URL. Default: `PLATO_URL` from the environment, else `http://localhost:8848`. */
  platoUrl?: string;
  /** The room its tiles go to. */
  scoutRoom: string;
  /** Bearer token for PLATO. Default: `PLATO_API_KEY` from the environment. */
  apiKey?: string;
  /** One line on what the scout is for (goes into the startup tile). */
  purpose?: string;
  /** Injected fetch. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Epoch ms now. Default `Date.now`. */
  now?: () => number;
  /** Abortable sleep used by {@linkcode Scout.run}. Default web-standard timers. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A shared emitter (several scouts, one outbox). Default: one of its own. */
  emitter?: Emitter;
  /** The outbox of its own emitter, when `emitter` is not given. */
  outbox?: Outbox;
  /** The original's `emission` settings, for its own emitter. */
  emission?: { minIntervalSeconds?: number; batchSize?: number };
  /** Gate policy of its own emitter. */
  gate?: GatePolicy;
  /** State kept across restarts. Default: in memory. */
  state?: StateStore;
  /** Where the scout logs. Default: a logger named after the scout that strips the API key. */
  logger?: Logger;
  /** Where metrics are recorded. Default: a registry of its own. */
  metrics?: MetricsRegistry;
}

/** A checkpoint, as {@linkcode Scout.emitCheckpoint} takes it. */
export interface Checkpoint {
  /** The semantic type of the checkpoint. */
  checkpointType: CheckpointType;
  /** One line; `[TYPE] ` is prefixed unless it starts with a bracketed marker. */
  question: string;
  /** A string, or any JSON value. */
  answer: unknown;
  /** Extra tags after `scout`, the scout name and `checkpoint:<type>`. */
  tags?: readonly string[];
  /** 0..1; default 0.8. */
  confidence?: number;
}

/** What one {@linkcode Scout.tick} did. */
export interface TickResult {
  /** Whether collection and analysis succeeded. */
  ok: boolean;
  /** How long the cycle took, ms. */
  durationMs: number;
  /** One line, when collection or analysis failed (an ERROR tile was emitted). */
  error?: string;
}

/**
 * The base class of every scout, with the original package's API: override
 * {@linkcode Scout.collect} to observe, and the `on*` hooks to decide which
 * tiles to emit. `tick()` runs one cycle and never throws; `run()` loops.
 *
 * @example A scout of your own
 * ```ts ignore
 * import { CheckpointType, Scout } from "@plato/scout";
 * class MyServiceScout extends Scout<{ summary: string }> {
 *   constructor() {
 *     super({ scoutName: "my-service-scout", watchedService: "my-service", scoutRoom: "my/research/scout-reports/my-service" });
 *   }
 *   protected override async collect() {
 *     return { summary: "OK" };
 *   }
 *   override onPeriodic(data: { summary: string }) {
 *     this.emitCheckpoint({
 *       checkpointType: CheckpointType.PERIODIC,
 *       question: `Periodic check: ${data.summary}`,
 *       answer: { ...data, observed_at: new Date().toISOString() },
 *       tags: ["periodic", "my-service"],
 *       confidence: 0.8,
 *     });
 *   }
 * }
 * await new MyServiceScout().run({ pollInterval: 60 });
 * ```
 */
export class Scout<T = Record<string, unknown>> {
  /** The scout's name: `source` of its tiles. */
  readonly scoutName: string;
  /** What it watches. */
  readonly watchedService: string;
  /** The PLATO base URL. */
  readonly platoUrl: string;
  /** The room its tiles go to. */
  readonly scoutRoom: string;
  /** The emitter its tiles go through (possibly shared). */
  readonly emitter: Emitter;
  /** The PLATO client, for reads and direct submissions. */
  readonly client: PlatoClient;
  /** State kept across restarts. */
  readonly state: StateStore;
  /** The scout's logger. */
  readonly log: Logger;
  /** The scout's metrics registry. */
  readonly metrics: MetricsRegistry;
  /** Epoch milliseconds now (injectable). */
  protected readonly now: () => number;
  readonly #sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** One line on what the scout is for. */
  protected readonly purpose: string;
  readonly #ownsEmitter: boolean;
  #started = false;
  #startedAt = 0;
  #counts = { tiles: 0, errors: 0, ticks: 0, skipped: 0 };

  /**
   * Create a scout.
   *
   * @param options Name, room, PLATO and injectables.
   */
  constructor(options: ScoutOptions) {
    if (!options.scoutName?.trim()) {
      throw new TypeError("Cannot create scout: 'scoutName' is required");
    }
    if (!options.scoutRoom?.trim()) {
      throw new TypeError("Cannot create scout: 'scoutRoom' is required");
    }
    this.scoutName = options.scoutName;
    this.watchedService = options.watchedService ?? options.scoutName;
    this.platoUrl = options.platoUrl ?? getEnv("PLATO_URL") ?? DEFAULT_PLATO_URL;
    this.scoutRoom = options.scoutRoom;
    this.purpose = options.purpose ?? `Observes ${this.watchedService}`;
    this.now = options.now ?? Date.now;
    this.#sleep = options.sleep;
    this.metrics = options.metrics ?? new MetricsRegistry();
    const apiKey = options.apiKey ?? getEnv("PLATO_API_KEY");
    this.log = options.logger ??
      createLogger({ name: this.scoutName, secrets: apiKey ? [apiKey] : [] });
    this.state = options.state ?? new MemoryState();
    this.client = createPlatoClient({
      url: this.platoUrl,
      apiKey,
      fetch: options.fetch,
      now: this.now,
    });
    this.#ownsEmitter = !options.emitter;
    this.emitter = options.emitter ?? new Emitter({
      client: this.client,
      outbox: options.outbox,
      batchSize: options.emission?.batchSize,
      minIntervalMs: options.emission?.minIntervalSeconds !== undefined
        ? options.emission.minIntervalSeconds * 1000
        : undefined,
      gate: options.gate,
      name: this.scoutName,
      logger: this.log,
      metrics: this.metrics,
      now: this.now,
    });
  }

  /** Tiles emitted, errors, cycles run and skipped, by this scout. */
  get counts(): { tiles: number; errors: number; ticks: number; skipped: number } {
    return { ...this.#counts };
  }

  /**
   * Observe the watched service once. Override it; the default observes nothing.
   * Throwing (or rejecting) here becomes an ERROR tile.
   *
   * @param _signal Aborted when the scout stops.
   * @returns The observation handed to {@linkcode Scout.onPeriodic}.
   */
  protected collect(_signal?: AbortSignal): T | Promise<T> {
    return {} as T;
  }

  /**
   * What the startup tile documents besides the basics: settings that tell a
   * reader how to interpret this scout's tiles. Override to add fields.
   */
  protected describe(): Record<string, unknown> {
    return {};
  }

  /** Called once when the scout starts. Default: emit the startup tile. */
  onStartup(): void | Promise<void> {
    this.emitStartupTile();
  }

  /** Called every cycle with what {@linkcode Scout.collect} returned. Default: a PERIODIC tile. */
  onPeriodic(data: T): void | Promise<void> {
    this.emitCheckpoint({
      checkpointType: CheckpointType.PERIODIC,
      question: `${this.watchedService} periodic snapshot`,
      answer: { ...(data as object), observed_at: new Date(this.now()).toISOString() },
      tags: ["periodic", this.watchedService],
      confidence: 0.7,
    });
  }

  /** Called when a task completes or fails; emits a TASK_BOUNDARY tile as the original does. */
  onTaskBoundary(taskId: string, outcome: string, durationMs: number): void | Promise<void> {
    this.emitCheckpoint({
      checkpointType: CheckpointType.TASK_BOUNDARY,
      question: `Task ${taskId.slice(0, 8)} ${outcome} in ${durationMs}ms`,
      answer: {
        task_id: taskId,
        outcome,
        duration_ms: durationMs,
        interesting: outcome !== "success",
      },
      tags: ["task", `outcome:${outcome}`, this.watchedService],
      confidence: 0.9,
    });
  }

  /**
   * Emit the startup tile: the contract documenting what is watched and how to
   * read this scout's tiles.
   *
   * @param details Extra fields for the answer.
   * @returns The tile.
   */
  emitStartupTile(details: Record<string, unknown> = {}): Tile {
    return this.emitCheckpoint({
      checkpointType: CheckpointType.STARTUP,
      question: `${this.scoutName} initialized`,
      answer: { started: new Date(this.now()).toISOString(), ...this.startupContract(details) },
      tags: ["startup", this.watchedService],
      confidence: 1.0,
    });
  }

  /**
   * The startup tile's answer without the time it was sent: what is watched
   * and how to read this scout's tiles. Runs that start a process per cycle
   * compare it with the last one sent, to send the startup tile only when it
   * changed.
   *
   * @param details Extra fields, as given to {@linkcode Scout.emitStartupTile}.
   * @returns The fields.
   */
  startupContract(details: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      scout_name: this.scoutName,
      watched_service: this.watchedService,
      scout_room: this.scoutRoom,
      plato_url: redactUrl(this.platoUrl),
      purpose: quoteObserved(this.purpose),
      checkpoint_types: Object.values(CheckpointType),
      ...quoteValues({ ...this.describe(), ...details }),
    };
  }

  /**
   * Build a tile for this scout's room and queue it; returns at once.
   *
   * @param checkpoint Type, question, answer, tags, confidence.
   * @returns The tile as it will be sent.
   */
  emitCheckpoint(checkpoint: Checkpoint): Tile {
    const tile = buildTile({
      scoutName: this.scoutName,
      room: this.scoutRoom,
      checkpointType: checkpoint.checkpointType,
      question: checkpoint.question,
      answer: checkpoint.answer,
      tags: checkpoint.tags,
      confidence: checkpoint.confidence,
      now: this.now(),
    });
    this.emitter.emit(tile);
    this.#counts.tiles++;
    this.metrics.inc(METRIC.tilesEmitted, METRIC_HELP.tilesEmitted, {
      scout_name: this.scoutName,
      checkpoint_type: checkpoint.checkpointType,
    });
    return tile;
  }

  /**
   * Emit an ERROR tile, marked interesting. The message is quoted so the fleet
   * gate's absolute-word rule does not refuse the observation.
   *
   * @param error What went wrong.
   * @param context Where and what the scout was doing (merged into the answer).
   * @param tags Extra tags after `error`, `error:<type>` and `interesting`.
   * @returns The tile.
   */
  emitError(
    error: unknown,
    context: Record<string, unknown> = {},
    tags: readonly string[] = [],
  ): Tile {
    // With its cause: a refused fetch says only "fetch failed" without it.
    const message = error instanceof Error ? messageWithCause(error) : String(error);
    const errorType = typeof context.error_type === "string"
      ? context.error_type
      : error instanceof Error
      ? error.name
      : "error";
    this.#counts.errors++;
    this.metrics.inc(METRIC.errors, METRIC_HELP.errors, {
      scout_name: this.scoutName,
      error_type: errorType,
    });
    const line = quoteObserved(message.split("\n")[0].slice(0, 500));
    return this.emitCheckpoint({
      checkpointType: CheckpointType.ERROR,
      question: `${this.watchedService} error: ${
        line.length > 120 ? `${line.slice(0, 120)}\u2026` : line
      }`,
      answer: {
        error_type: errorType,
        message: line,
        observed_at: new Date(this.now()).toISOString(),
        interesting: true,
        ...context,
      },
      tags: ["error", `error:${errorType}`, "interesting", ...tags, this.watchedService],
      confidence: 0.9,
    });
  }

  /**
   * Submit one tile directly, bypassing the outbox (the original's `submit_to_plato`).
   *
   * @param tile The tile.
   * @returns The classified outcome.
   */
  submitToPlato(tile: Tile): Promise<SubmitOutcome> {
    return this.client.submit(tile);
  }

  /**
   * Read tiles from a PLATO room (default: this scout's room).
   *
   * @param room The room.
   * @param options `since`, `limit`, `signal`.
   * @returns The page, or an error value.
   */
  readRoom(
    room: string = this.scoutRoom,
    options?: ReadRoomOptions,
  ): Promise<PlatoResult<RoomPage>> {
    return this.client.readRoom(room, options);
  }

  /** Run `onStartup()` once (later calls do nothing). Errors become an ERROR tile. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.now();
    try {
      await this.onStartup();
    } catch (error) {
      this.log.error(`onStartup failed: ${error instanceof Error ? error.message : error}`);
      this.emitError(error, { error_type: "startup", phase: "startup" });
    }
  }

  /**
   * One observation cycle: collect, then `onPeriodic`. Never throws: a failure
   * becomes an ERROR tile and `{ ok: false }`.
   *
   * @param signal Aborts collection.
   * @returns Whether it succeeded and how long it took.
   */
  async tick(signal?: AbortSignal): Promise<TickResult> {
    if (!this.#started) await this.start();
    const started = this.now();
    this.#counts.ticks++;
    const tilesBefore = this.#counts.tiles;
    let phase = "collect";
    try {
      let data: T;
      try {
        data = await this.collect(signal);
      } finally {
        // Failed and timed-out watches too: they are the slow ones worth seeing.
        this.metrics.observe(METRIC.watchDuration, METRIC_HELP.watchDuration, {
          scout_name: this.scoutName,
        }, (this.now() - started) / 1000);
      }
      phase = "analyze";
      await this.onPeriodic(data);
      // A cycle the stop cut short, with nothing to show, is not a cycle run.
      if (signal?.aborted && this.#counts.tiles === tilesBefore) this.#counts.ticks--;
      return { ok: true, durationMs: this.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`Cycle failed during ${phase}: ${message.split("\n")[0]}`);
      try {
        this.emitError(error, { error_type: phase, phase });
      } catch (inner) {
        this.log.error(`Could not emit the error tile: ${inner}`);
      }
      return { ok: false, durationMs: this.now() - started, error: message.split("\n")[0] };
    }
  }

  /** Count cycles skipped because one overran (schedulers call this). */
  noteSkipped(n: number): void {
    this.#counts.skipped += n;
    this.metrics.inc(
      METRIC.skippedTicks,
      METRIC_HELP.skippedTicks,
      { scout_name: this.scoutName },
      n,
    );
  }

  /**
   * Emit the SESSION_END tile summarising the run (uptime, tiles, errors, cycles).
   * Does not flush; {@linkcode Scout.close} does.
   *
   * @param reason Why the scout stops.
   * @returns The tile.
   */
  emitSessionEnd(reason = "stopped"): Tile {
    const uptimeS = Math.round((this.now() - (this.#startedAt || this.now())) / 1000);
    const c = this.#counts;
    const tiles = c.tiles + 1; // this tile included, in the question as in the answer
    return this.emitCheckpoint({
      checkpointType: CheckpointType.SESSION_END,
      question: `${this.scoutName} ${reason} after ${uptimeS}s: ${tiles} tiles, ${c.errors} errors`,
      answer: {
        reason,
        uptime_seconds: uptimeS,
        tiles_emitted: tiles,
        errors: c.errors,
        cycles: c.ticks,
        cycles_skipped: c.skipped,
        ended: new Date(this.now()).toISOString(),
      },
      tags: ["session", this.watchedService],
      confidence: 1.0,
    });
  }

  /**
   * Emit SESSION_END and, when the scout owns its emitter, deliver within the deadline.
   *
   * @param options `deadlineMs` (default 10,000), `reason`.
   * @returns Tiles still undelivered (0 when all arrived).
   */
  async close(options: { deadlineMs?: number; reason?: string } = {}): Promise<number> {
    if (this.#started) this.emitSessionEnd(options.reason);
    if (!this.#ownsEmitter) return this.emitter.outbox.size();
    const report = await this.emitter.close({ deadlineMs: options.deadlineMs });
    return report.pending;
  }

  /**
   * The original's loop: start, then one cycle every `pollInterval` seconds,
   * drift-free and never overlapping, until `signal` aborts; then close.
   *
   * @param options `pollInterval` in seconds (default 60), `signal`, `deadlineMs` for the final flush.
   * @returns Tiles still undelivered at exit.
   */
  async run(
    options: { pollInterval?: number; signal?: AbortSignal; deadlineMs?: number } = {},
  ): Promise<number> {
    await this.start();
    await runEvery(() => this.tick(options.signal), {
      intervalMs: (options.pollInterval ?? 60) * 1000,
      signal: options.signal,
      now: this.now,
      sleep: this.#sleep,
      onSkip: (n) => this.noteSkipped(n),
    });
    return this.close({ deadlineMs: options.deadlineMs });
  }
}

/** Quote every string value (not key) so the startup contract passes the absolute-word rule. */
function quoteValues(value: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown): unknown =>
    typeof v === "string"
      ? quoteObserved(v)
      : Array.isArray(v)
      ? v.map(walk)
      : v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
      : v;
  return walk(value) as Record<string, unknown>;
}
