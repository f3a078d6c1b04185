/**
 * The agents the Keeper scout has seen and their last status, kept in the
 * scout's {@linkcode StateStore} so a restart does not register every agent
 * again. Bounded: past `cap` agents, those absent from the Keeper's latest
 * list are forgotten first (oldest first); agents beyond the cap that are all
 * present are counted as untracked, never reported over and over. Private to
 * the Keeper scout.
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
}

/** Agents seen and their last status, persisted as JSON under one state key. */
export class AgentRoster {
  readonly #state: StateStore;
  readonly #key: string;
  readonly #cap: number;
  #agents = new Map<string, string>();
  #loaded = false;
  #dirty = false;

  /**
   * @param state Where the roster is kept.
   * @param key The state key.
   * @param cap Most agents remembered.
   */
  constructor(state: StateStore, key: string, cap: number) {
    this.#state = state;
    this.#key = key;
    this.#cap = cap;
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
      for (const pair of parsed.agents) {
        if (Array.isArray(pair) && typeof pair[0] === "string" && typeof pair[1] === "string") {
          this.#agents.set(pair[0], pair[1]);
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
   * @returns Who joined, whose status changed, and how many could not be remembered.
   */
  observe(agents: readonly KeeperAgent[]): RosterDiff {
    const current = new Set<string>();
    const fresh: KeeperAgent[] = [];
    const changed: StatusChange[] = [];
    for (const agent of agents) {
      if (current.has(agent.agent_id)) continue;
      current.add(agent.agent_id);
      const known = this.#agents.get(agent.agent_id);
      if (known === undefined) {
        fresh.push(agent);
      } else if (known !== agent.status) {
        changed.push({ agent, from: known, to: agent.status });
        this.#agents.set(agent.agent_id, agent.status);
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
    for (const agent of joined) this.#agents.set(agent.agent_id, agent.status);
    if (joined.length > 0) this.#dirty = true;
    return { joined, changed, untracked: fresh.length - joined.length };
  }

  /** Persist the roster if it changed since the last save. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    await this.#state.set(this.#key, JSON.stringify({ v: 1, agents: [...this.#agents] }));
    this.#dirty = false;
  }
}
