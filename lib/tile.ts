import { CHECKPOINT_TYPES, type CheckpointType } from "./checkpoint_type.ts";

/** A checkpoint tile, exactly as submitted to PLATO. */
export interface Tile {
  /** Stable idempotency key of this emission; servers keep unknown fields. */
  id: string;
  /** The PLATO room the tile belongs to. */
  domain: string;
  /** One line, prefixed with the checkpoint type: `[PERIODIC] ...`. */
  question: string;
  /** Always a string on the wire; structured answers are JSON-serialized. */
  answer: string;
  /** `scout`, the scout name, `checkpoint:<type>`, then the caller's tags. */
  tags: string[];
  /** 0..1, how sure the scout is. */
  confidence: number;
  /** The scout name. */
  source: string;
  /** ISO-8601 UTC with `Z`. */
  timestamp: string;
}

/** What {@linkcode buildTile} needs. */
export interface BuildTileInput {
  /** The scout's name; becomes `source` and a tag. */
  scoutName: string;
  /** The room (`domain`). */
  room: string;
  /** The semantic type; adds `checkpoint:<type>` and the question prefix. */
  checkpointType: CheckpointType;
  /** The question; `[TYPE] ` is prefixed unless it already starts with `[...]`. */
  question: string;
  /** A string, or any JSON value (serialized with a 2-space indent). */
  answer: unknown;
  /** Extra tags, after the scheme's own. */
  tags?: readonly string[];
  /** Defaults to 0.8. */
  confidence?: number;
  /** Epoch milliseconds; defaults to `Date.now()`. */
  now?: number;
  /** Idempotency key; defaults to `crypto.randomUUID()`. */
  id?: string;
}

/**
 * Serialize an answer for the wire: strings pass through, anything else is
 * JSON with a 2-space indent (as the original's Keeper example does).
 *
 * @param answer A string or any JSON-serializable value.
 * @returns The wire form of the answer.
 *
 * @example Serialize an object answer
 * ```ts
 * import { serializeAnswer } from "@plato/scout";
 * console.log(serializeAnswer({ ok: true })); // "{\n  \"ok\": true\n}"
 * ```
 */
export function serializeAnswer(answer: unknown): string {
  if (typeof answer === "string") return answer;
  if (answer === undefined) return "";
  try {
    return JSON.stringify(answer, jsonReplacer, 2) ?? String(answer);
  } catch (error) {
    return String(error instanceof Error ? error.message : error);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/**
 * The tag scheme: `scout`, the scout name, `checkpoint:<type>`, then the
 * caller's tags, without duplicates and without empty strings.
 *
 * @param scoutName The scout's name.
 * @param checkpointType The checkpoint type.
 * @param extra The caller's tags.
 * @returns The tags, in order.
 *
 * @example Build tags
 * ```ts
 * import { buildTags } from "@plato/scout";
 * console.log(buildTags("s", "periodic", ["scout", "x"])); // ["scout", "s", "checkpoint:periodic", "x"]
 * ```
 */
export function buildTags(
  scoutName: string,
  checkpointType: CheckpointType,
  extra: readonly string[] = [],
): string[] {
  const out = new Set<string>(["scout", scoutName, `checkpoint:${checkpointType}`]);
  for (const tag of extra) if (tag) out.add(tag);
  return [...out];
}

/**
 * Prefix a question with `[TYPE] ` unless it already starts with a bracketed
 * marker (the original also uses markers such as `[AGENT_REGISTER]`).
 *
 * @param checkpointType The checkpoint type.
 * @param question The question text.
 * @returns The prefixed question.
 *
 * @example Prefix a question
 * ```ts
 * import { prefixQuestion } from "@plato/scout";
 * console.log(prefixQuestion("periodic", "all good")); // "[PERIODIC] all good"
 * ```
 */
export function prefixQuestion(checkpointType: CheckpointType, question: string): string {
  const trimmed = question.trim();
  if (/^\[[A-Z0-9_]+\]/.test(trimmed)) return trimmed;
  return `[${checkpointType.toUpperCase()}] ${trimmed}`;
}

/**
 * Build a wire-ready tile from a checkpoint.
 *
 * @param input The checkpoint.
 * @returns A tile that satisfies `TileSchema` (`lib/tile_schema.ts`).
 * @throws {RangeError} If `confidence` is outside 0..1 or not a number.
 *
 * @example Build a tile
 * ```ts
 * import { buildTile } from "@plato/scout";
 * const tile = buildTile({
 *   scoutName: "my-scout",
 *   room: "my/research/scout-reports/my-service",
 *   checkpointType: "periodic",
 *   question: "all good",
 *   answer: { ok: true },
 *   now: 0,
 * });
 * console.log(tile.question, tile.timestamp); // "[PERIODIC] all good" "1970-01-01T00:00:00.000Z"
 * ```
 */
export function buildTile(input: BuildTileInput): Tile {
  const confidence = input.confidence ?? 0.8;
  if (typeof confidence !== "number" || !(confidence >= 0 && confidence <= 1)) {
    throw new RangeError(`Cannot build tile: 'confidence' must be within 0..1, got ${confidence}`);
  }
  if (!CHECKPOINT_TYPES.includes(input.checkpointType)) {
    throw new TypeError(
      `Cannot build tile: unknown checkpoint type '${input.checkpointType}'`,
    );
  }
  return {
    id: input.id ?? crypto.randomUUID(),
    domain: input.room,
    question: prefixQuestion(input.checkpointType, input.question),
    answer: serializeAnswer(input.answer),
    tags: buildTags(input.scoutName, input.checkpointType, input.tags),
    confidence,
    source: input.scoutName,
    timestamp: new Date(input.now ?? Date.now()).toISOString(),
  };
}
