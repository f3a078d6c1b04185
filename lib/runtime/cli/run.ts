import { getEnv } from "../../env.ts";
import { runConfig } from "../runner.ts";
import { UsageError } from "../usage_error.ts";
import { type Command, httpUrl, parseFlags } from "./command.ts";
import { KIND_DEFAULTS } from "./kind_flags.ts";
import { factoriesForConfig } from "./kind_loader.ts";
import {
  checkPlatoUrlFromEnv,
  configFromFile,
  configFromFlags,
  configSecrets,
  readRunFlags,
  RUN_FLAGS,
  RUN_FLAGS_HELP,
  urlCredentials,
} from "./run_options.ts";

/**
 * Wire SIGINT/SIGTERM to an AbortSignal for the length of a run.
 *
 * @returns The signal and a function removing the listeners.
 */
export function stopSignal(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  return { signal: ac.signal, dispose: onStopSignals(() => ac.abort()) };
}

/**
 * Call `stop` on SIGINT/SIGTERM (SIGINT only on Windows).
 *
 * @param stop What a signal does.
 * @returns A function removing the listeners.
 */
export function onStopSignals(stop: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  return () => signals.forEach((s) => Deno.removeSignalListener(s, stop));
}

/**
 * Where `/metrics` listens, from `SCOUT_METRICS_PORT`, if set: `PORT` (every
 * interface) or `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`).
 */
export function metricsAddressFromEnv(): { port: number; hostname?: string } | undefined {
  const raw = getEnv("SCOUT_METRICS_PORT");
  if (raw === undefined || raw === "") return undefined;
  const m = /^(?:(\[[^\]]+\]|[^:\[\]]+):)?(\d+)$/.exec(raw.trim());
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(
      `SCOUT_METRICS_PORT must be a port number (0-65535) or HOST:PORT, got '${raw}'`,
    );
  }
  return m[1] === undefined ? { port } : { port, hostname: m[1].replace(/^\[(.*)\]$/, "$1") };
}

/**
 * Run the config `build` resolves with the shared flags; used by `run` and
 * each scout subcommand. A long run listens for SIGINT/SIGTERM before the
 * config is read: a signal while it loads ends the run with exit 0 (without
 * a listener, the default action would end it with 143). A --once run arms
 * its signal handling only if it lasts (see RunOptions.stopSignals).
 */
export async function runWithFlags(
  build: () => Promise<Parameters<typeof runConfig>[0]>,
  flags: ReturnType<typeof readRunFlags>,
): Promise<number> {
  const { signal, dispose } = flags.once ? { signal: undefined, dispose: () => {} } : stopSignal();
  try {
    const config = await build();
    checkPlatoUrlFromEnv(flags, config);
    const metrics = metricsAddressFromEnv();
    const kinds = await factoriesForConfig(config);
    return await runConfig(config, {
      kinds,
      ...flags,
      metricsPort: metrics?.port,
      metricsHost: metrics?.hostname,
      signal,
      stopSignals: onStopSignals,
      // PLATO's URL from the flag or the environment may hold user info too.
      secrets: [
        ...configSecrets(config),
        ...urlCredentials(flags.platoUrl ?? getEnv("PLATO_URL") ?? ""),
      ].filter((s) => s.length >= 4),
    });
  } finally {
    dispose();
  }
}

/** `plato-scout [run] --watch-url ... | --watch-file ... | --config scout.yaml`. */
export const runCommand: Command = {
  name: "run",
  summary: "Run scouts from flags (--watch-url, --watch-file) or --config scout.yaml",
  help: [
    "Usage: plato-scout [run] --watch-url URL [--name NAME] [--room ROOM] [--interval SECONDS]",
    "       plato-scout [run] --watch-file PATH [--pattern REGEX] [--name NAME] [--room ROOM]",
    "       plato-scout [run] --config scout.yaml",
    "",
    "  --config FILE        scout.yaml (see 'plato-scout schema' for its JSON Schema)",
    "  --watch-url URL      Watch an HTTP endpoint",
    "  --watch-file PATH    Watch a log file",
    '  --pattern REGEX      With --watch-file: lines to report (default "ERROR|WARN")',
    RUN_FLAGS_HELP,
    "",
    `Defaults: --name ${KIND_DEFAULTS.http.name} --room ${KIND_DEFAULTS.http.room} with --watch-url,`,
    `          --name ${KIND_DEFAULTS.log.name} --room ${KIND_DEFAULTS.log.room} with --watch-file.`,
    "With --config the file sets them: --name, --room, --interval, --watch-url,",
    "--watch-file and --pattern are refused.",
    "",
    "Environment: PLATO_URL, PLATO_API_KEY, SCOUT_LOG_LEVEL, SCOUT_METRICS_PORT",
  ].join("\n"),
  async run(argv) {
    const { values } = parseFlags("run", argv, {
      ...RUN_FLAGS,
      config: { type: "string" },
      "watch-url": { type: "string" },
      "watch-file": { type: "string" },
      pattern: { type: "string" },
    });
    const flags = readRunFlags("run", values);
    if (values.config !== undefined) {
      for (const f of ["watch-url", "watch-file", "pattern", "name", "room", "interval"] as const) {
        if (values[f] !== undefined) {
          throw new UsageError(`run: '--${f}' cannot be combined with '--config'`);
        }
      }
      const file = values.config;
      return await runWithFlags(() => configFromFile(file), flags);
    }
    const url = values["watch-url"];
    const file = values["watch-file"];
    if (url !== undefined && file !== undefined) {
      throw new UsageError("run: give either '--watch-url' or '--watch-file', not both");
    }
    if (url === undefined && file === undefined) {
      throw new UsageError(
        "run: nothing to watch: give '--watch-url', '--watch-file' or '--config'",
      );
    }
    if (values.pattern !== undefined && file === undefined) {
      throw new UsageError("run: '--pattern' goes with '--watch-file'");
    }
    const type = url !== undefined ? "http" : "log";
    if (url !== undefined) httpUrl("run", "watch-url", url);
    if (file !== undefined && file.trim() === "") {
      throw new UsageError("run: '--watch-file' must not be empty");
    }
    const watch: Record<string, unknown> = url !== undefined
      ? { type, url }
      : { type, file, ...(values.pattern !== undefined ? { pattern: values.pattern } : {}) };
    return await runWithFlags(() =>
      configFromFlags(
        "run",
        {
          name: values.name ?? KIND_DEFAULTS[type].name,
          room: values.room ?? KIND_DEFAULTS[type].room,
          interval: values.interval,
        },
        watch,
        { url: "watch-url", file: "watch-file", pattern: "pattern" },
      ), flags);
  },
};
