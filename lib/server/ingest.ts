/**
 * Turn one submitted JSON value into a {@linkcode TileInsert}, or into the
 * reason it is refused, under either gate mode.
 *
 * @module
 */
import { hasDotSegment } from "../config/defaults.ts";
import { isWireTile, TILE_ID_MAX_LENGTH, TileSchema } from "../tile_schema.ts";
import { PARSE_OPTIONS } from "../_zod_messages.ts";
import { checkGate } from "../gate.ts";
import { contentHashSync, sha256Hex } from "./sha256.ts";
import { normalizeRoom, type TileInsert } from "./store.ts";

/**
 * How the server judges a tile. `"schema"`: the project's `TileSchema` only.
 * `"fleet"`: exactly the fleet's P0 gate of PLATO-CONTRACT.md, content-hash
 * duplicates included.
 */
export type GateMode = "schema" | "fleet";

/** A refusal of one tile. */
export interface Refusal {
  /** 400 for a malformed tile, 403 for a gate rejection, 409 for an id stored with other content. */
  status: 400 | 403 | 409;
  /** One line, naming the field where there is one. */
  reason: string;
  /** The offending field, for schema errors. */
  field?: string;
  /** The normalized room, when the tile named one. */
  room?: string;
}

/** The result of {@linkcode prepareTile}. */
export type Prepared = { ok: true; insert: TileInsert } | { ok: false; refusal: Refusal };

/**
 * The id a tile without one gets: `derived-` and 32 hex characters of
 * sha256 over its domain, question, answer, source and timestamp. A fleet
 * client that re-sends the very same tile is thus acknowledged again instead
 * of stored twice, while two emissions at different times stay distinct.
 *
 * @param tile The submitted tile.
 * @returns The derived id.
 */
export function deriveTileId(tile: Record<string, unknown>): string {
  const key = JSON.stringify([
    tile.domain,
    tile.question,
    tile.answer,
    tile.source,
    tile.timestamp,
  ]);
  return `derived-${sha256Hex(key).slice(0, 32)}`;
}

/**
 * The deepest nesting of arrays and objects a tile may carry, the tile itself
 * counting as one level. SQLite's JSON functions give up at 1,000 levels, and a
 * stored tile deeper than that would make every search fail.
 */
export const MAX_TILE_DEPTH = 100;

/** Whether `value` nests arrays or objects more than `levels` deep. */
function nestedBeyond(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levels === 0) return true;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    if (nestedBeyond(v, levels - 1)) return true;
  }
  return false;
}

/** The first field of `tile` nested deeper than {@linkcode MAX_TILE_DEPTH}, if any. */
function tooDeepField(tile: Record<string, unknown>): string | undefined {
  for (const key in tile) {
    if (nestedBeyond(tile[key], MAX_TILE_DEPTH - 1)) return key;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validate one submitted value and derive what the store needs. Does not check
 * the duplicate rule (the store does that atomically).
 *
 * @param value The parsed JSON of one tile.
 * @param mode The gate mode.
 * @param receivedAt Epoch milliseconds now.
 * @returns The insert, or the refusal.
 */
export function prepareTile(value: unknown, mode: GateMode, receivedAt: number): Prepared {
  if (!isRecord(value)) {
    return { ok: false, refusal: { status: 400, reason: "Tile must be a JSON object" } };
  }
  // Copied only when an id is added: the caller's object is never changed.
  const tile = value.id === undefined ? { ...value, id: deriveTileId(value) } : value;
  const room = typeof tile.domain === "string" ? normalizeRoom(tile.domain) : undefined;

  if (mode === "schema") {
    // The hand-written check answers for valid tiles; zod names what is wrong.
    const result = isWireTile(tile)
      ? { success: true as const }
      : TileSchema.safeParse(tile, PARSE_OPTIONS);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.join(".") || "tile";
      return {
        ok: false,
        refusal: {
          status: 400,
          reason: `Invalid tile: '${field}': ${issue?.message ?? "invalid"}`,
          field,
          room,
        },
      };
    }
  } else {
    const reasons = checkGate(tile);
    if (reasons.length > 0) {
      return { ok: false, refusal: { status: 403, reason: reasons[0], room } };
    }
    for (const field of ["domain", "question"] as const) {
      if (typeof tile[field] !== "string") {
        return {
          ok: false,
          refusal: {
            status: 400,
            reason: `Invalid tile: '${field}': expected string`,
            field,
            room,
          },
        };
      }
    }
  }

  // A NUL (SQLite reads a name back only up to it) or a '.'/'..' segment (a URL drops it).
  if ((room as string).includes("\0") || hasDotSegment(room as string)) {
    return {
      ok: false,
      refusal: {
        status: 400,
        reason:
          "Invalid tile: 'domain': a room cannot hold a NUL byte or a '.' or '..' segment (it could not be read back)",
        field: "domain",
      },
    };
  }
  const deep = tooDeepField(tile);
  if (deep !== undefined) {
    return {
      ok: false,
      refusal: {
        status: 400,
        reason: `Invalid tile: '${deep}': nested deeper than ${MAX_TILE_DEPTH} levels`,
        field: deep,
        room,
      },
    };
  }
  const question = tile.question as string;
  const answer = typeof tile.answer === "string" ? tile.answer : JSON.stringify(tile.answer);
  const id = typeof tile.id === "string" && tile.id !== "" && tile.id.length <= TILE_ID_MAX_LENGTH
    ? tile.id
    : deriveTileId(tile);
  return {
    ok: true,
    insert: {
      id,
      room: room as string,
      hash: contentHashSync(question, answer),
      receivedAt,
      tile,
    },
  };
}
