import { formatProblem } from "../../config/problem.ts";
import { resolvePlainConfig } from "../../config/plain.ts";
import { MAX_POLL_INTERVAL, MIN_POLL_INTERVAL } from "../../config/defaults.ts";
import type { ResolvedConfig } from "../../config/schema.ts";
import { oneLine, UsageError } from "../usage_error.ts";
import { type FlagSpec, givenPlatoUrl, positiveNumber } from "./command.ts";
import { getEnv } from "../../env.ts";
import { kindsForRawConfig, plainWatchResolver } from "./kind_loader.ts";
import { readAtMost } from "../_deno_files.ts";
import { basicCredential, decodeUserInfo } from "../../redact.ts";

// What parseLogLevel (lib/logger.ts) reads; anything else would silently mean info.
const LOG_LEVELS = [
  "debug",
  "info",
  "warn",
  "warning",
  "error",
  "critical",
  "fatal",
  "silent",
  "off",
  "none",
];

/** Flags every way of running scouts shares. */
export const RUN_FLAGS = {
  name: { type: "string" },
  room: { type: "string" },
  interval: { type: "string" },
  "plato-url": { type: "string" },
  once: { type: "boolean" },
  stdout: { type: "boolean" },
  "state-dir": { type: "string" },
  deadline: { type: "string" },
} as const satisfies Record<string, FlagSpec>;

/** Help lines for {@linkcode RUN_FLAGS}. */
export const RUN_FLAGS_HELP = [
  "  --name NAME          Scout name (source of its tiles)",
  "  --room ROOM          PLATO room its tiles go to",
  "  --interval SECONDS   Seconds between cycles, 0.1 to 86400 (default 60)",
  "  --plato-url URL      PLATO server (default $PLATO_URL, else http://localhost:8848)",
  "  --once               Run one cycle, deliver, exit (1 if tiles could not be delivered)",
  "  --stdout             Print tiles as JSON lines instead of sending them (a dry run:",
  "                       starts from --state-dir, writes nothing there)",
  "  --state-dir DIR      Durable outbox and scout state (default .plato-scout)",
  "  --deadline SECONDS   How long to keep delivering on stop (default 10)",
].join("\n");

/** Everything `runConfig` needs besides the config. */
export interface RunFlags {
  once: boolean;
  stdout: boolean;
  stateDir?: string;
  platoUrl?: string;
  deadlineMs: number;
}

/** Read the shared run flags, naming a bad one. */
export function readRunFlags(command: string, values: Record<string, unknown>): RunFlags {
  const platoUrl = values["plato-url"] as string | undefined;
  // PLATO_URL is checked once the config is read (see checkPlatoUrlFromEnv):
  // a config's plato_url wins over it.
  givenPlatoUrl(command, platoUrl, undefined);
  const level = getEnv("SCOUT_LOG_LEVEL");
  if (level !== undefined && !LOG_LEVELS.includes(level.trim().toLowerCase())) {
    throw new UsageError(
      `SCOUT_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got '${level}'`,
    );
  }
  const deadline = values.deadline as string | undefined;
  const stateDir = values["state-dir"] as string | undefined;
  if (stateDir !== undefined && stateDir.trim() === "") {
    throw new UsageError(`${command}: '--state-dir' must not be empty`);
  }
  return {
    once: Boolean(values.once),
    stdout: Boolean(values.stdout),
    stateDir,
    platoUrl,
    deadlineMs: deadline === undefined ? 10_000 : boundedDeadline(command, deadline) * 1000,
  };
}

/**
 * Check `PLATO_URL` when the run will use it: neither `--plato-url` nor the
 * config's `plato_url` is set (they come first).
 *
 * @param flags The run flags.
 * @param config The resolved config.
 * @throws {UsageError} When `PLATO_URL` is used and is not an http(s) URL.
 */
export function checkPlatoUrlFromEnv(flags: RunFlags, config: ResolvedConfig): void {
  if (flags.platoUrl === undefined && config.platoUrl === undefined) {
    givenPlatoUrl("run", undefined, getEnv("PLATO_URL"));
  }
}

/**
 * Build and validate a one-scout config from flags, with the same schema as
 * scout.yaml; the first problem becomes a one-line usage error.
 */
export async function configFromFlags(
  command: string,
  scout: { name: string; room: string; interval?: string },
  watch: Record<string, unknown>,
  watchFlags: Record<string, string> = {},
): Promise<ResolvedConfig> {
  const pollInterval = scout.interval === undefined ? 60 : intervalSeconds(command, scout.interval);
  const raw = {
    scout: { name: scout.name, scout_room: scout.room, poll_interval: pollInterval },
    watch,
  };
  // Plainly valid flags resolve without zod (lib/config/plain.ts); the rest,
  // and every error message, come from the schemas.
  const plain = plainWatchResolver(String(watch.type));
  const resolved = plain && resolvePlainConfig(raw, await plain);
  if (resolved) return resolved;
  const [{ validateConfig }, kinds] = await Promise.all([
    import("../../config/validate.ts"),
    kindsForRawConfig(raw),
  ]);
  // Flags are taken as typed: the shell has expanded them.
  const result = validateConfig(raw, { kinds, interpolate: false });
  if (!result.ok) {
    const problem = result.problems[0];
    throw new UsageError(
      `${command}: ${flagProblem(problem, watchFlags) ?? formatProblem(problem)}`,
    );
  }
  return result.config;
}

/**
 * `--interval`: seconds, as scout.yaml's `poll_interval` takes them (from
 * {@linkcode MIN_POLL_INTERVAL}, so a slip such as `0.001` cannot hammer the
 * target, to a day).
 */
function intervalSeconds(command: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= MIN_POLL_INTERVAL && n <= MAX_POLL_INTERVAL)) {
    throw new UsageError(
      `${command}: '--interval' must be a number of seconds from ${MIN_POLL_INTERVAL} to ${MAX_POLL_INTERVAL}, got '${value}'`,
    );
  }
  return n;
}

/** The flags that set `scout:` keys in a flag-built config. */
const SCOUT_FLAGS: Record<string, string> = {
  name: "name",
  scout_room: "room",
  poll_interval: "interval",
};

/**
 * A problem of a flag-built config, told by the flag that set the value
 * (`'--url' is required`, not `watch.url: is required`); undefined for a
 * path no flag sets.
 */
function flagProblem(
  problem: { path: string; message: string },
  watchFlags: Record<string, string>,
): string | undefined {
  const m = /^(scout|watch)\.([A-Za-z_]+)(?:\[(\d+)\])?/.exec(problem.path);
  const flag = m && (m[1] === "scout" ? SCOUT_FLAGS[m[2]] : watchFlags[m[2]]);
  if (!flag) return undefined;
  const item = m[3] === undefined ? "" : ` (item ${Number(m[3]) + 1})`;
  const joint = /^(is|must) /.test(problem.message) ? " " : ": ";
  // Other keys the message names are flags too ('needs json_path': '--json-path').
  const message = problem.message.replace(
    /\b[a-z]+(?:_[a-z]+)+\b/g,
    (key) => watchFlags[key] ? `'--${watchFlags[key]}'` : key,
  );
  return `'--${flag}'${item}${joint}${message}`;
}

/**
 * Read and validate a scout.yaml file. The error names the first problem and
 * how many more there are; with `listAll`, every problem is printed first.
 */
export async function configFromFile(path: string, listAll = false): Promise<ResolvedConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileAtMost(path, MAX_CONFIG_BYTES);
  } catch (error) {
    const reason = error instanceof RangeError
      ? error.message
      : error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : (error as Error).message;
    throw new UsageError(`Cannot read config '${path}': ${reason}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(
      `Cannot read config '${path}': not UTF-8 text (line ${lineOfBadUtf8(bytes)})`,
    );
  }
  // Only a config file is YAML: the yaml package (its CommonJS build under Deno)
  // is the heaviest import of the CLI, so flag-only runs never load it.
  const [{ loadConfig }, { parse }] = await Promise.all([
    import("../../config/load.ts"),
    import("yaml"),
  ]);
  // A first, lenient parse finds the kinds the file names, so only those load
  // (their schemas are part of validation); loadConfig reports any YAML error.
  let raw: unknown;
  try {
    raw = parse(text, { logLevel: "silent", uniqueKeys: false, merge: true });
  } catch {
    raw = undefined;
  }
  const kinds = await kindsForRawConfig(raw);
  const result = loadConfig(text, { kinds, env: (name) => Deno.env.get(name) });
  if (!result.ok) {
    const [first, ...rest] = result.problems;
    if (listAll) {
      // Every problem in file order; the last one ends the command.
      const all = [...result.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      const last = all.pop()!;
      for (const p of all) console.error(`plato-scout: ${oneLine(`${path}: ${formatProblem(p)}`)}`);
      throw new UsageError(`${path}: ${formatProblem(last)}`);
    }
    const more = rest.length
      ? ` (and ${rest.length} more: run 'plato-scout validate ${path}')`
      : "";
    throw new UsageError(`${path}: ${formatProblem(first)}${more}`);
  }
  return result.config;
}

/** Strings in a config that must never be printed: credentials in URLs and secret-looking values. */
export function configSecrets(config: ResolvedConfig): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (/key|token|secret|password|authorization|cookie/i.test(key) && value.length >= 4) {
        out.push(value);
      }
      // Credentials in a URL sit before an "@": parse only such strings (a
      // failed parse throws, and throwing costs a start ~1 ms for 8 strings).
      if (value.includes("@")) out.push(...urlCredentials(value));
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(config, "");
  return [...new Set([...out, ...(config.secrets ?? [])])].filter((s) => s.length >= 4);
}

/**
 * The credentials in a URL's user info, as a server could echo them: the
 * password, the user, and the Basic authorization fetch sends for them
 * (base64 of `user:password`). Empty for no user info or no URL.
 *
 * @param value A URL, or any text.
 * @returns The strings to mask.
 */
export function urlCredentials(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  if (!url.username && !url.password) return [];
  const user = decodeUserInfo(url.username), password = decodeUserInfo(url.password);
  // Credentials too short to mask (see configSecrets) are not masked encoded either.
  const masked = password.length >= 4 || user.length >= 4;
  return [password, user, ...(masked ? [basicCredential(user, password)] : [])]
    .filter((s) => s.length > 0);
}

/** The longest `--deadline`, seconds (a day; timers take no more than ~24.8 days). */
const MAX_DEADLINE_SECONDS = 86_400;

function boundedDeadline(command: string, text: string): number {
  const seconds = positiveNumber(command, "deadline", text);
  if (seconds > MAX_DEADLINE_SECONDS) {
    throw new UsageError(
      `${command}: '--deadline' must be at most ${MAX_DEADLINE_SECONDS} seconds, got '${text}'`,
    );
  }
  return seconds;
}

/** The largest config file read: a scout.yaml is kilobytes; /dev/zero is endless. */
const MAX_CONFIG_BYTES = 1 << 20;

/** A file's bytes; a RangeError past `max` bytes (a device or a runaway file). */
async function readFileAtMost(path: string, max: number): Promise<Uint8Array> {
  const file = await Deno.open(path);
  try {
    return await readAtMost(file, max, () => new RangeError(`larger than ${max >> 20} MiB`));
  } finally {
    file.close();
  }
}

/** The 1-based line of the first byte that is not UTF-8. */
function lineOfBadUtf8(bytes: Uint8Array): number {
  // The longest prefix that decodes (an unfinished character at its end is
  // allowed with stream: true): the bad byte follows it.
  let lo = 0, hi = bytes.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  let line = 1;
  for (let i = 0; i < lo; i++) if (bytes[i] === 10) line++;
  return line;
}
