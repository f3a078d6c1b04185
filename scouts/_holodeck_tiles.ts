/**
 * The holodeck scout's session tiles as checkpoints: SESSION_START with what
 * `adventure.json` says the session is, SESSION_END with its quality analysis
 * (interesting when poor). Pure; private to the holodeck scout.
 *
 * @module
 */

import { CheckpointType } from "../lib/checkpoint_type.ts";
import type { Checkpoint } from "../lib/scout.ts";
import { ANSWER_MAX_DEPTH, cut, fitAnswer } from "./_answer.ts";
import { analyseSession } from "./_holodeck_quality.ts";
import { type Adventure, parseTime, roomName, type SessionRead } from "./_holodeck_session.ts";

/**
 * The SESSION_START tile: name, creator, objective and rooms.
 *
 * @param folder The session folder's name.
 * @param a Its `adventure.json`.
 * @param observedAt ISO time the folder was first read.
 * @returns The checkpoint.
 */
export function sessionStartCheckpoint(
  folder: string,
  a: Adventure,
  observedAt: string,
): Checkpoint {
  return {
    checkpointType: CheckpointType.SESSION_START,
    question: `${shown(a.name ?? folder, 80)} by ${shown(a.creator ?? "unknown", 40)}${
      a.objective ? `: ${shown(a.objective, 100)}` : ""
    }`,
    answer: sessionAnswer({ ...sessionInfo(folder, a), observed_at: observedAt }),
    tags: ["session", "holodeck-session", "holodeck"],
    confidence: 0.9,
  };
}

/**
 * The SESSION_END tile: the session and its quality analysis; interesting
 * (answer and tag) when the session was poor.
 *
 * @param folder The session folder's name.
 * @param read What reading the ended session found.
 * @param observedAt ISO time the end was read (a repeated report is no exact duplicate).
 * @returns The checkpoint.
 */
export function sessionEndCheckpoint(
  folder: string,
  read: Extract<SessionRead, { kind: "ended" }>,
  observedAt: string,
): Checkpoint {
  const a = read.adventure;
  const q = analyseSession(a, read.scores, read.artifactFiles);
  const poor = q.quality === "poor";
  const rooms = `${q.rooms_visited}/${q.rooms_total} rooms`;
  return {
    checkpointType: CheckpointType.SESSION_END,
    question: `${shown(a.name ?? folder, 80)}: ${q.exchanges} exchanges, ${q.unique_speakers} ` +
      `speakers, ${rooms}${poor ? ` (poor: ${q.issues.join(", ")})` : ""}`,
    answer: sessionAnswer({
      ...sessionInfo(folder, a),
      ended: isoTime(a.ended),
      end_signal: read.endSignal,
      ...q,
      ...(read.scoresError ? { scores_error: read.scoresError } : {}),
      interesting: poor,
      observed_at: observedAt,
    }),
    tags: [
      "session",
      "holodeck-session",
      `quality:${q.quality}`,
      ...(poor ? ["interesting"] : []),
      "holodeck",
    ],
    confidence: 0.9,
  };
}

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides a terminal
 * would act on when `plato-scout read` prints a question or an answer.
 */
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Session text with its {@linkcode CONTROLS} made harmless: each is U+FFFD,
 * but tabs and line breaks, which become spaces (one line, as a question),
 * or stay (`breaks`: in an answer's JSON, which escapes them).
 *
 * @param text Text from a session's files or folder name.
 * @param breaks Keep tabs and line breaks.
 * @returns The text.
 */
export function cleaned(text: string, breaks = false): string {
  return text.replace(CONTROLS, (c) => /[\t\n\r]/.test(c) ? (breaks ? c : " ") : "\uFFFD");
}

/** Session text for a tile question: {@linkcode cleaned}, then cut. */
function shown(text: string, n: number): string {
  return cut(cleaned(text), n);
}

/**
 * A holodeck tile's answer: its text, keys too, {@linkcode cleaned} as the
 * questions are (line breaks kept), then {@linkcode fitAnswer}.
 *
 * @param value The answer's fields.
 * @returns The answer's wire form.
 */
export function sessionAnswer(value: Record<string, unknown>): string {
  return fitAnswer(cleanedAll(value, 0));
}

/** `value` with its strings and keys {@linkcode cleaned}, down to the depth `fitAnswer` shows. */
function cleanedAll(value: unknown, depth: number): unknown {
  if (typeof value === "string") return cleaned(value, true);
  if (value === null || typeof value !== "object" || depth > ANSWER_MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => cleanedAll(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [cleaned(k, true), cleanedAll(v, depth + 1)]),
  );
}

function isoTime(value: unknown): string | null {
  const t = parseTime(value);
  const date = t === null ? null : new Date(t);
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function sessionInfo(folder: string, a: Adventure): Record<string, unknown> {
  const rooms = a.rooms.map(roomName);
  return {
    session: folder,
    name: a.name ?? null,
    creator: a.creator ?? null,
    objective: a.objective ?? null,
    room_count: rooms.length,
    rooms,
    npc_names: a.npc_names,
    started: isoTime(a.started),
  };
}
