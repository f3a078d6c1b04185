/**
 * The HTTP scout: `--watch-url http://localhost:8900/stats`. Each cycle makes
 * one request and emits one tile: PERIODIC while the target is up (status,
 * latency, a body summary), ERROR when it is down (timeout, refused, 5xx, a
 * failed assertion). A change between up and down is a tile of its own, and
 * a latency far above the recent baseline is flagged. Credentials in the URL
 * or headers never reach a tile or a log line.
 *
 * @module
 */
import type { ScoutKind } from "../lib/scout_kind.ts";
import { httpScoutFactory } from "./_http_scout.ts";
import { type HttpWatch, HttpWatchSchema } from "./_http_watch.ts";

export {
  createHttpScout,
  HttpScout,
  httpScoutFactory,
  type HttpScoutOptions,
} from "./_http_scout.ts";
export type { HttpObservation } from "./_http_observe.ts";
export {
  DEFAULT_MAX_BODY_BYTES,
  type HttpMethod,
  type HttpWatch,
  type HttpWatchInput,
  HttpWatchSchema,
} from "./_http_watch.ts";
export type { AssertionResult } from "./_http_assert.ts";
export type { LatencyBaselineOptions } from "./_http_baseline.ts";
export type { ProbeTimers } from "./_http_probe.ts";

/**
 * The HTTP scout kind: `watch.type: http` in scout.yaml, the `http` CLI
 * subcommand. Needs only `fetch`, so it runs on every runtime.
 *
 * @example Build an HTTP scout from a `watch:` section
 * ```ts ignore
 * import { httpScout } from "@plato/scout/scouts/http";
 * import { MemoryState } from "@plato/scout";
 * const watch = httpScout.watch.parse({ type: "http", url: "http://localhost:8900/stats", timeout: 5 });
 * const scout = httpScout.create(
 *   { scoutName: "http-monitor", scoutRoom: "my/research/scout-reports/http" },
 *   watch,
 *   { state: new MemoryState() },
 * );
 * await scout.tick();
 * ```
 */
export const httpScout: ScoutKind<HttpWatch> = {
  type: "http",
  summary: "Poll a URL: status, latency, body summary, assertions and up/down changes",
  watch: HttpWatchSchema,
  create: httpScoutFactory.create,
};
