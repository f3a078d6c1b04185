import * as z from "../_zod_mini.ts";
import { isCronExpression } from "./cron.ts";
import {
  DEFAULT_POLL_INTERVAL,
  EMISSION_DEFAULTS as E,
  hasDotSegment,
  MAX_POLL_INTERVAL,
  MIN_POLL_INTERVAL,
  NAME_MAX_LENGTH,
  NAME_PATTERN,
  ROOM_MAX_LENGTH,
} from "./defaults.ts";

/**
 * A name's characters: a refinement, not z.regex, whose string formats cost
 * the Worker bundle ~0.15 KB gzipped (the JSON Schema still gives the pattern).
 */
export const NAME_CHECK: z.core.$ZodCheck<string> = z.refine((v: string) => NAME_PATTERN.test(v), {
  message: "may only contain ASCII letters, digits, '.', '_' and '-'",
});

const ROOM = z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(ROOM_MAX_LENGTH),
  // A URL path cannot carry them: /room/a/../b is read back as /room/b.
  z.refine((room) => !hasDotSegment(room), {
    message: "its '/'-separated parts cannot be '.' or '..' (a URL would drop them)",
  }),
);

/** The `scout:` section of scout.yaml. */
export const ScoutSectionSchema = z.strictObject({
  name: z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(NAME_MAX_LENGTH),
    NAME_CHECK,
  ),
  plato_url: z.optional(
    z.string().check(z.httpUrl).check(
      z.refine((url) => !/[?#]/.test(url), {
        message: "must be the server's base URL, without '?' or '#'",
      }),
    ),
  ),
  scout_room: ROOM,
  poll_interval: z._default(
    z.number().check(z.gte(MIN_POLL_INTERVAL), z.maximum(MAX_POLL_INTERVAL)),
    DEFAULT_POLL_INTERVAL,
  ),
  /** A cron expression for Workers/Deno cron; default derived from poll_interval. */
  cron: z.optional(
    z.string().check(
      z.trim(),
      z.minLength(1),
      z.refine(isCronExpression, {
        message:
          "expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. '*/5 * * * *'",
      }),
    ),
  ),
  watched_service: z.optional(z.string().check(z.trim(), z.minLength(1))),
});

/** The `emission:` section. */
export const EmissionSchema = z.strictObject({
  min_interval_seconds: z._default(
    z.number().check(z.minimum(0), z.maximum(3600)),
    E.min_interval_seconds,
  ),
  batch_size: z._default(
    z.number().check(z.whole, z.minimum(1), z.maximum(1000)),
    E.batch_size,
  ),
  /** Batch requests in flight at once (Workers allow 6 connections). */
  concurrency: z._default(z.number().check(z.whole, z.minimum(1), z.maximum(6)), E.concurrency),
  gate: z._default(z.enum(["warn", "refuse", "off"]), E.gate),
  outbox_max_entries: z._default(z.number().check(z.whole, z.minimum(1)), E.outbox_max_entries),
  outbox_max_bytes: z._default(z.number().check(z.whole, z.minimum(1024)), E.outbox_max_bytes),
});

/** A `watch:` section before its kind is known: a `type`, and anything else. */
export const WatchBase = z.looseObject({ type: z.string().check(z.minLength(1)) });

const ScoutEntry = z.strictObject({ scout: ScoutSectionSchema, watch: WatchBase });

/** The whole file, with `watch:` checked only for its `type` (each kind checks the rest). */
export const ConfigFileSchema = z.strictObject({
  scout: z.optional(ScoutSectionSchema),
  watch: z.optional(WatchBase),
  scouts: z.optional(z.array(ScoutEntry)),
  emission: z._default(EmissionSchema, EmissionSchema.parse({})),
  state_dir: z.optional(
    z.string().check(
      z.minLength(1),
      // Only spaces: a directory no one means (the path itself is not trimmed).
      z.refine((dir) => dir.length === 0 || dir.trim() !== "", { message: "must not be blank" }),
    ),
  ),
});

/** The file as parsed, before each watch section is checked by its kind. */
export type ConfigFile = z.output<typeof ConfigFileSchema>;

/** One scout to run, normalised. */
export interface ResolvedScout {
  /** The scout's name. */
  name: string;
  /** The PLATO room its tiles go to. */
  room: string;
  /** Seconds. */
  pollInterval: number;
  /** Cron expression for Deno cron and Workers cron triggers, if set. */
  cron?: string;
  /** What it watches, if set. */
  watchedService?: string;
  /** The watch section, validated and defaulted by its kind. */
  watch: { type: string } & Record<string, unknown>;
}

/** A validated configuration, ready to build scouts from. */
export interface ResolvedConfig {
  /** The one PLATO URL of this process, if the file sets it. */
  platoUrl?: string;
  /** The scouts, in file order. */
  scouts: ResolvedScout[];
  /** Batching, retries and outbox bounds. */
  emission: {
    minIntervalSeconds: number;
    batchSize: number;
    concurrency: number;
    gate: "warn" | "refuse" | "off";
    outboxMaxEntries: number;
    outboxMaxBytes: number;
  };
  /** Where the durable outbox and state live, if set. */
  stateDir?: string;
  /**
   * Values interpolated from variables named like credentials (`${API_TOKEN}`,
   * `${DB_PASSWORD}`): never shown in tiles or logs, wherever they were used.
   */
  secrets?: string[];
}
