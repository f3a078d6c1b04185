/**
 * The holodeck scout: `plato-scout holodeck --room gc/research/scout-reports/holodeck`.
 * Watches a holodeck sessions folder: a SESSION_START tile when a session
 * folder appears, a SESSION_END tile with a quality analysis when it ends
 * (interesting when the session was poor), and a periodic count of active
 * sessions. Each session is reported once across restarts.
 *
 * @module
 */

import * as z from "zod";
import { CheckpointType } from "../lib/checkpoint_type.ts";
import { quoteObserved } from "../lib/gate.ts";
import { Scout, type ScoutOptions } from "../lib/scout.ts";
import type { DirReader, ScoutKind } from "../lib/scout_kind.ts";
import { DEFAULT_VANISHED_GRACE_MS, sessionKey, SessionLedger } from "./_holodeck_ledger.ts";
import { type Adventure, readSession, type SessionRead } from "./_holodeck_session.ts";
import {
  cleaned,
  sessionAnswer,
  sessionEndCheckpoint,
  sessionStartCheckpoint,
} from "./_holodeck_tiles.ts";

/** Options of {@linkcode HolodeckScout}: the scout's own, plus the folder to watch. */
export interface HolodeckScoutOptions extends ScoutOptions {
  /** The holodeck's sessions folder. Default `"sessions"`. */
  sessionsDir?: string;
  /** How folders are read; under Deno, `denoDirReader()`. */
  dirs: DirReader;
  /** Most sessions remembered across restarts. Default 10,000. */
  maxSessions?: number;
  /**
   * How long a started session whose folder is gone is remembered, by the
   * scout's clock: back within it, it is the same session; gone for longer,
   * it is given up (counted as ended, with no SESSION_END). Default 10 minutes.
   */
  vanishedGraceMs?: number;
  /** Most SESSION_START and SESSION_END tiles per cycle; the rest wait for the next. Default 20. */
  maxReportsPerTick?: number;
  /** Cycles an ended session's unreadable `scores.json` is retried before it is reported without. Default 5. */
  scoresRetries?: number;
}

/** What one cycle read: each session folder not yet reported as ended. */
export interface HolodeckObservation {
  /** Session folders read this cycle, oldest first. */
  sessions: Array<{ folder: string; read: SessionRead }>;
  /** New folders left for later cycles (read budget). */
  backlog: number;
  /** Started, not ended sessions whose folder is missing now (within the grace period). */
  vanished: number;
  /** Started sessions given up this cycle: their folder stayed gone for the grace period. */
  givenUp: number;
}

/**
 * The holodeck scout. `collect()` lists the sessions folder and reads each
 * session not yet reported as ended; `onPeriodic` emits the tiles and then
 * saves which sessions were reported.
 */
export class HolodeckScout extends Scout<HolodeckObservation> {
  /** The sessions folder watched. */
  readonly sessionsDir: string;
  readonly #dirs: DirReader;
  readonly #ledger: SessionLedger;
  readonly #maxReports: number;
  readonly #maxSessions: number;
  readonly #vanishedGraceMs: number;
  readonly #scoresRetries: number;
  /** Listed session folders whose name is not UTF-8: warned about once while listed, skipped. */
  #notUtf8 = new Set<string>();

  /**
   * Build a holodeck scout; nothing is read before the first tick.
   *
   * @param options Scout options, the sessions folder and directory access.
   */
  constructor(options: HolodeckScoutOptions) {
    const dir = options.sessionsDir ?? "sessions";
    super({
      ...options,
      watchedService: options.watchedService ?? "holodeck",
      purpose: options.purpose ??
        `Observes holodeck sessions in ${quoteObserved(dir)}: starts, ends, quality`,
    });
    this.sessionsDir = dir.replace(/\/+$/, "") || "/";
    this.#dirs = options.dirs;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#vanishedGraceMs = options.vanishedGraceMs ?? DEFAULT_VANISHED_GRACE_MS;
    this.#maxReports = options.maxReportsPerTick ?? 20;
    this.#scoresRetries = options.scoresRetries ?? 5;
    this.#ledger = new SessionLedger(
      this.state,
      `holodeck:${this.scoutName}:sessions`,
      this.#maxSessions,
      this.#vanishedGraceMs,
    );
  }

  /** The startup tile's extra fields: what is watched and how to read the tiles. */
  protected override describe(): Record<string, unknown> {
    return {
      sessions_dir: quoteObserved(this.sessionsDir),
      files_read: ["<session>/adventure.json", "<session>/scores.json", "<session>/artifacts/"],
      max_sessions_remembered: this.#maxSessions,
      vanished_sessions_given_up_after_s: this.#vanishedGraceMs / 1000,
      max_reports_per_cycle: this.#maxReports,
      tiles: {
        "[SESSION_START] <name>": "a session folder appeared (name, creator, objective, rooms)",
        "[SESSION_END] <name>":
          "a session ended (ended set, active false or scores.json written), with its quality; interesting when poor",
        "[PERIODIC]":
          "active sessions, files that could not be read yet, started sessions whose folder is gone",
        "[ERROR]": "the sessions folder is missing or unreadable",
      },
    };
  }

  /**
   * List the sessions folder and read every session not yet reported as ended.
   *
   * @returns The sessions read.
   * @throws {Error} When the sessions folder does not exist or cannot be listed.
   */
  protected override async collect(): Promise<HolodeckObservation> {
    await this.#ledger.load();
    const entries = await this.#dirs.list(this.sessionsDir);
    if (entries === null) throw new Error(`Sessions folder "${this.sessionsDir}" does not exist`);
    const notUtf8 = new Set<string>();
    for (const e of entries) {
      if (!e.isDirectory || !e.notUtf8) continue;
      notUtf8.add(e.name);
      if (this.#notUtf8.has(e.name)) continue;
      const name = JSON.stringify(cleaned(e.name));
      this.log.warn(
        `Skipping session folder ${name}: its name is not UTF-8, so it cannot be opened`,
      );
    }
    this.#notUtf8 = notUtf8;
    const folders = entries.filter((e) => e.isDirectory && !e.notUtf8).map((e) => e.name)
      .sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0);
    const present = new Set(folders);
    const { missing: vanished, givenUp } = this.#ledger.sweep(present, this.now());
    const newReads = Math.max(50, this.#maxReports * 5);
    const sessions: HolodeckObservation["sessions"] = [];
    let fresh = 0;
    let backlog = 0;
    for (const folder of folders) {
      if (this.#ledger.isEnded(folder)) continue;
      if (!this.#ledger.isStarted(folder) && ++fresh > newReads) {
        backlog++;
        continue;
      }
      sessions.push({ folder, read: await this.#read(folder) });
    }
    return { sessions, backlog, vanished, givenUp };
  }

  /** One session folder; a file that cannot be read (no permission, a directory) makes it unreadable. */
  async #read(folder: string): Promise<SessionRead> {
    try {
      return await readSession(this.#dirs, `${this.sessionsDir}/${folder}`);
    } catch (error) {
      return { kind: "unreadable", file: "(session folder)", reason: reasonOf(error) };
    }
  }

  /**
   * Emit SESSION_START, SESSION_END and the periodic count; then save the ledger.
   *
   * @param obs What this cycle read.
   */
  override async onPeriodic(obs: HolodeckObservation): Promise<void> {
    const observedAt = new Date(this.now()).toISOString();
    let budget = this.#maxReports;
    let started = 0;
    let ended = 0;
    let waiting = 0;
    let deferred = 0;
    const active: string[] = [];
    const unreadable: Array<{ session: string; file: string; reason: string }> = [];
    /** Report a session's start; false when the tick's report budget is spent (a later tick will). */
    const reportStart = (folder: string, adventure: Adventure): boolean => {
      if (budget === 0) {
        deferred++;
        return false;
      }
      this.emitCheckpoint(sessionStartCheckpoint(folder, adventure, observedAt));
      budget--;
      started++;
      this.#ledger.markStarted(folder);
      return true;
    };
    /** One session's tiles; whatever it holds, a failure here is that session's alone. */
    const report = (folder: string, read: SessionRead): void => {
      if (read.kind === "waiting") {
        waiting++;
        if (this.#ledger.isStarted(folder)) active.push(folder);
      } else if (read.kind === "unreadable") {
        unreadable.push({ session: folder, file: read.file, reason: read.reason });
        if (this.#ledger.isStarted(folder)) active.push(folder);
      } else if (read.kind === "open") {
        active.push(folder);
        if (this.#ledger.isStarted(folder)) return;
        if (this.#ledger.full) {
          deferred++;
          return;
        }
        reportStart(folder, read.adventure);
      } else {
        // Ended before it was first seen: the folder appeared too, so its
        // SESSION_START comes first.
        if (!this.#ledger.isStarted(folder) && !reportStart(folder, read.adventure)) return;
        const tries = this.#ledger.scoresTries(folder) + 1;
        if (read.scoresError && tries <= this.#scoresRetries) {
          this.#ledger.setScoresTries(folder, tries);
          unreadable.push({ session: folder, file: "scores.json", reason: read.scoresError });
          active.push(folder);
          return;
        }
        if (budget === 0) {
          deferred++;
          return;
        }
        this.emitCheckpoint(sessionEndCheckpoint(folder, read, observedAt));
        budget--;
        ended++;
        this.#ledger.markEnded(folder);
      }
    };
    for (const { folder, read } of obs.sessions) {
      try {
        report(folder, read);
      } catch (error) {
        unreadable.push({ session: folder, file: "(session)", reason: reasonOf(error) });
      }
    }
    this.#ledger.countUnreadable(unreadable.length);
    this.emitCheckpoint({
      checkpointType: CheckpointType.PERIODIC,
      question:
        `holodeck: ${active.length} active sessions, ${started} started and ${ended} ended since last`,
      answer: sessionAnswer({
        active_sessions: active.length,
        active,
        started_since_last: started,
        ended_since_last: ended,
        waiting_for_adventure_json: waiting,
        unreadable_now: unreadable.length,
        unreadable,
        unreadable_total: this.#ledger.unreadableTotal,
        reports_deferred: deferred,
        folders_not_yet_read: obs.backlog,
        vanished: obs.vanished,
        vanished_given_up: obs.givenUp,
        sessions_remembered: this.#ledger.size,
        sessions_dir: this.sessionsDir,
        observed_at: observedAt,
      }),
      tags: ["periodic", "holodeck"],
      confidence: 0.7,
    });
    await this.#ledger.save();
  }
}

/** An error's first line, quoted for a tile. */
function reasonOf(error: unknown): string {
  return quoteObserved((error instanceof Error ? error.message : String(error)).split("\n")[0]);
}

/** Sort key of a session folder: chronological by its timestamp suffix, others last. */
function order(folder: string): string {
  return sessionKey(folder) ?? `~${folder}`;
}

/**
 * Create a holodeck scout.
 *
 * @param options Scout options, the sessions folder and directory access.
 * @returns The scout.
 *
 * @example Watch a sessions folder
 * ```ts ignore
 * import { createHolodeckScout } from "@plato/scout/scouts/holodeck";
 * import { denoDirReader } from "@plato/scout/runtime/deno";
 * const scout = createHolodeckScout({
 *   scoutName: "holodeck-scout",
 *   scoutRoom: "gc/research/scout-reports/holodeck",
 *   sessionsDir: "sessions",
 *   dirs: denoDirReader(),
 * });
 * await scout.run({ pollInterval: 30 });
 * ```
 */
export function createHolodeckScout(options: HolodeckScoutOptions): HolodeckScout {
  return new HolodeckScout(options);
}

/** A validated holodeck `watch:` section, as scout.yaml writes it (defaults applied). */
export interface HolodeckWatch {
  /** Always `"holodeck"`. */
  type: "holodeck";
  /** The holodeck's sessions folder. Default `"sessions"`. */
  sessions_dir: string;
  /** Most sessions remembered across restarts. Default 10,000. */
  max_sessions: number;
  /** Most SESSION_START and SESSION_END tiles per cycle. Default 20. */
  max_reports_per_tick: number;
  /** Cycles an ended session's unreadable `scores.json` is retried. Default 5. */
  scores_retries: number;
}

/** The zod schema of the `watch:` section of a holodeck scout in scout.yaml. */
export const HolodeckWatchSchema: z.ZodType<HolodeckWatch> = z.strictObject({
  type: z.literal("holodeck"),
  sessions_dir: z.string().trim().min(1).default("sessions"),
  max_sessions: z.number().int().min(1).max(1_000_000).default(10_000),
  max_reports_per_tick: z.number().int().min(1).max(500).default(20),
  scores_retries: z.number().int().min(0).max(100).default(5),
});

/**
 * The holodeck scout kind: `watch.type: holodeck` in scout.yaml, the
 * `holodeck` CLI subcommand. Needs the host's directory access (`host.dirs`).
 *
 * @example Build a holodeck scout from a watch section
 * ```ts ignore
 * import { holodeckScout } from "@plato/scout/scouts/holodeck";
 * import { denoDirReader } from "@plato/scout/runtime/deno";
 * import { MemoryState } from "@plato/scout";
 * const watch = holodeckScout.watch.parse({ type: "holodeck", sessions_dir: "sessions" });
 * const scout = holodeckScout.create(
 *   { scoutName: "holodeck-scout", scoutRoom: "gc/research/scout-reports/holodeck" },
 *   watch,
 *   { state: new MemoryState(), dirs: denoDirReader() },
 * );
 * await scout.tick();
 * ```
 */
export const holodeckScout: ScoutKind<HolodeckWatch> = {
  type: "holodeck",
  summary: "Watch holodeck sessions: starts, ends with a quality analysis, active count",
  watch: HolodeckWatchSchema,
  create(options, watch, host) {
    if (!host.dirs) {
      throw new TypeError(
        "Cannot create holodeck scout: this runtime lends no directory access ('dirs')",
      );
    }
    return new HolodeckScout({
      ...options,
      state: options.state ?? host.state,
      sessionsDir: watch.sessions_dir,
      dirs: host.dirs,
      maxSessions: watch.max_sessions,
      maxReportsPerTick: watch.max_reports_per_tick,
      scoresRetries: watch.scores_retries,
    });
  },
};
