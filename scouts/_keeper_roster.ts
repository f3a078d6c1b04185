/**
 * The agents the Keeper scout has seen and their last status, kept in the
 * scout's {@linkcode StateStore} so a restart does not register every agent
 * again. Its size follows the Keeper's list, not history: an agent absent
 * from the list for `forgetAfterMs` (by the scout's clock) is forgotten, so
 * an agent that comes back after that is new again (a second AGENT_REGISTER
 * tile). Bounded too: past `cap` agents, those absent from the Keeper's
 * latest list are forgotten first (oldest first); agents beyond the cap that
 * are all present are counted as untracked, never reported over and over.
 * Private to the Keeper scout.
 *
 * @module
 */

import type { StateStore } from "../lib/state.ts";
import type { KeeperAgent } from "./_keeper_api.ts";

/** A status change between two cycles. */
export interface StatusChange {
  agent: KeeperAgent;
  from: string;
  to: string;
}

/** What one list of agents changed, compared with what the roster remembered. */
export interface RosterDiff {
  /** Agents seen for the first time, in the Keeper's order. */
  joined: KeeperAgent[];
  /** Known agents whose status differs from the remembered one. */
  changed: StatusChange[];
  /** New agents not remembered because the roster is full. */
  untracked: number;
  /** Agents forgotten this cycle: absent from the list for `forgetAfterMs`. */
  forgotten: number;
}

/**
 * How long an agent absent from the Keeper's list is remembered: an hour. An
 * agent missing from the list has left the Keeper (an offline one is listed
 * as offline), so an hour covers Keeper restarts and short outages, and keeps
 * the roster near the list's size under churn: with 15 new agent ids a
 * minute, about 60 + 900 agents (a day would be 21,600, past the cap).
 */
export const DEFAULT_FORGET_AFTER_MS = 60 * 60 * 1000;

/** What is remembered of one agent. */
interface Known {
  status: string;
  /** When it was first missing from the list, by the scout's clock; absent while listed. */
  absentSince?: number;
}

/** Agents seen and their last status, persisted as JSON under one state key. */
export class AgentRoster {
  readonly #state: StateStore;
  readonly #key: string;
  readonly #cap: number;
  readonly #forgetAfterMs: number;
  #agents = new Map<string, Known>();
  #loaded = false;
  #dirty = false;

  /**
   * @param state Where the roster is kept.
   * @param key The state key.
   * @param cap Most agents remembered.
   * @param forgetAfterMs How long an agent absent from the list is remembered.
   */
  constructor(
    state: StateStore,
    key: string,
    cap: number,
    forgetAfterMs = DEFAULT_FORGET_AFTER_MS,
  ) {
    this.#state = state;
    this.#key = key;
    this.#cap = cap;
    this.#forgetAfterMs = forgetAfterMs;
  }

  /** How many agents are remembered. */
  get size(): number {
    return this.#agents.size;
  }

  /**
   * Load the remembered agents (once). An unreadable value starts afresh.
   *
   * @returns Whether the stored value was readable (or absent).
   */
  async load(): Promise<boolean> {
    if (this.#loaded) return true;
    this.#loaded = true;
    const raw = await this.#state.get(this.#key);
    if (raw === undefined) return true;
    try {
      const parsed = JSON.parse(raw) as { v?: number; agents?: unknown };
      if (parsed.v !== 1 || !Array.isArray(parsed.agents)) return false;
      // `[id, status]` while listed, `[id, status, absentSince]` once missing.
      // Values written before agents were forgotten are all pairs: an agent
      // missing from the next list starts its absence then.
      for (const entry of parsed.agents) {
        if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string") {
          const since = entry[2];
          this.#agents.set(
            entry[0],
            typeof since === "number" && Number.isFinite(since)
              ? { status: entry[1], absentSince: since }
              : { status: entry[1] },
          );
        }
      }
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Compare the Keeper's current list with what is remembered, and remember it.
   *
   * @param agents The current list.
   * @param now The scout's clock, in ms: when the list was read.
   * @returns Who joined, whose status changed, how many could not be remembered, how many were forgotten.
   */
  observe(agents: readonly KeeperAgent[], now: number): RosterDiff {
    const current = new Set<string>();
    const fresh: KeeperAgent[] = [];
    const changed: StatusChange[] = [];
    for (const agent of agents) {
      if (current.has(agent.agent_id)) continue;
      current.add(agent.agent_id);
      const known = this.#agents.get(agent.agent_id);
      if (known === undefined) {
        fresh.push(agent);
        continue;
      }
      if (known.absentSince !== undefined) {
        delete known.absentSince;
        this.#dirty = true;
      }
      if (known.status !== agent.status) {
        changed.push({ agent, from: known.status, to: agent.status });
        known.status = agent.status;
        this.#dirty = true;
      }
    }
    // Absent agents are forgotten after a while. One that comes back later is
    // new again: it gets a second AGENT_REGISTER tile, as a first-seen agent.
    let forgotten = 0;
    for (const [id, known] of this.#agents) {
      if (current.has(id)) continue;
      if (known.absentSince === undefined) {
        known.absentSince = now;
        this.#dirty = true;
      } else if (now - known.absentSince >= this.#forgetAfterMs) {
        this.#agents.delete(id);
        forgotten++;
        this.#dirty = true;
      }
    }
    if (this.#agents.size + fresh.length > this.#cap) {
      for (const id of this.#agents.keys()) {
        if (this.#agents.size + fresh.length <= this.#cap) break;
        if (!current.has(id)) {
          this.#agents.delete(id);
          this.#dirty = true;
        }
      }
    }
    const room = Math.max(0, this.#cap - this.#agents.size);
    const joined = fresh.slice(0, room);
    for (const agent of joined) this.#agents.set(agent.agent_id, { status: agent.status });
    if (joined.length > 0) this.#dirty = true;
    return { joined, changed, untracked: fresh.length - joined.length, forgotten };
  }

  /** Persist the roster if it changed since the last save. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const agents = [...this.#agents].map(([id, k]) =>
      k.absentSince === undefined ? [id, k.status] : [id, k.status, k.absentSince]
    );
    await this.#state.set(this.#key, JSON.stringify({ v: 1, agents }));
    this.#dirty = false;
  }
}
