/**
 * One observation of the HTTP scout: probe the target, decode and summarise
 * the body, run the assertions (on the body as sent), and say in one line
 * what was seen. Everything shown is already scrubbed of the target's
 * credentials.
 *
 * @module
 */
import { type AssertionResult, type Assertions, checkAssertions } from "./_http_assert.ts";
import { cut, decodeBody, scrubBody, summariseBody } from "./_http_body.ts";
import { probe, type ProbeDeps, type ProbeRequest } from "./_http_probe.ts";
import type { Scrubber } from "./_http_secrets.ts";
import { redactUrl } from "../lib/redact.ts";

/** What one cycle of the HTTP scout saw. */
export interface HttpObservation {
  /** A response arrived and every assertion held. */
  up: boolean;
  /** The scout stopped mid-request: nothing to report. */
  cancelled: boolean;
  /** One line: `200 OK in 12 ms, 1.2 KB json`, or what failed. */
  headline: string;
  /** When down: `timeout`, `refused`, `dns`, `tls`, `network`, `redirects`, `5xx`, `status`, or the failed assertion. */
  errorType?: string;
  /** The final status, when a response arrived. */
  status?: number;
  /** Start of the request to the end of the body (or the failure), ms. */
  latencyMs: number;
  /** One result per assertion (empty when no response arrived). */
  assertions: AssertionResult[];
  /** Fields for the tile's answer. */
  fields: Record<string, unknown>;
}

/** What {@linkcode observe} needs. */
export interface ObserveInput {
  request: ProbeRequest;
  deps: ProbeDeps;
  assertions: Assertions;
  scrubber: Scrubber;
  signal?: AbortSignal;
}

/**
 * Observe the target once. Never rejects.
 *
 * @param input Request, injectables, assertions and the scrubber.
 * @returns The observation.
 */
export async function observe(input: ObserveInput): Promise<HttpObservation> {
  const { scrubber } = input;
  const r = await probe(input.request, input.deps, input.signal);
  for (const url of r.urls) scrubber.addUrl(url);
  const finalUrl = r.urls[r.urls.length - 1];
  const common: Record<string, unknown> = {
    latency_ms: r.latencyMs,
    redirects: r.redirects,
    ...(r.redirects ? { final_url: cut(redactUrl(finalUrl), 200) } : {}),
  };
  if (!r.ok) {
    // Scrubbed whole, then shortened: a cut credential would not be recognised.
    const message = cut(scrubber.scrub(r.message), 300);
    const headline = r.errorType === "refused"
      ? "Connection refused"
      : r.errorType === "dns"
      ? "Host name not resolved"
      : r.errorType === "tls"
      ? "TLS handshake failed"
      : message;
    return {
      up: false,
      cancelled: r.errorType === "aborted",
      headline: r.status !== undefined ? `${r.status}, then: ${headline}` : headline,
      errorType: r.errorType,
      status: r.status,
      latencyMs: r.latencyMs,
      assertions: [],
      fields: {
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...common,
        phase: r.phase,
        detail: message,
        body_bytes_read: r.bytesRead,
      },
    };
  }
  const scrub = (text: string) => scrubber.scrub(text);
  const contentType = cut(scrub(r.contentType), 100);
  // Checked as sent, shown scrubbed: masking must not fail a check that holds.
  const sent = decodeBody(r.body, r.contentType, r.truncated);
  const decoded = scrubBody(sent, r.contentType, r.truncated, scrub);
  const body = await summariseBody(r.body, decoded, r.contentType, r.truncated);
  const assertions = checkAssertions(input.assertions, {
    status: r.status,
    text: sent.text,
    // A parse error quotes the text: the shown body's quotes it scrubbed.
    json: sent.json.ok || decoded.json.ok ? sent.json : decoded.json,
  }, scrub);
  const failed = assertions.filter((a) => !a.ok);
  const statusText = cut(scrub(r.statusText), 60);
  const size = `${formatBytes(r.body.length)}${r.truncated ? "+ (cut)" : ""}`;
  const seen = `${r.status}${statusText ? ` ${statusText}` : ""} in ${r.latencyMs} ms, ${size} ${
    body.kind === "empty" ? "body" : body.kind
  }`;
  const errorType = failed.length === 0
    ? undefined
    : failed[0].assertion === "status"
    ? (r.status >= 500 && r.status <= 599 ? "5xx" : "status")
    : failed[0].assertion;
  const headline = failed.length === 0 ? seen : `${seen}; ${failed.map(explain).join("; ")}`;
  return {
    up: failed.length === 0,
    cancelled: false,
    headline: cut(scrub(headline), 300),
    errorType,
    status: r.status,
    latencyMs: r.latencyMs,
    assertions,
    fields: {
      status: r.status,
      status_text: statusText,
      ...common,
      ttfb_ms: r.ttfbMs,
      content_type: contentType,
      ...(r.contentLength !== undefined ? { content_length: r.contentLength } : {}),
      body,
      assertions: assertions.map((a) => ({ ...a, actual: cut(a.actual, 120) })),
    },
  };
}

function explain(a: AssertionResult): string {
  switch (a.assertion) {
    case "status":
      return `expected status ${a.expected}`;
    case "body_contains":
      return `body does not ${a.expected}`;
    case "body_matches":
      return `body does not ${a.expected}`;
    case "json_path":
      return `expected ${a.expected}, got ${cut(a.actual, 80)}`;
  }
}

/**
 * A byte count for people: `512 B`, `1.2 KB`, `3.4 MB`.
 *
 * @param n Bytes.
 * @returns The size.
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
