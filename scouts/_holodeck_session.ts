/**
 * Reading one holodeck session folder (PLATO-CONTRACT.md, "Holodeck
 * sessions"): `adventure.json`, `scores.json` and the `artifacts/` folder,
 * through the host's {@linkcode DirReader}. Shapes are checked leniently (a
 * field of the wrong type is dropped, not fatal); a file that is not JSON
 * yet - being written - is reported as unreadable so the scout retries it.
 * Private to the holodeck scout.
 *
 * @module
 */

import * as z from "zod";
import type { DirReader } from "../lib/scout_kind.ts";
import { quoteObserved } from "../lib/gate.ts";

const text = z.string().optional().catch(undefined);
const time = z.union([z.string(), z.number()]).nullish().catch(undefined);
const num = z.number().optional().catch(undefined);
/** A count in `scores.json`: a negative, fractional or non-finite one is dropped. */
const count = z.number().int().nonnegative().optional().catch(undefined);

/** A session's `adventure.json`: unknown fields are kept; ill-typed known ones are dropped. */
export interface Adventure {
  /** Session name. */
  name?: string;
  /** Who created it. */
  creator?: string;
  /** What the session is for. */
  objective?: string;
  /** The session's rooms. */
  rooms: unknown[];
  /** Non-player characters. */
  npc_names: unknown[];
  /** `{ timestamp, speaker, message, room }` entries. */
  transcript: unknown[];
  /** Artifacts produced. */
  artifacts?: unknown;
  /** Start time (ISO text or epoch). */
  started?: string | number | null;
  /** End time (ISO text or epoch), when ended. */
  ended?: string | number | null;
  /** Whether the session is running. */
  active?: boolean;
  /** Index of the current room. */
  current_room_idx?: number;
  /** Other fields, kept as they are. */
  [key: string]: unknown;
}

/** `adventure.json`. Unknown fields are kept; ill-typed known ones are dropped. */
export const AdventureSchema: z.ZodType<Adventure> = z.looseObject({
  name: text,
  creator: text,
  objective: text,
  rooms: z.array(z.unknown()).catch([]).default([]),
  npc_names: z.array(z.unknown()).catch([]).default([]),
  transcript: z.array(z.unknown()).catch([]).default([]),
  artifacts: z.unknown().optional(),
  started: time,
  ended: time,
  active: z.boolean().optional().catch(undefined),
  current_room_idx: num,
});

/** A session's `scores.json`, written when it is saved at its end. */
export interface Scores {
  /** Messages exchanged. */
  total_exchanges?: number;
  /** Distinct speakers. */
  unique_speakers?: number;
  /** Rooms visited, as "a/b" text or a count. */
  rooms_visited?: string | number;
  /** Surprises revealed. */
  surprises_revealed?: number;
  /** Artifacts produced. */
  artifacts_produced?: number;
  /** Session length. */
  duration_minutes?: number;
  /** Other fields, kept as they are. */
  [key: string]: unknown;
}

/** `scores.json`, written when a session is saved at its end. */
export const ScoresSchema: z.ZodType<Scores> = z.looseObject({
  total_exchanges: count,
  unique_speakers: count,
  rooms_visited: z.union([z.string(), z.number().int().nonnegative()]).optional().catch(undefined),
  surprises_revealed: count,
  artifacts_produced: count,
  duration_minutes: z.number().nonnegative().optional().catch(undefined),
});

/** What reading a session folder found. */
export type SessionRead =
  /** No `adventure.json` yet. */
  | { kind: "waiting" }
  /** A file is not (yet) valid JSON of the right shape; retry on the next tick. */
  | { kind: "unreadable"; file: string; reason: string }
  /** The session is running. */
  | { kind: "open"; adventure: Adventure }
  /** The session has ended. `scoresError` is set when `scores.json` exists but cannot be read. */
  | {
    kind: "ended";
    adventure: Adventure;
    endSignal: "ended" | "active=false" | "scores.json";
    scores: Scores | null;
    scoresError?: string;
    artifactFiles: number | null;
  };

/**
 * Read one session folder.
 *
 * @param dirs The host's directory reader.
 * @param folder The session folder's path.
 * @returns What the folder holds now.
 */
export async function readSession(dirs: DirReader, folder: string): Promise<SessionRead> {
  const adventureText = await readFile(dirs, `${folder}/adventure.json`);
  if (adventureText === null) return { kind: "waiting" };
  const adventure = "error" in adventureText
    ? adventureText
    : parseJson(adventureText.text, AdventureSchema);
  if (!adventure.ok) return { kind: "unreadable", file: "adventure.json", reason: adventure.error };
  const scoresText = await readFile(dirs, `${folder}/scores.json`);
  const scores = scoresText === null
    ? null
    : "error" in scoresText
    ? scoresText
    : parseJson(scoresText.text, ScoresSchema);
  const a = adventure.value;
  const endSignal = hasValue(a.ended)
    ? "ended"
    : a.active === false
    ? "active=false"
    : scores?.ok
    ? "scores.json"
    : null;
  if (endSignal === null) {
    // scores.json is written at the end: one that does not parse yet is being written.
    if (scores && !scores.ok) {
      return { kind: "unreadable", file: "scores.json", reason: scores.error };
    }
    return { kind: "open", adventure: a };
  }
  const listing = await listArtifacts(dirs, folder);
  return {
    kind: "ended",
    adventure: a,
    endSignal,
    scores: scores?.ok ? scores.value : null,
    ...(scores && !scores.ok ? { scoresError: scores.error } : {}),
    artifactFiles: listing === null ? null : listing.filter((e) => !e.isDirectory).length,
  };
}

/**
 * A room's display name: a string, or an object's `name`, `title` or `id`.
 *
 * @param room A room as `adventure.json` lists it.
 * @returns Its name.
 */
export function roomName(room: unknown): string {
  if (typeof room === "string") return room;
  if (room && typeof room === "object") {
    const r = room as Record<string, unknown>;
    for (const key of ["name", "title", "id"]) {
      if (typeof r[key] === "string" || typeof r[key] === "number") return String(r[key]);
    }
  }
  return JSON.stringify(room) ?? "?";
}

/** The latest epoch ms a `Date` holds (ECMAScript: 100,000,000 days either side of 1970). */
const MAX_TIME = 8.64e15;

/**
 * Epoch ms from an ISO string or epoch seconds/ms; `null` when absent,
 * unparseable, or outside what a `Date` can hold (so always printable).
 *
 * @param value A time as a session file gives it.
 * @returns Epoch milliseconds, or `null`.
 */
export function parseTime(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) {
    const t = value < 1e12 ? value * 1000 : value;
    return Math.abs(t) <= MAX_TIME ? t : null;
  }
  if (typeof value === "string" && value.trim()) {
    const n = Number(value);
    if (Number.isFinite(n)) return parseTime(n);
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** The `artifacts/` folder's entries; `null` when missing, not a folder, or unreadable. */
async function listArtifacts(
  dirs: DirReader,
  folder: string,
): Promise<Array<{ name: string; isDirectory: boolean }> | null> {
  try {
    return await dirs.list(`${folder}/artifacts`);
  } catch {
    // A file named artifacts, or a folder the scout may not list: no count, still reported.
    return null;
  }
}

/**
 * A session file's text, `null` when it does not exist, or why it cannot be
 * read (a directory, a FIFO, too large, no permission): that file's alone.
 */
async function readFile(
  dirs: DirReader,
  path: string,
): Promise<{ text: string } | { ok: false; error: string } | null> {
  try {
    const text = await dirs.readText(path);
    return text === null ? null : { text };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    return { ok: false, error: quoteObserved(message) };
  }
}

function hasValue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "" && v !== 0;
}

function parseJson<T>(
  text: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    // A UTF-8 byte order mark is no JSON, but editors write one.
    json = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (error) {
    return { ok: false, error: jsonError(error) };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : {
    ok: false,
    error: `expected a JSON object, got ${
      json === null ? "null" : Array.isArray(json) ? "an array" : typeof json
    }`,
  };
}

/**
 * Why a text is not JSON, without quoting it: the engine's message may hold
 * the text's first characters, and a session file may be a symbolic link to
 * any file the scout can read.
 */
function jsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const at = /at position (\d+)/.exec(message);
  if (at) return `invalid JSON at position ${at[1]}`;
  if (/end of (JSON )?input/i.test(message)) return "invalid JSON: it ends too early";
  return "invalid JSON: unexpected token";
}
