import * as z from "zod";
import type { ScoutKind } from "../scout_kind.ts";

const ROOM = z.string().trim().min(1).max(512);

/** The `scout:` section of scout.yaml. */
export const ScoutSectionSchema = z.strictObject({
  name: z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, {
    message: "may only contain letters, digits, '.', '_' and '-'",
  }),
  plato_url: z.url({ protocol: /^https?$/, message: "expected an http or https URL" }).optional(),
  scout_room: ROOM,
  poll_interval: z.number().gt(0).max(86_400).default(60),
  /** A cron expression for Workers/Deno cron; default derived from poll_interval. */
  cron: z.string().trim().min(1).optional(),
  watched_service: z.string().trim().min(1).optional(),
});

/** The `emission:` section. */
export const EmissionSchema = z.strictObject({
  min_interval_seconds: z.number().min(0).max(3600).default(1),
  batch_size: z.number().int().min(1).max(1000).default(200),
  /** Batch requests in flight at once (Workers allow 6 connections). */
  concurrency: z.number().int().min(1).max(6).default(2),
  gate: z.enum(["warn", "refuse", "off"]).default("warn"),
  outbox_max_entries: z.number().int().min(1).default(100_000),
  outbox_max_bytes: z.number().int().min(1024).default(256 * 1024 * 1024),
});

const WatchBase = z.looseObject({ type: z.string().min(1) });

const ScoutEntry = z.strictObject({ scout: ScoutSectionSchema, watch: WatchBase });

/** The whole file, with `watch:` checked only for its `type` (each kind checks the rest). */
export const ConfigFileSchema = z.strictObject({
  scout: ScoutSectionSchema.optional(),
  watch: WatchBase.optional(),
  scouts: z.array(ScoutEntry).optional(),
  emission: EmissionSchema.default(EmissionSchema.parse({})),
  state_dir: z.string().min(1).optional(),
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
}

/**
 * A JSON Schema of scout.yaml for editor completion, generated from the same
 * zod schemas that validate it, with each kind's `watch` section.
 *
 * @param kinds The scout kinds `watch.type` may name.
 * @returns A JSON Schema (draft 2020-12) object.
 */
export function configJsonSchema(kinds: readonly ScoutKind[]): Record<string, unknown> {
  const watch = kinds.length === 0
    ? WatchBase
    : kinds.length === 1
    ? kinds[0].watch
    : z.union(kinds.map((k) => k.watch) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const file = z.strictObject({
    scout: ScoutSectionSchema.optional(),
    watch: watch.optional(),
    scouts: z.array(z.strictObject({ scout: ScoutSectionSchema, watch })).optional(),
    emission: EmissionSchema.optional(),
    state_dir: z.string().optional(),
  });
  const schema = z.toJSONSchema(file, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: "scout.yaml (@plato/scout)" };
}
