/**
 * The Keeper scout's tiles as checkpoints, built from what a cycle observed:
 * registrations, status changes (interesting), the periodic snapshot and the
 * recovery after an outage. Pure; private to the Keeper scout.
 *
 * @module
 */

import { CheckpointType } from "../lib/checkpoint_type.ts";
import type { Checkpoint } from "../lib/scout.ts";
import { cut, fitAnswer } from "./_answer.ts";
import type { KeeperAgent, KeeperStats } from "./_keeper_api.ts";
import type { RosterDiff, StatusChange } from "./_keeper_roster.ts";

/**
 * One `[AGENT_REGISTER] <name>` tile per agent, its record as the answer (as
 * the original does), for the first `max`; one summary tile for the rest.
 *
 * @param joined Agents seen for the first time.
 * @param max Most individual tiles.
 * @param observedAt ISO time of the observation.
 * @returns The checkpoints.
 */
export function registrationCheckpoints(
  joined: readonly KeeperAgent[],
  max: number,
  observedAt: string,
): Checkpoint[] {
  const tags = ["agent", "registration", "keeper"];
  const out: Checkpoint[] = joined.slice(0, max).map((agent) => ({
    checkpointType: CheckpointType.PERIODIC,
    question: `[AGENT_REGISTER] ${cut(nameOf(agent), 120)}`,
    answer: fitAnswer(agent),
    tags,
    confidence: 0.9,
  }));
  const rest = joined.slice(max);
  if (rest.length > 0) {
    out.push({
      checkpointType: CheckpointType.PERIODIC,
      question: `[AGENT_REGISTER] ${rest.length} more agents seen for the first time`,
      answer: fitAnswer({
        count: rest.length,
        status_counts: countBy(rest.map((a) => a.status)),
        names: rest.map(nameOf),
        observed_at: observedAt,
      }),
      tags,
      confidence: 0.9,
    });
  }
  return out;
}

/**
 * One interesting `[AGENT_STATUS] <name>: <from> -> <to>` tile (the arrow is U+2192) per
 * change for the first `max`; one summary tile (counts per transition) for the rest.
 *
 * @param changed Status changes since the last cycle.
 * @param max Most individual tiles.
 * @param observedAt ISO time of the observation.
 * @returns The checkpoints.
 */
export function statusChangeCheckpoints(
  changed: readonly StatusChange[],
  max: number,
  observedAt: string,
): Checkpoint[] {
  const out: Checkpoint[] = changed.slice(0, max).map(({ agent, from, to }) => ({
    checkpointType: CheckpointType.PERIODIC,
    question: `[AGENT_STATUS] ${cut(nameOf(agent), 100)}: ${cut(from, 20)} \u2192 ${cut(to, 20)}`,
    answer: fitAnswer({
      agent_id: agent.agent_id,
      name: nameOf(agent),
      from,
      to,
      agent,
      observed_at: observedAt,
      interesting: true,
    }),
    tags: ["agent", "status-change", `status:${cut(to, 30)}`, "interesting", "keeper"],
    confidence: 0.9,
  }));
  const rest = changed.slice(max);
  if (rest.length > 0) {
    out.push({
      checkpointType: CheckpointType.PERIODIC,
      question: `[AGENT_STATUS] ${rest.length} more agents changed status`,
      answer: fitAnswer({
        count: rest.length,
        transitions: countBy(rest.map((c) => `${c.from} \u2192 ${c.to}`)),
        names: rest.map((c) => nameOf(c.agent)),
        observed_at: observedAt,
        interesting: true,
      }),
      tags: ["agent", "status-change", "interesting", "keeper"],
      confidence: 0.9,
    });
  }
  return out;
}

/** What the periodic snapshot reports. */
export interface SnapshotInput {
  agents: readonly KeeperAgent[];
  invalid: number;
  stats: KeeperStats | null;
  statsError?: string;
  diff: RosterDiff;
  remembered: number;
  keeperUrl: string;
  observedAt: string;
}

/**
 * The periodic snapshot: agent count, counts per status, new since last,
 * routing stats, and the observation time (so consecutive ones differ).
 *
 * @param s The cycle's observation.
 * @returns The checkpoint.
 */
export function snapshotCheckpoint(s: SnapshotInput): Checkpoint {
  const counts = countBy(s.agents.map((a) => a.status));
  const shown = Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 6)
    .map(([status, n]) => `${cut(status, 20)} ${n}`).join(", ");
  return {
    checkpointType: CheckpointType.PERIODIC,
    question: `${s.agents.length} agents registered${shown ? `, status: ${shown}` : ""}`,
    answer: fitAnswer({
      agent_count: s.agents.length,
      status_counts: counts,
      new_since_last: s.diff.joined.length,
      status_changes: s.diff.changed.length,
      invalid_records: s.invalid,
      untracked_agents: s.diff.untracked,
      remembered_agents: s.remembered,
      registry: s.stats?.registry ?? null,
      routing: s.stats?.routing ?? null,
      discovery: s.stats?.discovery ?? null,
      ...(s.statsError ? { stats_error: s.statsError } : {}),
      keeper_url: s.keeperUrl,
      observed_at: s.observedAt,
    }),
    tags: ["periodic", "keeper"],
    confidence: 0.7,
  };
}

/**
 * The interesting `[RECOVERED]` tile: the Keeper answers again.
 *
 * @param downSince Epoch ms of the first failed cycle.
 * @param now Epoch ms now.
 * @param failedCycles Cycles that failed.
 * @param lastError The last failure's message.
 * @returns The checkpoint.
 */
export function recoveryCheckpoint(
  downSince: number,
  now: number,
  failedCycles: number,
  lastError: string,
): Checkpoint {
  return {
    checkpointType: CheckpointType.PERIODIC,
    question: `[RECOVERED] keeper answering again after ${failedCycles} failed cycles`,
    answer: fitAnswer({
      down_since: new Date(downSince).toISOString(),
      recovered_at: new Date(now).toISOString(),
      downtime_seconds: Math.round((now - downSince) / 1000),
      failed_cycles: failedCycles,
      last_error: lastError,
      interesting: true,
    }),
    tags: ["recovery", "interesting", "keeper"],
    confidence: 0.9,
  };
}

function nameOf(agent: KeeperAgent): string {
  return agent.name ?? agent.agent_id;
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
