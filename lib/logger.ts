import { getEnv } from "./env.ts";
import { redactSecrets } from "./redact.ts";

/** Log levels, least to most severe; `silent` logs nothing. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** One log record as handed to a sink. */
export interface LogRecord {
  /** Severity. */
  level: Exclude<LogLevel, "silent">;
  /** Epoch ms. */
  time: number;
  /** Who logged (the scout name). */
  name: string;
  /** The message, credentials already removed. */
  message: string;
}

/** A levelled logger. */
export interface Logger {
  /** Log detail for debugging. */
  debug(message: string): void;
  /** Log normal operation. */
  info(message: string): void;
  /** Log something that needs attention but did not fail. */
  warn(message: string): void;
  /** Log a failure. */
  error(message: string): void;
  /** A logger with another name and the same level, sink and secrets. */
  child(name: string): Logger;
  /** The active level. */
  readonly level: LogLevel;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Default: `SCOUT_LOG_LEVEL` (case-insensitive), else `info`. */
  level?: LogLevel | string;
  /** Default: one line to `console.error`. */
  sink?: (record: LogRecord) => void;
  /** Strings that must never appear in a log line (tokens, passwords). */
  secrets?: readonly string[];
  /** Default `plato-scout`. */
  name?: string;
  /** Default `Date.now`. */
  now?: () => number;
}

/**
 * Parse a level name; unknown names become `info`.
 *
 * @param value A level name such as `WARN` or `warning`.
 * @returns The level.
 */
export function parseLogLevel(value: string | undefined): LogLevel {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "warning") return "warn";
  if (v === "critical" || v === "fatal") return "error";
  if (v === "none" || v === "off") return "silent";
  return v in RANK ? v as LogLevel : "info";
}

/**
 * Format a record as one line: `2026-05-19T22:30:00.000Z WARN [name] message`.
 * Line breaks and other control characters in the message (a server's error
 * page, a carriage return that would overwrite the line on a terminal) become
 * spaces: one record, one line, and text from outside cannot forge a record.
 *
 * @param record The record.
 * @returns The line.
 */
export function formatLogRecord(record: LogRecord): string {
  return `${new Date(record.time).toISOString()} ${record.level.toUpperCase()} [${record.name}] ${
    // deno-lint-ignore no-control-regex -- control characters are what it removes
    record.message.replace(/[\x00-\x08\x0a-\x1f\x7f]+/g, " ")}`;
}

/**
 * Create a levelled logger that honours `SCOUT_LOG_LEVEL` and strips secrets.
 *
 * @param options Level, sink, secrets, name.
 * @returns A {@linkcode Logger}.
 *
 * @example Log with a secret removed
 * ```ts
 * import { createLogger } from "@plato/scout";
 * const lines: string[] = [];
 * const log = createLogger({ level: "info", secrets: ["hunter22"], sink: (r) => lines.push(r.message) });
 * log.info("token hunter22 in use");
 * console.log(lines); // ["token *** in use"]
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = parseLogLevel(options.level ?? getEnv("SCOUT_LOG_LEVEL"));
  const sink = options.sink ?? ((r: LogRecord) => console.error(formatLogRecord(r)));
  const secrets = options.secrets ?? [];
  const now = options.now ?? Date.now;
  const make = (given: string): Logger => {
    // A scout named by `${PLATO_API_KEY}` must not show it in `[name]`.
    const name = redactSecrets(given, secrets);
    const at = (l: Exclude<LogLevel, "silent">) => (message: string) => {
      if (RANK[l] < RANK[level]) return;
      sink({ level: l, time: now(), name, message: redactSecrets(message, secrets) });
    };
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      child: (child: string) => make(child),
      level,
    };
  };
  return make(options.name ?? "plato-scout");
}
