/**
 * The quality analysis of an ended holodeck session: exchanges, unique
 * speakers, rooms visited out of total, duration and artifacts, from
 * `scores.json` where it says so and from the transcript otherwise, and the
 * signs of a poor session (no exchanges, one speaker, nothing visited).
 * Private to the holodeck scout.
 *
 * @module
 */

import { type Adventure, parseTime, roomName, type Scores } from "./_holodeck_session.ts";

/** The analysis of one ended session. */
export interface SessionQuality {
  exchanges: number;
  unique_speakers: number;
  speakers: string[];
  rooms_visited: number;
  rooms_total: number;
  duration_minutes: number | null;
  artifacts: number | null;
  surprises_revealed: number | null;
  /** Where the figures come from. */
  source: "scores.json" | "transcript";
  /** The transcript's own counts, to cross-check `scores.json`. */
  transcript: { exchanges: number; unique_speakers: number; rooms_visited: number };
  /** Signs of a poor session; empty when none. */
  issues: string[];
  quality: "poor" | "ok";
}

/**
 * Analyse an ended session.
 *
 * @param a Its `adventure.json`.
 * @param scores Its `scores.json`, if readable.
 * @param artifactFiles Files in its `artifacts/` folder, if it has one.
 * @returns The analysis.
 */
export function analyseSession(
  a: Adventure,
  scores: Scores | null,
  artifactFiles: number | null,
): SessionQuality {
  const rooms = a.rooms.map(roomName);
  const entries = a.transcript.filter((e): e is Record<string, unknown> =>
    e !== null && typeof e === "object"
  );
  const speakers = new Set<string>();
  const visited = new Set<string>();
  for (const e of entries) {
    if (typeof e.speaker === "string" && e.speaker) speakers.add(e.speaker);
    const room = typeof e.room === "number" && rooms[e.room] !== undefined ? rooms[e.room] : e.room;
    if (typeof room === "string" && room) visited.add(room);
  }
  const fromTranscript = {
    exchanges: entries.length,
    unique_speakers: speakers.size,
    rooms_visited: visited.size,
  };
  const ratio = parseRatio(scores?.rooms_visited);
  const exchanges = scores?.total_exchanges ?? fromTranscript.exchanges;
  const uniqueSpeakers = scores?.unique_speakers ?? fromTranscript.unique_speakers;
  const roomsVisited = ratio?.visited ?? fromTranscript.rooms_visited;
  const issues: string[] = [];
  if (exchanges === 0) issues.push("no exchanges");
  else if (uniqueSpeakers === 0) issues.push("no speakers");
  else if (uniqueSpeakers <= 1) issues.push("one speaker");
  if (roomsVisited === 0) issues.push("nothing visited");
  return {
    exchanges,
    unique_speakers: uniqueSpeakers,
    speakers: [...speakers].slice(0, 20),
    rooms_visited: roomsVisited,
    rooms_total: ratio?.total ?? rooms.length,
    duration_minutes: scores?.duration_minutes ?? durationMinutes(a, entries),
    artifacts: scores?.artifacts_produced ?? countArtifacts(a.artifacts) ?? artifactFiles,
    surprises_revealed: scores?.surprises_revealed ?? null,
    source: scores ? "scores.json" : "transcript",
    transcript: fromTranscript,
    issues,
    quality: issues.length > 0 ? "poor" : "ok",
  };
}

function parseRatio(value: unknown): { visited: number; total: number | null } | null {
  if (typeof value === "number") return { visited: value, total: null };
  const m = typeof value === "string" ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value) : null;
  // More rooms visited than there are is no ratio: the transcript counts instead.
  return m && Number(m[1]) <= Number(m[2]) ? { visited: Number(m[1]), total: Number(m[2]) } : null;
}

function durationMinutes(a: Adventure, entries: Record<string, unknown>[]): number | null {
  let start = parseTime(a.started);
  let end = parseTime(a.ended);
  if (start === null || end === null) {
    const times = entries.map((e) => parseTime(e.timestamp)).filter((t): t is number => t !== null);
    start ??= times.length ? times.reduce((x, y) => Math.min(x, y)) : null;
    end ??= times.length ? times.reduce((x, y) => Math.max(x, y)) : null;
  }
  if (start === null || end === null || end < start) return null;
  return Math.round((end - start) / 600) / 100;
}

function countArtifacts(artifacts: unknown): number | null {
  if (Array.isArray(artifacts)) return artifacts.length;
  if (artifacts && typeof artifacts === "object") return Object.keys(artifacts).length;
  return null;
}
