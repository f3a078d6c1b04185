/**
 * The Prometheus text exposition format (version 0.0.4) of a
 * {@linkcode MetricsRegistry}: what `/metrics` serves.
 *
 * @module
 */
import type { Labels, MetricsRegistry } from "./metrics.ts";

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** HELP text escapes backslash and line feed (not quotes). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  if (extra) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return Number.isNaN(n) ? "NaN" : String(n);
}

/**
 * Render every family of `registry` in the Prometheus text format.
 *
 * @param registry The registry.
 * @returns The exposition text, ending with a line feed.
 *
 * @example Render a counter
 * ```ts
 * import { MetricsRegistry, renderMetrics } from "@plato/scout";
 * const m = new MetricsRegistry();
 * m.inc("jobs_total", "Jobs run");
 * console.log(renderMetrics(m)); // "# HELP jobs_total Jobs run\n# TYPE jobs_total counter\njobs_total 1\n"
 * ```
 */
export function renderMetrics(registry: MetricsRegistry): string {
  const lines: string[] = [];
  for (const f of registry.families()) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.series) {
      if (f.type !== "histogram") {
        lines.push(`${f.name}${labelText(s.labels)} ${num(s.value)}`);
        continue;
      }
      f.bucketBounds!.forEach((b, i) => {
        lines.push(`${f.name}_bucket${labelText(s.labels, ["le", num(b)])} ${s.buckets![i]}`);
      });
      lines.push(`${f.name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${s.count}`);
      lines.push(`${f.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${f.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
  return lines.join("\n") + "\n";
}
