/**
 * The recent latency baseline of the HTTP scout: an EWMA of latency and of
 * its absolute deviation. A sample is an anomaly, after warm-up, when it
 * exceeds `mean + threshold × dev` and the mean by at least `minDeltaMs`.
 *
 * @module
 */

/** Settings of {@linkcode LatencyBaseline}. */
export interface LatencyBaselineOptions {
  /** Weight of a new sample, 0 < alpha <= 1. Default 0.2. */
  alpha?: number;
  /** How many deviations above the mean count as an anomaly. Default 4. */
  threshold?: number;
  /** Samples before anything is flagged. Default 5. */
  warmup?: number;
  /** An anomaly also exceeds the mean by at least this many ms. Default 50. */
  minDeltaMs?: number;
}

/** The baseline's state, kept across restarts. */
export interface BaselineSnapshot {
  mean: number;
  dev: number;
  samples: number;
}

/** What one sample was compared against, and the verdict. */
export interface LatencyVerdict {
  anomaly: boolean;
  /** True while fewer than `warmup` samples were seen. */
  warming_up: boolean;
  mean_ms: number;
  dev_ms: number;
  /** Latency above this is an anomaly. */
  limit_ms: number;
  samples: number;
}

/** Default baseline settings. */
export const BASELINE_DEFAULTS: Required<LatencyBaselineOptions> = {
  alpha: 0.2,
  threshold: 4,
  warmup: 5,
  minDeltaMs: 50,
};

/** An EWMA latency baseline with anomaly detection. */
export class LatencyBaseline {
  readonly options: Required<LatencyBaselineOptions>;
  #s: BaselineSnapshot = { mean: 0, dev: 0, samples: 0 };

  /**
   * @param options Alpha, threshold, warm-up, minimum excess.
   * @param snapshot A saved state to continue from.
   */
  constructor(options: LatencyBaselineOptions = {}, snapshot?: BaselineSnapshot) {
    this.options = { ...BASELINE_DEFAULTS, ...stripUndefined(options) };
    if (snapshot) this.restore(snapshot);
  }

  /**
   * Judge a sample against the baseline, then fold it in.
   *
   * @param ms The latency.
   * @returns The verdict, against the baseline as it was before this sample.
   */
  observe(ms: number): LatencyVerdict {
    const { alpha, threshold, warmup, minDeltaMs } = this.options;
    const s = this.#s;
    const limit = s.mean + Math.max(threshold * s.dev, minDeltaMs);
    const warming = s.samples < warmup;
    const verdict: LatencyVerdict = {
      anomaly: !warming && ms > limit,
      warming_up: warming,
      mean_ms: round(s.mean),
      dev_ms: round(s.dev),
      limit_ms: round(limit),
      samples: s.samples,
    };
    if (s.samples === 0) {
      this.#s = { mean: ms, dev: 0, samples: 1 };
    } else {
      const diff = Math.abs(ms - s.mean);
      this.#s = {
        mean: s.mean + alpha * (ms - s.mean),
        dev: s.dev + alpha * (diff - s.dev),
        samples: s.samples + 1,
      };
    }
    return verdict;
  }

  /** @returns The state to save. */
  snapshot(): BaselineSnapshot {
    return { ...this.#s };
  }

  /** @param snapshot A saved state; ignored when malformed. */
  restore(snapshot: BaselineSnapshot): void {
    const ok = [snapshot?.mean, snapshot?.dev, snapshot?.samples].every((n) =>
      typeof n === "number" && Number.isFinite(n) && n >= 0
    );
    if (ok) this.#s = { mean: snapshot.mean, dev: snapshot.dev, samples: snapshot.samples };
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
