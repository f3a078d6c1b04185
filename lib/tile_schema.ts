/**
 * `@plato/scout/tile`: the tile's zod schema and {@linkcode parseTile}, for
 * checking tiles read back from PLATO or received by a server. Apart from the
 * library's main entry (which builds and sends tiles) so that neither it nor
 * the command line loads zod for that: `deno run -A jsr:@plato/scout` starts
 * the CLI from the main entry.
 *
 * ```ts
 * import { parseTile } from "@plato/scout/tile";
 * console.log(parseTile({ domain: "x" }).ok); // false
 * ```
 *
 * @module
 */
import * as z from "./_zod_mini.ts";
import { PARSE_OPTIONS } from "./_zod_messages.ts";
import type { Tile } from "./tile.ts";

/** The longest tile `id` a server accepts. */
export const TILE_ID_MAX_LENGTH = 200;
/** The longest tile `domain` (room) a server accepts. */
const DOMAIN_MAX_LENGTH = 512;

/** ISO-8601 UTC timestamp ending in `Z`, with optional fractional seconds. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * The zod schema of a checkpoint tile as it goes on the wire: the original's
 * "Tile Format" with `answer` always a string, plus an `id` idempotency key.
 */
export const TileSchema: z.ZodMiniType<Tile> = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(TILE_ID_MAX_LENGTH)),
  domain: z.string().check(z.minLength(1), z.maxLength(DOMAIN_MAX_LENGTH)),
  question: z.string().check(z.minLength(1)),
  answer: z.string(),
  tags: z.array(z.string()),
  confidence: z.number().check(z.minimum(0), z.maximum(1)),
  source: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.regex(ISO_UTC, "expected an ISO-8601 UTC timestamp ending in Z")),
});

/**
 * Whether `value` is a tile {@linkcode TileSchema} accepts, by a hand-written
 * check of its eight fields: the same rules, without building zod's result
 * or its issues. For hot paths that only need yes or no (the local server
 * checks every submitted tile); on `false`, `TileSchema` says what is wrong.
 * `tests/tile_schema_test.ts` holds it to the schema's answer.
 *
 * @param value Anything, typically parsed JSON.
 * @returns `true` exactly when `TileSchema.safeParse(value).success` is.
 */
export function isWireTile(value: unknown): value is Tile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const t = value as Record<string, unknown>;
  const { id, domain, question, answer, tags, confidence, source, timestamp } = t;
  if (typeof id !== "string" || id.length < 1 || id.length > TILE_ID_MAX_LENGTH) return false;
  if (typeof domain !== "string" || domain.length < 1 || domain.length > DOMAIN_MAX_LENGTH) {
    return false;
  }
  if (typeof question !== "string" || question.length < 1) return false;
  if (typeof answer !== "string") return false;
  if (!Array.isArray(tags)) return false;
  for (let i = 0; i < tags.length; i++) if (typeof tags[i] !== "string") return false;
  if (
    typeof confidence !== "number" || !Number.isFinite(confidence) || confidence < 0 ||
    confidence > 1
  ) return false;
  if (typeof source !== "string" || source.length < 1) return false;
  return typeof timestamp === "string" && ISO_UTC.test(timestamp);
}

/**
 * Parse an unknown value as a tile.
 *
 * @param value Anything, typically parsed JSON.
 * @returns `{ ok: true, tile }`, or `{ ok: false, error }` naming the first bad field.
 *
 * @example Validate a tile
 * ```ts
 * import { parseTile } from "@plato/scout/tile";
 * const r = parseTile({ domain: "x" });
 * console.log(r.ok); // false
 * ```
 */
export function parseTile(value: unknown): { ok: true; tile: Tile } | { ok: false; error: string } {
  const result = TileSchema.safeParse(value, PARSE_OPTIONS);
  if (result.success) return { ok: true, tile: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") || "tile";
  return { ok: false, error: `'${path}': ${issue?.message ?? "invalid"}` };
}
