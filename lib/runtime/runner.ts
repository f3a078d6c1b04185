import { announceOncePerConfig } from "../announce.ts";
import { slowPattern, slowPatternWarning } from "../regex_risk.ts";
import { loadBatchMemory } from "../batch_memory.ts";
import { buildScouts } from "../build_scouts.ts";
import { createPlatoClient } from "../client.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { Emitter, healthReport } from "../emitter.ts";
import { DEFAULT_PLATO_URL, getEnv } from "../env.ts";
import { createLogger, type Logger } from "../logger.ts";
import { MetricsRegistry } from "../metrics.ts";
import { MemoryOutbox, type Outbox } from "../outbox.ts";
import { redactSecrets, redactUrl } from "../redact.ts";
import type { ScoutFactory } from "../scout_kind.ts";
import { MemoryState, type StateStore } from "../state.ts";
import { deadlineTimers, globalTimers, sleepOn } from "../timers.ts";
import { openSqliteDatabase } from "./_sqlite_db.ts";
import { denoDirReader } from "./deno_dir_reader.ts";
import { denoFileSource } from "./deno_file_source.ts";
import { SqliteOutbox } from "./sqlite_outbox.ts";
import { readStateSnapshot, SnapshotCopyError, SqliteState } from "./sqlite_state.ts";
import type { MetricsServer } from "./metrics_server.ts";
import { oneLine, UsageError } from "./usage_error.ts";

/**
 * The SQLite file in the state directory holding the durable outbox (tables
 * `outbox`, `outbox_meta`) and the scouts' state (table `state`).
 */
export const STATE_FILE = "scout.db";

/** State key prefix of the startup tile's once-per-configuration record (`--once` runs). */
const ANNOUNCED = "plato-scout:announced:";

/** How long a `--once` run goes before SIGINT/SIGTERM stop it gracefully (see `stopSignals`). */
export const ONCE_SIGNALS_AFTER_MS = 200;

/** Options of {@linkcode runConfig}. */
export interface RunOptions {
  /** The scout kinds (or only their factories) `watch.type` may name. */
  kinds: readonly ScoutFactory[];
  /** One cycle per scout, deliver, exit (1 if tiles are left undelivered or PLATO refused one). */
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
  /** Where /metrics listens. Default `0.0.0.0` (every interface, so a scraper can reach it). */
  metricsHost?: string;
  /** Stops a long run (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /**
   * Registers what stops the run by hand (the CLI: SIGINT/SIGTERM) and
   * returns a function removing that.
   *
   * - A long run, stopped by `signal`, arms it for its final delivery: a
   *   second signal ends that delivery at once, the tiles left waiting in the
   *   outbox for the next run.
   * - A `once` run arms it only when the run is still going after
   *   {@linkcode ONCE_SIGNALS_AFTER_MS}: registering signal handlers costs a
   *   start 1-3 ms, and a quicker run ends as a signal would end it, its tiles
   *   already in the outbox. An armed signal ends the run like a long one: the
   *   cycle is stopped, a `SESSION_END` tile emitted, the tiles delivered
   *   within the deadline, exit 0; a signal during that delivery ends it.
   */
  stopSignals?: (stop: () => void) => () => void;
  /** Extra strings that must never be logged or appear in a tile (masked as `***`). */
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
  // Polling every poll_interval in place of a cron: schedule would run a
  // once-a-day scout every minute, without a word.
  const cronless = !options.once && typeof (Deno as { cron?: unknown }).cron !== "function" &&
    config.scouts.find((s) => s.cron);
  if (cronless) {
    throw new UsageError(
      `scout '${cronless.name}': cron '${cronless.cron}' needs Deno.cron: run deno with --unstable-cron, or drop cron: to poll every poll_interval`,
    );
  }
  const platoUrl = options.platoUrl ?? config.platoUrl ?? getEnv("PLATO_URL") ??
    DEFAULT_PLATO_URL;
  const apiKey = options.apiKey ?? getEnv("PLATO_API_KEY");
  const secrets = [...(options.secrets ?? []), ...(apiKey ? [apiKey] : [])];
  const log = options.logger ?? createLogger({ name: "plato-scout", secrets });
  const metrics = new MetricsRegistry();
  const stateDir = options.stateDir ?? config.stateDir ?? ".plato-scout";
  // Where it was set, for a one-line error about it.
  const stateDirSetting = options.stateDir !== undefined
    ? "--state-dir"
    : config.stateDir !== undefined
    ? "state_dir"
    : "the default; set it with --state-dir";
  let outbox: Outbox;
  let state: StateStore;
  // The outbox and the scouts' state share one SQLite file: one open, one WAL,
  // one checkpoint at close (two files cost a --once run ~5 ms more).
  let db: ReturnType<typeof openSqliteDatabase> | undefined;
  let lock: Deno.FsFile | undefined;
  if (options.stdout) {
    outbox = new MemoryOutbox({
      capacity: config.emission.outboxMaxEntries,
      maxBytes: config.emission.outboxMaxBytes,
    });
    // A dry run starts where the last real run stopped (a log offset, the
    // agents seen), and writes nothing to the state directory.
    try {
      state = readStateSnapshot([`${stateDir}/${STATE_FILE}`, `${stateDir}/state.db`]);
    } catch (error) {
      if (!(error instanceof SnapshotCopyError)) {
        throw stateDirError(stateDir, stateDirSetting, error);
      }
      log.warn(`Dry run from an empty state: ${error.message}`);
      state = new MemoryState();
    }
  } else {
    try {
      // The database first: it makes the directory. Opening it alongside
      // another process is safe (SQLite locks its own writes); the lock is
      // taken before the outbox or the state writes anything.
      db = openSqliteDatabase(`${stateDir}/${STATE_FILE}`);
      lock = lockStateDir(stateDir);
    } catch (error) {
      db?.close();
      // A path that cannot hold the state (a file, /dev/null, no permission).
      throw stateDirError(stateDir, stateDirSetting, error);
    }
    try {
      const durable = new SqliteOutbox(db, {
        maxEntries: config.emission.outboxMaxEntries,
        maxBytes: config.emission.outboxMaxBytes,
        onError: (e) => log.error(`Outbox storage failed (tiles kept in memory): ${e.message}`),
      });
      outbox = durable;
      // The cycle's tiles are written before the state that marks it done.
      state = new SqliteState(db, { beforeWrite: () => durable.sync() });
      adoptEarlierFiles(stateDir, db, durable, log);
    } catch (error) {
      db.close();
      lock?.close();
      throw stateDirError(stateDir, stateDirSetting, error);
    }
  }
  try {
    return await runScouts(config, options, {
      outbox,
      state,
      log,
      metrics,
      platoUrl,
      apiKey,
      stateDir,
      secrets,
    });
  } finally {
    // The emitter's close() closed the outbox (writing its last tiles); when
    // something threw first, this does. The outbox leaves the shared file open.
    try {
      await outbox.close?.();
    } finally {
      db?.close();
      lock?.close();
    }
  }
}

/**
 * Move what builds before {@linkcode STATE_FILE} kept in two files (the
 * outbox in `outbox.db`, the state in `state.db`) into the shared file, so an
 * upgrade loses no waiting tile and no log offset. Each tile is written to the
 * new outbox before it leaves the old one: a crash midway can only resend a
 * tile, which PLATO stores once by its id.
 */
function adoptEarlierFiles(
  stateDir: string,
  db: ReturnType<typeof openSqliteDatabase>,
  outbox: SqliteOutbox,
  log: Logger,
): void {
  // One listing instead of a stat per file: a stat of a missing file throws,
  // and the first error Deno builds costs a CLI start 0.5-2 ms.
  const present = new Set<string>();
  for (const entry of Deno.readDirSync(stateDir)) present.add(entry.name);

  const remove = (path: string) => {
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      try {
        Deno.removeSync(file);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  };
  const moved: string[] = [];
  const oldState = `${stateDir}/state.db`;
  if (present.has("state.db")) {
    db.prepare("ATTACH DATABASE ? AS earlier").run(oldState);
    try {
      const has = db.prepare(
        "SELECT 1 FROM earlier.sqlite_master WHERE type = 'table' AND name = 'state'",
      ).get();
      if (has) {
        db.exec("INSERT OR IGNORE INTO state (key, value) SELECT key, value FROM earlier.state");
      }
    } finally {
      db.exec("DETACH DATABASE earlier");
    }
    remove(oldState);
    moved.push("the scouts' state");
  }
  const oldOutbox = `${stateDir}/outbox.db`;
  if (present.has("outbox.db")) {
    const earlier = SqliteOutbox.open(oldOutbox, {
      maxEntries: Number.MAX_SAFE_INTEGER,
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    let tiles = 0;
    try {
      for (let batch = earlier.peek(1000); batch.length > 0; batch = earlier.peek(1000)) {
        for (const entry of batch) outbox.append(entry.tile);
        outbox.sync();
        earlier.ack(batch.map((entry) => entry.tile.id));
        tiles += batch.length;
      }
    } finally {
      earlier.close();
    }
    remove(oldOutbox);
    moved.unshift(`${tiles} waiting tile(s)`);
  }
  if (moved.length > 0) {
    log.info(`Moved ${moved.join(" and ")} from an earlier version's files into ${STATE_FILE}`);
  }
}

/** What {@linkcode runConfig} has set up for {@linkcode runScouts}. */
interface RunContext {
  outbox: Outbox;
  state: StateStore;
  log: Logger;
  metrics: MetricsRegistry;
  platoUrl: string;
  apiKey: string | undefined;
  stateDir: string;
  /** What no log line or tile may show. */
  secrets: string[];
}

/** Build the emitter and the scouts over open storage, and run them. */
async function runScouts(
  config: ResolvedConfig,
  options: RunOptions,
  { outbox, state, log, metrics, platoUrl, apiKey, stateDir, secrets }: RunContext,
): Promise<number> {
  // A --once run makes a request or two: their deadlines need no timer that
  // keeps the process alive, and on Deno the first setTimeout costs ~12 ms.
  const timers = options.once ? deadlineTimers : undefined;
  // A cron's --once runs remember a PLATO without /submit_batch (a long run
  // learns it once): its 404 would cost every run a request.
  const batchMemory = options.once && !options.stdout
    ? await loadBatchMemory(state, platoUrl, Date.now())
    : undefined;
  const client = options.stdout
    ? (await import("../printing_client.ts")).createPrintingClient(
      options.print ?? ((line) => console.log(line)),
    )
    : createPlatoClient({
      url: platoUrl,
      apiKey,
      timers,
      batch: batchMemory?.batch,
      onNoBatch: batchMemory?.onNoBatch,
    });
  const emitter = new Emitter({
    client,
    outbox,
    batchSize: config.emission.batchSize,
    concurrency: config.emission.concurrency,
    minIntervalMs: config.emission.minIntervalSeconds * 1000,
    gate: config.emission.gate,
    // A --once run delivers its tiles together, in one batch, when it closes.
    autoFlush: !options.once,
    // The delivery deadline of a --once run needs no timer that keeps the
    // process alive (the request does); a retry's sleep does.
    ...(timers
      ? {
        timers,
        sleep: (ms: number, signal?: AbortSignal) => sleepOn(globalTimers, ms, signal),
      }
      : {}),
    secrets,
    name: "plato-scout",
    logger: log,
    metrics,
  });
  // A Retry-After an earlier --once run was given, not yet over.
  if (batchMemory?.retryAfterUntil) emitter.holdUntil(batchMemory.retryAfterUntil);
  const waiting = outbox.size();
  if (waiting > 0) {
    log.info(`${waiting} tile(s) from an earlier run wait in the outbox; delivering them first`);
  }
  warnSlowPatterns(config, log);
  warnSecretRooms(config, secrets, log);
  const scouts = buildScouts(config, {
    kinds: options.kinds,
    emitter,
    host: { state, files: denoFileSource(), dirs: denoDirReader(), timers },
    platoUrl,
    apiKey,
    logger: log,
    metrics,
  });
  // A --once run is a process per cycle (a cron job): the startup tile, the
  // same contract each time, goes once per configuration and PLATO.
  const announced = options.once
    ? await announceOncePerConfig(
      scouts.map(({ scout }, i) => ({
        scout,
        print: JSON.stringify([platoUrl, config.scouts[i]]),
      })),
      state,
      ANNOUNCED,
    )
    : undefined;
  let metricsServer: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    const { serveMetrics } = await import("./metrics_server.ts");
    try {
      metricsServer = serveMetrics(metrics, {
        port: options.metricsPort,
        hostname: options.metricsHost,
        health: () => healthReport(emitter.stats, scouts.map((s) => s.scout.scoutName)),
      });
    } catch (error) {
      throw new UsageError(
        `Cannot serve metrics on SCOUT_METRICS_PORT ${
          options.metricsHost ? `${hostPart(options.metricsHost)}:` : ""
        }${options.metricsPort}: ${firstLine(error)}`,
      );
    }
  }
  const target = options.stdout ? "stdout" : redactUrl(platoUrl);
  log.info(
    `${scouts.length} scout(s) \u2192 ${target}` + (options.stdout ? "" : ` (state: ${stateDir})`) +
      (metricsServer
        ? `, metrics on ${hostPart(options.metricsHost)}:${metricsServer.port}/metrics`
        : ""),
  );
  const deadlineMs = options.deadlineMs ?? 10_000;
  try {
    if (options.once) {
      try {
        return await runOnce(scouts, emitter, options, {
          log,
          stateDir,
          deadlineMs,
          announced: announced!,
        });
      } finally {
        await batchMemory?.save(emitter.retryAfterUntil).catch((e) =>
          log.warn(
            `Cannot note what PLATO answered (no /submit_batch, Retry-After): ${firstLine(e)}`,
          )
        );
      }
    }
    const signal = options.signal ?? new AbortController().signal;
    if (signal.aborted) {
      // Stopped while starting (a SIGTERM before the first cycle): nothing
      // was observed, so there is no session to end.
      const left = outbox.size();
      log.info(
        `Stopped before the first cycle` +
          (left > 0 && !options.stdout ? `; ${left} tile(s) wait in ${stateDir}` : ""),
      );
      return 0;
    }
    const { scheduleScout } = await import("./deno_schedule.ts");
    const running = scouts.map(({ scout, pollInterval, cron }) =>
      scheduleScout(scout, { intervalSeconds: pollInterval, signal, cron })
    );
    options.onReady?.({ metricsPort: metricsServer?.port, modes: running.map((r) => r.mode) });
    const stopped = new Set<number>();
    const allStopped = Promise.all(running.map((r, i) => r.done.then(() => stopped.add(i))));
    await Promise.race([allStopped, afterAbort(signal, 0)]);
    // A second signal ends the final delivery (Ctrl-C twice: stop now).
    const stopDelivery = new AbortController();
    const release = options.stopSignals?.(() => stopDelivery.abort()) ?? (() => {});
    try {
      // A cycle that ignores the stop (a read that blocks for good, a scout
      // kind of one's own) must not hold it for ever: running cycles get half
      // the deadline to end, the delivery the rest.
      const stopAt = Date.now();
      await Promise.race([allStopped, afterAbort(signal, deadlineMs / 2, stopDelivery.signal)]);
      const stuck = scouts.filter((_, i) => !stopped.has(i)).map((s) => s.scout.scoutName);
      if (stuck.length > 0) warnLeftBehind(log, stuck, deadlineMs);
      for (const { scout } of scouts) scout.emitSessionEnd("stopped");
      const budget = Math.max(0, deadlineMs - (Date.now() - stopAt));
      const left = outbox.size();
      if (left > 0 && !options.stdout) {
        log.info(
          `Stopping: delivering ${left} tile(s) within ${Math.round(budget / 100) / 10}s ` +
            `(SIGINT/SIGTERM again stops now; they wait in ${stateDir} for the next run)`,
        );
      }
      const report = await emitter.close({ deadlineMs: budget, signal: stopDelivery.signal });
      logStopped(
        log,
        report.pending,
        emitter.stats.delivered,
        stateDir,
        options.stdout,
        report.lastError,
      );
    } finally {
      release();
    }
    return 0;
  } finally {
    await metricsServer?.stop();
  }
}

/**
 * One cycle per scout, then delivery (a `--once` run). Exit code: 0; 1 when
 * tiles are left undelivered or PLATO refused one; 0 again when a signal
 * stopped the run (what is left waits in the outbox, as after a long run).
 */
async function runOnce(
  scouts: ReturnType<typeof buildScouts>,
  emitter: Emitter,
  options: RunOptions,
  { log, stateDir, deadlineMs, announced }: {
    log: Logger;
    stateDir: string;
    deadlineMs: number;
    /** Records the startup tiles this run queued (see {@linkcode announceOncePerConfig}). */
    announced: () => Promise<void>;
  },
): Promise<number> {
  // A signal during the cycle stops it (then SESSION_END and delivery); one
  // during delivery stops that (what is left waits for the next run).
  const stopCycle = new AbortController();
  const stopDelivery = new AbortController();
  let stopAt = 0;
  // A second signal while the cycle is left to end stops it all at once.
  let onSignal = () => {
    if (stopCycle.signal.aborted) return stopDelivery.abort();
    stopAt = Date.now();
    stopCycle.abort();
  };
  let release = () => {};
  const arm = options.stopSignals;
  // No timer that keeps the process alive: the run's own work does.
  const armed = arm &&
    deadlineTimers.setTimeout(() => {
      release = arm(() => onSignal());
      log.debug("SIGINT/SIGTERM now end this run: SESSION_END, then delivery within the deadline");
    }, ONCE_SIGNALS_AFTER_MS);
  try {
    for (const { scout } of scouts) {
      if (stopCycle.signal.aborted) break;
      // A cycle that ignores the stop is left behind after half the deadline.
      const left = await Promise.race([
        scout.tick(stopCycle.signal).then(() => false),
        afterAbort(stopCycle.signal, deadlineMs / 2, stopDelivery.signal).then(() => true),
      ]);
      if (left) warnLeftBehind(log, [scout.scoutName], deadlineMs);
    }
    if (stopCycle.signal.aborted) {
      for (const { scout } of scouts) scout.emitSessionEnd("stopped");
    }
    // After the tiles: the state store writes the outbox first.
    await announced().catch((e) =>
      log.warn(
        `Cannot note the startup tile as sent (the next run sends it again): ${firstLine(e)}`,
      )
    );
    onSignal = () => stopDelivery.abort();
    const report = await emitter.close({
      deadlineMs: stopAt ? Math.max(0, deadlineMs - (Date.now() - stopAt)) : deadlineMs,
      signal: stopDelivery.signal,
    });
    const stopped = stopCycle.signal.aborted || stopDelivery.signal.aborted;
    const { delivered, rejected, duplicates } = emitter.stats;
    if (stopped) {
      logStopped(log, report.pending, delivered, stateDir, options.stdout, report.lastError);
      return 0;
    }
    if (report.pending > 0) {
      log.error(
        `${report.pending} tile(s) could not be delivered (kept in ${stateDir}): ${
          report.lastError ?? ""
        }`,
      );
      return 1;
    }
    // A duplicate's content is stored already; any other refusal is a tile lost.
    if (rejected > duplicates) {
      log.error(
        `Delivered ${delivered} tile(s); PLATO refused ${
          rejected - duplicates
        } (see the warnings above)`,
      );
      return 1;
    }
    log.info(
      `${options.stdout ? "Printed" : "Delivered"} ${delivered} tile(s), ${rejected} refused` +
        (duplicates > 0 ? ` (${duplicates} as duplicates of content PLATO has already)` : ""),
    );
    return 0;
  } finally {
    if (armed) deadlineTimers.clearTimeout(armed);
    release();
  }
}

/** Say which scouts' cycles a stop left behind after half the deadline. */
function warnLeftBehind(log: Logger, names: string[], deadlineMs: number): void {
  log.warn(
    `Stopping without waiting longer for ${names.join(", ")}: ${
      names.length > 1 ? "their cycles" : "its cycle"
    } did not end within ${deadlineMs / 2000}s of the stop`,
  );
}

/**
 * Resolves `ms` after `signal` aborts (never, if it does not), or at once
 * when `cut` aborts. Its timer does not keep the process alive (see
 * {@linkcode deadlineTimers}).
 */
function afterAbort(signal: AbortSignal, ms: number, cut?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wait = () => void deadlineTimers.setTimeout(resolve, ms);
    if (signal.aborted) wait();
    else signal.addEventListener("abort", wait, { once: true });
    cut?.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** How a run a signal stopped ends its log (a long run, or a `--once` run; `printed`: --stdout). */
function logStopped(
  log: Logger,
  pending: number,
  delivered: number,
  stateDir: string,
  printed?: boolean,
  lastError?: string,
): void {
  if (pending > 0) {
    // Why they wait: the delivery's last failure, when it failed (not when the stop cut it short).
    log.warn(
      `Stopped; ${pending} tile(s) still waiting in ${stateDir}; they will be delivered on the next run` +
        (lastError ? ` (last delivery failure: ${lastError})` : ""),
    );
  } else {
    log.info(`Stopped; ${printed ? "printed" : "delivered"} ${delivered} tile(s) in all`);
  }
}

/**
 * Hold `<stateDir>/scout.lock` for the run: one process per state directory,
 * since two would each count the other's tiles wrong and leave some waiting.
 * The lock goes with the process (a `kill -9` releases it); `scout.db` stays
 * readable by other tools meanwhile.
 *
 * @throws {Error} "locked" when another process holds it.
 */
function lockStateDir(stateDir: string): Deno.FsFile {
  const file = Deno.openSync(`${stateDir}/scout.lock`, { create: true, write: true });
  // tryLockSync came with Deno 2.7; an older Deno runs without the check.
  if (typeof file.tryLockSync === "function" && !file.tryLockSync(true)) {
    file.close();
    throw new Error("locked by another process");
  }
  return file;
}

/**
 * The one line a state directory that cannot be used ends a run with: a
 * {@linkcode UsageError} (exit 2) for what the user can fix by choosing or
 * fixing the directory, a plain error (exit 1) when its device fails or is
 * full, as any other failure of the run.
 */
function stateDirError(stateDir: string, setting: string, error: unknown): Error {
  // All of it: the OS error may quote a path holding a line break.
  const reason = error instanceof Error ? error.message : String(error);
  const device = /disk is full|no space left|disk I\/O error|input\/output error|quota/i.test(
    reason,
  );
  const why = /locked|busy/i.test(reason)
    ? "another plato-scout process is using it"
    : /malformed|not a database|corrupt/i.test(reason)
    ? `${reason}: ${STATE_FILE} is damaged; move it aside to start with an empty outbox (the tiles waiting in it are then not sent)`
    : device
    ? `${reason} (is its device full or failing? The tiles already waiting there are kept; this run observed nothing)`
    : reason;
  const message = `Cannot use the state directory '${stateDir}' (${setting}): ${why}`;
  return device ? new Error(oneLine(message)) : new UsageError(message);
}

/**
 * Warn about a `pattern` or `body_matches` whose shape can backtrack for
 * ever (see {@linkcode slowPattern}): a match cannot be interrupted, so a
 * hostile line or body would stop the scout. Warned, not refused: the check
 * is a heuristic, and most such patterns run fine on the input they meet.
 */
function warnSlowPatterns(config: ResolvedConfig, log: Logger): void {
  for (const scout of config.scouts) {
    const watch = scout.watch as Record<string, unknown>;
    for (const field of ["pattern", "body_matches"]) {
      const value = watch[field];
      const risk = typeof value === "string" ? slowPattern(value) : undefined;
      if (risk) log.warn(`${scout.name}: ${slowPatternWarning(field, value as string, risk)}`);
    }
  }
}

/**
 * Warn about a `scout_room` that holds a secret: the emitter masks it in the
 * tiles' room as everywhere else, so they go to the masked room.
 */
function warnSecretRooms(config: ResolvedConfig, secrets: string[], log: Logger): void {
  for (const scout of config.scouts) {
    const room = redactSecrets(scout.room, secrets);
    if (room !== scout.room) {
      log.warn(
        `${scout.name}: scout_room holds a secret; its tiles go to the room '${room}', with the secret masked`,
      );
    }
  }
}

/** A host as it goes before `:port` (an IPv6 address in brackets); none: empty. */
function hostPart(host: string | undefined): string {
  return host === undefined ? "" : host.includes(":") ? `[${host}]` : host;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
