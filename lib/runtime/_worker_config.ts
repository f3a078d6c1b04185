/**
 * Where a Worker's configuration comes from: code, or the Worker's
 * environment (`SCOUTS` as JSON, or YAML with an injected parser;
 * `PLATO_URL`; `PLATO_API_KEY`), validated with the same zod schema as
 * scout.yaml.
 *
 * @module
 */

import { validateConfig } from "../config/validate.ts";
import { formatProblem } from "../config/problem.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import type { ScoutKind } from "../scout_kind.ts";
import type { WorkerEnv } from "./cloudflare_types.ts";

/** What {@linkcode resolveWorkerConfig} needs from `createWorker`'s options. */
export interface WorkerConfigSource {
  kinds: readonly ScoutKind[];
  config?: unknown;
  parseConfig?: (text: string) => unknown;
  platoUrl?: string;
  apiKey?: string;
}

/** A usable configuration, or every reason there is none. */
export type WorkerSetup =
  | { ok: true; config: ResolvedConfig; platoUrl: string; apiKey?: string }
  | { ok: false; problems: string[] };

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value : undefined;

/**
 * Resolve and validate the configuration for one environment.
 *
 * @param env The Worker's environment.
 * @param source The configuration given in code, kinds and parser.
 * @returns The setup, or the problems (each one line, safe to log).
 */
export function resolveWorkerConfig(env: WorkerEnv, source: WorkerConfigSource): WorkerSetup {
  let raw = source.config;
  if (raw === undefined) {
    const scouts = env.SCOUTS;
    if (scouts === undefined || scouts === null || scouts === "") {
      return {
        ok: false,
        problems: ["SCOUTS is not set: add it as a var (scout.yaml as JSON) or pass 'config'"],
      };
    }
    if (typeof scouts === "string") {
      try {
        raw = (source.parseConfig ?? JSON.parse)(scouts);
      } catch (error) {
        const hint = source.parseConfig
          ? ""
          : " (SCOUTS is read as JSON; for YAML pass 'parseConfig' from the yaml package)";
        return {
          ok: false,
          problems: [`Cannot parse SCOUTS: ${(error as Error).message.split("\n")[0]}${hint}`],
        };
      }
    } else {
      raw = scouts;
    }
  }
  const result = validateConfig(raw, {
    kinds: source.kinds,
    env: (name) => str(env[name]),
  });
  if (!result.ok) return { ok: false, problems: result.problems.map(formatProblem) };
  const platoUrl = source.platoUrl ?? result.config.platoUrl ?? str(env.PLATO_URL);
  // Not echoed: a URL may carry credentials.
  if (!/^https?:\/\/\w/i.test(platoUrl ?? "")) {
    return {
      ok: false,
      problems: [
        `PLATO_URL is not ${
          platoUrl ? "an http(s) URL" : "set"
        }: add it as a var, set scout.plato_url, or pass 'platoUrl'`,
      ],
    };
  }
  return {
    ok: true,
    config: result.config,
    platoUrl: platoUrl!,
    apiKey: source.apiKey ?? str(env.PLATO_API_KEY),
  };
}

/**
 * Which scouts a trigger runs: those whose `cron` is the trigger's
 * expression (compared with runs of spaces collapsed), and those without a
 * `cron`, which run on every trigger. Without a cron (a manual run), all.
 *
 * @param config The configuration.
 * @param cron The expression that fired, if any.
 * @param names Only these scouts, if given.
 * @returns The configuration narrowed to the scouts to run.
 */
export function selectScouts(
  config: ResolvedConfig,
  cron?: string,
  names?: readonly string[],
): ResolvedConfig {
  const norm = (s: string) => s.trim().replace(/\s+/g, " ");
  const fired = cron === undefined ? undefined : norm(cron);
  const scouts = config.scouts.filter((s) =>
    (fired === undefined || s.cron === undefined || norm(s.cron) === fired) &&
    (names === undefined || names.includes(s.name))
  );
  return { ...config, scouts };
}
