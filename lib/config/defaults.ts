/**
 * The numbers behind scout.yaml's `scout:` and `emission:` sections: the
 * defaults and limits both `schema.ts` (zod) and `plain.ts`
 * (flags, without zod) use, so the two cannot drift apart.
 *
 * @module
 */
import type { ResolvedConfig } from "./schema.ts";

/** `scout.name`: at most this many characters, each matching {@linkcode NAME_PATTERN}. */
export const NAME_MAX_LENGTH = 128;
/** The characters `scout.name` may contain. */
export const NAME_PATTERN: RegExp = /^[A-Za-z0-9._-]+$/;
/** `scout.scout_room`: at most this many characters. */
export const ROOM_MAX_LENGTH = 512;
/** `scout.poll_interval` when none is given, seconds. */
export const DEFAULT_POLL_INTERVAL = 60;
/**
 * The shortest `scout.poll_interval` (and `--interval`), seconds: ten cycles
 * a second at most, so a slip such as `0.001` cannot hammer the target.
 * Sub-second intervals are for tests; a service is polled every few seconds.
 */
export const MIN_POLL_INTERVAL = 0.1;
/** The longest `scout.poll_interval`, seconds (a day). */
export const MAX_POLL_INTERVAL = 86_400;

/** The `emission:` section of scout.yaml, every field given. */
export interface EmissionSection {
  readonly min_interval_seconds: number;
  readonly batch_size: number;
  readonly concurrency: number;
  readonly gate: "warn" | "refuse" | "off";
  readonly outbox_max_entries: number;
  readonly outbox_max_bytes: number;
}

/** The `emission:` section when nothing in it is given. */
export const EMISSION_DEFAULTS: EmissionSection = {
  min_interval_seconds: 1,
  batch_size: 200,
  concurrency: 2,
  gate: "warn",
  outbox_max_entries: 100_000,
  outbox_max_bytes: 256 * 1024 * 1024,
};

/**
 * A resolved config's `emission`, from a complete `emission:` section.
 *
 * @param e The section, defaults applied.
 * @returns The same settings, camelCased.
 */
export function emissionSettings(e: EmissionSection): ResolvedConfig["emission"] {
  return {
    minIntervalSeconds: e.min_interval_seconds,
    batchSize: e.batch_size,
    concurrency: e.concurrency,
    gate: e.gate,
    outboxMaxEntries: e.outbox_max_entries,
    outboxMaxBytes: e.outbox_max_bytes,
  };
}

/** Whether a room has a `.` or `..` part between its `/`s, which a URL path would resolve away. */
export function hasDotSegment(room: string): boolean {
  return room.split("/").some((part) => part === "." || part === "..");
}
