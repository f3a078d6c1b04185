/**
 * A one-scout config resolved without zod, when every value in it is plainly
 * valid: what the command line builds from flags (`http --url ... --room ...`).
 * The result is what `validateConfig` returns for the same value; anything
 * not plainly valid declines, and the caller validates it with zod (which
 * words every error). `tests/plain_config_test.ts` checks the two agree.
 *
 * Why it exists: loading zod and building its schemas costs a `--once` run
 * more than the run's own work (issue 4's start-up budget), and a flag run
 * has nothing for zod to find that the flag checks did not.
 *
 * @module
 */
import {
  DEFAULT_POLL_INTERVAL,
  EMISSION_DEFAULTS,
  emissionSettings,
  hasDotSegment,
  MAX_POLL_INTERVAL,
  MIN_POLL_INTERVAL,
  NAME_MAX_LENGTH,
  NAME_PATTERN,
  ROOM_MAX_LENGTH,
} from "./defaults.ts";
import type { ResolvedConfig, ResolvedScout } from "./schema.ts";

/**
 * Resolves one kind's `watch:` section the way its schema would, or returns
 * `undefined` to leave it to the schema.
 */
export type PlainWatchResolver = (section: Record<string, unknown>) => { type: string } | undefined;

/** What the command line builds from its flags. */
export interface PlainConfigInput {
  /** `scout.name`, `scout.scout_room` and, optionally, `scout.poll_interval`. */
  scout: { name: unknown; scout_room: unknown; poll_interval?: unknown };
  /** The `watch:` section; its `type` picks the resolver. */
  watch: Record<string, unknown>;
}

/**
 * Resolve a flag-built one-scout config without zod, or decline.
 *
 * @param input The config, as flags built it (nothing else set).
 * @param resolveWatch The kind's plain resolver for `input.watch`.
 * @returns The config `validateConfig` would return, or `undefined`.
 */
export function resolvePlainConfig(
  input: PlainConfigInput,
  resolveWatch: PlainWatchResolver,
): ResolvedConfig | undefined {
  const { name, scout_room: room, poll_interval: interval } = input.scout;
  if (Object.keys(input.scout).some((k) => !["name", "scout_room", "poll_interval"].includes(k))) {
    return undefined;
  }
  // The schema trims names and rooms, and `${VAR}` is interpolated first:
  // values with either are left to it.
  const plain = (v: unknown): v is string =>
    typeof v === "string" && v.length > 0 && v === v.trim() && !v.includes("${");
  if (!plain(name) || name.length > NAME_MAX_LENGTH || !NAME_PATTERN.test(name)) return undefined;
  if (!plain(room) || room.length > ROOM_MAX_LENGTH || hasDotSegment(room)) return undefined;
  const pollInterval = interval ?? DEFAULT_POLL_INTERVAL;
  if (
    typeof pollInterval !== "number" ||
    !(pollInterval >= MIN_POLL_INTERVAL && pollInterval <= MAX_POLL_INTERVAL)
  ) {
    return undefined;
  }
  const watch = resolveWatch(input.watch);
  if (!watch) return undefined;
  return {
    platoUrl: undefined,
    scouts: [{
      name,
      room,
      pollInterval,
      cron: undefined,
      watchedService: undefined,
      watch: watch as ResolvedScout["watch"],
    }],
    emission: emissionSettings(EMISSION_DEFAULTS),
    stateDir: undefined,
  };
}
