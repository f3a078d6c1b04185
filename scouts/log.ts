/**
 * The log scout: `--watch-file /var/log/myapp.log --pattern "ERROR|WARN"`.
 * Follows a file like `tail -F`, and per interval emits one PERIODIC tile
 * summarising what matched, plus one interesting ERROR tile for each error
 * signature never seen before.
 *
 * @module
 */

import * as z from "zod";
import { CheckpointType } from "../lib/checkpoint_type.ts";
import { GATE_LIMITS, quoteObserved } from "../lib/gate.ts";
import type { FileSource } from "../lib/log/file_source.ts";
import { escapeControls, maskLogCredentials } from "../lib/log/_mask.ts";
import { type LogSummary, LogWatcher } from "../lib/log/log_watcher.ts";
import { compilePattern } from "../lib/log/pattern.ts";
import { Scout, type ScoutOptions } from "../lib/scout.ts";
import type { ScoutKind } from "../lib/scout_kind.ts";
import { serializeAnswer } from "../lib/tile.ts";

/** Options of {@linkcode LogScout}: the scout's own, plus what to follow. */
export interface LogScoutOptions extends ScoutOptions {
  /** The log file (`--watch-file`). */
  file: string;
  /** A JavaScript regex source (`--pattern`). Default `"ERROR|WARN"`. */
  pattern?: string;
  /** Match regardless of case. Default false. */
  ignoreCase?: boolean;
  /** How the file is read; under Deno, `denoFileSource()`. */
  files: FileSource;
  /** Lines are matched and reported on their first this many characters. Default 8192. */
  maxLineLength?: number;
  /** Most bytes read per cycle; the next cycle continues. Default 64 MiB. */
  tickBudget?: number;
  /** Signatures listed per summary. Default 10. */
  topSignatures?: number;
  /** New-signature ERROR tiles per cycle at most. Default 5. */
  maxNewSignatures?: number;
  /**
   * Where the first run (no saved offset) starts: `"end"` (default, new lines
   * only, as `tail -F`) or `"beginning"` (what the file holds already, too).
   */
  readFrom?: "end" | "beginning";
}

/** Default `--pattern`, as in the original's example. */
export const DEFAULT_LOG_PATTERN = "ERROR|WARN";

const ANSWER_BUDGET = GATE_LIMITS.answerMax - 200;

/**
 * The log scout. `collect()` reads what is new (one tick of the tailer) and
 * returns the interval's {@linkcode LogSummary}; `onPeriodic` emits the
 * summary tile and the new-signature tiles, then commits the offset, so a
 * restart neither repeats nor skips a line (a crash between the two repeats
 * one interval at most).
 */
export class LogScout extends Scout<LogSummary> {
  /** The file followed. */
  readonly file: string;
  /** The pattern matched. */
  readonly pattern: string;
  readonly #watcher: LogWatcher;

  /**
   * Create the scout; nothing is read before its first cycle.
   *
   * @param options Scout options, file, pattern and file access.
   * @throws {TypeError} If the pattern is not a valid regular expression.
   */
  constructor(options: LogScoutOptions) {
    const pattern = options.pattern ?? DEFAULT_LOG_PATTERN;
    super({
      ...options,
      watchedService: options.watchedService ?? baseName(options.file),
      purpose: options.purpose ??
        `Follows ${shorten(options.file)} and summarises lines matching /${shorten(pattern)}/`,
    });
    this.file = options.file;
    this.pattern = pattern;
    this.#watcher = new LogWatcher({
      path: options.file,
      pattern,
      ignoreCase: options.ignoreCase,
      source: options.files,
      state: this.state,
      stateKey: `log:${this.scoutName}:${options.file}`,
      maxLineLength: options.maxLineLength,
      tickBudget: options.tickBudget,
      topK: options.topSignatures,
      maxNewPerInterval: options.maxNewSignatures,
      fromStart: options.readFrom === "beginning",
    });
  }

  /** Read what is new and summarise it. */
  protected override collect(): Promise<LogSummary> {
    return this.#watcher.tick();
  }

  /** The startup tile's extra fields. */
  protected override describe(): Record<string, unknown> {
    return {
      watch_file: shorten(this.file),
      pattern: shorten(this.pattern),
      tiles: "one PERIODIC summary per cycle; one ERROR tile (interesting) per new signature",
    };
  }

  /**
   * The startup tile's answer, with the file's name (the watched service by
   * default) quoted as observed text: `always-on.log` passes the gate.
   *
   * @param details Extra fields for the answer.
   * @returns The fields.
   */
  override startupContract(details: Record<string, unknown> = {}): Record<string, unknown> {
    const contract = super.startupContract(details);
    return { ...contract, watched_service: quoteObserved(shorten(this.watchedService)) };
  }

  /**
   * Emit the interval's summary and its new signatures, then commit the offset.
   *
   * @param s The interval's summary.
   */
  override async onPeriodic(s: LogSummary): Promise<void> {
    const observedAt = new Date(this.now()).toISOString();
    const levels = Object.entries(s.levels).map(([l, n]) => `${l} ${n}`).join(", ");
    const status = s.status === "missing" ? " (file missing)" : "";
    this.emitCheckpoint({
      checkpointType: CheckpointType.PERIODIC,
      question: `${this.watchedService}: ${s.matched} of ${s.linesScanned} lines matched /${
        this.pattern.slice(0, 60)
      }/${levels ? ` (${levels})` : ""}, ${s.newSignatures.length} new signatures${status}`,
      answer: fitAnswer(summaryAnswer(s, observedAt)),
      tags: [
        "periodic",
        "log",
        this.watchedService,
        ...(s.newSignatures.length ? ["new-signature"] : []),
      ],
      confidence: 0.8,
    });
    for (const sig of s.newSignatures) {
      this.emitCheckpoint({
        checkpointType: CheckpointType.ERROR,
        question: `New ${sig.level} signature in ${this.watchedService}: ${
          fromLine(sig.signature).slice(0, 120)
        }`,
        answer: {
          file: quoteObserved(shorten(s.path)),
          signature: fromLine(sig.signature),
          level: sig.level,
          example: fromLine(sig.example),
          count_in_interval: sig.count,
          signature_hash: sig.hash.toString(36),
          observed_at: observedAt,
          interesting: true,
        },
        tags: [
          "error",
          "log",
          "new-signature",
          "interesting",
          `level:${sig.level.toLowerCase()}`,
          this.watchedService,
        ],
        confidence: 0.9,
      });
    }
    await this.#watcher.commit();
  }

  /** Release the file, then close as every scout does. */
  override async close(options: { deadlineMs?: number; reason?: string } = {}): Promise<number> {
    await this.#watcher.close();
    return super.close(options);
  }
}

/** Most characters of the file path or the pattern a tile shows. */
const SHOWN_MAX = 600;

/**
 * `text` whole when short; else its start and its end (a path's file name)
 * around a marker saying how much was left out, so that the startup tile
 * (path and pattern twice) stays within the gate's length limit.
 */
function shorten(text: string): string {
  if (text.length <= SHOWN_MAX) return text;
  const keep = SHOWN_MAX / 2 - 20;
  return `${text.slice(0, keep)}\u2026(${text.length - 2 * keep} characters left out)\u2026${
    text.slice(-keep)
  }`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/**
 * What a tile shows of a log line (or its signature): credentials masked,
 * control characters escaped, then quoted as observed text. Done per tile,
 * never in the scan.
 */
function fromLine(text: string): string {
  return quoteObserved(escapeControls(maskLogCredentials(text)));
}

function summaryAnswer(s: LogSummary, observedAt: string): Record<string, unknown> {
  // The path and pattern are the operator's words, not the scout's claims:
  // quoted, so "/var/log/always-on" or /never established/ passes the gate.
  return {
    file: quoteObserved(shorten(s.path)),
    pattern: quoteObserved(shorten(s.pattern)),
    observed_at: observedAt,
    file_status: s.status,
    offset: s.offset,
    bytes_read: s.bytesRead,
    backlog_bytes: s.backlog,
    rotations: s.rotations,
    truncations: s.truncations,
    lines_scanned: s.linesScanned,
    lines_matched: s.matched,
    levels: s.levels,
    first_line: s.firstLine === undefined ? null : fromLine(s.firstLine),
    last_line: s.lastLine === undefined ? null : fromLine(s.lastLine),
    top_signatures: s.signatures.map((x) => ({
      signature: fromLine(x.signature),
      level: x.level,
      count: x.count,
    })),
    other_signatures: s.otherSignatures,
    new_signatures: s.newSignatures.length,
    new_signatures_unreported: s.newSignaturesUnreported,
    cut_lines: s.cutLines,
    interesting: s.newSignatures.length > 0 || (s.levels.FATAL ?? 0) > 0,
  };
}

/** Shrink samples and the signature list until the answer fits the gate's limit. */
function fitAnswer(answer: Record<string, unknown>): Record<string, unknown> {
  let text = serializeAnswer(answer);
  const cut = (v: unknown, n: number) =>
    typeof v === "string" && v.length > n ? v.slice(0, n) + "\u2026" : v;
  for (let width = 200; text.length > ANSWER_BUDGET && width >= 40; width = Math.floor(width / 2)) {
    answer.first_line = cut(answer.first_line, width);
    answer.last_line = cut(answer.last_line, width);
    answer.top_signatures = (answer.top_signatures as Array<{ signature: string }>).map((x) => ({
      ...x,
      signature: cut(x.signature, width),
    }));
    text = serializeAnswer(answer);
  }
  const top = answer.top_signatures as unknown[];
  while (serializeAnswer(answer).length > ANSWER_BUDGET && top.length > 0) top.pop();
  return answer;
}

/**
 * Create a log scout.
 *
 * @param options Scout options, file, pattern and file access.
 * @returns The scout.
 * @throws {TypeError} If the pattern is not a valid regular expression.
 *
 * @example Follow a log file
 * ```ts ignore
 * import { createLogScout } from "@plato/scout/scouts/log";
 * import { denoFileSource } from "@plato/scout/runtime/deno";
 * const scout = createLogScout({
 *   scoutName: "log-monitor",
 *   scoutRoom: "my/research/scout-reports/logs",
 *   file: "/var/log/myapp.log",
 *   pattern: "ERROR|WARN",
 *   files: denoFileSource(),
 * });
 * await scout.run({ pollInterval: 10 });
 * ```
 */
export function createLogScout(options: LogScoutOptions): LogScout {
  return new LogScout(options);
}

const logWatchSchema = z.strictObject({
  type: z.literal("log"),
  file: z.string().trim().min(1),
  pattern: z.string().min(1).default(DEFAULT_LOG_PATTERN).superRefine((pattern, ctx) => {
    try {
      compilePattern(pattern);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
  ignore_case: z.boolean().default(false),
  max_line_length: z.number().int().min(16).max(1 << 20).default(8192),
  tick_budget_bytes: z.number().int().min(1 << 20).default(64 << 20),
  top_signatures: z.number().int().min(1).max(50).default(10),
  max_new_signatures: z.number().int().min(0).max(50).default(5),
  read_from: z.enum(["end", "beginning"]).default("end"),
});

/** A validated log `watch:` section (defaults applied). */
export interface LogWatch {
  /** Always `log`. */
  type: "log";
  /** The log file. */
  file: string;
  /** A JavaScript regex source. */
  pattern: string;
  /** Match regardless of case. */
  ignore_case: boolean;
  /** Lines are matched on their first this many characters. */
  max_line_length: number;
  /** Most bytes read per cycle. */
  tick_budget_bytes: number;
  /** Signatures listed per summary. */
  top_signatures: number;
  /** New-signature ERROR tiles per cycle at most. */
  max_new_signatures: number;
  /** Where a first run (no saved offset) starts reading: `end` or `beginning`. */
  read_from: "end" | "beginning";
}

/** A log `watch:` section as written in scout.yaml (optional keys have defaults). */
export type LogWatchInput =
  & Pick<LogWatch, "type" | "file">
  & Partial<Omit<LogWatch, "type" | "file">>;

/** The `watch:` section of a log scout in scout.yaml (snake_case keys, defaults applied). */
export const LogWatchSchema: z.ZodType<LogWatch, LogWatchInput> = logWatchSchema;

/**
 * The log scout kind: `watch.type: log` in scout.yaml, the `log` CLI subcommand.
 * Needs the host's file access (`host.files`).
 */
export const logScoutKind: ScoutKind<LogWatch> = {
  type: "log",
  summary: "Follow a log file and summarise the lines matching a pattern",
  watch: LogWatchSchema,
  create(options, watch, host) {
    if (!host.files) {
      throw new TypeError("Cannot create log scout: this runtime lends no file access ('files')");
    }
    return new LogScout({
      ...options,
      state: options.state ?? host.state,
      file: watch.file,
      pattern: watch.pattern,
      ignoreCase: watch.ignore_case,
      files: host.files,
      maxLineLength: watch.max_line_length,
      tickBudget: watch.tick_budget_bytes,
      topSignatures: watch.top_signatures,
      maxNewSignatures: watch.max_new_signatures,
      readFrom: watch.read_from,
    });
  },
};
