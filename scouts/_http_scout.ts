/**
 * The HTTP scout itself: {@linkcode HttpScout}, {@linkcode createHttpScout}
 * and {@linkcode httpScoutFactory}. No zod: the `watch:` schema lives in
 * `_http_watch.ts`, and `http.ts` (the public module) joins the two into the
 * `httpScout` kind. The command line's plainly valid flag runs build the
 * scout from here without loading zod.
 *
 * @module
 */

import { CheckpointType } from "../lib/checkpoint_type.ts";
import { GATE_LIMITS, quoteObserved } from "../lib/gate.ts";
import { fitAnswer } from "./_answer.ts";
import { type Checkpoint, Scout, type ScoutOptions } from "../lib/scout.ts";
import type { ScoutFactory } from "../lib/scout_kind.ts";
import { globalTimers } from "../lib/timers.ts";
import { serializeAnswer, type Tile } from "../lib/tile.ts";
import { type Assertions, buildAssertions } from "./_http_assert.ts";
import { head } from "./_http_body.ts";
import type { LatencyBaselineOptions } from "./_http_baseline.ts";
import { describeHttpScout } from "./_http_describe.ts";
import { HttpMonitor } from "./_http_monitor.ts";
import { type HttpObservation, observe } from "./_http_observe.ts";
import type { ProbeTimers } from "./_http_probe.ts";
import { type PreparedTarget, prepareTarget, Scrubber } from "./_http_secrets.ts";
import type { HttpWatch } from "./_http_watch.ts";
import { DEFAULT_MAX_BODY_BYTES, HTTP_WATCH_DEFAULTS } from "./_http_watch_plain.ts";

/** Options of {@linkcode HttpScout}: the scout's own, plus the target and its assertions. */
export interface HttpScoutOptions extends ScoutOptions {
  /** The target (http or https); user info and token query values are kept secret. */
  url: string;
  /** Default `GET`. */
  method?: string;
  /** Sent with every request; their values are masked wherever the scout shows them. */
  headers?: Record<string, string>;
  /** A request body (for POST probes). */
  body?: string;
  /** Deadline for headers and body together, in seconds. Default 5. */
  timeoutSeconds?: number;
  /** Expected status codes: `200`, `"2xx"`, `"200-299"`. Default `["2xx", "3xx"]`. */
  expectStatus?: ReadonlyArray<string | number>;
  /** The body contains this text. */
  bodyContains?: string;
  /** The body matches this regex (`source` or `/source/flags`). */
  bodyMatches?: string;
  /** A dotted JSON path (`registry.total`, `a.b[0].c`) that exists, or equals `jsonEquals`. */
  jsonPath?: string;
  /** The value at `jsonPath` (any JSON, `null` included); `undefined` checks only that it exists. */
  jsonEquals?: unknown;
  /** Most body bytes read per request; reading stops there. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Redirects followed at most. Default 5; 0 follows none: a 3xx is the response checked. */
  maxRedirects?: number;
  /** Latency anomaly settings. */
  latency?: LatencyBaselineOptions;
  /** Timers for the request deadline. Default the global ones. */
  timers?: ProbeTimers;
}

const ANSWER_MAX = GATE_LIMITS.answerMax - 100;

/**
 * The HTTP scout. `collect()` makes one request and checks the assertions;
 * `onPeriodic` emits the cycle's tile, the state-change tile when up/down
 * flipped, and keeps the state and latency baseline in the state store.
 */
export class HttpScout extends Scout<HttpObservation> {
  /** The target as it may be shown (credentials removed). */
  readonly url: string;
  /** The request method. */
  readonly method: string;
  readonly #target: PreparedTarget;
  readonly #scrubber: Scrubber;
  readonly #assertions: Assertions;
  readonly #options: HttpScoutOptions;
  readonly #monitor: HttpMonitor;
  readonly #fetch: typeof fetch;
  readonly #timers: ProbeTimers;
  #failing = false;

  /**
   * Create the scout; nothing is requested before its first cycle.
   *
   * @param options Scout options, target, assertions and limits.
   * @throws {TypeError} If the URL, a status, the regex or the JSON path is invalid.
   * @throws {RangeError} If the timeout, body cap or redirect limit is out of range.
   */
  constructor(options: HttpScoutOptions) {
    const target = prepareTarget(options.url, options.headers);
    super({
      ...options,
      watchedService: options.watchedService ?? target.url.host,
      purpose: options.purpose ?? `Polls ${target.shownUrl} and reports status, latency and body`,
    });
    this.#target = target;
    this.#scrubber = new Scrubber(target.secrets);
    this.#scrubber.addUrl(target.url);
    this.#options = options;
    this.url = target.shownUrl;
    this.method = (options.method ?? HTTP_WATCH_DEFAULTS.method).toUpperCase();
    if (options.body !== undefined && (this.method === "GET" || this.method === "HEAD")) {
      throw new TypeError(
        `Cannot create HTTP scout: 'body' needs a method other than ${this.method}`,
      );
    }
    checkLimits(options);
    this.#assertions = buildAssertions(options);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timers = options.timers ?? globalTimers;
    this.#monitor = new HttpMonitor(this.state, `http:${this.scoutName}`, target.shownUrl, {
      ...options.latency,
    });
  }

  /** Make one request and check it. Never rejects. */
  protected override collect(signal?: AbortSignal): Promise<HttpObservation> {
    const o = this.#options;
    return observe({
      request: {
        url: this.#target.url,
        method: this.method,
        headers: this.#target.headers,
        body: o.body,
        timeoutMs: (o.timeoutSeconds ?? HTTP_WATCH_DEFAULTS.timeout) * 1000,
        maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        maxRedirects: o.maxRedirects ?? HTTP_WATCH_DEFAULTS.max_redirects,
        credentialHeaders: this.#target.credentialHeaders,
      },
      deps: { fetch: this.#fetch, now: this.now, timers: this.#timers },
      assertions: this.#assertions,
      scrubber: this.#scrubber,
      signal,
    });
  }

  /** The startup tile's extra fields: target, limits, assertions, how to read the tiles. */
  protected override describe(): Record<string, unknown> {
    const o = this.#options;
    return describeHttpScout({
      url: this.url,
      method: this.method,
      headers: this.#target.shownHeaders,
      timeoutSeconds: o.timeoutSeconds ?? HTTP_WATCH_DEFAULTS.timeout,
      assertions: this.#assertions,
      maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxRedirects: o.maxRedirects ?? HTTP_WATCH_DEFAULTS.max_redirects,
      latency: this.#monitor.baselineOptions,
    });
  }

  /**
   * Emit the cycle's tile (PERIODIC when up, ERROR when down), then a
   * state-change tile when up/down flipped; save state and baseline.
   *
   * @param obs What {@linkcode HttpScout.collect} observed.
   */
  override async onPeriodic(obs: HttpObservation): Promise<void> {
    if (obs.cancelled) return;
    const at = this.now();
    const report = await this.#monitor.record(obs, at);
    const where = `${this.method} ${short(this.url, 120)}`;
    const context = { url: this.url, method: this.method, ...report.answer };
    if (obs.up) {
      const anomaly = report.latency?.anomaly === true;
      this.emitCheckpoint({
        checkpointType: CheckpointType.PERIODIC,
        question: `${where}: ${obs.headline}${
          anomaly ? ` (latency anomaly, baseline ${report.latency!.mean_ms} ms)` : ""
        }`,
        answer: context,
        tags: [
          "periodic",
          this.watchedService,
          "state:up",
          ...(obs.status ? [`status:${obs.status}`] : []),
          ...(anomaly ? ["anomaly:latency", "interesting"] : []),
        ],
        confidence: 0.8,
      });
    } else {
      const line = this.#scrubber.scrub(`${where} is down: ${obs.headline}`);
      if (report.change || report.answer.consecutive_failures === 1) this.log.warn(line);
      else this.log.debug(line);
      this.#failing = true;
      try {
        this.emitError(new Error(`${where}: ${obs.headline}`), {
          error_type: obs.errorType,
          ...context,
        });
      } finally {
        this.#failing = false;
      }
    }
    if (report.change) {
      const c = report.change;
      if (c.to === "up") {
        this.log.info(this.#scrubber.scrub(`${where} is up again: ${obs.headline}`));
      }
      // How long the previous state lasted, when known: "after 30s up".
      const lasted = c.previousSeconds === undefined
        ? ""
        : ` after ${duration(c.previousSeconds)} ${c.from}`;
      this.emitCheckpoint({
        checkpointType: CheckpointType.PERIODIC,
        question: c.to === "down"
          ? `[STATE_CHANGE] ${this.watchedService} went down${lasted}: ${obs.headline}`
          : `[STATE_CHANGE] ${this.watchedService} is up again${lasted}: ${obs.headline}`,
        answer: {
          from: c.from,
          to: c.to,
          url: this.url,
          method: this.method,
          observed_at: new Date(at).toISOString(),
          previous_state_since: c.previousSince,
          previous_state_seconds: c.previousSeconds,
          reason: obs.headline,
          error_type: obs.errorType,
          interesting: true,
        },
        tags: ["state-change", "interesting", `state:${c.to}`, this.watchedService],
        confidence: 0.9,
      });
    }
  }

  /**
   * Queue a tile, with every credential of the target removed from its
   * question and answer, observed text made safe for the gate's word rule,
   * and the `http` tag.
   *
   * @param checkpoint Type, question, answer, tags, confidence.
   * @returns The tile as it will be sent.
   */
  override emitCheckpoint(checkpoint: Checkpoint): Tile {
    const finish = (text: string) => quoteObserved(this.#scrubber.scrub(text));
    let answer = finish(serializeAnswer(checkpoint.answer));
    if (answer.length > ANSWER_MAX && typeof checkpoint.answer !== "string") {
      // Shorter strings and lists until it fits (a 3,000-character URL):
      // still JSON, where cutting the text would not be.
      answer = fitAnswer(checkpoint.answer, ANSWER_MAX, finish);
    }
    if (answer.length > ANSWER_MAX) {
      this.log.warn(`Answer of ${answer.length} characters cut to ${ANSWER_MAX}`);
      answer = answer.slice(0, ANSWER_MAX);
    }
    const tags = [...(checkpoint.tags ?? []), "http"];
    if (this.#failing) tags.push("state:down");
    return super.emitCheckpoint({
      ...checkpoint,
      question: this.#scrubber.scrub(checkpoint.question),
      answer,
      tags,
    });
  }
}

function checkLimits(o: HttpScoutOptions): void {
  const bad = (name: string, value: unknown, rule: string) => {
    throw new RangeError(`Cannot create HTTP scout: '${name}' must be ${rule}, got ${value}`);
  };
  const t = o.timeoutSeconds;
  if (t !== undefined && !(Number.isFinite(t) && t > 0)) bad("timeoutSeconds", t, "> 0");
  const b = o.maxBodyBytes;
  if (b !== undefined && !(Number.isSafeInteger(b) && b >= 1)) {
    bad("maxBodyBytes", b, "an integer >= 1");
  }
  const r = o.maxRedirects;
  if (r !== undefined && !(Number.isSafeInteger(r) && r >= 0)) {
    bad("maxRedirects", r, "an integer >= 0");
  }
}

function short(text: string, n: number): string {
  return text.length > n ? `${head(text, n)}\u2026` : text;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60), s = seconds % 60;
  if (m < 60) return s ? `${m}m ${s}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
}

/**
 * Create an HTTP scout.
 *
 * @param options Scout options, target, assertions and limits.
 * @returns The scout.
 * @throws {TypeError} If the URL, a status, the regex or the JSON path is invalid.
 *
 * @example Watch an endpoint
 * ```ts ignore
 * import { createHttpScout } from "@plato/scout/scouts/http";
 * const scout = createHttpScout({
 *   scoutName: "http-monitor",
 *   scoutRoom: "my/research/scout-reports/http",
 *   url: "http://localhost:8900/stats",
 *   jsonPath: "registry.total",
 * });
 * await scout.run({ pollInterval: 30 });
 * ```
 */
export function createHttpScout(options: HttpScoutOptions): HttpScout {
  return new HttpScout(options);
}

/**
 * The HTTP scout's factory: a {@linkcode ScoutFactory} for `watch.type: http`
 * (the `httpScout` kind of `http.ts` is this plus the `watch:` schema).
 */
export const httpScoutFactory: ScoutFactory<HttpWatch> = {
  type: "http",
  create(options, watch, host) {
    return new HttpScout({
      ...options,
      state: options.state ?? host.state,
      timers: host.timers,
      url: watch.url,
      method: watch.method,
      headers: watch.headers,
      body: watch.body,
      timeoutSeconds: watch.timeout,
      expectStatus: watch.expect_status,
      bodyContains: watch.body_contains,
      bodyMatches: watch.body_matches,
      jsonPath: watch.json_path,
      jsonEquals: watch.json_equals,
      maxBodyBytes: watch.max_body_bytes,
      maxRedirects: watch.max_redirects,
      latency: {
        alpha: watch.latency_alpha,
        threshold: watch.latency_threshold,
        warmup: watch.latency_warmup,
        minDeltaMs: watch.latency_min_delta_ms,
      },
    });
  },
};
