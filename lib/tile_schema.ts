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

/** ISO-8601 UTC timestamp ending in `Z`, with optional fractional seconds. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * The zod schema of a checkpoint tile as it goes on the wire: the original's
 * "Tile Format" with `answer` always a string, plus an `id` idempotency key.
 */
export const TileSchema: z.ZodMiniType<Tile> = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  domain: z.string().check(z.minLength(1), z.maxLength(512)),
  question: z.string().check(z.minLength(1)),
  answer: z.string(),
  tags: z.array(z.string()),
  confidence: z.number().check(z.minimum(0), z.maximum(1)),
  source: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.regex(ISO_UTC, "expected an ISO-8601 UTC timestamp ending in Z")),
});

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
