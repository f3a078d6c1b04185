/**
 * The HTTP scout's part of its startup tile: what it polls, with which limits
 * and assertions, and how to read the tiles it emits (the original's "startup
 * tiles are contracts").
 *
 * @module
 */
import { type Assertions, canonicalJson } from "./_http_assert.ts";
import { head } from "./_http_body.ts";
import type { LatencyBaselineOptions } from "./_http_baseline.ts";

/** What the startup tile documents. */
export interface DescribeInput {
  /** Redacted. */
  url: string;
  method: string;
  /** Names with masked values. */
  headers: Record<string, string>;
  timeoutSeconds: number;
  assertions: Assertions;
  maxBodyBytes: number;
  maxRedirects: number;
  latency: Required<LatencyBaselineOptions>;
}

/**
 * The startup tile's HTTP fields.
 *
 * @param d The scout's settings (already redacted).
 * @returns Fields for the startup answer.
 */
export function describeHttpScout(d: DescribeInput): Record<string, unknown> {
  const a = d.assertions;
  const assertions: Record<string, unknown> = {
    expect_status: a.status.map((r) => r.label),
  };
  if (a.bodyContains !== undefined) assertions.body_contains = head(a.bodyContains, 200);
  if (a.bodyMatches) assertions.body_matches = head(String(a.bodyMatches), 200);
  if (a.jsonPath) assertions.json_path = a.jsonPath.path;
  if (a.jsonEquals) assertions.json_equals = head(canonicalJson(a.jsonEquals.value), 200);
  const k = d.latency;
  return {
    url: d.url,
    method: d.method,
    headers: d.headers,
    timeout_seconds: d.timeoutSeconds,
    max_body_bytes: d.maxBodyBytes,
    max_redirects: d.maxRedirects,
    assertions,
    latency_anomaly: {
      ewma_alpha: k.alpha,
      threshold_deviations: k.threshold,
      warmup_samples: k.warmup,
      min_excess_ms: k.minDeltaMs,
    },
    how_to_read: [
      "One tile per cycle. PERIODIC (tag state:up): answered, every assertion held; status, latency_ms, ttfb_ms, content_type, body.",
      "body: JSON as its keys and up to 16 small values by dotted path, else bytes and sha256; truncated=true: cut at max_body_bytes.",
      "ERROR (tags interesting, state:down, error:<type>): timeout, refused, dns, tls, network, redirects, 5xx, status, body_contains, body_matches or json_path; message says what failed.",
      "[STATE_CHANGE] (tags state-change, interesting, state:up|down): went down or came back; previous_state_seconds: how long it was up or down.",
      `anomaly:latency (interesting): after ${k.warmup} samples, latency over the EWMA mean + ${k.threshold} x its deviation and ${k.minDeltaMs} ms over the mean; see latency_baseline.`,
      "Header values (but plain ones, such as Accept) and URL credentials show as ***.",
    ],
  };
}
