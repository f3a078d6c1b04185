import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { PlatoClient, SubmitOutcome } from "./client.ts";
import { checkGate, quoteObserved } from "./gate.ts";
import { createLogger, type Logger } from "./logger.ts";
import { METRIC, METRIC_HELP, type MetricsRegistry } from "./metrics.ts";
import { MemoryOutbox, type Outbox, type OutboxEntry } from "./outbox.ts";
import { redactSecrets } from "./redact.ts";
import type { Tile } from "./tile.ts";
import { globalTimers, sleepOn, type Timers } from "./timers.ts";

/** What the emitter does with a tile the fleet gate would refuse. */
export type GatePolicy = "warn" | "refuse" | "off";

export type { Timers } from "./timers.ts";

/** Options of {@linkcode Emitter}. */
export interface EmitterOptions {
  /** Where tiles go. */
  client: PlatoClient;
  /** Where undelivered tiles wait. Default: a {@linkcode MemoryOutbox} of 10,000. */
  outbox?: Outbox;
  /** Tiles per request, at most. Default 200 (`batch_size`; fleet servers take up to 1,000). */
  batchSize?: number;
  /** Batch requests in flight at once. Default 2 (Workers allow 6 connections). */
  concurrency?: number;
  /** Minimum time between automatic flushes, ms. Default 1,000 (`min_interval_seconds`). */
  minIntervalMs?: number;
  /** Gate check on emit: `warn` (default) logs, `refuse` drops locally and counts, `off`. */
  gate?: GatePolicy;
  /** Retry backoff. */
  backoff?: BackoffOptions;
  /** Flush by itself on timers (default true). Off where the host drives flushes (Workers). */
  autoFlush?: boolean;
  /** Label for metrics and logs. Default `plato-scout`. */
  name?: string;
  /** Where delivery problems are logged. Default: a logger named after `name`. */
  logger?: Logger;
  /** Where delivery metrics are recorded. */
  metrics?: MetricsRegistry;
  /** Epoch ms now. Default `Date.now`. */
  now?: () => number;
  /** Uniform [0,1). Default `Math.random`. */
  random?: () => number;
  /** Default the global timers. */
  timers?: Timers;
  /**
   * Sleep used by {@linkcode Emitter.drain}; default a timer. `signal` ends
   * it early (the drain stops waiting either way when it aborts).
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Strings no tile may carry (credentials from the configuration): replaced
   * by `***` in each tile's question, answer, tags and source before it is
   * queued. Strings shorter than 4 characters are ignored.
   */
  secrets?: readonly string[];
}

/** Counts since the emitter was created. */
export interface EmitterStats {
  /** Tiles accepted by `emit()`. */
  emitted: number;
  /** Tiles the server acknowledged (including duplicates of earlier attempts). */
  delivered: number;
  /** Tiles refused for good: by the server, or locally by the `refuse` gate policy. */
  rejected: number;
  /** Of `rejected`: first attempts answered "Duplicate tile" (same content stored before). */
  duplicates: number;
  /** Tiles the outbox dropped when full. */
  dropped: number;
  /** Requests that failed retryably. */
  retries: number;
  /** Tiles waiting now. */
  pending: number;
  /**
   * Epoch ms of the first failed delivery since the last one that
   * succeeded; absent while delivery works (`/health` reports it).
   */
  failingSince?: number;
  /** Why the last delivery failed, while `failingSince` is set. */
  lastError?: string;
}

/** What one flush or drain achieved. */
export interface FlushReport {
  /** Tiles acknowledged in this flush. */
  delivered: number;
  /** Tiles refused for good in this flush. */
  rejected: number;
  /** Tiles still waiting afterwards. */
  pending: number;
  /** The last retryable failure, if the flush stopped on one. */
  lastError?: string;
}

/**
 * Queues tiles and delivers them in batches: `emit()` never waits on the
 * network and never throws for network reasons; retryable failures back off
 * with full jitter and honour `Retry-After`; gate rejections are counted and
 * logged, never retried; a "Duplicate tile" answer to a retry counts as
 * delivered.
 *
 * @example Emit and flush
 * ```ts ignore
 * import { buildTile, createPlatoClient, Emitter } from "@plato/scout";
 * const emitter = new Emitter({ client: createPlatoClient({ url: "http://localhost:8848" }) });
 * emitter.emit(buildTile({ scoutName: "s", room: "r", checkpointType: "periodic", question: "hi", answer: { ok: true } }));
 * await emitter.close({ deadlineMs: 5_000 });
 * ```
 */
export class Emitter {
  /** Where undelivered tiles wait. */
  readonly outbox: Outbox;
  readonly #client: PlatoClient;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #minIntervalMs: number;
  readonly #gate: GatePolicy;
  readonly #backoff: BackoffOptions;
  readonly #autoFlush: boolean;
  readonly #name: string;
  readonly #log: Logger;
  readonly #metrics?: MetricsRegistry;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #timers: Timers;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #secrets: readonly string[];
  /** Drops (a full outbox) already reported in the log. */
  #droppedLogged = 0;
  /** Aborted when a drain's deadline passes: cancels the requests in flight. */
  #cancel = new AbortController();

  #timer: unknown = undefined;
  #flushing: Promise<FlushReport> | undefined;
  #failingSince: number | undefined;
  #lastError: string | undefined;
  /** Removes this emitter's render-time series from the registry (at close). */
  readonly #unregister: Array<() => void> = [];
  #lastFlushAt = -Infinity;
  #backoffUntil = 0;
  /** A drain is running: it logs its own retries. */
  #draining = false;
  /** Until when the server's last `Retry-After` asks to wait (0: none). */
  #retryAfterUntil = 0;
  #failures = 0;
  /**
   * The last failure was a lone tile a proxy refused (not PLATO's answer):
   * the next probe sends the tile after it too, so the client can tell a tile
   * refused for what it holds (refused again alone once a later tile got
   * through) from a proxy refusing everything. With `batchSize: 1` nothing
   * after it would ever be sent, and it would hold the outbox's head.
   */
  #loneForeign = false;
  #closed = false;
  #stats = { emitted: 0, delivered: 0, rejected: 0, duplicates: 0, retries: 0 };

  /**
   * Create an emitter.
   *
   * @param options Client, outbox, batching and retry settings.
   */
  constructor(options: EmitterOptions) {
    this.#client = options.client;
    this.outbox = options.outbox ?? new MemoryOutbox();
    // Drops an earlier run of a durable outbox counted were logged by that run.
    this.#droppedLogged = this.outbox.droppedBefore ?? 0;
    this.#batchSize = positiveInt("batchSize", options.batchSize ?? 200);
    this.#concurrency = positiveInt("concurrency", options.concurrency ?? 2);
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
    if (!(this.#minIntervalMs >= 0)) {
      throw new RangeError(`Cannot create emitter: 'minIntervalMs' must be >= 0`);
    }
    this.#gate = options.gate ?? "warn";
    this.#backoff = options.backoff ?? {};
    this.#autoFlush = options.autoFlush ?? true;
    this.#name = options.name ?? "plato-scout";
    this.#log = options.logger ?? createLogger({ name: this.#name });
    this.#metrics = options.metrics;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? globalTimers;
    this.#sleep = options.sleep ?? ((ms, signal) => sleepOn(this.#timers, ms, signal));
    // Also as a scout's quoteObserved left them in observed text: a secret
    // holding a gate word ("Always-...") would no longer match itself.
    this.#secrets = [
      ...new Set(
        (options.secrets ?? []).filter((s) => s.length >= 4).flatMap((s) => [s, quoteObserved(s)]),
      ),
    ];
    if (this.#metrics) {
      this.#unregister.push(
        this.#metrics.gaugeFn(METRIC.outboxDepth, METRIC_HELP.outboxDepth, () => [
          { labels: { scout_name: this.#name }, value: this.outbox.size() },
        ]),
        // Read from the outbox, so drops by a byte bound or from earlier runs count too.
        this.#metrics.counterFn(METRIC.dropped, METRIC_HELP.dropped, () => [
          { labels: { scout_name: this.#name }, value: this.outbox.dropped },
        ]),
      );
    }
  }

  /**
   * Epoch ms before which PLATO asked (`Retry-After`) not to be sent more;
   * 0 when it did not. A run that ends first can save it for the next (see
   * {@linkcode Emitter.holdUntil}).
   */
  get retryAfterUntil(): number {
    return this.#retryAfterUntil;
  }

  /**
   * Send nothing before `until` (epoch ms; at most the longest `Retry-After`
   * honoured from now): a wait PLATO asked an earlier run for. A drain whose
   * deadline comes first then ends without a request.
   *
   * @param until Epoch milliseconds.
   */
  holdUntil(until: number): void {
    const capped = Math.min(until, this.#now() + (this.#backoff.maxRetryAfterMs ?? 600_000));
    if (capped <= this.#retryAfterUntil) return;
    this.#retryAfterUntil = capped;
    this.#backoffUntil = Math.max(this.#backoffUntil, capped);
  }

  /** Counts so far. */
  get stats(): EmitterStats {
    return {
      ...this.#stats,
      dropped: this.outbox.dropped,
      pending: this.outbox.size(),
      ...(this.#failingSince === undefined
        ? {}
        : { failingSince: this.#failingSince, lastError: this.#lastError }),
    };
  }

  /**
   * Queue a tile for delivery and return at once.
   *
   * @param tile A built tile.
   * @returns `false` only when the `refuse` gate policy dropped it.
   */
  emit(tile: Tile): boolean {
    if (this.#secrets.length > 0) tile = maskTile(tile, this.#secrets);
    if (this.#gate !== "off") {
      const reasons = checkGate(tile);
      if (reasons.length > 0) {
        if (this.#gate === "refuse") {
          this.#stats.rejected++;
          this.#count(METRIC.rejected, METRIC_HELP.rejected, "local_gate");
          this.#log.warn(
            `Tile refused locally by the gate check: ${reasons.join("; ")} (${
              tile.question.slice(0, 80)
            })`,
          );
          return false;
        }
        this.#log.warn(
          `Tile will likely be refused by the fleet gate: ${reasons.join("; ")} (${
            tile.question.slice(0, 80)
          })`,
        );
      }
    }
    this.outbox.append(tile);
    this.#stats.emitted++;
    if (this.#autoFlush && this.#timer === undefined && !this.#flushing && !this.#closed) {
      this.#arm();
    }
    return true;
  }

  #arm(): void {
    const now = this.#now();
    const delay = Math.max(
      0,
      this.#lastFlushAt + this.#minIntervalMs - now,
      this.#backoffUntil - now,
    );
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch((e) => this.#log.error(`Flush failed: ${e}`));
    }, delay);
  }

  /**
   * Deliver what waits now: batch after batch until the outbox is empty or a
   * retryable failure stops it (the next attempt is then scheduled after the
   * backoff). Never rejects for network reasons. Concurrent calls share one flush.
   *
   * @returns What this flush achieved.
   */
  flush(): Promise<FlushReport> {
    if (this.#flushing) return this.#flushing;
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
      if (this.#autoFlush && !this.#closed && this.outbox.size() > 0 && this.#timer === undefined) {
        this.#arm();
      }
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<FlushReport> {
    this.#lastFlushAt = this.#now();
    // Drops are counted in the metrics; say so in the log too, once per flush at most.
    const dropped = this.outbox.dropped;
    if (dropped > this.#droppedLogged) {
      this.#log.warn(
        `Outbox full: ${
          dropped - this.#droppedLogged
        } oldest tile(s) dropped (${dropped} in all); raise outbox_max_entries or outbox_max_bytes to keep more while PLATO is unreachable`,
      );
      this.#droppedLogged = dropped;
    }
    const report: FlushReport = { delivered: 0, rejected: 0, pending: 0 };
    // The first refusals are logged one by one; the rest, counted by reason.
    let logged = 0;
    const unlogged = new Map<string, number>();
    const mayLog = (reason: string) => {
      if (logged++ < 5) return true;
      unlogged.set(reason, (unlogged.get(reason) ?? 0) + 1);
      return false;
    };
    while (true) {
      // While recovering from failures, one probe batch at a time, so a struggling
      // server is not hit with a burst; otherwise `concurrency` lanes work through a
      // window of batches, each lane sending the next batch as soon as it is free.
      const recovering = this.#failures > 0;
      const lanes = recovering ? 1 : this.#concurrency;
      const size = recovering && this.#loneForeign ? 2 : this.#batchSize;
      const window = await this.outbox.peek(size * (recovering ? 1 : lanes * 4));
      if (window.length === 0) break;
      const batches: OutboxEntry[][] = [];
      for (let i = 0; i < window.length; i += size) batches.push(window.slice(i, i + size));
      const results: Array<SubmitOutcome[] | undefined> = new Array(batches.length);
      let next = 0;
      let committed = 0;
      let failed = false;
      const failure: { retryAfterMs?: number; lastError?: string } = {};
      // Acknowledge in window order, so the outbox removes from its head.
      const commitReady = async () => {
        while (committed < batches.length && results[committed]) {
          const k = committed++;
          await this.#commit(batches[k], results[k]!, report, mayLog, failure);
        }
      };
      const lane = async () => {
        while (!failed && next < batches.length) {
          const i = next++;
          results[i] = await this.#send(batches[i]);
          if (results[i]!.some((o) => o.kind === "retryable")) failed = true;
          await commitReady();
        }
      };
      await Promise.all(Array.from({ length: Math.min(lanes, batches.length) }, lane));
      // After a failure, later batches that did complete are settled too.
      for (let k = committed; k < batches.length; k++) {
        if (results[k]) await this.#commit(batches[k], results[k]!, report, mayLog, failure);
      }
      if (failed) {
        const [lone, more] = results.find((r) => r?.some((o) => o.kind === "retryable"))!;
        this.#loneForeign = !more && lone.kind === "retryable" && lone.foreign === true;
        this.#stats.retries++;
        this.#failures++;
        const wait = backoffDelay(
          this.#failures,
          this.#random(),
          failure.retryAfterMs,
          this.#backoff,
        );
        this.#backoffUntil = this.#now() + wait;
        this.#retryAfterUntil = failure.retryAfterMs === undefined
          ? 0
          : this.#now() + Math.min(failure.retryAfterMs, this.#backoff.maxRetryAfterMs ?? 600_000);
        report.lastError = failure.lastError;
        this.#failingSince ??= this.#now();
        this.#lastError = failure.lastError;
        this.#count(METRIC.errors, METRIC_HELP.errors, "submit_retryable");
        // A drain says when it retries itself (its own backoff, see drain()).
        if (!this.#draining) {
          this.#log.warn(
            `Delivery failed, ${this.outbox.size()} tile(s) waiting, retry in ${wait} ms: ${failure.lastError}`,
          );
        }
        break;
      }
      this.#failures = 0;
      this.#backoffUntil = 0;
      this.#retryAfterUntil = 0;
      this.#failingSince = undefined;
      this.#lastError = undefined;
    }
    if (unlogged.size > 0) {
      const reasons = [...unlogged].map(([reason, n]) => `${reason} (${n})`).join("; ");
      this.#log.warn(`${logged - 5} more tile(s) refused by PLATO in this flush: ${reasons}`);
    }
    report.pending = this.outbox.size();
    return report;
  }

  async #commit(
    batch: OutboxEntry[],
    outcomes: SubmitOutcome[],
    report: FlushReport,
    mayLog: (reason: string) => boolean,
    failure: { retryAfterMs?: number; lastError?: string },
  ): Promise<void> {
    const { done, retry, retryAfterMs, lastError } = this.#settle(batch, outcomes, report, mayLog);
    if (done.length) await this.outbox.ack(done);
    if (retry.length) {
      await this.outbox.nack(retry);
      failure.lastError = lastError;
      if (retryAfterMs !== undefined) {
        failure.retryAfterMs = Math.max(failure.retryAfterMs ?? 0, retryAfterMs);
      }
    }
  }

  async #send(batch: OutboxEntry[]): Promise<SubmitOutcome[]> {
    const started = this.#now();
    let outcomes: SubmitOutcome[];
    try {
      outcomes = await this.#client.submitBatch(batch.map((e) => e.tile), this.#cancel.signal);
    } catch (error) {
      // A client must not throw, but a custom fetch might: treat as retryable.
      outcomes = batch.map(() => ({ kind: "retryable", reason: String(error) }));
    }
    this.#metrics?.observe(
      METRIC.submitDuration,
      METRIC_HELP.submitDuration,
      { scout_name: this.#name },
      (this.#now() - started) / 1000,
    );
    return outcomes;
  }

  #settle(
    entries: OutboxEntry[],
    outcomes: SubmitOutcome[],
    report: FlushReport,
    mayLog: (reason: string) => boolean,
  ): { done: string[]; retry: string[]; retryAfterMs?: number; lastError?: string } {
    const done: string[] = [];
    const retry: string[] = [];
    let retryAfterMs: number | undefined;
    let lastError: string | undefined;
    entries.forEach((entry, i) => {
      const outcome = outcomes[i] ?? { kind: "retryable", reason: "no outcome for tile" };
      const id = entry.tile.id;
      switch (outcome.kind) {
        case "accepted":
          done.push(id);
          this.#delivered(report);
          break;
        case "duplicate":
          done.push(id);
          if (entry.attempts > 0) {
            // An earlier attempt was stored before the connection failed.
            this.#delivered(report);
          } else {
            this.#stats.duplicates++;
            this.#rejected(report, "duplicate", outcome.reason, entry, mayLog);
          }
          break;
        case "rejected":
          done.push(id);
          this.#rejected(report, "gate", outcome.reason, entry, mayLog);
          break;
        case "retryable":
          retry.push(id);
          // It reaches /health and the flush report, not only the masking logger.
          lastError = this.#secrets.length > 0
            ? redactSecrets(outcome.reason, this.#secrets)
            : outcome.reason;
          if (outcome.retryAfterMs !== undefined) {
            retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.retryAfterMs);
          }
      }
    });
    return { done, retry, retryAfterMs, lastError };
  }

  #delivered(report: FlushReport): void {
    report.delivered++;
    this.#stats.delivered++;
    this.#count(METRIC.delivered, METRIC_HELP.delivered);
  }

  #rejected(
    report: FlushReport,
    kind: string,
    reason: string,
    entry: OutboxEntry,
    mayLog: (reason: string) => boolean,
  ): void {
    report.rejected++;
    this.#stats.rejected++;
    this.#count(METRIC.rejected, METRIC_HELP.rejected, kind);
    if (mayLog(reason)) {
      this.#log.warn(
        `PLATO refused tile ${entry.tile.id} (${entry.tile.question.slice(0, 80)}): ${reason}`,
      );
    }
  }

  #count(name: string, help: string, reason?: string): void {
    if (!this.#metrics) return;
    const labels: Record<string, string> = { scout_name: this.#name };
    if (reason !== undefined) labels[name === METRIC.errors ? "error_type" : "reason"] = reason;
    this.#metrics.inc(name, help, labels);
  }

  /**
   * Flush, waiting out backoffs, until nothing waits, the deadline passes or
   * `signal` aborts; a request still in flight then is cancelled (its tiles
   * wait on). It keeps trying until the deadline on a backoff of its own
   * (the one a long outage built up can outlast the whole deadline), each
   * wait at most half the time left; a server's `Retry-After` is honoured,
   * and one that ends after the deadline ends the drain.
   *
   * @param options `deadlineMs`: how long to keep trying (default 10,000);
   * `signal`: stops delivering at once.
   * @returns The combined report; `pending` > 0 means tiles are still waiting.
   */
  async drain(options: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<FlushReport> {
    const ms = options.deadlineMs ?? 10_000;
    const deadline = this.#now() + ms;
    // A request still in flight at the deadline (a server that accepts and
    // never answers), or when `signal` aborts, is cancelled; its tiles stay
    // in the outbox.
    const cancel = this.#cancel;
    const timer = this.#timers.setTimeout(
      () => cancel.abort(new Error(`the ${ms} ms delivery deadline passed`)),
      ms,
    );
    const stop = () => cancel.abort(new Error("delivery was stopped"));
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", stop, { once: true });
    const total: FlushReport = { delivered: 0, rejected: 0, pending: this.outbox.size() };
    let tries = 0;
    let wait = Math.max(0, this.#retryAfterUntil - this.#now());
    this.#draining = true;
    try {
      while (true) {
        if (wait > 0) {
          if (this.#now() + wait >= deadline) {
            if (tries === 0 && this.#retryAfterUntil > this.#now()) {
              total.lastError = `PLATO asked (Retry-After) to wait until ${
                new Date(this.#retryAfterUntil).toISOString()
              }`;
            }
            break;
          }
          await this.#pause(wait, cancel.signal);
          if (cancel.signal.aborted) break;
        }
        const r = await this.flush();
        total.delivered += r.delivered;
        total.rejected += r.rejected;
        total.pending = r.pending;
        total.lastError = r.lastError;
        if (r.pending === 0 || cancel.signal.aborted) break;
        const now = this.#now();
        const left = deadline - now;
        wait = Math.max(
          Math.min(backoffDelay(++tries, this.#random(), undefined, this.#backoff), left / 2),
          this.#retryAfterUntil - now,
        );
        // Another try needs time for its request; a Retry-After past the deadline leaves none.
        const again = left - wait >= MIN_DRAIN_TRY_MS;
        this.#log.warn(
          `Delivery failed, ${r.pending} tile(s) waiting, ${again ? "retry" : "next try"} in ${
            Math.round(wait)
          } ms (${Math.max(0, Math.round(left))} ms left to deliver): ${r.lastError}`,
        );
        if (!again) break;
      }
    } finally {
      this.#draining = false;
      this.#timers.clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      if (cancel.signal.aborted) this.#cancel = new AbortController();
    }
    return total;
  }

  /**
   * Sleep `ms`, or less when `signal` aborts first. A sleep that rejects ends
   * the drain with its error (a Worker's sleep does, once its subrequests
   * are spent: waiting on would only spin).
   */
  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.#sleep(ms, signal).then(done, (error) => {
        signal.removeEventListener("abort", done);
        reject(error);
      });
    });
  }

  /**
   * Stop automatic flushing, drain within the deadline, and close the outbox
   * (what is still waiting stays there: durable outboxes keep it for the next run).
   *
   * @param options `deadlineMs`: default 10,000; `signal`: stops delivering at once.
   * @returns The drain report.
   */
  async close(options: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<FlushReport> {
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#closed = true;
    try {
      const report = await this.drain(options);
      await this.outbox.close?.();
      return report;
    } finally {
      // A closed emitter's outbox no longer counts in a shared registry.
      for (const remove of this.#unregister.splice(0)) remove();
    }
  }
}

/** A drain stops when less than this is left before its deadline (ms). */
const MIN_DRAIN_TRY_MS = 100;

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create emitter: '${name}' must be a positive integer, got ${value}`,
    );
  }
  return value;
}

/**
 * `tile` with each secret replaced by `***` in its text and its room (a room
 * name is public: `GET /rooms` lists it), never its id.
 */
function maskTile(tile: Tile, secrets: readonly string[]): Tile {
  return {
    ...tile,
    domain: redactSecrets(tile.domain, secrets),
    question: redactSecrets(tile.question, secrets),
    answer: redactSecrets(tile.answer, secrets),
    tags: tile.tags.map((tag) => redactSecrets(tag, secrets)),
    source: redactSecrets(tile.source, secrets),
  };
}

/**
 * What `/health` answers for a process's scouts and their shared emitter:
 * `status` is `degraded` while delivery fails (tiles wait in the outbox),
 * with when it began failing and why.
 *
 * @param stats The emitter's {@linkcode Emitter.stats}.
 * @param scouts The scouts' names.
 * @returns The JSON body.
 */
export function healthReport(stats: EmitterStats, scouts: readonly string[]): {
  status: "healthy" | "degraded";
  scouts: readonly string[];
  outbox_depth: number;
  delivered: number;
  dropped: number;
  failing_since?: string;
  last_error?: string;
} {
  const failing = stats.failingSince !== undefined;
  return {
    status: failing ? "degraded" : "healthy",
    scouts,
    outbox_depth: stats.pending,
    delivered: stats.delivered,
    dropped: stats.dropped,
    ...(failing
      ? { failing_since: new Date(stats.failingSince!).toISOString(), last_error: stats.lastError }
      : {}),
  };
}
