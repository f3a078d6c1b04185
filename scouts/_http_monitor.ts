/**
 * What the HTTP scout remembers between cycles (and restarts): whether the
 * target is up or down and since when, consecutive failures, and the latency
 * baseline. Turns each observation into the pattern fields of its tile.
 *
 * @module
 */
import { fingerprint } from "../lib/fingerprint.ts";
import type { StateStore } from "../lib/state.ts";
import {
  type BaselineSnapshot,
  LatencyBaseline,
  type LatencyBaselineOptions,
  type LatencyVerdict,
} from "./_http_baseline.ts";
import type { HttpObservation } from "./_http_observe.ts";

/** Up or down. */
export type TargetState = "up" | "down";

interface Memory {
  /** The target's {@linkcode fingerprint}: the URL itself may hold a credential. */
  target?: string;
  /** What builds before `target` kept instead. */
  url?: string;
  state?: TargetState;
  since?: number;
  failures: number;
  baseline?: BaselineSnapshot;
}

/** A flip between up and down. */
export interface StateChange {
  from: TargetState;
  to: TargetState;
  /** When the previous state began (ISO), if known. */
  previousSince?: string;
  /** How long the previous state lasted, seconds. */
  previousSeconds?: number;
}

/** The patterns found in one observation. */
export interface MonitorReport {
  /** Fields for the tile's answer: observation time, state, baseline, anomaly. */
  answer: Record<string, unknown>;
  /** The latency verdict, when the target was up. */
  latency?: LatencyVerdict;
  /** Set when up/down flipped this cycle. */
  change?: StateChange;
}

/** Keeps up/down state and the latency baseline of one target. */
export class HttpMonitor {
  readonly #state: StateStore;
  readonly #key: string;
  readonly #url: string;
  readonly #baseline: LatencyBaseline;
  #memory: Memory | undefined;

  /**
   * @param state Where to keep it across restarts.
   * @param key The state key.
   * @param url The target as shown; a saved memory of another URL is discarded.
   * @param latency Baseline settings.
   */
  constructor(state: StateStore, key: string, url: string, latency: LatencyBaselineOptions) {
    this.#state = state;
    this.#key = key;
    this.#url = url;
    this.#baseline = new LatencyBaseline(latency);
  }

  /** The baseline settings in effect. */
  get baselineOptions(): Required<LatencyBaselineOptions> {
    return this.#baseline.options;
  }

  /**
   * Fold one observation in and save.
   *
   * @param obs The observation.
   * @param at Its time, epoch ms.
   * @returns Fields for the tile, the latency verdict and any state change.
   */
  async record(obs: HttpObservation, at: number): Promise<MonitorReport> {
    const m = await this.#load();
    const to: TargetState = obs.up ? "up" : "down";
    let change: StateChange | undefined;
    if (m.state !== undefined && m.state !== to) {
      change = {
        from: m.state,
        to,
        previousSince: m.since !== undefined ? new Date(m.since).toISOString() : undefined,
        // Unknown when the clock went back since (a corrected clock, a restored VM).
        previousSeconds: m.since !== undefined && at >= m.since
          ? Math.round((at - m.since) / 1000)
          : undefined,
      };
    }
    if (m.state !== to) m.since = at;
    m.state = to;
    m.failures = obs.up ? 0 : m.failures + 1;
    const latency = obs.up ? this.#baseline.observe(obs.latencyMs) : undefined;
    m.baseline = this.#baseline.snapshot();
    await this.#save(m);
    const answer: Record<string, unknown> = {
      observed_at: new Date(at).toISOString(),
      state: to,
      state_since: new Date(m.since!).toISOString(),
      state_changed: change !== undefined,
      consecutive_failures: m.failures,
      ...obs.fields,
    };
    if (latency) {
      answer.latency_baseline = {
        mean_ms: latency.mean_ms,
        dev_ms: latency.dev_ms,
        limit_ms: latency.limit_ms,
        samples: latency.samples,
        warming_up: latency.warming_up,
      };
      answer.anomaly = latency.anomaly;
    }
    answer.interesting = !obs.up || latency?.anomaly === true || change !== undefined;
    return { answer, latency, change };
  }

  async #load(): Promise<Memory> {
    if (this.#memory) return this.#memory;
    let saved: Partial<Memory> | undefined;
    try {
      const text = await this.#state.get(this.#key);
      saved = text ? JSON.parse(text) : undefined;
    } catch {
      saved = undefined; // unreadable state: start afresh
    }
    const target = fingerprint(this.#url);
    const fresh: Memory = { target, failures: 0 };
    if (saved && (saved.target === target || saved.url === this.#url)) {
      fresh.state = saved.state === "up" || saved.state === "down" ? saved.state : undefined;
      fresh.since = typeof saved.since === "number" ? saved.since : undefined;
      fresh.failures = typeof saved.failures === "number" ? saved.failures : 0;
      if (saved.baseline) this.#baseline.restore(saved.baseline);
    }
    this.#memory = fresh;
    return fresh;
  }

  async #save(m: Memory): Promise<void> {
    try {
      await this.#state.set(this.#key, JSON.stringify(m));
    } catch {
      // Best effort: the memory stays current in this process; a restart
      // starts from the last state that was saved.
    }
  }
}
