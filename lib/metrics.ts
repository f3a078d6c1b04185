/**
 * A small metrics registry (counters, gauges, histograms) with the original
 * package's four metrics plus delivery counters; `renderMetrics` in
 * `metrics_text.ts` writes it in the Prometheus text exposition format
 * (apart, so that a Worker, which serves no /metrics, does not carry it).
 *
 * @module
 */

/** Metric labels: name to value. */
export type Labels = Record<string, string>;

/** One series of a family: its labels and value (a histogram's buckets, sum and count). */
export interface MetricSeries {
  labels: Labels;
  value: number;
  /** Histogram state. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  series: Map<string, MetricSeries>;
  bucketBounds?: readonly number[];
  /** Series read at render time; several (one per emitter sharing the registry) add up. */
  collectors: Array<() => Array<{ labels: Labels; value: number }>>;
}

/** A label set's identity: values may hold any character, so no separator can be trusted. */
function key(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** The series of a family's collectors, one per label set (same labels: values added). */
function collected(f: Family): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  for (const collect of f.collectors) {
    for (const { labels, value } of collect()) {
      const k = key(labels);
      const s = byKey.get(k);
      if (s) s.value += value;
      else byKey.set(k, { labels, value });
    }
  }
  return [...byKey.values()];
}

/** Default histogram buckets in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.001,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/**
 * A registry of counters, gauges and histograms.
 *
 * @example Count and render
 * ```ts
 * import { MetricsRegistry, renderMetrics } from "@plato/scout";
 * const m = new MetricsRegistry();
 * m.inc("jobs_total", "Jobs run", { kind: "a" });
 * console.log(renderMetrics(m).includes('jobs_total{kind="a"} 1')); // true
 * ```
 */
export class MetricsRegistry {
  #families = new Map<string, Family>();

  #family(name: string, help: string, type: Family["type"], bounds?: readonly number[]): Family {
    let f = this.#families.get(name);
    if (!f) {
      f = { name, help, type, series: new Map(), bucketBounds: bounds, collectors: [] };
      this.#families.set(name, f);
    }
    return f;
  }

  #series(f: Family, labels: Labels): MetricSeries {
    const k = key(labels);
    let s = f.series.get(k);
    if (!s) {
      s = { labels, value: 0 };
      if (f.type === "histogram") {
        s.buckets = new Array(f.bucketBounds!.length).fill(0);
        s.sum = 0;
        s.count = 0;
      }
      f.series.set(k, s);
    }
    return s;
  }

  /**
   * Add `by` (default 1) to a counter.
   *
   * @throws {RangeError} When `by` is negative, NaN or infinite: a counter
   * only grows, and one bad step would show in every later scrape.
   */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    if (!(by >= 0 && by < Infinity)) {
      throw new RangeError(
        `Counter ${name}: cannot add ${by} (only a finite amount >= 0)`,
      );
    }
    this.#series(this.#family(name, help, "counter"), labels).value += by;
  }

  /** Set a gauge. */
  set(name: string, help: string, labels: Labels, value: number): void {
    this.#series(this.#family(name, help, "gauge"), labels).value = value;
  }

  /**
   * Register a gauge whose series are read at render time. Several
   * registrations of one name (emitters sharing a registry) all show; series
   * with the same labels add up.
   *
   * @returns Removes this registration (an emitter does at its close).
   */
  gaugeFn(
    name: string,
    help: string,
    collect: () => Array<{ labels: Labels; value: number }>,
  ): () => void {
    return this.#register(this.#family(name, help, "gauge"), collect);
  }

  /** Register a counter whose series are read at render time (a total kept elsewhere); as {@linkcode MetricsRegistry.gaugeFn}. */
  counterFn(
    name: string,
    help: string,
    collect: () => Array<{ labels: Labels; value: number }>,
  ): () => void {
    return this.#register(this.#family(name, help, "counter"), collect);
  }

  #register(f: Family, collect: () => Array<{ labels: Labels; value: number }>): () => void {
    f.collectors.push(collect);
    return () => {
      const at = f.collectors.indexOf(collect);
      if (at >= 0) f.collectors.splice(at, 1);
    };
  }

  /**
   * Record one observation in a histogram.
   *
   * @throws {RangeError} When `value` is NaN: it would make the histogram's
   * sum NaN for the rest of the process.
   */
  observe(
    name: string,
    help: string,
    labels: Labels,
    value: number,
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): void {
    if (Number.isNaN(value)) throw new RangeError(`Histogram ${name}: cannot observe NaN`);
    const s = this.#series(this.#family(name, help, "histogram", buckets), labels);
    const bounds = this.#families.get(name)!.bucketBounds!;
    for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]) s.buckets![i]++;
    s.sum! += value;
    s.count!++;
  }

  /** The current value of a counter or gauge series (0 if absent). */
  value(name: string, labels: Labels = {}): number {
    const f = this.#families.get(name);
    if (f?.collectors.length) {
      return collected(f).find((s) => key(s.labels) === key(labels))?.value ?? 0;
    }
    return f?.series.get(key(labels))?.value ?? 0;
  }

  /** Every family with its series now (collectors read), in registration order. */
  families(): Array<{
    name: string;
    help: string;
    type: "counter" | "gauge" | "histogram";
    bucketBounds?: readonly number[];
    series: MetricSeries[];
  }> {
    return [...this.#families.values()].map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      bucketBounds: f.bucketBounds,
      series: f.collectors.length ? collected(f) : [...f.series.values()],
    }));
  }
}

/** The metric names this package records, as the original lists them. */
export const METRIC = {
  tilesEmitted: "plato_scout_tiles_emitted_total",
  submitDuration: "plato_scout_plato_submit_duration_seconds",
  watchDuration: "plato_scout_watch_duration_seconds",
  errors: "plato_scout_errors_total",
  delivered: "plato_scout_tiles_delivered_total",
  rejected: "plato_scout_tiles_rejected_total",
  dropped: "plato_scout_tiles_dropped_total",
  outboxDepth: "plato_scout_outbox_depth",
  skippedTicks: "plato_scout_skipped_ticks_total",
} as const;

/** Help texts for {@linkcode METRIC}. */
export const METRIC_HELP: Record<keyof typeof METRIC, string> = {
  tilesEmitted: "Checkpoint tiles emitted, by scout and checkpoint type",
  submitDuration: "Time spent submitting to PLATO, in seconds",
  watchDuration: "Time spent observing the watched service per cycle, in seconds",
  errors: "Errors, by scout and error type",
  delivered: "Tiles acknowledged by PLATO",
  rejected: "Tiles refused for good (gate rejections, invalid), by reason class",
  dropped: "Tiles dropped because the outbox was full",
  outboxDepth: "Tiles waiting in the outbox",
  skippedTicks: "Cycles skipped because the previous one was still running",
};
